package io.kavach.ledger.api;

import java.util.Map;

/**
 * What the unchanged AgentKavach Python SDK (2.1.0) needs to hear to stop an agent (ADR 0007,
 * docs/sdk-compatibility.md). Its exporter stops an agent only on a 429 whose {@code reason} is
 * {@code org_budget_exceeded}, {@code tier_agent_limit} or {@code daily_limit}; any other 429 it
 * retries and then buffers, and the agent keeps calling its LLM. So an ingest that leaves a pool
 * or an agent budget exhausted, or that comes from a paused agent, is answered to the SDK with one
 * of those codes; other clients get the truthful one.
 */
final class SdkClients {

    /** The exporter's {@code User-Agent} (sender.py has sent {@code agentkavach-sdk/0.1.0} since 1.0.0). */
    static final String USER_AGENT_PREFIX = "agentkavach-sdk/";

    /**
     * Truthful stopping reason → the SDK code that stops the agent and reads closest to the truth.
     * An exhausted budget of any scope → {@code org_budget_exceeded}, the SDK's only code for "a
     * cost budget the backend holds ran out; wait for the period to roll over". A pause →
     * {@code tier_agent_limit}, its code for "the backend stopped this agent until it is
     * reactivated" (the hosted product's Kill button); a budget code there would repeat what SDK
     * 2.1.0 set out to fix, a kill logged as "budget exhausted" for an agent whose budget is fine.
     */
    private static final Map<String, String> STOPPING_REASON = Map.of(
            SpendAnswers.AGENT_PAUSED, "tier_agent_limit",
            "org_budget_exceeded", "org_budget_exceeded",
            "shared_budget_exceeded", "org_budget_exceeded",
            "agent_budget_exceeded", "org_budget_exceeded");

    private SdkClients() {
    }

    /** Whether the request comes from the AgentKavach SDK's exporter. */
    static boolean isSdk(String userAgent) {
        return userAgent != null && userAgent.regionMatches(true, 0, USER_AGENT_PREFIX, 0, USER_AGENT_PREFIX.length());
    }

    /** The reason that makes the SDK stop the agent for the truthful {@code reason}. */
    static String stoppingReason(String reason) {
        String mapped = STOPPING_REASON.get(reason);
        if (mapped == null) {
            throw new IllegalArgumentException("no SDK stopping reason for " + reason);
        }
        return mapped;
    }
}
