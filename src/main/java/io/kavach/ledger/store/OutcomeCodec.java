package io.kavach.ledger.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.LedgerOutcome;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Reservation;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import io.kavach.ledger.core.Window;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Stores the first answer to a reservation (budgets after the hold, or the refusal) as jsonb, so
 * a retry with the same idempotency key is answered with exactly the same content. Money is
 * stored as decimal strings: exact, whatever reads it.
 */
final class OutcomeCodec {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OutcomeCodec() {
    }

    static String encode(LedgerOutcome outcome) {
        ObjectNode root = JSON.createObjectNode();
        if (outcome instanceof LedgerOutcome.Held held) {
            root.put("kind", "held");
            ArrayNode budgets = root.putArray("budgets");
            held.budgets().forEach(state -> budgets.add(encode(state)));
        } else if (outcome instanceof LedgerOutcome.Refused refused) {
            root.put("kind", "refused");
            root.set("binding", encode(refused.binding()));
            root.put("requested", refused.requested().value().toPlainString());
            root.put("decided_at", refused.decidedAt().toString());
        } else {
            throw new IllegalArgumentException("only held and refused outcomes are stored: " + outcome);
        }
        return root.toString();
    }

    static LedgerOutcome decode(String json, Reservation reservation) {
        try {
            JsonNode root = JSON.readTree(json);
            if ("held".equals(root.path("kind").asText())) {
                List<BudgetState> budgets = new ArrayList<>();
                root.path("budgets").forEach(node -> budgets.add(decodeState(node)));
                return new LedgerOutcome.Held(reservation.asCreated(), budgets);
            }
            return new LedgerOutcome.Refused(decodeState(root.path("binding")),
                    Money.of(root.path("requested").asText()), Instant.parse(root.path("decided_at").asText()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored reservation outcome is not JSON", e);
        }
    }

    private static ObjectNode encode(BudgetState state) {
        ObjectNode node = JSON.createObjectNode();
        node.put("budget_id", state.budgetId().toString());
        node.put("scope", state.key().scope().wireName());
        if (state.key().name() != null) {
            node.put("name", state.key().name());
        }
        node.put("period", state.key().period().wireName());
        node.put("budget_type", state.budgetType());
        if (state.key().model() != null) {
            node.put("model", state.key().model());
        }
        if (state.key().provider() != null) {
            node.put("provider", state.key().provider());
        }
        node.put("limit", state.limit().value().toPlainString());
        node.put("spent", state.spent().value().toPlainString());
        node.put("reserved", state.reserved().value().toPlainString());
        node.put("timezone", state.timezone().getId());
        node.put("window_start", state.window().start().toString());
        if (state.window().end() != null) {
            node.put("window_end", state.window().end().toString());
        }
        return node;
    }

    private static BudgetState decodeState(JsonNode node) {
        Scope scope = Scope.fromWire(node.path("scope").asText()).orElseThrow();
        Period period = Period.fromWire(node.path("period").asText()).orElseThrow();
        BudgetKey key = new BudgetKey(scope, node.hasNonNull("name") ? node.get("name").asText() : null, period,
                BudgetType.fromWire(node.path("budget_type").asText()).orElseThrow(),
                node.hasNonNull("model") ? node.get("model").asText() : null,
                node.hasNonNull("provider") ? node.get("provider").asText() : null);
        Window window = new Window(Instant.parse(node.path("window_start").asText()),
                node.hasNonNull("window_end") ? Instant.parse(node.get("window_end").asText()) : null);
        return new BudgetState(UUID.fromString(node.path("budget_id").asText()), key,
                node.path("budget_type").asText(), Money.of(node.path("limit").asText()),
                Money.of(node.path("spent").asText()), Money.of(node.path("reserved").asText()), window, null,
                // Outcomes stored before budgets had zones were all in UTC.
                node.hasNonNull("timezone") ? ZoneId.of(node.get("timezone").asText()) : TimeZones.UTC);
    }
}
