package io.kavach.ledger.core;

/**
 * The per-org caps that keep one tenant from growing the shared service without bound: each
 * listing, lock set and audit is then bounded too. Values are configured (docs/security.md).
 */
public enum OrgLimit {
    /** Agents of an org (created implicitly by spend, or by configuration). */
    AGENTS("agent_limit_reached", "agents"),
    /** Live shared pools of an org. */
    POOLS("pool_limit_reached", "shared pools"),
    /** Live pools one agent is a member of: each is a window every reservation of the agent locks. */
    POOLS_PER_AGENT("agent_pool_limit_reached", "shared pools per agent"),
    /** Audits of one org running at once: each re-reads the org's whole journal. */
    CONCURRENT_AUDITS("audit_limit_reached", "concurrent audits");

    private final String reason;
    private final String what;

    OrgLimit(String reason, String what) {
        this.reason = reason;
        this.what = what;
    }

    /** The stable {@code reason} code of the refusal. */
    public String reason() {
        return reason;
    }

    /** What is counted, in words. */
    public String what() {
        return what;
    }
}
