package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.kavach.ledger.core.DomainError;
import io.kavach.ledger.core.OrgLimit;
import io.kavach.ledger.core.OrgLimitReached;
import io.kavach.ledger.service.DatabaseFailures;
import io.kavach.ledger.service.LedgerRefusal;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import jakarta.ws.rs.NotAcceptableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place exceptions become HTTP answers: every error is an RFC 9457
 * {@code application/problem+json} body with a stable {@code reason}. Nothing internal (class
 * names, SQL, stack traces) ever reaches a body; unexpected failures are logged here instead. The
 * reason codes and their statuses are listed in docs/contract.md, "Reason codes".
 */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:kavach-ledger:problem:";
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response problem(ProblemException problem) {
        return render(problem);
    }

    @ServerExceptionMapper
    public Response refused(DomainError e) {
        return render(ProblemException.of(e));
    }

    @ServerExceptionMapper
    public Response orgLimitReached(OrgLimitReached e) {
        return render(limitReached(e.limit(), e.max(), e.detail()));
    }

    /**
     * A per-org cap reached: 409 (the org must delete something first), or 429 with Retry-After
     * for concurrent audits (one is running; retry when it is done).
     */
    static ProblemException limitReached(OrgLimit limit, int max, String detail) {
        ProblemException problem = limit == OrgLimit.CONCURRENT_AUDITS
                ? new ProblemException(429, limit.reason(), "Too many requests", detail).withHeader("Retry-After", "5")
                : new ProblemException(409, limit.reason(), "Limit reached", detail);
        return problem.with("limit", max);
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e) {
        return unauthorizedResponse("Missing or invalid credentials: send Authorization: Bearer <token or API key>");
    }

    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return unauthorizedResponse("The credentials were not accepted (invalid, expired or revoked)");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return render(new ProblemException(403, "forbidden", "Forbidden",
                "These credentials may not perform this operation"));
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        String where = e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
        return render(ProblemException.of(new DomainError.UnreadableBody("malformed_json", "The body is not valid JSON" + where)));
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        if (e.getCause() instanceof ProblemException problem) {
            return render(problem);
        }
        if (e.getCause() instanceof DomainError refused) {
            return refused(refused);
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        ProblemException problem;
        if (e instanceof NotFoundException) {
            problem = new ProblemException(404, "not_found", "Not found", "No such resource");
        } else if (e instanceof NotAllowedException) {
            problem = new ProblemException(405, "method_not_allowed", "Method not allowed",
                    "This resource does not support that HTTP method");
            Object allow = e.getResponse().getHeaders().getFirst(HttpHeaders.ALLOW);
            Optional<String> allowed = allow != null ? Optional.of(allow.toString()) : AllowedMethods.of(uri.getPath());
            allowed.ifPresent(methods -> problem.withHeader(HttpHeaders.ALLOW, methods));
        } else if (e instanceof NotSupportedException) {
            problem = new ProblemException(415, "unsupported_media_type", "Unsupported media type",
                    "Send the body with a supported Content-Type (application/json unless documented otherwise)");
        } else if (e instanceof NotAcceptableException) {
            problem = new ProblemException(406, "not_acceptable", "Not acceptable",
                    "None of the media types in Accept can be produced");
        } else if (status == 413) {
            problem = new ProblemException(413, "body_too_large", "Payload too large", "The body exceeds the size limit");
        } else if (status >= 400 && status < 500) {
            problem = new ProblemException(status, "bad_request", "Bad request", "The request could not be processed");
        } else {
            return unexpected(e, uri);
        }
        return render(problem);
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e, UriInfo uri) {
        // Ingest fails before the ledger too, e.g. authenticating a new API key while PostgreSQL is away.
        return uri.getPath().replaceFirst("^/", "").equals("v1/ingest") ? LedgerUnavailable.ingestFailure(e) : failure(e);
    }

    /**
     * The answer for a failed asynchronous ledger call: the same mapping as for a thrown
     * exception, applied to the cause that completed the future.
     */
    static Response failure(Throwable e) {
        Throwable cause = e;
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ProblemException problem) {
            return render(problem);
        }
        if (cause instanceof DomainError refused) {
            return render(ProblemException.of(refused));
        }
        if (cause instanceof OrgLimitReached limit) {
            return render(limitReached(limit.limit(), limit.max(), limit.detail()));
        }
        if (cause instanceof LedgerRefusal refusal) {
            return render(ledgerRefused(refusal));
        }
        if (DatabaseFailures.dataRefused(cause)) {
            // PostgreSQL refused a value of this request (SQLState class 22); validation should
            // have caught it first, so it is logged, but it is the request's fault, not a 500.
            LOG.warnf("data exception from PostgreSQL: %s", cause.toString());
            return render(new ProblemException(422, "invalid_data", "Request is invalid",
                    "The request holds a value the ledger cannot store; nothing was changed"));
        }
        if (DatabaseFailures.unavailable(cause)) {
            LOG.warnf("database unavailable: %s", cause.toString());
            return render(new ProblemException(503, "database_unavailable", "Service unavailable",
                    "The ledger database is not reachable; retry shortly").withHeader("Retry-After", "5"));
        }
        LOG.error("unexpected failure", cause);
        return render(new ProblemException(500, "internal_error", "Internal error",
                "The request failed unexpectedly; nothing was changed. The server log has the details."));
    }

    /**
     * The answer when the ledger did not take a command or did not answer in time: 429
     * {@code org_rate_limited} when the caller's own org has its share queued (other orgs are
     * unaffected), otherwise 503 with the reason. Every answer says when to retry.
     */
    static ProblemException ledgerRefused(LedgerRefusal refusal) {
        ProblemException problem;
        if (refusal instanceof LedgerRefusal.OrgOverShare over) {
            problem = new ProblemException(429, "org_rate_limited", "Too many requests",
                    "This org already has " + over.shareEvents() + " events waiting in the ledger's queue,"
                            + " its share; retry shortly").with("share_events", over.shareEvents());
        } else if (refusal instanceof LedgerRefusal.QueueFull) {
            problem = new ProblemException(503, "ledger_busy", "Service busy",
                    "The ledger's queue is full; nothing was recorded; retry shortly");
        } else if (refusal instanceof LedgerRefusal.TimedOut timedOut) {
            problem = new ProblemException(503, "ledger_timeout", "Service unavailable", timedOut.withdrawn()
                    ? "The ledger did not take the request in time; nothing was recorded; retry shortly"
                    : "The ledger did not answer in time; the request may still be recorded, so retry it with the"
                            + " same idempotency key");
        } else {
            problem = new ProblemException(503, "ledger_unavailable", "Service unavailable",
                    "The ledger failed to apply the request; retry shortly");
        }
        return problem.withHeader("Retry-After", Long.toString(refusal.retryAfterSeconds()));
    }

    static Response unauthorizedResponse(String detail) {
        return render(new ProblemException(401, "unauthorized", "Unauthorized", detail)
                .withHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"kavach-ledger\""));
    }

    public static Response render(ProblemException problem) {
        Response.ResponseBuilder response = Response.status(problem.status()).type(PROBLEM_JSON).entity(body(problem));
        problem.headers().forEach(response::header);
        return response.build();
    }

    /** The RFC 9457 members of a problem, for answers written outside JAX-RS too. */
    static Map<String, Object> body(ProblemException problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_PREFIX + problem.reason());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        body.put("reason", problem.reason());
        body.putAll(problem.members());
        return body;
    }
}
