package io.kavach.ledger.core;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the domain refuses, named by its type and a stable {@code reason} code
 * (docs/contract.md, "Reason codes"), with a human title and detail and any extra members a client
 * reads (the field errors of invalid input, a cap's value). Nothing here knows HTTP: the API
 * alone chooses a status for each type ({@code api/ProblemMapper}). Refusals of a ledger command
 * are not errors but outcomes ({@link LedgerOutcome}); a per-org cap is {@link OrgLimitReached}.
 */
public abstract sealed class DomainError extends RuntimeException {

    private final String reason;
    private final String title;
    private final Map<String, Object> members = new LinkedHashMap<>();

    private DomainError(String reason, String title, String detail) {
        super(detail, null, false, false);
        this.reason = reason;
        this.title = title;
    }

    public String reason() {
        return reason;
    }

    public String title() {
        return title;
    }

    public String detail() {
        return getMessage();
    }

    /** Extra members of the answer, in the order they were added. */
    public Map<String, Object> members() {
        return members;
    }

    DomainError with(String member, Object value) {
        members.put(member, value);
        return this;
    }

    /** The request's content is invalid: every problem found, by field ({@code validation_failed}). */
    public static final class InvalidInput extends DomainError {
        private final List<FieldError> errors;

        public InvalidInput(List<FieldError> errors) {
            super("validation_failed", "Request is invalid", errors.size() == 1
                    ? "1 field is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                    : errors.size() + " fields are invalid");
            this.errors = List.copyOf(errors);
            with("errors", this.errors);
        }

        public InvalidInput(String field, String message) {
            this(List.of(new FieldError(field, message)));
        }

        public List<FieldError> errors() {
            return errors;
        }
    }

    /** Nothing by that id or name exists in the caller's org ({@code not_found}). */
    public static final class NotFound extends DomainError {
        public NotFound(String what) {
            super("not_found", "Not found", what + " does not exist");
        }
    }

    /** Creating it would duplicate something live under the same key. */
    public static final class AlreadyExists extends DomainError {
        public AlreadyExists(String reason, String title, String detail, String existingIdMember, Object existingId) {
            super(reason, title, detail);
            with(existingIdMember, existingId);
        }
    }

    /** A fixed bound of the service (not a configured per-org cap) would be passed. */
    public static final class BoundReached extends DomainError {
        public BoundReached(String reason, String title, String detail) {
            super(reason, title, detail);
        }

        /** The bound, as an answer member. */
        public BoundReached withBound(String member, Object value) {
            with(member, value);
            return this;
        }
    }

    /** Another change to the same definitions won a race; retrying the request is safe ({@code concurrent_change}). */
    public static final class ConcurrentChange extends DomainError {
        public ConcurrentChange(String detail) {
            super("concurrent_change", "Concurrent change", detail);
        }
    }

    /** The body cannot be read as the format it claims ({@code malformed_json}, {@code malformed_yaml}, {@code body_required}). */
    public static final class UnreadableBody extends DomainError {
        public UnreadableBody(String reason, String detail) {
            super(reason, "Bad request", detail);
        }
    }

    /** The body exceeds its size bound ({@code body_too_large}). */
    public static final class BodyTooLarge extends DomainError {
        public BodyTooLarge(String detail) {
            super("body_too_large", "Payload too large", detail);
        }
    }
}
