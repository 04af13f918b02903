package io.kavach.ledger.ops;

import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.LedgerCommand;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Scope;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletionException;

/**
 * The spend path's business metrics (docs/operations.md lists them; docs/ops/grafana-dashboard.json
 * charts them). Every label takes a value from a small fixed set — command, outcome, reason code,
 * budget scope — never an org, agent, key or pool name, so the number of series stays bounded
 * however many tenants there are.
 */
@ApplicationScoped
public class LedgerMetrics {

    static final String COMMANDS = "kavach.ledger.commands";
    static final String BUDGET_429 = "kavach.budget.exceeded";
    static final String INGEST_EVENTS = "kavach.ingest.events";
    static final String NONE = "none";

    @Inject
    MeterRegistry registry;

    /** Counts one spend command by what became of it; a 429 also by reason and budget scope. */
    public void record(LedgerCommand command, LedgerOutcome outcome, Throwable failure) {
        String name = commandName(command);
        if (failure != null) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            String reason = cause instanceof DomainError refused ? refused.reason() : "error";
            commands(name, "failed", reason).increment();
            return;
        }
        if (outcome instanceof LedgerOutcome.Refused refused) {
            commands(name, "refused", refused.reason()).increment();
            exceeded(refused.reason(), refused.binding().key().scope(), name).increment();
        } else if (outcome instanceof LedgerOutcome.Ingested ingested) {
            events("accepted").increment(ingested.accepted());
            events("duplicate").increment(ingested.duplicates());
            if (ingested.exhausted().isEmpty()) {
                commands(name, "ingested", NONE).increment();
            } else {
                // The 429 names the first exhausted budget in Scope order; count that one.
                Scope scope = ingested.exhausted().stream().map(state -> state.key().scope())
                        .min(Enum::compareTo).orElseThrow();
                commands(name, "ingested", scope.exceededReason()).increment();
                exceeded(scope.exceededReason(), scope, name).increment();
            }
        } else if (outcome instanceof LedgerOutcome.Conflict conflict) {
            commands(name, "conflict", conflict.reason()).increment();
        } else if (outcome instanceof LedgerOutcome.KeyReused) {
            commands(name, "key_reused", "idempotency_key_reused").increment();
        } else if (outcome instanceof LedgerOutcome.Unauthorized) {
            commands(name, "unauthorized", "revoked_api_key").increment();
        } else if (outcome instanceof LedgerOutcome.Held) {
            commands(name, "held", NONE).increment();
        } else if (outcome instanceof LedgerOutcome.Resolved) {
            commands(name, "resolved", NONE).increment();
        } else if (outcome instanceof LedgerOutcome.NotFound) {
            commands(name, "not_found", NONE).increment();
        } else {
            commands(name, "other", NONE).increment();
        }
    }

    static String commandName(LedgerCommand command) {
        if (command instanceof LedgerCommand.Reserve) {
            return "reserve";
        }
        if (command instanceof LedgerCommand.Commit) {
            return "commit";
        }
        if (command instanceof LedgerCommand.Release) {
            return "release";
        }
        return command instanceof LedgerCommand.Ingest ? "ingest" : "other";
    }

    private Counter commands(String command, String outcome, String reason) {
        return Counter.builder(COMMANDS).description("Spend commands by what became of them")
                .tags("command", command, "outcome", outcome, "reason", reason).register(registry);
    }

    private Counter exceeded(String reason, Scope scope, String command) {
        return Counter.builder(BUDGET_429).description("429 answers because a budget is exhausted, by reason and scope")
                .tags("reason", reason, "scope", scope.wireName(), "command", command).register(registry);
    }

    private Counter events(String result) {
        return Counter.builder(INGEST_EVENTS).description("Ingested spend events (rate() gives events/s)")
                .tags("result", result).register(registry);
    }
}
