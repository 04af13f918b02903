package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kavach.ledger.error.ProblemException;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Gives the 413 for a declared {@code Content-Length} over {@code quarkus.http.limits.max-body-size}
 * a problem+json body. Quarkus' own limit handler answers that case with an empty body before any
 * JAX-RS code runs, so this route, ordered just before it and reading the same property, answers
 * first; everything else passes through to Quarkus unchanged.
 */
@ApplicationScoped
public class BodyLimitProblemRoute {

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    void register(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        long limit = maxBodySize.get().asLongValue();
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(context -> rejectOversized(context, limit));
    }

    private void rejectOversized(RoutingContext context, long limit) {
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared == null || !isOver(declared, limit)) {
            context.next();
            return;
        }
        ProblemException problem = new ProblemException(413, "body_too_large", "Payload too large",
                "The body exceeds the size limit of " + limit + " bytes");
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(ProblemMapper.body(problem));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a problem body is plain strings and numbers", e);
        }
        // Like Quarkus: the unread body is not drained, so the connection cannot be reused.
        context.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, ProblemMapper.PROBLEM_JSON)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(body));
    }

    private static boolean isOver(String declared, long limit) {
        try {
            return Long.parseLong(declared.trim()) > limit;
        } catch (NumberFormatException e) {
            return false; // Not ours to judge; the HTTP layer rejects a malformed length.
        }
    }
}
