package io.kavach.ledger.api;

import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.FieldError;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An expected outcome that answers with an RFC 9457 problem: a status, a stable {@code reason}
 * code, a human title and detail, and any extra members. The API layer renders it as application/problem+json.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String reason;
    private final String title;
    private final Map<String, Object> members = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ProblemException(int status, String reason, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.reason = reason;
        this.title = title;
    }

    /**
     * The answer to a refusal named in the domain: the one place a {@link DomainError}'s type gets
     * its HTTP status. Reason, title, detail and members are the domain's, unchanged.
     */
    public static ProblemException of(DomainError refused) {
        ProblemException problem = new ProblemException(statusOf(refused), refused.reason(), refused.title(),
                refused.detail());
        refused.members().forEach(problem::with);
        return problem;
    }

    private static int statusOf(DomainError refused) {
        if (refused instanceof DomainError.InvalidInput) {
            return 422;
        } else if (refused instanceof DomainError.NotFound) {
            return 404;
        } else if (refused instanceof DomainError.UnreadableBody) {
            return 400;
        } else if (refused instanceof DomainError.BodyTooLarge) {
            return 413;
        }
        // AlreadyExists, BoundReached, ConcurrentChange: the request conflicts with the present state.
        return 409;
    }

    public static ProblemException validation(List<FieldError> errors) {
        return of(new DomainError.InvalidInput(errors));
    }

    public static ProblemException validation(String field, String message) {
        return of(new DomainError.InvalidInput(field, message));
    }

    public static ProblemException notFound(String what) {
        return of(new DomainError.NotFound(what));
    }

    /** A body that cannot be read: {@code reason} says how ({@code malformed_json}, {@code body_required}, …). */
    public static ProblemException badRequest(String reason, String detail) {
        return of(new DomainError.UnreadableBody(reason, detail));
    }

    public ProblemException with(String member, Object value) {
        members.put(member, value);
        return this;
    }

    public ProblemException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public int status() {
        return status;
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

    public Map<String, Object> members() {
        return members;
    }

    public Map<String, String> headers() {
        return headers;
    }
}
