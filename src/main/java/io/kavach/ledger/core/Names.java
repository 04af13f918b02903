package io.kavach.ledger.core;

import java.text.Normalizer;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The naming and text rules of the contract, in one place.
 *
 * <p>Agent names are whatever the AgentKavach SDK lets a user write ({@code Research Bot},
 * {@code worker#1}, {@code agent-é}): 1–128 characters after Unicode NFC normalisation, compared
 * exactly in that form, with no character that could corrupt storage or spoof a listing. Pool
 * names and org ids keep a strict ASCII alphabet (they appear in URLs and keys unencoded).
 */
public final class Names {

    public static final int AGENT_NAME_LENGTH_MAX = 128;
    public static final int POOL_NAME_LENGTH_MAX = 64;
    public static final int ORG_ID_LENGTH_MAX = 64;

    private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern ORG_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private Names() {
    }

    /**
     * The agent name in its one stored form (NFC), or empty when {@code raw} is not a valid agent
     * name. Every place that reads an agent name from a client goes through here, so two spellings
     * of the same name (composed and decomposed {@code é}) are the same agent.
     */
    public static Optional<String> agentName(String raw) {
        if (raw == null || raw.isEmpty() || raw.length() > 4 * AGENT_NAME_LENGTH_MAX || !isCleanText(raw)) {
            return Optional.empty();
        }
        String name = Normalizer.normalize(raw, Normalizer.Form.NFC);
        int length = name.codePointCount(0, name.length());
        return length >= 1 && length <= AGENT_NAME_LENGTH_MAX ? Optional.of(name) : Optional.empty();
    }

    public static boolean isAgentName(String name) {
        return agentName(name).filter(name::equals).isPresent();
    }

    public static boolean isPoolName(String name) {
        return name != null && POOL_NAME.matcher(name).matches();
    }

    public static boolean isOrgId(String id) {
        return id != null && ORG_ID.matcher(id).matches();
    }

    /**
     * The one rule for client text that is stored or shown: no control characters (C0, DEL, C1 —
     * a NUL must never reach PostgreSQL), no bidirectional overrides or isolates (they make a
     * listing read differently from what is stored), and no unpaired surrogate (not valid UTF-8).
     */
    public static boolean isCleanText(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x1F || (c >= 0x7F && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    public static final String AGENT_NAME_RULE =
            "must be 1-128 characters, without control or bidirectional-control characters";
    public static final String POOL_NAME_RULE = "must be 1-64 characters of A-Z a-z 0-9 . _ -";
    public static final String CLEAN_TEXT_RULE = "must not contain control or bidirectional-control characters";
}
