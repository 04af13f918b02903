package io.kavach.ledger.core;

/** An agent as a ledger batch found (or created) it: its row id and its pause, null when not paused. */
public record ResolvedAgent(long id, AgentPause pause) {
}
