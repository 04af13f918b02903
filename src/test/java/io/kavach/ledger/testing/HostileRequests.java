package io.kavach.ledger.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.zip.GZIPOutputStream;

/**
 * A seeded generator of hostile requests for every endpoint: JSON (and YAML) bodies whose fields
 * are sometimes valid and often not — numbers with huge exponents, 400-digit mantissas, -0, NaN
 * and Infinity literals and strings; text with NUL, controls, bidi overrides, lone surrogates,
 * megabyte strings; wrong types, unknown fields, deep nesting, truncated or non-JSON bytes; odd
 * content types and encodings; gzip bombs; odd path segments and credentials. The same seed gives
 * the same requests.
 */
public final class HostileRequests {

    /** One request to send. {@code chunked}: without a Content-Length. */
    public record Request(String method, String path, String credential, String contentType, String contentEncoding,
                          byte[] body, boolean chunked) {
        public boolean mutates() {
            return !method.equals("GET");
        }

        @Override
        public String toString() {
            String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 160), StandardCharsets.UTF_8)
                    .replaceAll("[\\p{Cntrl}\\u2028-\\u206F\\uD800-\\uDFFF]", "?");
            return method + " " + (path.length() > 120 ? path.substring(0, 120) + "…" : path)
                    + " [" + contentType + (contentEncoding == null ? "" : ", " + contentEncoding) + ", "
                    + (body == null ? 0 : body.length) + " bytes] " + shown;
        }
    }

    /** Credentials and ids of the org under attack, so some requests reach deep into the ledger. */
    public record Target(String apiKey, String admin, String viewer, String otherOrgAdmin, String reservationId,
                         String orgBudgetId, String pool) {
    }

    private static final String[] NUMBERS = {"1e-100000000", "1e900000000", "1E-20000000", "-1e-400", "1e401", "NaN",
            "Infinity", "-Infinity", "-0", "0", "0.0", "1e12", "1000000000000.000000001", "1" + "0".repeat(400),
            "0." + "0".repeat(399) + "1", "0.30000000000000004", "5e-324", "1.7976931348623157e308", "2147483648",
            "9223372036854775808", "-1", "1.5", "12.0", "3600", "3601", "0.000000001", "1e-10", "\"1\"", "\"NaN\"",
            "\"1e-100000000\"", "true", "null", "[]", "{}", "[1]"};
    private static final String[] TEXTS = {"", "a", "\\u0000", "a\\u0000b", "a\\u0007b", "\\u202egnp.exe",
            "\\u2066x\\u2069", "\\ud800", "x\\udc00", "\\ud83e\\udd16", "\\u0085", "e\\u0301", "\\u00e9", "research-bot",
            "Research Bot", "worker#1", "gpt-4o", "openai", "error", "x".repeat(129), "x".repeat(257), "y".repeat(65),
            "NaN", "1e-100000000", "'; DROP TABLE agent; --", "<script>alert(1)</script>", "%00", "   ", "\\t",
            "\\n\\r", "\\\\", "\\\"", "\\u2028", "\\uFEFF", "\\u00ad"};
    private static final String[] PERIODS = {"daily", "monthly", "total", "DAILY", "per_run", "weekly", "", "\\u0000"};
    private static final String[] TIMESTAMPS = {"2026-11-28T09:30:00Z", "2026-11-28T09:30:00", "2026-11-28T09:30:00+02:00",
            "9999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "2026-13-45T99:99:99Z",
            "yesterday", "", "2026-11-28T09:30:00.123456789123Z"};
    private static final String[] SEGMENTS = {"not-a-uuid", "%00", "%E2%80%AE", "a%2Fb", "..", "%25", "x".repeat(2000),
            "research-bot", "Research%20Bot", "%F0%9F%A4%96", "e%CC%81", "%ED%A0%80", "'", "null", "0"};
    private static final String[] CONTENT_TYPES = {"application/json", "application/json", "application/json",
            "application/json", "text/plain", "application/yaml", null, "application/json; charset=utf-16",
            "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/problem+json",
            "application/json; charset=utf-8"};

    private final Random random;
    private final Target target;
    private final byte[][] bombs;
    /** How likely each part of the current request is hostile: most requests are nearly valid, some are all bad. */
    private double hostility;

    public HostileRequests(long seed, Target target) {
        this.random = new Random(seed);
        this.target = target;
        this.bombs = new byte[][] {
                gzip("{\"events\":[", "{},", 3_500_000, "{}]}"),
                gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"prompt\":\"", "a", 11 * 1024 * 1024, "\"}]}"),
                gzip("{\"events\":[{\"agent_name\":\"a\",\"cost\":1,\"model\":\"", "a", 3 * 1024 * 1024, "\"}]}"),
                gzip("", "[", 1024 * 1024, "]"),
        };
    }

    public Request next() {
        hostility = random.nextInt(10) < 6 ? 0.08 : 0.5;
        List<Supplier<Request>> endpoints = List.of(
                this::reserve, this::reserve, this::commit, this::release, this::ingest, this::ingest, this::ingest,
                this::syncConfig, this::getReservation, this::budgetRead, this::orgBudgets, this::orgBudgetById,
                this::sharedBudgets, this::sharedBudgetByName, this::poolMember, this::agents, this::agentBudgets,
                this::apiKeys, this::config, this::configExport, this::audit, this::garbagePath,
                this::pauseOrResume, this::alertRules, this::alertRuleById, this::alertDeliveries, this::spend,
                this::refusals, this::defaultBudgets);
        return endpoints.get(random.nextInt(endpoints.size())).get();
    }

    // ---- endpoints ---------------------------------------------------------------------------------

    private Request reserve() {
        return sdkPost("/v1/reservations", object(List.of(
                field("agent_name", this::agent), field("amount", this::money), field("idempotency_key", this::text),
                field("ttl_seconds", this::count), field("provider", this::text), field("model", this::text),
                field("run_id", this::text))));
    }

    private Request commit() {
        return sdkPost("/v1/reservations/" + reservationSegment() + "/commit", object(List.of(
                field("cost", this::money), field("input_tokens", this::count), field("output_tokens", this::count))));
    }

    private Request release() {
        return sdkPost("/v1/reservations/" + reservationSegment() + "/release",
                random.nextBoolean() ? null : object(List.of(field("reason", this::text))));
    }

    private Request ingest() {
        int roll = random.nextInt(100);
        if (roll < 2) {
            return new Request("POST", "/v1/ingest", sdkCredential(), "application/json", "gzip",
                    bombs[random.nextInt(3)], random.nextBoolean());
        }
        byte[] body;
        if (roll < 4) {
            StringJoiner many = new StringJoiner(",", "{\"events\":[", "]}");
            for (int i = 0; i < 5_001; i++) {
                many.add("{\"agent_name\":\"a\",\"cost\":0}");
            }
            body = utf8(many.toString());
        } else {
            body = object(List.of(field("events", () -> {
                StringJoiner events = new StringJoiner(",", "[", "]");
                for (int i = random.nextInt(12); i >= 0; i--) {
                    events.add(random.nextInt(20) == 0 ? value() : objectText(List.of(
                            field("agent_name", this::agent), field("cost", this::money), field("timestamp", this::timestamp),
                            field("idempotency_key", this::text), field("provider", this::text), field("model", this::text),
                            field("run_id", this::text), field("status", this::text), field("input_tokens", this::count),
                            field("output_tokens", this::count), field("duration_ms", this::count),
                            field("prompt", this::text), field("sdk_version", this::text))));
                }
                return events.toString();
            }), field("sdk", this::value)));
        }
        String encoding = null;
        if (body != null && random.nextInt(4) == 0) {
            encoding = random.nextInt(10) == 0 ? pick(new String[] {"br", "deflate", "gzip, gzip", "GZIP"}) : "gzip";
            if (encoding.equalsIgnoreCase("gzip") && random.nextInt(10) > 0) {
                body = gzip(body);
            }
        }
        return new Request("POST", "/v1/ingest", sdkCredential(), contentType(), encoding, body, random.nextInt(8) == 0);
    }

    private Request syncConfig() {
        return sdkPost("/v1/sync-config", object(List.of(field("agent_name", this::agent),
                field("budgets", () -> list(() -> objectText(List.of(field("budget_type", () -> pickText(new String[] {
                        "cost", "tokens", "requests", "\\u0000"})), field("period", this::period),
                        field("limit_value", this::money), field("unit", this::text), field("note", this::text))))),
                field("alert_configs", () -> list(this::alertConfig)), field("org_alert_configs", () -> list(this::alertConfig)),
                field("org_budget", () -> objectText(List.of(field("budget_type", this::text), field("period", this::period),
                        field("limit_value", this::money)))))));
    }

    private String alertConfig() {
        return objectText(List.of(field("channel", () -> pickText(new String[] {"webhook", "slack", "email", "\\u0000"})),
                field("threshold_pct", this::money), field("threshold", this::money), field("target", this::text),
                field("secret", this::text), field("budget_type", this::text), field(pick(TEXTS), this::value)));
    }

    private Request getReservation() {
        return new Request("GET", "/v1/reservations/" + reservationSegment(), sdkCredential(), null, null, null, false);
    }

    private Request budgetRead() {
        String credential = random.nextBoolean() ? sdkCredential() : adminCredential();
        return new Request("GET", "/v1/agents/" + agentSegment() + "/budget", credential, null, null, null, false);
    }

    private Request orgBudgets() {
        if (random.nextInt(3) == 0) {
            return adminGet("/v1/org/budgets");
        }
        return adminWrite("POST", "/v1/org/budgets", object(List.of(field("budget_type", this::text),
                field("period", this::period), field("limit_value", this::money), field("count_from", this::text))));
    }

    private Request orgBudgetById() {
        String id = random.nextInt(4) == 0 ? target.orgBudgetId() : random.nextBoolean() ? UUID.randomUUID().toString()
                : pick(SEGMENTS);
        return switch (random.nextInt(3)) {
            case 0 -> adminGet("/v1/org/budgets/" + id);
            case 1 -> adminWrite("PUT", "/v1/org/budgets/" + id, object(List.of(field("limit_value", this::money))));
            default -> adminWrite("DELETE", "/v1/org/budgets/" + UUID.randomUUID(), null);
        };
    }

    private Request sharedBudgets() {
        if (random.nextInt(3) == 0) {
            return adminGet("/v1/shared-budgets");
        }
        return adminWrite("POST", "/v1/shared-budgets", object(List.of(field("name", this::poolName),
                field("period", this::period), field("limit_value", this::money), field("agents", () -> list(this::agent)))));
    }

    private Request sharedBudgetByName() {
        String name = random.nextInt(3) == 0 ? target.pool() : poolSegment();
        return switch (random.nextInt(3)) {
            case 0 -> adminGet("/v1/shared-budgets/" + name);
            case 1 -> adminWrite("PUT", "/v1/shared-budgets/" + name, object(List.of(field("limit_value", this::money),
                    field("period", this::period), field("agents", () -> list(this::agent)))));
            default -> adminWrite("DELETE", "/v1/shared-budgets/" + poolSegment(), null);
        };
    }

    private Request poolMember() {
        return adminWrite(random.nextBoolean() ? "PUT" : "DELETE",
                "/v1/shared-budgets/" + (random.nextBoolean() ? target.pool() : poolSegment()) + "/agents/" + agentSegment(), null);
    }

    private Request agents() {
        String query = "";
        if (random.nextBoolean()) {
            query = "?limit=" + pick(new String[] {"1", "1000", "1001", "0", "-1", "1e3", "abc", "%00"});
        }
        if (random.nextBoolean()) {
            query += (query.isEmpty() ? "?" : "&") + "starting_after=" + agentSegment();
        }
        return adminGet("/v1/agents" + query);
    }

    private Request agentBudgets() {
        return adminWrite("PUT", "/v1/agents/" + agentSegment() + "/budgets", object(List.of(field("budgets",
                () -> list(() -> objectText(List.of(field("period", this::period), field("limit_value", this::money),
                        field("budget_type", this::budgetType), field("timezone", this::timezone),
                        field("model", this::text))))))));
    }

    private Request defaultBudgets() {
        if (random.nextInt(3) == 0) {
            return adminGet("/v1/org/default-budgets");
        }
        return adminWrite("PUT", "/v1/org/default-budgets", object(List.of(field("default_budgets",
                () -> list(() -> objectText(List.of(field("period", this::period), field("limit_value", this::money),
                        field("budget_type", this::budgetType), field("timezone", this::timezone))))))));
    }

    private String budgetType() {
        return !hostile() ? pickText(new String[] {"cost", "tokens", "input_tokens", "output_tokens", "requests"})
                : text();
    }

    private String timezone() {
        return !hostile() ? pickText(new String[] {"UTC", "Asia/Kolkata", "America/New_York"})
                : pickText(new String[] {"+05:30", "Mars/Olympus", "", "UTC\u0000", "../../etc/passwd", "Z"});
    }

    private Request apiKeys() {
        return switch (random.nextInt(3)) {
            case 0 -> adminGet("/v1/api-keys");
            case 1 -> adminWrite("POST", "/v1/api-keys", object(List.of(field("name", this::text),
                    field("environment", () -> pickText(new String[] {"prod", "dev", "staging", "\\u0000"})))));
            // Never the org's own key: revoking it would end the sweep, not test it.
            default -> adminWrite("DELETE", "/v1/api-keys/" + (random.nextBoolean() ? UUID.randomUUID().toString()
                    : pick(SEGMENTS)), null);
        };
    }

    private Request config() {
        String query = random.nextInt(3) == 0 ? "?dry_run=" + pick(new String[] {"true", "false", "yes", "1", ""}) : "";
        boolean yaml = random.nextInt(4) > 0;
        byte[] body;
        if (yaml) {
            body = utf8(yaml());
        } else {
            body = object(List.of(field("org_budget", () -> objectText(List.of(field("limit", this::money),
                    field("period", this::period)))), field("defaults", this::value)));
        }
        String contentType = yaml ? pick(new String[] {"application/yaml", "application/x-yaml", "text/yaml",
                "text/plain", "application/json"}) : "application/json";
        return new Request("PUT", "/v1/config" + query, adminCredential(), contentType, null, body, random.nextInt(8) == 0);
    }

    private String yaml() {
        return switch (random.nextInt(10)) {
            case 0 -> "base: &b {limit: 5, period: daily}\norg_budget: *b\n";
            case 1 -> "org_budget: !!python/object/apply:os.system [\"true\"]\n";
            case 2 -> "a:\n" + "  b: [".repeat(40) + "]".repeat(40) + "\n";
            case 3 -> "org_budget: {limit: 5, period: daily}\n---\norg_budget: {limit: 6}\n";
            case 4 -> "x: \"" + "a".repeat(random.nextInt(2_000_000)) + "\"\n";
            case 5 -> "org_budget:\n  limit: 5\n  limit: 6\n";
            default -> "org_budget: {limit: " + yamlNumber() + ", period: " + unquote(period()) + "}\n"
                    + "shared_budgets:\n  " + unquote(poolName()) + ":\n    limit: " + yamlNumber() + "\n    period: daily\n"
                    + "    agents: [" + unquote(agent()) + ", " + unquote(agent()) + "]\n"
                    + "defaults:\n  note: \"" + unquote(text()) + "\"\n  threshold: " + yamlNumber() + "\n"
                    + "agents:\n  " + unquote(agent()) + ":\n    budget: {daily: " + yamlNumber() + "}\n";
        };
    }

    private String yamlNumber() {
        return pick(new String[] {"1.5e-100000000", "1.0e+900000000", ".inf", "-.inf", ".nan", "1" + "0".repeat(100), "25",
                "0.5", "-1", "0", "1e12", "0x1F", "1_000"});
    }

    private Request configExport() {
        return new Request("GET", "/v1/config", random.nextBoolean() ? adminCredential() : sdkCredential(), null, null,
                null, false);
    }

    private Request pauseOrResume() {
        String path = "/v1/agents/" + agentSegment() + (random.nextBoolean() ? "/pause" : "/resume");
        return adminWrite("POST", path, random.nextBoolean() ? null : object(List.of(field("reason", this::text))));
    }

    private Request alertRules() {
        if (random.nextInt(3) == 0) {
            return adminGet("/v1/alerts");
        }
        return adminWrite("POST", "/v1/alerts", object(List.of(
                field("budget_key", () -> !hostile() ? pickText(new String[] {"org:daily", "shared:" + target.pool() + ":daily",
                        "agent:agent-1:daily"}) : text()),
                field("threshold_pct", () -> !hostile() ? pick(new String[] {"0.8", "\"80%\"", "1", "0.5"})
                        : random.nextBoolean() ? pick(NUMBERS) : pickText(new String[] {"80", "0%", "101%", "%", "0.8%"})),
                field("channel", () -> pickText(new String[] {"webhook", "slack", "pagerduty", "email", "kill", "sms", "\\u0000"})),
                field("target", () -> !hostile() ? pickText(new String[] {"https://hooks.example.com/x", "ops@example.com"})
                        : pickText(new String[] {"http://127.0.0.1:9000/q/metrics", "http://169.254.169.254/latest",
                                "http://[::1]/", "http://10.0.0.1/", "http://100.64.0.1/", "file:///etc/passwd",
                                "gopher://x", "https://" + "h".repeat(300) + ".example.com", "not a url"})),
                field("secret", this::text))));
    }

    private Request alertRuleById() {
        String id = random.nextBoolean() ? UUID.randomUUID().toString() : pick(SEGMENTS);
        return random.nextBoolean() ? adminGet("/v1/alerts/" + id) : adminWrite("DELETE", "/v1/alerts/" + id, null);
    }

    private Request alertDeliveries() {
        String query = random.nextBoolean() ? "" : "?limit=" + pick(new String[] {"1", "100", "101", "0", "-1", "1e3", "%00"});
        return adminGet("/v1/alerts/deliveries" + query);
    }

    private Request spend() {
        String[] dates = {"2026-11-01", "2026-11-30", "1969-12-31", "10000-01-01", "2026-02-30", "yesterday", "%00", ""};
        StringBuilder query = new StringBuilder("?from=").append(pick(dates)).append("&to=").append(pick(dates));
        for (int i = random.nextInt(4); i > 0; i--) {
            query.append("&group_by=").append(pick(new String[] {"day", "agent", "model", "provider", "budget",
                    "day,agent", "weekday", "%00", ""}));
        }
        if (random.nextBoolean()) {
            query.append("&limit=").append(pick(new String[] {"1", "1000", "1001", "0", "-5", "1e9"}))
                    .append("&offset=").append(pick(new String[] {"0", "100000", "100001", "-1", "abc"}));
        }
        return adminGet("/v1/spend" + query);
    }

    private Request refusals() {
        return adminGet("/v1/refusals" + (random.nextBoolean() ? "" : "?limit=" + pick(new String[] {"1", "100", "101", "x"})));
    }

    private Request audit() {
        return adminGet("/v1/admin/audit");
    }

    private Request garbagePath() {
        String path = pick(new String[] {"/v1/", "/v1/reservations/", "/v1/ingest/x", "/q/metrics", "/q/dev",
                "/v1/org/budgets/" + pick(SEGMENTS), "/%00", "/v1/../q/metrics", "/v1/agents/%ED%A0%80/budget"});
        String method = pick(new String[] {"GET", "POST", "PUT", "DELETE"});
        return new Request(method, path, random.nextBoolean() ? adminCredential() : sdkCredential(),
                method.equals("GET") || method.equals("DELETE") ? null : "application/json", null,
                method.equals("GET") || method.equals("DELETE") ? null : utf8("{}"), false);
    }

    // ---- pieces ------------------------------------------------------------------------------------

    private Request sdkPost(String path, byte[] body) {
        return new Request("POST", path, sdkCredential(), body == null ? null : contentType(), null, body,
                random.nextInt(8) == 0);
    }

    private Request adminGet(String path) {
        return new Request("GET", path, random.nextInt(5) == 0 ? target.viewer() : adminCredential(), null, null, null, false);
    }

    private Request adminWrite(String method, String path, byte[] body) {
        return new Request(method, path, adminCredential(), body == null ? null : contentType(), null, body,
                random.nextInt(8) == 0);
    }

    private boolean hostile() {
        return random.nextDouble() < hostility;
    }

    private String sdkCredential() {
        if (!hostile()) {
            return target.apiKey();
        }
        return switch (random.nextInt(20)) {
            case 0 -> null;
            case 1 -> "ak_prod_" + "x".repeat(32);
            case 2 -> target.admin();
            case 3 -> "not a token \u0000";
            default -> target.apiKey();
        };
    }

    private String adminCredential() {
        if (!hostile()) {
            return target.admin();
        }
        return switch (random.nextInt(20)) {
            case 0 -> null;
            case 1 -> target.viewer();
            case 2 -> target.apiKey();
            case 3 -> target.otherOrgAdmin();
            case 4 -> "eyJhbGciOiJub25lIn0.eyJvcmciOiJ4In0.";
            default -> target.admin();
        };
    }

    private String contentType() {
        return hostile() ? pick(CONTENT_TYPES) : "application/json";
    }

    private record Field(String name, Supplier<String> value) {
    }

    private static Field field(String name, Supplier<String> value) {
        return new Field(name, value);
    }

    /** A body: mostly an object of the fields (some left out, some wrong, unknown ones added), sometimes garbage. */
    private byte[] object(List<Field> fields) {
        if (!hostile()) {
            return utf8(objectText(fields));
        }
        return switch (random.nextInt(25)) {
            case 0 -> null;
            case 1 -> utf8(value());
            case 2 -> utf8("{\"a\":" + "[".repeat(50) + "]".repeat(50) + "}");
            case 3 -> {
                String text = objectText(fields);
                yield utf8(text.substring(0, random.nextInt(text.length())));
            }
            case 4 -> randomBytes();
            case 5 -> new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '}'};
            case 6 -> utf8("{\"amount\":1,\"amount\":2}");
            default -> utf8(objectText(fields));
        };
    }

    private String objectText(List<Field> fields) {
        StringJoiner object = new StringJoiner(",", "{", "}");
        for (Field field : fields) {
            if (random.nextInt(10) < 8) {
                object.add("\"" + field.name() + "\":" + (hostile() && random.nextInt(4) == 0 ? value() : field.value().get()));
            }
        }
        if (hostile() && random.nextInt(3) == 0) {
            object.add(pickText(TEXTS) + ":" + value());
        }
        return object.toString();
    }

    private String list(Supplier<String> item) {
        if (hostile() && random.nextInt(6) == 0) {
            return value();
        }
        StringJoiner list = new StringJoiner(",", "[", "]");
        int size = hostile() && random.nextInt(10) == 0 ? 200 : random.nextInt(5);
        for (int i = 0; i < size; i++) {
            list.add(item.get());
        }
        return list.toString();
    }

    /** Any value at all, often of the wrong kind. */
    private String value() {
        return switch (random.nextInt(5)) {
            case 0 -> pick(NUMBERS);
            case 1 -> text();
            case 2 -> "[" + pick(NUMBERS) + "," + text() + "]";
            case 3 -> "{\"k\":" + pick(NUMBERS) + "}";
            default -> random.nextInt(400) == 0 ? "\"" + "z".repeat(1024 * 1024) + "\"" : "null";
        };
    }

    private String money() {
        return !hostile() ? pick(new String[] {"0.05", "1", "25.5", "0.000000001", "0.30000000000000004", "2.5e-06"})
                : pick(NUMBERS);
    }

    private String count() {
        return !hostile() ? Integer.toString(1 + random.nextInt(3000)) : pick(NUMBERS);
    }

    private String text() {
        if (!hostile()) {
            return pickText(new String[] {"gpt-4o", "openai", "run-" + random.nextInt(1000), "key-" + random.nextLong(), "error"});
        }
        return random.nextInt(1000) == 0 ? "\"" + "t".repeat(1024 * 1024) + "\"" : pickText(TEXTS);
    }

    private String agent() {
        return !hostile() ? "\"agent-" + random.nextInt(8) + "\"" : text();
    }

    private String poolName() {
        return !hostile() ? "\"pool-" + random.nextInt(8) + "\"" : text();
    }

    private String period() {
        return !hostile() ? pickText(new String[] {"daily", "monthly", "total"})
                : random.nextInt(6) == 0 ? pick(NUMBERS) : pickText(PERIODS);
    }

    private String timestamp() {
        return !hostile() ? "\"" + java.time.Instant.now().minusSeconds(random.nextInt(7200)) + "\""
                : random.nextInt(6) == 0 ? pick(NUMBERS) : pickText(TIMESTAMPS);
    }

    private String reservationSegment() {
        return switch (random.nextInt(4)) {
            case 0 -> target.reservationId();
            case 1 -> UUID.randomUUID().toString();
            default -> pick(SEGMENTS);
        };
    }

    private String agentSegment() {
        return random.nextBoolean() ? "agent-" + random.nextInt(8) : pick(SEGMENTS);
    }

    private String poolSegment() {
        return random.nextBoolean() ? "pool-" + random.nextInt(8) : pick(SEGMENTS);
    }

    private String pickText(String[] texts) {
        return "\"" + pick(texts) + "\"";
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }

    private static String unquote(String json) {
        return json.startsWith("\"") && json.endsWith("\"") && json.length() >= 2
                ? json.substring(1, json.length() - 1).replace("\\u0000", "\\0") : json;
    }

    private byte[] randomBytes() {
        byte[] bytes = new byte[random.nextInt(2048)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] gzip(byte[] body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(body);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code head}, {@code unit} × {@code times}, {@code tail}, gzipped without ever holding it whole. */
    public static byte[] gzip(String head, String unit, int times, String tail) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
            gzip.write(utf8(head));
            int perChunk = Math.max(1, 65_536 / unit.length());
            byte[] chunk = utf8(unit.repeat(perChunk));
            int left = times;
            while (left >= perChunk) {
                gzip.write(chunk);
                left -= perChunk;
            }
            gzip.write(utf8(unit.repeat(left)));
            gzip.write(utf8(tail));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** All generators, for a listing of what the sweep covers. */
    public static List<String> endpoints() {
        return new ArrayList<>(List.of("POST /v1/reservations", "POST /v1/reservations/{id}/commit",
                "POST /v1/reservations/{id}/release", "GET /v1/reservations/{id}", "POST /v1/ingest", "POST /v1/sync-config",
                "GET /v1/agents/{name}/budget", "GET|POST /v1/org/budgets", "GET|PUT|DELETE /v1/org/budgets/{id}",
                "GET|POST /v1/shared-budgets", "GET|PUT|DELETE /v1/shared-budgets/{name}",
                "PUT|DELETE /v1/shared-budgets/{name}/agents/{agent}", "GET /v1/agents", "PUT /v1/agents/{name}/budgets",
                "GET|POST /v1/api-keys", "DELETE /v1/api-keys/{id}", "PUT|GET /v1/config", "GET /v1/admin/audit",
                "POST /v1/agents/{name}/pause|resume", "GET|POST /v1/alerts", "GET|DELETE /v1/alerts/{id}",
                "GET /v1/alerts/deliveries", "GET /v1/spend", "GET /v1/refusals", "GET|PUT /v1/org/default-budgets",
                "unknown paths"));
    }
}
