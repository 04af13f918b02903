package io.kavach.ledger.service;

import io.kavach.ledger.store.SqlFailures;
import io.kavach.ledger.config.BudgetChange;
import io.kavach.ledger.config.BudgetSpec;
import io.kavach.ledger.config.ConfigPlanner;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.BudgetOwner;
import io.kavach.ledger.core.BudgetState;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.Scope;
import io.kavach.ledger.core.TimeZones;
import io.kavach.ledger.store.AgentDirectoryStore;
import io.kavach.ledger.store.AgentStore;
import io.kavach.ledger.store.BudgetDefinitionStore;
import io.kavach.ledger.store.BudgetDefinitionStore.Definition;
import io.kavach.ledger.store.OrgStore;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * /v1/sync-config: what an SDK process declares at start-up. Its cost budgets become the
 * agent's own budgets, tighten-only: created when missing or lowered, never raised or removed;
 * everything else it sends is stored for display. An org budget is only ever created, never
 * changed: an API key may not loosen or replace what an admin set (ADR 0008).
 */
@ApplicationScoped
public class SyncConfigService {

    @Inject
    Clock clock;
    @Inject
    OrgStore orgs;
    @Inject
    AgentStore agents;
    @Inject
    AgentDirectoryStore directory;
    @Inject
    BudgetDefinitionStore definitions;
    @Inject
    BudgetChangeApplier applier;
    @Inject
    OrgLimits limits;
    @Inject
    AgentService agentService;

    /** The org budget the SDK asked for, and whether it was created or an existing one kept. */
    public record OrgBudgetOutcome(BudgetKey key, boolean created) {
    }

    /**
     * One budget the SDK asked for: its key, the limit in force afterwards and the limit requested.
     * Applied when they are equal; kept (with why) when the budget keeps a tighter limit.
     */
    public record Request(BudgetKey key, Money limit, Money requested, String reason) {
    }

    public record SyncResult(List<BudgetState> budgets, List<BudgetChange> changes, OrgBudgetOutcome orgBudget,
                             List<Request> applied, List<Request> kept) {
    }

    /**
     * @param own         the agent's cost budgets by period
     * @param orgPeriod   the period of the SDK's org budget, or null
     * @param orgLimit    its limit, or null
     * @param sdkConfig   what to store in agent.sdk_config (JSON text)
     */
    public SyncResult sync(String orgId, String agent, Map<Period, Money> own, Period orgPeriod, Money orgLimit,
                           String sdkConfig) {
        try {
            return QuarkusTransaction.requiringNew().call(() -> apply(orgId, agent, own, orgPeriod, orgLimit, sdkConfig));
        } catch (RuntimeException e) {
            if (SqlFailures.isUniqueViolation(e)) {
                // The org row was created concurrently and another writer won; a retry sees its result.
                return QuarkusTransaction.requiringNew().call(() -> apply(orgId, agent, own, orgPeriod, orgLimit, sdkConfig));
            }
            throw e;
        }
    }

    private SyncResult apply(String orgId, String agent, Map<Period, Money> own, Period orgPeriod, Money orgLimit,
                             String sdkConfig) {
        orgs.ensure(orgId);
        definitions.lockOrg(orgId);
        long agentId = agents.ensure(orgId, List.of(agent), limits.agentsPerOrg()).get(agent);
        Instant now = clock.instant();

        Map<BudgetKey, ConfigPlanner.Current> current = AgentService.current(definitions.liveOwn(orgId, agent));
        // Tighten only (ADR 0008): the SDK may create a missing budget or lower a limit, never raise
        // or remove one, whoever set it. Desired = what exists, with the lower of the two limits.
        Map<BudgetKey, BudgetSpec> desired = new LinkedHashMap<>();
        current.forEach((key, live) -> desired.put(key, live.spec()));
        List<Request> applied = new ArrayList<>();
        List<Request> kept = new ArrayList<>();
        own.forEach((period, requested) -> {
            BudgetKey key = BudgetKey.agent(agent, period);
            ConfigPlanner.Current live = current.get(key);
            if (live == null || requested.compareTo(live.spec().limit()) <= 0) {
                // The SDK knows no time zones: a lowered budget keeps its own (ADR 0014).
                desired.put(key, BudgetSpec.of(key, requested, live == null ? TimeZones.UTC : live.spec().timezone()));
                applied.add(new Request(key, requested, requested, null));
            } else {
                kept.add(new Request(key, live.spec().limit(), requested, "an API key may not raise a limit"));
            }
        });
        List<BudgetChange> changes = new ArrayList<>(ConfigPlanner.plan(desired, current, ConfigPlanner.ownBudgetsOf(agent)));

        OrgBudgetOutcome outcome = null;
        if (orgPeriod != null) {
            BudgetKey orgKey = BudgetKey.org(orgPeriod);
            Definition existing = definitions.live(orgId, Scope.ORG).stream()
                    .filter(d -> d.key().equals(orgKey)).findFirst().orElse(null);
            if (existing == null) {
                changes.add(new BudgetChange(BudgetChange.Action.CREATE, orgKey, null, null, BudgetSpec.of(orgKey, orgLimit)));
                applied.add(new Request(orgKey, orgLimit, orgLimit, null));
            } else if (existing.limit().equals(orgLimit)) {
                applied.add(new Request(orgKey, orgLimit, orgLimit, null));
            } else {
                kept.add(new Request(orgKey, existing.limit(), orgLimit,
                        "an API key may not change an existing org budget"));
            }
            outcome = new OrgBudgetOutcome(orgKey, existing == null);
        }
        applier.apply(orgId, changes, BudgetOwner.SDK, now);
        directory.setSdkConfig(agentId, sdkConfig);
        return new SyncResult(agentService.ownStates(orgId, agent, now), changes, outcome, applied, kept);
    }
}
