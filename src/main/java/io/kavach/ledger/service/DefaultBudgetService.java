package io.kavach.ledger.service;

import io.kavach.ledger.core.DefaultBudget;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.DefaultBudgetStore;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.List;

/**
 * The org's default budgets (ADR 0015): set as a whole by an admin or a config file; agents get
 * them lazily, on their first spend, in the ledger batch ({@code LedgerLoader}).
 */
@ApplicationScoped
public class DefaultBudgetService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    DefaultBudgetStore defaults;

    public List<DefaultBudget> list(String orgId) {
        return QuarkusTransaction.requiringNew().call(() -> defaults.list(orgId));
    }

    /** Makes the template exactly {@code wanted}; budgets already made from it stay as they are. */
    public List<DefaultBudget> replace(String orgId, List<DefaultBudget> wanted) {
        return QuarkusTransaction.requiringNew().call(() -> {
            orgs.ensure(orgId);
            // A budget-definition writer: ledger batches reading the template hold this lock shared.
            definitions.lockOrg(orgId);
            defaults.replace(orgId, wanted, clock.instant());
            return defaults.list(orgId);
        });
    }
}
