package io.kavach.ledger.core;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What a budget counts (ADR 0015): USD, tokens (input + output), input or output tokens alone, or
 * requests. Its window counters count in that unit; counts are whole numbers.
 */
public enum BudgetType {
    COST("cost"),
    TOKENS("tokens"),
    INPUT_TOKENS("input_tokens"),
    OUTPUT_TOKENS("output_tokens"),
    REQUESTS("requests");

    private final String wireName;

    BudgetType(String wireName) {
        this.wireName = wireName;
    }

    public String wireName() {
        return wireName;
    }

    /** Whether this type counts whole things (tokens, requests) rather than USD. */
    public boolean counts() {
        return this != COST;
    }

    public static Optional<BudgetType> fromWire(String name) {
        return Arrays.stream(values()).filter(t -> t.wireName.equals(name)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(BudgetType::wireName).toList();
    }

    @Override
    public String toString() {
        return wireName;
    }
}
