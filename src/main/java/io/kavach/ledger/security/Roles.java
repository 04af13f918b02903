package io.kavach.ledger.security;

/** The roles a caller can have: from a JWT's {@code groups} claim, or {@link #SDK} for an API key. */
public final class Roles {

    /** Management API, read and write. */
    public static final String ADMIN = "admin";
    /** Management API, read only. */
    public static final String VIEWER = "viewer";
    /** An SDK authenticated with an API key: the spend endpoints and the budget read. */
    public static final String SDK = "sdk";

    private Roles() {
    }
}
