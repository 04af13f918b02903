package io.kavach.ledger.core;

/** One validation problem: which field (a JSON path such as {@code events[3].cost}) and what is wrong. */
public record FieldError(String field, String message) {
}
