package io.kavach.ledger.api;

import io.kavach.ledger.error.ProblemException;
import io.kavach.ledger.ledger.BudgetState;
import io.kavach.ledger.ledger.LedgerOutcome;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/** How spend-path outcomes become HTTP answers (statuses, problem bodies, Retry-After). */
final class SpendAnswers {

    private SpendAnswers() {
    }

    /** 429 for a refused hold: names the binding budget, what was asked and when to retry. */
    static ProblemException refused(LedgerOutcome.Refused refused) {
        BudgetState binding = refused.binding();
        ProblemException problem = new ProblemException(429, refused.reason(), "Budget exceeded",
                "Reserving " + refused.requested() + " USD would exceed " + binding.key() + " (limit "
                        + binding.limit() + ", spent " + binding.spent() + ", reserved " + binding.reserved()
                        + ", remaining " + binding.remaining() + ")")
                .with("budget", BudgetStateView.of(binding))
                .with("requested", refused.requested().toJsonNumber());
        return withRetryAfter(problem, refused.retryAfterSeconds());
    }

    /** 429 after an ingest that left a budget exhausted: the events were recorded all the same. */
    static ProblemException exhausted(LedgerOutcome.Ingested ingested, List<?> rejected) {
        List<BudgetState> exhausted = ingested.exhausted();
        Set<String> reasons = new LinkedHashSet<>();
        exhausted.forEach(state -> reasons.add(state.key().scope().exceededReason()));
        BudgetState first = exhausted.get(0);
        ProblemException problem = new ProblemException(429, first.key().scope().exceededReason(), "Budget exhausted",
                ingested.accepted() + " events were recorded; " + first.key() + " has nothing left (limit "
                        + first.limit() + ", spent " + first.spent() + ", reserved " + first.reserved() + ")")
                .with("reasons", List.copyOf(reasons))
                .with("recorded", ingested.accepted())
                .with("duplicates", ingested.duplicates())
                .with("rejected", rejected)
                .with("exhausted", exhausted.stream().map(BudgetStateView::of).toList());
        return withRetryAfter(problem, ingested.retryAfterSeconds());
    }

    private static ProblemException withRetryAfter(ProblemException problem, OptionalLong seconds) {
        problem.with("retry_after_seconds", seconds.isPresent() ? seconds.getAsLong() : null);
        if (seconds.isPresent()) {
            problem.withHeader("Retry-After", Long.toString(Math.max(1, seconds.getAsLong())));
        }
        return problem;
    }

    /** 401 for a spend whose API key the ledger transaction found revoked: the same as any bad credential. */
    static jakarta.ws.rs.core.Response unauthorized() {
        return ProblemMapper.unauthorizedResponse("The credentials were not accepted (invalid, expired or revoked)");
    }

    static ProblemException keyReused(LedgerOutcome.KeyReused reused) {
        return new ProblemException(422, "idempotency_key_reused", "Idempotency key reused",
                "The idempotency key '" + reused.idempotencyKey()
                        + "' was already used with a different request; use a new key for a new request");
    }

    static ProblemException conflict(LedgerOutcome.Conflict conflict) {
        return new ProblemException(409, conflict.reason(), "Reservation conflict", conflict.detail())
                .with("reservation", ReservationView.of(conflict.reservation()));
    }

    static ProblemException notFound(LedgerOutcome.NotFound notFound) {
        return ProblemException.notFound(notFound.what());
    }
}
