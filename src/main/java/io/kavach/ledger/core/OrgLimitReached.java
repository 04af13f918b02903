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
