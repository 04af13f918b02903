package io.kavach.ledger.ledger;

import java.util.regex.Pattern;

/** The naming rules of the contract, in one place. */
public final class Names {

    public static final int AGENT_NAME_LENGTH_MAX = 128;
    public static final int POOL_NAME_LENGTH_MAX = 64;
    public static final int ORG_ID_LENGTH_MAX = 64;

    private static final Pattern AGENT_NAME = Pattern.compile("[A-Za-z0-9._:@/-]{1,128}");
    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Names() {
    }

    public static boolean isAgentName(String name) {
        return name != null && AGENT_NAME.matcher(name).matches();
    }

    public static boolean isPoolName(String name) {
        return name != null && POOL_NAME.matcher(name).matches();
    }

    public static boolean isOrgId(String id) {
        return id != null && ORG_ID.matcher(id).matches();
    }

    public static final String AGENT_NAME_RULE = "must be 1-128 characters of A-Z a-z 0-9 . _ : @ / -";
    public static final String POOL_NAME_RULE = "must be 1-64 characters of A-Z a-z 0-9 . _ -";
}
