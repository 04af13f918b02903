package io.kavach.ledger.alert;

import io.kavach.ledger.core.BudgetKey;
import java.math.BigDecimal;
import java.time.Instant;
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
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static java.util.Optional<Channel> fromWire(String name) {
            for (Channel channel : values()) {
                if (channel.wireName().equals(name)) {
                    return java.util.Optional.of(channel);
                }
            }
            return java.util.Optional.empty();
        }
    }

    /** Whether firing pauses the agents the budget covers. */
    public boolean kills() {
        return KILL.equals(action) || channel == Channel.KILL;
    }
}
