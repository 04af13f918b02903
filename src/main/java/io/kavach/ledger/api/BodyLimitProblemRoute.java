package io.kavach.ledger.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * Refuses a body whose declared {@code Content-Length} is over its route's limit
 * ({@link BodyLimits}, never more than {@code quarkus.http.limits.max-body-size}) with a 413
 * problem+json, before authentication or any reading: a reservation may not even announce
 * megabytes. Quarkus' own limit handler would answer the global case with an empty body; this
 * route is ordered just before it. Everything else passes through unchanged; bodies without a
 * declared length are bounded while they are read.
 */
@ApplicationScoped
public class BodyLimitProblemRoute {

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<MemorySize> maxBodySize;

    void register(@Observes Router router) {
        long global = maxBodySize.map(MemorySize::asLongValue).orElse(Long.MAX_VALUE);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(context -> rejectOversized(context, global));
    }

    private void rejectOversized(RoutingContext context, long global) {
        String declared = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (declared == null) {
            context.next();
            return;
        }
        long limit = Math.min(global, BodyLimits.bytesMax(context.request().method().name(), context.normalizedPath()));
        if (!isOver(declared, limit)) {
            context.next();
            return;
        }
        ProblemException problem = BodyLimits.tooLarge(limit);
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
