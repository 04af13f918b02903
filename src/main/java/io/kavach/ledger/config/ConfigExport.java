package io.kavach.ledger.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes an org's live budgets back out in agentkavach.yaml's structure, so that importing the
 * export changes nothing. Every pool member is listed under {@code agents} (with {@code {}} when
 * it has no own budget), which makes the export satisfy the seed's membership rule strictly.
 */
public final class ConfigExport {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConfigExport() {
    }

    public static ObjectNode export(List<BudgetSpec> live, ObjectNode extras) {
        ObjectNode document = NODES.objectNode();
        List<BudgetSpec> sorted = new ArrayList<>(live);
        sorted.sort(Comparator.comparing((BudgetSpec b) -> b.key().scope())
                .thenComparing(b -> b.key().name() == null ? "" : b.key().name())
                .thenComparing(b -> b.key().period()));

        List<BudgetSpec> org = sorted.stream().filter(b -> b.key().scope() == Scope.ORG).toList();
        if (org.size() == 1) {
            document.set(ConfigValidator.ORG_BUDGET, limitAndPeriod(org.get(0)));
        } else if (org.size() > 1) {
            // The seed's org_budget is one mapping; an org with several periods exports a list.
            ArrayNode list = document.putArray(ConfigValidator.ORG_BUDGET);
            org.forEach(b -> list.add(limitAndPeriod(b)));
        }

        TreeMap<String, ObjectNode> agents = new TreeMap<>();
        ObjectNode settings = ConfigExtras.agentSettings(extras);
        for (Iterator<Map.Entry<String, JsonNode>> kept = settings.fields(); kept.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = kept.next();
            agents.put(entry.getKey(), entry.getValue().deepCopy() instanceof ObjectNode o ? o : NODES.objectNode());
        }

        List<BudgetSpec> pools = sorted.stream().filter(b -> b.key().scope() == Scope.SHARED).toList();
        if (!pools.isEmpty()) {
            ObjectNode section = document.putObject(ConfigValidator.SHARED_BUDGETS);
            for (BudgetSpec pool : pools) {
                ObjectNode entry = limitAndPeriod(pool);
                ArrayNode members = entry.putArray(ConfigValidator.AGENTS);
                pool.agents().forEach(agent -> {
                    members.add(agent);
                    agents.computeIfAbsent(agent, a -> NODES.objectNode());
                });
                section.set(pool.key().name(), entry);
            }
        }

        // One own budget: the SDK's {type, limit}, which the SDK and the ledger read alike. Several
        // periods: the seed's {daily: …, monthly: …} (the SDK reads it as its default; the import
        // answer warns), which holds one time zone; periods in several zones: a list of {type, limit}.
        Map<String, List<BudgetSpec>> own = new TreeMap<>();
        sorted.stream().filter(b -> b.key().scope() == Scope.AGENT)
                .forEach(b -> own.computeIfAbsent(b.key().name(), a -> new ArrayList<>()).add(b));
        own.forEach((name, budgets) -> {
            ObjectNode agent = agents.computeIfAbsent(name, a -> NODES.objectNode());
            if (budgets.size() == 1) {
                agent.set(ConfigValidator.BUDGET, typeAndLimit(budgets.get(0)));
            } else if (budgets.stream().map(BudgetSpec::timezone).distinct().count() == 1) {
                ObjectNode budget = agent.putObject(ConfigValidator.BUDGET);
                budgets.forEach(b -> budget.set(b.key().period().wireName(), number(b.limit())));
                putZone(budget, budgets.get(0));
            } else {
                ArrayNode list = agent.putArray(ConfigValidator.BUDGET);
                budgets.forEach(b -> list.add(typeAndLimit(b)));
            }
        });
        if (!agents.isEmpty()) {
            ObjectNode section = document.putObject(ConfigValidator.AGENTS);
            agents.forEach(section::set);
        }

        document.setAll(ConfigExtras.sections(extras));
        return document;
    }

    private static ObjectNode limitAndPeriod(BudgetSpec budget) {
        ObjectNode node = NODES.objectNode();
        node.set("limit", number(budget.limit()));
        node.put("period", budget.key().period().wireName());
        putZone(node, budget);
        return node;
    }

    private static ObjectNode typeAndLimit(BudgetSpec budget) {
        ObjectNode node = NODES.objectNode();
        node.put("type", budget.key().period().wireName());
        node.set("limit", number(budget.limit()));
        putZone(node, budget);
        return node;
    }

    /** Written only when it is not UTC, so files of budgets without a zone export as before. */
    private static void putZone(ObjectNode node, BudgetSpec budget) {
        if (!budget.timezone().equals(TimeZones.UTC)) {
            node.put("timezone", budget.timezone().getId());
        }
    }

    private static JsonNode number(Money money) {
        return NODES.numberNode(money.toJsonNumber());
    }

}
