package io.kavach.ledger.error;

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

    public static ProblemException validation(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? "1 field is invalid: " + errors.get(0).field() + " " + errors.get(0).message()
                : errors.size() + " fields are invalid";
        return new ProblemException(422, "validation_failed", "Request is invalid", detail)
                .with("errors", List.copyOf(errors));
    }

    public static ProblemException validation(String field, String message) {
        return validation(List.of(new FieldError(field, message)));
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "not_found", "Not found", what + " does not exist");
    }

    public static ProblemException badRequest(String reason, String detail) {
        return new ProblemException(400, reason, "Bad request", detail);
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
