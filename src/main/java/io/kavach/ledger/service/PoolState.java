package io.kavach.ledger.service;

import io.kavach.ledger.core.BudgetState;
import java.util.List;

/** A shared pool as shown: its budget state and its members' names, sorted. */
public record PoolState(BudgetState state, List<String> agents) {
}
