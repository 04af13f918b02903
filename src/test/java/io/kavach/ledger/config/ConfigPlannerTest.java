package io.kavach.ledger.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Period;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Plain JUnit: planning and validation need no database. */
class ConfigPlannerTest {

    private static final BudgetKey POOL_DAILY = BudgetKey.shared("pool", Period.DAILY);
    private static final BudgetKey POOL_MONTHLY = BudgetKey.shared("pool", Period.MONTHLY);
    private static final BudgetKey ORG_DAILY = BudgetKey.org(Period.DAILY);

    @Test
    void unchangedKeyIsUpdatedInPlaceOnlyWhenLimitOrMembersDiffer() {
        UUID id = UUID.randomUUID();
        Map<BudgetKey, ConfigPlanner.Current> current = Map.of(POOL_DAILY,
                new ConfigPlanner.Current(id, new BudgetSpec(POOL_DAILY, Money.of("500"), List.of("b", "a"))));
        assertEquals(List.of(), ConfigPlanner.plan(
                Map.of(POOL_DAILY, new BudgetSpec(POOL_DAILY, Money.of("500.000"), List.of("a", "b", "a"))),
                current, ConfigPlanner.wholeOrg()));
        List<BudgetChange> changes = ConfigPlanner.plan(
                Map.of(POOL_DAILY, new BudgetSpec(POOL_DAILY, Money.of("500"), List.of("a"))), current, ConfigPlanner.wholeOrg());
        assertEquals(1, changes.size());
        assertEquals(BudgetChange.Action.UPDATE, changes.get(0).action());
        assertEquals(id, changes.get(0).budgetId());
    }

    @Test
    void periodChangeIsDeleteThenCreateAndOnlyManagedKeysAreTouched() {
        Map<BudgetKey, ConfigPlanner.Current> current = Map.of(
                POOL_DAILY, new ConfigPlanner.Current(UUID.randomUUID(), BudgetSpec.of(POOL_DAILY, Money.of("5"))),
                ORG_DAILY, new ConfigPlanner.Current(UUID.randomUUID(), BudgetSpec.of(ORG_DAILY, Money.of("5"))));
        List<BudgetChange> changes = ConfigPlanner.plan(Map.of(POOL_MONTHLY, BudgetSpec.of(POOL_MONTHLY, Money.of("5"))),
                current, key -> key.scope() != io.kavach.ledger.core.Scope.ORG);
        assertEquals(List.of(BudgetChange.Action.DELETE, BudgetChange.Action.CREATE),
                changes.stream().map(BudgetChange::action).toList());
        assertEquals(List.of(POOL_DAILY, POOL_MONTHLY), changes.stream().map(BudgetChange::key).toList());
    }

    @Test
    void seedSnippetDeclaresItsMembersButAPartlyDefinedPoolReportsTheMissingOnes() {
        DesiredConfig seed = ConfigValidator.validate(ConfigYaml.parseYaml("""
                shared_budgets:
                  engineering-pool:
                    limit: 500
                    period: daily
                    agents: [research-bot, support-agent]
                """.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("research-bot", "support-agent"),
                seed.budgets().get(BudgetKey.shared("engineering-pool", Period.DAILY)).agents());

        DomainError problem = assertThrows(DomainError.InvalidInput.class, () -> ConfigValidator.validate(ConfigYaml.parseYaml("""
                shared_budgets:
                  engineering-pool: {limit: 500, period: daily, agents: [research-bot, "bad\\tname", support-agent]}
                agents:
                  research-bot: {}
                """.getBytes(StandardCharsets.UTF_8))));
        @SuppressWarnings("unchecked")
        List<FieldError> errors = (List<FieldError>) problem.members().get("errors");
        assertEquals(List.of("shared_budgets.engineering-pool.agents[1]", "shared_budgets.engineering-pool.agents[2]"),
                errors.stream().map(FieldError::field).toList());
        assertTrue(errors.get(1).message().contains("not defined"));
    }

    @Test
    void limitsAreExactDecimalsNeverBinaryFloats() {
        DesiredConfig config = ConfigValidator.validate(ConfigYaml.parseYaml(
                "org_budget: {limit: 0.30000000000000004, period: daily}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals(Money.of("0.3"), config.budgets().get(ORG_DAILY).limit());
        config = ConfigValidator.validate(ConfigYaml.parseYaml(
                "org_budget: {limit: 0.1, period: total}\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("0.100000000", config.budgets().get(BudgetKey.org(Period.TOTAL)).limit().value().toPlainString());
    }

    @Test
    void aConfigPlanRemovesOnlyWhatTheFileOwnsAdoptsWhatItMentionsAndPruneAllRemovesTheRest() {
        BudgetKey apiAgent = BudgetKey.agent("rb", Period.DAILY);
        BudgetKey sdkAgent = BudgetKey.agent("sdk-bot", Period.DAILY);
        UUID pool = UUID.randomUUID();
        UUID org = UUID.randomUUID();
        UUID api = UUID.randomUUID();
        UUID sdk = UUID.randomUUID();
        Map<BudgetKey, ConfigPlanner.Current> current = Map.of(
                POOL_DAILY, new ConfigPlanner.Current(pool, BudgetSpec.of(POOL_DAILY, Money.of("5")),
                        io.kavach.ledger.core.BudgetOwner.CONFIG),
                ORG_DAILY, new ConfigPlanner.Current(org, BudgetSpec.of(ORG_DAILY, Money.of("100")),
                        io.kavach.ledger.core.BudgetOwner.API),
                apiAgent, new ConfigPlanner.Current(api, BudgetSpec.of(apiAgent, Money.of("25")),
                        io.kavach.ledger.core.BudgetOwner.API),
                sdkAgent, new ConfigPlanner.Current(sdk, BudgetSpec.of(sdkAgent, Money.of("100")),
                        io.kavach.ledger.core.BudgetOwner.SDK));
        // The file states the org budget (same limit) and another pool.
        Map<BudgetKey, BudgetSpec> desired = Map.of(
                ORG_DAILY, BudgetSpec.of(ORG_DAILY, Money.of("100")),
                POOL_MONTHLY, BudgetSpec.of(POOL_MONTHLY, Money.of("9")));

        ConfigPlanner.ConfigPlan plan = ConfigPlanner.planConfig(desired, current, false);
        assertEquals(List.of("delete " + POOL_DAILY, "adopt " + ORG_DAILY, "create " + POOL_MONTHLY),
                plan.changes().stream().map(c -> c.action().wireName() + " " + c.key()).toList());
        assertEquals(List.of(apiAgent, sdkAgent), plan.unmanaged());

        ConfigPlanner.ConfigPlan all = ConfigPlanner.planConfig(desired, current, true);
        assertEquals(List.of("delete " + POOL_DAILY, "delete " + apiAgent, "delete " + sdkAgent, "adopt " + ORG_DAILY,
                        "create " + POOL_MONTHLY),
                all.changes().stream().map(c -> c.action().wireName() + " " + c.key()).toList());
        assertEquals(List.of(), all.unmanaged());
    }
}
