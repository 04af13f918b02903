package io.kavach.ledger.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.ledger.BudgetKey;
import java.util.Map;
import java.util.SortedSet;

/**
 * An org's budget configuration as an agentkavach.yaml states it: every budget by key, every
 * agent the file names (defined under {@code agents} or listed in a pool), and the sections the
 * ledger keeps verbatim without enforcing them ({@link ConfigExtras}).
 */
public record DesiredConfig(Map<BudgetKey, BudgetSpec> budgets, SortedSet<String> agents, ObjectNode extras) {
}
