package io.kavach.ledger.core;

import java.time.ZoneId;
import java.util.Optional;

/**
 * The time zones a budget may follow: IANA region ids such as {@code Asia/Kolkata}, and
 * {@code UTC}, the default (ADR 0014). Fixed offsets ({@code +05:30}) are refused: a team's day
 * follows its city's clock, including DST, which an offset does not.
 */
public final class TimeZones {

    /** Every budget's zone unless it says otherwise; the zone of every budget made before zones existed. */
    public static final ZoneId UTC = ZoneId.of("UTC");
    public static final int MAX_LENGTH = 64;
    public static final String RULE = "must be an IANA time zone such as UTC, Europe/Berlin or Asia/Kolkata";

    private TimeZones() {
    }

    /** The zone named {@code id}, if it is one the JDK's tz database knows by that exact id. */
    public static Optional<ZoneId> parse(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH || !ZoneId.getAvailableZoneIds().contains(id)) {
            return Optional.empty();
        }
        return Optional.of(ZoneId.of(id));
    }
}
