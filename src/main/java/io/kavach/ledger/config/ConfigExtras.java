package io.kavach.ledger.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The shape of org.config_extras: {@code sections} holds the top-level keys of the file the
 * ledger does not enforce (defaults, channels, guardrails, ...), {@code agent_settings} the
 * per-agent keys other than {@code budget} (provider, alerts, ...). Both are kept verbatim so an
 * export carries them back out.
 */
public final class ConfigExtras {

    public static final String SECTIONS = "sections";
    public static final String AGENT_SETTINGS = "agent_settings";

    private ConfigExtras() {
    }

    public static ObjectNode empty() {
        ObjectNode extras = JsonNodeFactory.instance.objectNode();
        extras.putObject(SECTIONS);
        extras.putObject(AGENT_SETTINGS);
        return extras;
    }

    /** Stored extras in canonical shape (an org that never imported a file has {@code {}}). */
    public static ObjectNode normalize(JsonNode stored) {
        ObjectNode extras = empty();
        if (stored != null && stored.isObject()) {
            if (stored.get(SECTIONS) instanceof ObjectNode sections) {
                extras.set(SECTIONS, sections);
            }
            if (stored.get(AGENT_SETTINGS) instanceof ObjectNode settings) {
                extras.set(AGENT_SETTINGS, settings);
            }
        }
        return extras;
    }

    public static ObjectNode sections(ObjectNode extras) {
        return (ObjectNode) extras.get(SECTIONS);
    }

    public static ObjectNode agentSettings(ObjectNode extras) {
        return (ObjectNode) extras.get(AGENT_SETTINGS);
    }
}
