package io.kavach.ledger.core;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;

/**
 * How the ledger answered one command. Expected refusals are outcomes, not exceptions; each has
 * its reason code in docs/contract.md, "Reason codes", and its HTTP answer in {@code api/SpendAnswers}.
 */
public sealed interface LedgerOutcome {

    /** The hold was placed; {@code budgets} are the applicable budgets right after it. */
    record Held(Reservation reservation, List<BudgetState> budgets) implements LedgerOutcome {
    }

    /** Not enough room in {@code binding} (the budget named first by precedence); nothing held. */
    record Refused(BudgetState binding, Money requested, Instant decidedAt) implements LedgerOutcome {
        public String reason() {
            return binding.key().scope().exceededReason();
        }

        public OptionalLong retryAfterSeconds() {
            return binding.window().secondsUntilEnd(decidedAt);
        }
    }

    /** A commit or release that took effect (or repeated one that already had). */
    record Resolved(Reservation reservation) implements LedgerOutcome {
    }

    /** The reservation is not in a state that allows this (409), e.g. commit after release. */
    record Conflict(String reason, String detail, Reservation reservation) implements LedgerOutcome {
    }

    /** No such reservation in the caller's org. */
    record NotFound(String what) implements LedgerOutcome {
    }

    /** The idempotency key was used before with a different request (422). */
    record KeyReused(String idempotencyKey) implements LedgerOutcome {
    }

    /** The agent is paused (ADR 0007): nothing was held. */
    record Paused(String agentName, AgentPause pause) implements LedgerOutcome {
    }

    /**
     * Events were booked; {@code keyReused} are the positions (in the command's events) of events
     * not booked because their idempotency key was already used with another agent, cost or
     * timestamp; {@code exhausted} lists applicable budgets with nothing left, by precedence;
     * {@code paused} the batch's paused agents by name; {@code rejectedAgents} the batch's agents
     * that must stop (paused, or with an exhausted applicable budget), sorted; {@code budgets} every
     * applicable budget of the batch's agents right after the booking.
     */
    record Ingested(int accepted, int duplicates, List<Integer> keyReused, List<BudgetState> exhausted,
                    SortedMap<String, AgentPause> paused, List<String> rejectedAgents, List<BudgetState> budgets,
                    Instant decidedAt) implements LedgerOutcome {

        /** Whether the answer is a 429: some agent of the batch must stop. */
        public boolean stopsAgents() {
            return !rejectedAgents.isEmpty();
        }

        public OptionalLong retryAfterSeconds() {
            return exhausted.stream().map(s -> s.window().secondsUntilEnd(decidedAt))
                    .filter(OptionalLong::isPresent).mapToLong(OptionalLong::getAsLong).min();
        }
    }

    /** The command needs an agent the org may not create any more ({@link OrgLimit#AGENTS}); nothing was done. */
    record LimitReached(OrgLimit limit, int max, String detail) implements LedgerOutcome {
    }

    /** The API key was revoked before the spend's transaction ran (401); nothing was done. */
    record Unauthorized() implements LedgerOutcome {
    }
}
