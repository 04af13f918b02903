package io.kavach.ledger.core;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * One alert rule: when a booking makes {@code spent / limit_value} of the budget {@code key}
 * reach {@code threshold} in a window, tell {@code channel} at {@code target} once, and with
 * {@code action = kill} pause the agents the budget covers.
 */
public record AlertRule(UUID id, String orgId, BudgetKey key, BigDecimal threshold, Channel channel, String target,
                        String secret, String action, String source, Instant createdAt) {

    public static final String KILL = "kill";

    /** Where an alert goes. {@code kill} delivers nothing: it is the SDK's channel for "pause the agent". */
    public enum Channel {
        WEBHOOK, SLACK, PAGERDUTY, EMAIL, KILL;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<Channel> fromWire(String name) {
            for (Channel channel : values()) {
                if (channel.wireName().equals(name)) {
                    return Optional.of(channel);
                }
            }
            return Optional.empty();
        }
    }

    /** Whether firing pauses the agents the budget covers. */
    public boolean kills() {
        return KILL.equals(action) || channel == Channel.KILL;
    }
}
