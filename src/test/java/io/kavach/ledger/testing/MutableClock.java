package io.kavach.ledger.testing;

import jakarta.annotation.Priority;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The clock of the application under test: real time unless a test pins or moves it, so tests
 * cross midnight, month ends and expiry without sleeping. Tests that move it reset it after.
 */
public class MutableClock extends Clock {

    private static final MutableClock INSTANCE = new MutableClock();
    private volatile Instant pinned;

    public static MutableClock get() {
        return INSTANCE;
    }

    public void pin(Instant instant) {
        pinned = instant;
    }

    public void advance(Duration duration) {
        pinned = instant().plus(duration);
    }

    public void reset() {
        pinned = null;
    }

    @Override
    public Instant instant() {
        Instant at = pinned;
        return at != null ? at : Instant.now();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("the ledger runs in UTC");
    }

    /** Replaces the production clock inside the application under test. */
    public static class Producer {
        @Produces
        @Singleton
        @Alternative
        @Priority(1)
        Clock clock() {
            return INSTANCE;
        }
    }
}
