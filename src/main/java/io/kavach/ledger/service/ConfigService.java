package io.kavach.ledger.service;

import io.kavach.ledger.store.SqlFailures;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.config.ConfigExport;
import io.kavach.ledger.config.ConfigExtras;
import io.kavach.ledger.config.ConfigPlanner;
import io.kavach.ledger.config.ConfigYaml;
import io.kavach.ledger.config.DesiredConfig;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;

/**
 * agentkavach.yaml as the org's desired budget configuration: planned against the live budgets
 * and applied in one transaction, all or nothing. Parsing and validation happen before this
 * (in {@code config/}); nothing here can fail half-way without rolling everything back.
 */
@ApplicationScoped
public class ConfigService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    io.kavach.ledger.store.DefaultBudgetStore defaultBudgets;
    @Inject
    AgentStore agents;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetChangeApplier applier;
    @Inject
    OrgLimits limits;

    /**
     * What an apply did (or, for a dry run, would do). {@code extrasFrom/To} are null when the
     * extras are unchanged; {@code unmanaged} are the live budgets another writer owns that the
     * file does not mention, left as they are.
     */
    public record ConfigResult(boolean dryRun, List<BudgetChange> changes, JsonNode extrasFrom, JsonNode extrasTo,
                               List<BudgetKey> unmanaged, List<FieldError> warnings) {
    }

    /**
     * Applies the file as the desired state of what it owns (ADR 0008); with {@code pruneAll}, as
     * the whole truth of the org's budgets.
     */
    public ConfigResult apply(String orgId, DesiredConfig desired, boolean dryRun, boolean pruneAll) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                if (!dryRun) {
                    orgs.ensure(orgId);
                    definitions.lockOrg(orgId);
                }
                ConfigPlanner.ConfigPlan plan = ConfigPlanner.planConfig(desired.budgets(),
                        AgentService.current(definitions.live(orgId)), pruneAll);
                List<BudgetChange> changes = plan.changes();
                ObjectNode storedExtras = ConfigExtras.normalize(ConfigYaml.readStoredJson(orgs.extras(orgId)));
                boolean extrasChanged = !storedExtras.equals(desired.extras());
                if (!dryRun) {
                    Instant now = clock.instant();
                    // Agents the file names exist afterwards, budget or not (docs/pools-and-config.md: created by config).
                    agents.ensure(orgId, desired.agents(), limits.agentsPerOrg());
                    applier.apply(orgId, changes, BudgetOwner.CONFIG, now);
                    if (desired.defaultBudgets() != null) {
                        // defaults.budget is also the org's default-budget template (ADR 0015).
                        defaultBudgets.replace(orgId, desired.defaultBudgets(), now);
                    }
                    if (extrasChanged) {
                        orgs.setExtras(orgId, ConfigYaml.writeJson(desired.extras()));
                    }
                }
                return new ConfigResult(dryRun, changes,
                        extrasChanged ? storedExtras : null, extrasChanged ? desired.extras() : null, plan.unmanaged(),
                        desired.warnings());
            });
        } catch (RuntimeException e) {
            if (SqlFailures.isUniqueViolation(e)) {
                throw new DomainError.ConcurrentChange("Another request changed this org's budgets at the same time; nothing was applied. Retry.");
            }
            throw e;
        }
    }

    /**
     * The org's configuration in agentkavach.yaml's structure; importing it changes nothing. The
     * file states cost budgets of all use; budgets of other types or with a model or provider
     * filter are made through the API and left out (a file leaves them alone, ADR 0015).
     */
    public ObjectNode export(String orgId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<BudgetSpec> live = definitions.live(orgId).stream().filter(d -> d.key().plainCost())
                    .map(ConfigService::spec).toList();
            return ConfigExport.export(live, ConfigExtras.normalize(ConfigYaml.readStoredJson(orgs.extras(orgId))));
        });
    }

    private static BudgetSpec spec(Definition d) {
        return new BudgetSpec(d.key(), d.limit(), d.members(), d.timezone());
    }
}
