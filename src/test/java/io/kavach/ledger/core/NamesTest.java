package io.kavach.ledger.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class NamesTest {

    @ParameterizedTest
    @ValueSource(strings = {"research-bot", "Research Bot", "worker#1", "agent-\u00e9", "\u30a8\u30fc\u30b8\u30a7\u30f3\u30c8",
            "bot \ud83e\udd16", "a", "ns:team/bot@prod", " leading and trailing "})
    void namesTheSdkAllowsAreAgentNames(String name) {
        assertEquals(Optional.of(name), Names.agentName(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "bad\u0000name", "tab\tname", "new\nline", "del\u007f", "c1\u0085", "rlo\u202egnp.exe",
            "isolate\u2066x\u2069", "lone\ud800surrogate", "lone\udc00low", "trailing\ud83e"})
    void controlBidiAndBrokenTextAreNotAgentNames(String name) {
        assertEquals(Optional.empty(), Names.agentName(name));
    }

    @Test
    void composedAndDecomposedSpellingsAreOneName() {
        assertEquals(Optional.of("agent-\u00e9"), Names.agentName("agent-e\u0301"));
        assertTrue(Names.isAgentName("agent-\u00e9"));
        assertFalse(Names.isAgentName("agent-e\u0301"), "only the stored (NFC) form is an agent name as is");
    }

    @Test
    void lengthIsCountedInCharactersAfterNormalisation() {
        assertTrue(Names.agentName("x".repeat(128)).isPresent());
        assertTrue(Names.agentName("\ud83e\udd16".repeat(128)).isPresent(), "128 emoji are 128 characters");
        assertFalse(Names.agentName("x".repeat(129)).isPresent());
        assertTrue(Names.agentName("e\u0301".repeat(128)).isPresent(), "256 code points that compose to 128");
    }
}
