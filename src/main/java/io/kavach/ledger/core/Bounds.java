package io.kavach.ledger.core;

/**
 * Fixed bounds of the domain, each under one name wherever it is checked (docs/contract.md,
 * "Limits"). The configurable per-org caps are {@link OrgLimit}.
 */
public final class Bounds {

    /** Agents one shared pool may have: the API, a configuration file and SDK sync alike. */
    public static final int POOL_MEMBERS_MAX = 1000;

    private Bounds() {
    }
}
