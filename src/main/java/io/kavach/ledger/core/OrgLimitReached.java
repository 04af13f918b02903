package io.kavach.ledger.core;

/** A write would take the org past one of its caps; nothing was changed. */
public final class OrgLimitReached extends RuntimeException {

    private final OrgLimit limit;
    private final int max;

    public OrgLimitReached(OrgLimit limit, int max, String detail) {
        super(detail, null, false, false);
        this.limit = limit;
        this.max = max;
    }

    /** The org has {@code agentsMax} agents and a request names new ones. */
    public static OrgLimitReached agents(int agentsMax) {
        return new OrgLimitReached(OrgLimit.AGENTS, agentsMax,
                "An org may have at most " + agentsMax + " agents; this request names new ones beyond that");
    }

    public OrgLimit limit() {
        return limit;
    }

    public int max() {
        return max;
    }

    public String detail() {
        return getMessage();
    }
}
