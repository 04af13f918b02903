package io.kavach.ledger.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kavach.ledger.core.Bounds;
import io.kavach.ledger.core.BudgetKey;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.FieldError;
import io.kavach.ledger.core.Money;
import io.kavach.ledger.core.Names;
import io.kavach.ledger.core.Period;
import io.kavach.ledger.core.BudgetType;
import io.kavach.ledger.core.DefaultBudget;
import io.kavach.ledger.core.TimeZones;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns a parsed agentkavach.yaml into the org's desired configuration, or a 422 that lists every
 * problem with its path ({@code shared_budgets.engineering-pool.agents[1]}). Follows the seed:
 * every limit &gt; 0 (and at most 1e12), period daily/monthly/total, pool members defined under
 * {@code agents} (see {@link #checkPoolMembersDefined}). Plain Java: no database, no HTTP.

 *
 * <p>Over 300 lines because it is the file format's one set of rules, in the order of the file;
 * split by section, a rule that spans sections (pool members defined under {@code agents}) would
 * have no home.
 */
public final class ConfigValidator {

    public static final String ORG_BUDGET = "org_budget";
    public static final String SHARED_BUDGETS = "shared_budgets";
    public static final String AGENTS = "agents";
    public static final String BUDGET = "budget";

    public static final int POOLS_MAX = 1000;
    public static final int AGENTS_MAX = 10_000;

    /** The SDK's own default budget when {@code defaults.budget} is absent: $100 a day. */
    public static final Money SDK_DEFAULT_DAILY = Money.of("100");
    private static final String TIMEZONE = "timezone";
    private static final String TOTAL_TAKES_NO_ZONE = "a total budget never resets, so it takes no time zone (only UTC)";
    public static final String DEFAULTS = "defaults";

    private final List<FieldError> errors = new ArrayList<>();
    private final List<FieldError> warnings = new ArrayList<>();
    /** What {@code budget: default} stands for: {@code defaults.budget}, else the SDK's daily 100. */
    private Map<Period, Limit> defaultBudget;

    /** One budget's limit and the time zone its windows follow (ADR 0014). */
    private record Limit(Money limit, ZoneId timezone) {
    }
    /** Whether the file says {@code defaults.budget} itself (then an agent without a budget takes it, as in the SDK). */
    private boolean defaultsGiven;

    private ConfigValidator() {
    }

    public static DesiredConfig validate(JsonNode root) {
        ConfigValidator validator = new ConfigValidator();
        DesiredConfig config = validator.read(root);
        if (!validator.errors.isEmpty()) {
            throw new DomainError.InvalidInput(validator.errors);
        }
        return config;
    }

    private DesiredConfig read(JsonNode root) {
        Map<BudgetKey, BudgetSpec> budgets = new LinkedHashMap<>();
        TreeSet<String> agents = new TreeSet<>();
        ObjectNode extras = ConfigExtras.empty();
        if (root == null || !root.isObject()) {
            error("(body)", "must be a YAML mapping with org_budget, shared_budgets and agents sections");
            return new DesiredConfig(budgets, agents, extras);
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            switch (name) {
                case ORG_BUDGET, SHARED_BUDGETS, AGENTS -> {
                }
                default -> {
                    // Any other section is the SDK's (defaults, channels, guardrails, ...) and kept
                    // verbatim. A misspelt budget section would silently delete budgets, since the
                    // file is the desired state: those are refused instead.
                    if (!Names.isCleanText(name)) {
                        error("(body)", "has a section name that " + Names.CLEAN_TEXT_RULE);
                    } else if (name.toLowerCase().contains("budget") || name.equalsIgnoreCase("agent")) {
                        error(name, "is not a known budget section (use org_budget, shared_budgets or agents)");
                    } else {
                        // Kept verbatim and shown again on export: stored text obeys the clean-text rule.
                        errors.addAll(ClientInput.documentProblems(field.getValue(), name));
                        ConfigExtras.sections(extras).set(name, field.getValue());
                    }
                }
            }
        }
        readDefaults(root);
        readOrgBudgets(root.get(ORG_BUDGET), budgets);
        Map<String, List<String>> poolMembers = readPools(root.get(SHARED_BUDGETS), budgets);
        Set<String> defined = readAgents(root.get(AGENTS), budgets, extras);
        agents.addAll(defined);
        poolMembers.values().forEach(members -> members.stream()
                .filter(Objects::nonNull).forEach(agents::add));
        JsonNode agentsSection = root.get(AGENTS);
        checkPoolMembersDefined(poolMembers, defined, agentsSection != null && !agentsSection.isNull());
        if (agents.size() > AGENTS_MAX) {
            error(AGENTS, "a configuration may name at most " + AGENTS_MAX + " agents");
        }
        return new DesiredConfig(budgets, agents, extras, List.copyOf(warnings), defaultsGiven
                ? defaultBudget.entrySet().stream().map(d -> new DefaultBudget(BudgetType.COST, d.getKey(),
                        d.getValue().limit(), d.getValue().timezone())).toList()
                : null);
    }

    /**
     * {@code defaults.budget}, in either form an agent's budget may take; the SDK's daily 100 when
     * absent. The {@code defaults} section itself stays kept verbatim.
     */
    private void readDefaults(JsonNode root) {
        defaultBudget = new EnumMap<>(Period.class);
        JsonNode defaults = root.get(DEFAULTS);
        JsonNode budget = defaults != null && defaults.isObject() ? defaults.get(BUDGET) : null;
        defaultsGiven = budget != null && !budget.isNull();
        if (!defaultsGiven) {
            defaultBudget.put(Period.DAILY, new Limit(SDK_DEFAULT_DAILY, TimeZones.UTC));
            return;
        }
        readBudgetForms(budget, DEFAULTS + "." + BUDGET, defaultBudget);
    }

    private void readOrgBudgets(JsonNode node, Map<BudgetKey, BudgetSpec> budgets) {
        if (node == null || node.isNull()) {
            return;
        }
        if (node.isObject()) {
            readOrgBudget(node, ORG_BUDGET, budgets);
        } else if (node.isArray()) {
            // Extension of the seed's single mapping: an org may have one budget per period.
            for (int i = 0; i < node.size(); i++) {
                readOrgBudget(node.get(i), ORG_BUDGET + "[" + i + "]", budgets);
            }
        } else {
            error(ORG_BUDGET, "must be a mapping {limit, period} (or a list of them, one per period)");
        }
    }

    private void readOrgBudget(JsonNode node, String path, Map<BudgetKey, BudgetSpec> budgets) {
        if (!node.isObject()) {
            error(path, "must be a mapping {limit, period}");
            return;
        }
        rejectUnknown(node, path, Set.of("limit", "period", TIMEZONE));
        Money limit = limit(node.get("limit"), path + ".limit");
        // As the SDK reads it: a period left out is daily.
        JsonNode periodNode = node.get("period");
        Period period = periodNode == null || periodNode.isNull() ? Period.DAILY : period(periodNode, path + ".period");
        ZoneId timezone = timezone(node, path, period);
        if (limit != null && period != null) {
            BudgetKey key = BudgetKey.org(period);
            if (budgets.containsKey(key)) {
                error(path + ".period", "the org already has a " + period.wireName() + " budget in this file");
            } else {
                budgets.put(key, BudgetSpec.of(key, limit, timezone));
            }
        }
    }

    private Map<String, List<String>> readPools(JsonNode node, Map<BudgetKey, BudgetSpec> budgets) {
        Map<String, List<String>> members = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return members;
        }
        if (!node.isObject()) {
            error(SHARED_BUDGETS, "must be a mapping of pool name to {limit, period, agents}");
            return members;
        }
        if (node.size() > POOLS_MAX) {
            error(SHARED_BUDGETS, "must have at most " + POOLS_MAX + " pools");
            return members;
        }
        for (Iterator<Map.Entry<String, JsonNode>> pools = node.fields(); pools.hasNext(); ) {
            Map.Entry<String, JsonNode> pool = pools.next();
            String name = pool.getKey();
            String path = SHARED_BUDGETS + "." + name;
            boolean validName = Names.isPoolName(name);
            if (!validName) {
                error(path, "pool name " + Names.POOL_NAME_RULE);
            }
            JsonNode spec = pool.getValue();
            if (spec == null || !spec.isObject()) {
                error(path, "must be a mapping {limit, period, agents}");
                continue;
            }
            rejectUnknown(spec, path, Set.of("limit", "period", AGENTS, TIMEZONE));
            Money limit = limit(spec.get("limit"), path + ".limit");
            Period period = period(spec.get("period"), path + ".period");
            ZoneId timezone = timezone(spec, path, period);
            List<String> agents = agentNames(spec.get(AGENTS), path + "." + AGENTS);
            if (validName) {
                members.put(name, agents);
            }
            if (validName && limit != null && period != null) {
                BudgetKey key = BudgetKey.shared(name, period);
                budgets.put(key, new BudgetSpec(key, limit,
                        agents.stream().filter(Objects::nonNull).toList(), timezone));
            }
        }
        return members;
    }

    private List<String> agentNames(JsonNode node, String path) {
        List<String> names = new ArrayList<>();
        if (node == null || node.isNull()) {
            return names;
        }
        if (!node.isArray()) {
            error(path, "must be a list of agent names");
            return names;
        }
        if (node.size() > Bounds.POOL_MEMBERS_MAX) {
            error(path, "must have at most " + Bounds.POOL_MEMBERS_MAX + " agents");
            return names;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            String itemPath = path + "[" + i + "]";
            if (!item.isTextual()) {
                error(itemPath, "must be an agent name (a string)");
            } else if (Names.agentName(item.textValue()).isEmpty()) {
                error(itemPath, "agent name " + Names.AGENT_NAME_RULE);
            } else {
                names.add(Names.agentName(item.textValue()).get());
                continue;
            }
            names.add(null); // keeps indexes as written, for later error paths
        }
        return names;
    }

    /** Reads {@code agents}; returns the names it defines. Keys other than {@code budget} are kept verbatim. */
    private Set<String> readAgents(JsonNode node, Map<BudgetKey, BudgetSpec> budgets, ObjectNode extras) {
        Set<String> defined = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return defined;
        }
        if (!node.isObject()) {
            error(AGENTS, "must be a mapping of agent name to its settings ({budget: {daily: 25}})");
            return defined;
        }
        for (Iterator<Map.Entry<String, JsonNode>> agents = node.fields(); agents.hasNext(); ) {
            Map.Entry<String, JsonNode> agent = agents.next();
            String path = AGENTS + "." + agent.getKey();
            String name = Names.agentName(agent.getKey()).orElse(null);
            if (name == null) {
                error(path, "agent name " + Names.AGENT_NAME_RULE);
                continue;
            }
            defined.add(name);
            JsonNode settings = agent.getValue();
            // "name:" with nothing after it reads as an empty scalar: an agent with no settings.
            boolean noSettings = settings == null || settings.isNull()
                    || (settings.isTextual() && settings.textValue().isEmpty());
            if (noSettings || settings.isObject() && !settings.has(BUDGET)) {
                withoutBudget(name, path, budgets);
            }
            if (noSettings) {
                continue;
            }
            if (!settings.isObject()) {
                error(path, "must be a mapping of the agent's settings, such as {budget: {daily: 25}}");
                continue;
            }
            ObjectNode kept = null;
            for (Iterator<Map.Entry<String, JsonNode>> fields = settings.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                // "budget: default" means defaults.budget (the SDK's daily 100 without one); the
                // ledger enforces it too, so one file serves both.
                boolean inherits = BUDGET.equals(field.getKey()) && field.getValue().isTextual()
                        && "default".equals(field.getValue().textValue());
                if (inherits) {
                    putAgentBudgets(name, defaultBudget, budgets);
                } else if (BUDGET.equals(field.getKey())) {
                    readAgentBudget(name, field.getValue(), path + "." + BUDGET, budgets);
                } else if (!Names.isCleanText(field.getKey())) {
                    error(path, "has a setting name that " + Names.CLEAN_TEXT_RULE);
                } else {
                    errors.addAll(ClientInput.documentProblems(field.getValue(), path + "." + field.getKey()));
                    if (kept == null) {
                        kept = ConfigExtras.agentSettings(extras).putObject(name);
                    }
                    kept.set(field.getKey(), field.getValue());
                }
            }
        }
        return defined;
    }

    /**
     * An agent the file defines without a budget. The SDK's {@code from_yaml} gives it the
     * default budget: {@code defaults.budget} when the file has one, which the ledger enforces
     * too so both read the file alike; else the SDK's own $100 a day, which the ledger does not
     * invent (the agent is bound by its pools and the org budget): a warning says so.
     */
    private void withoutBudget(String agent, String path, Map<BudgetKey, BudgetSpec> budgets) {
        if (defaultsGiven) {
            putAgentBudgets(agent, defaultBudget, budgets);
            return;
        }
        warnings.add(new FieldError(path, "has no budget: the AgentKavach SDK gives it its default ($100 a day),"
                + " the ledger sets no budget of the agent's own. Write budget: {type: daily, limit: 100}, or a"
                + " defaults.budget, so both read it alike"));
    }

    private void readAgentBudget(String agent, JsonNode node, String path, Map<BudgetKey, BudgetSpec> budgets) {
        if (node == null || node.isNull()) {
            return;
        }
        Map<Period, Limit> limits = new EnumMap<>(Period.class);
        readBudgetForms(node, path, limits);
        putAgentBudgets(agent, limits, budgets);
    }

    private static void putAgentBudgets(String agent, Map<Period, Limit> limits, Map<BudgetKey, BudgetSpec> budgets) {
        limits.forEach((period, limit) -> {
            BudgetKey key = BudgetKey.agent(agent, period);
            budgets.put(key, BudgetSpec.of(key, limit.limit(), limit.timezone()));
        });
    }

    /**
     * One budget in either form: the SDK's {@code {type: daily, limit: 25}} (which both read
     * alike) or the seed's {@code {daily: 25, monthly: 500}}, which the ledger enforces but the
     * SDK's {@code from_yaml} reads as its default $100/day: a warning says so.
     */
    private void readBudgetForms(JsonNode node, String path, Map<Period, Limit> into) {
        if (node.isArray() && node.size() <= Period.values().length) {
            // Periods in different time zones (what the export writes for them): a list of {type, limit}.
            for (int i = 0; i < node.size(); i++) {
                Map<Period, Limit> one = new EnumMap<>(Period.class);
                readBudgetForms(node.get(i), path + "[" + i + "]", one);
                one.keySet().stream().filter(into::containsKey).forEach(period ->
                        error(path, "has more than one " + period.wireName() + " budget"));
                into.putAll(one);
            }
            return;
        }
        if (!node.isObject()) {
            error(path, "must be {type: hourly|daily|monthly|total, limit: <usd>, timezone: <IANA zone>} or a mapping of period to USD limit,"
                    + " such as {daily: 25}");
            return;
        }
        if (node.has("type") || node.has("limit")) {
            rejectUnknown(node, path, Set.of("type", "limit", TIMEZONE));
            Period period = period(node.get("type"), path + ".type");
            Money limit = limit(node.get("limit"), path + ".limit");
            ZoneId timezone = timezone(node, path, period);
            if (period != null && limit != null) {
                into.put(period, new Limit(limit, timezone));
            }
            return;
        }
        // The seed form holds periods, and one zone for all of them.
        ZoneId timezone = timezone(node, path, null);
        for (Iterator<Map.Entry<String, JsonNode>> limits = node.fields(); limits.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = limits.next();
            if (TIMEZONE.equals(entry.getKey())) {
                continue;
            }
            String limitPath = path + "." + entry.getKey();
            Period period = Period.fromWire(entry.getKey()).orElse(null);
            if (period == null) {
                error(limitPath, "is not a period: use " + String.join(", ", Period.wireNames()));
                continue;
            }
            Money limit = limit(entry.getValue(), limitPath);
            if (period == Period.TOTAL && !timezone.equals(TimeZones.UTC)) {
                error(path + "." + TIMEZONE, TOTAL_TAKES_NO_ZONE);
            } else if (limit != null) {
                into.put(period, new Limit(limit, timezone));
            }
        }
        if (!into.isEmpty()) {
            Map.Entry<Period, Limit> first = into.entrySet().iterator().next();
            warnings.add(new FieldError(path, "the AgentKavach SDK reads this form as its default budget ($100 a day);"
                    + " the ledger enforces it as written. Write {type: " + first.getKey().wireName() + ", limit: "
                    + first.getValue().limit().value().stripTrailingZeros().toPlainString() + "} so both read it alike"
                    + (into.size() > 1 ? " (the SDK's form holds one period)" : "")));
        }
    }

    /**
     * The seed's rule "all listed agents must be defined in the agents section", reconciled with
     * its own standalone pool snippet (which has no agents section and must apply verbatim): a
     * document without an {@code agents} section declares pool members implicitly (agents are
     * created on first use); a document with one must define every pool member there, and each
     * one missing is reported. See docs/decisions/0002-config-as-desired-state.md.
     */
    private void checkPoolMembersDefined(Map<String, List<String>> poolMembers, Set<String> defined,
                                         boolean hasAgentsSection) {
        if (!hasAgentsSection) {
            return;
        }
        for (Map.Entry<String, List<String>> pool : poolMembers.entrySet()) {
            List<String> members = pool.getValue();
            for (int i = 0; i < members.size(); i++) {
                // Indexes refer to the list as written; invalid entries (null) were already reported.
                if (members.get(i) != null && !defined.contains(members.get(i))) {
                    error(SHARED_BUDGETS + "." + pool.getKey() + "." + AGENTS + "[" + i + "]",
                            "agent " + members.get(i) + " is not defined in the agents section");
                }
            }
        }
    }

    private Money limit(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            error(path, "is required (USD, > 0)");
            return null;
        }
        if (ClientInput.refusedNumber(node).isPresent()) {
            return null; // reported where the document was read (ConfigYaml), with the same path
        }
        if (!node.isNumber() || (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue()))) {
            error(path, "must be a number of USD greater than 0");
            return null;
        }
        BigDecimal amount = node.decimalValue();
        if (amount.signum() <= 0) {
            error(path, "must be greater than 0");
            return null;
        }
        if (amount.compareTo(Money.INPUT_MAX) > 0) {
            error(path, "must not exceed " + Money.INPUT_MAX.toPlainString());
            return null;
        }
        Money limit = Money.rounded(amount);
        if (!limit.isPositive()) {
            error(path, "must be greater than 0");
            return null;
        }
        return limit;
    }

    private Period period(JsonNode node, String path) {
        if (node == null || node.isNull()) {
            error(path, "is required (" + String.join(", ", Period.wireNames()) + ")");
            return null;
        }
        Period period = node.isTextual() ? Period.fromWire(node.textValue()).orElse(null) : null;
        if (period == null) {
            error(path, "must be one of " + String.join(", ", Period.wireNames()));
        }
        return period;
    }

    /**
     * The {@code timezone} of a budget mapping (ADR 0014): an IANA zone, UTC when absent; a total
     * budget ({@code period} TOTAL) takes none but UTC. {@code period} null: checked by the caller.
     */
    private ZoneId timezone(JsonNode node, String path, Period period) {
        JsonNode value = node.get(TIMEZONE);
        if (value == null || value.isNull()) {
            return TimeZones.UTC;
        }
        String zonePath = path + "." + TIMEZONE;
        ZoneId zone = value.isTextual() ? TimeZones.parse(value.textValue()).orElse(null) : null;
        if (zone == null) {
            error(zonePath, (value.isTextual() && value.textValue().length() <= TimeZones.MAX_LENGTH
                    && Names.isCleanText(value.textValue()) ? "unknown time zone " + value.textValue() + ": " : "")
                    + TimeZones.RULE);
            return TimeZones.UTC;
        }
        if (period == Period.TOTAL && !zone.equals(TimeZones.UTC)) {
            error(zonePath, TOTAL_TAKES_NO_ZONE);
        }
        return zone;
    }

    private void rejectUnknown(JsonNode node, String path, Set<String> known) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                error(path + "." + name, "is not a known field (expected " + String.join(", ", new TreeSet<>(known)) + ")");
            }
        }
    }

    private void error(String path, String message) {
        errors.add(new FieldError(path, message));
    }
}
