package floor;

import java.io.IOException;
import java.io.InputStream;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * POST /vertx/reservations: the bare HTTP floor. A plain Vert.x route that reads the body, checks the
 * Authorization header and ends with 201, the same three headers and a constant pre-built 1,276-byte
 * JSON buffer (no JSON (de)serialization).
 */
@ApplicationScoped
public class VertxReservations {

    private static final CharSequence LOCATION = HttpHeaders.createOptimized("Location");
    private static final CharSequence RATE_LIMIT = HttpHeaders.createOptimized("RateLimit");
    private static final CharSequence RATE_LIMIT_POLICY = HttpHeaders.createOptimized("RateLimit-Policy");
    private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");
    private static final CharSequence LOCATION_VALUE =
            HttpHeaders.createOptimized("/v1/reservations/01a22e0a-e2e8-7f1d-9930-5677a96d5db9");
    private static final CharSequence RATE_LIMIT_VALUE =
            HttpHeaders.createOptimized("\"org:daily\";r=999999999999999;t=14405");
    private static final CharSequence RATE_LIMIT_POLICY_VALUE =
            HttpHeaders.createOptimized("\"org:daily\";q=999999999999999;qu=\"usd-micros\";w=86400");
    private static final Buffer BODY = load();

    void routes(@Observes Router router) {
        router.post("/vertx/reservations").handler(ctx -> {
            HttpServerRequest request = ctx.request();
            String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
            request.body().onComplete(read -> {
                if (read.failed()) {
                    ctx.fail(read.cause());
                    return;
                }
                if (authorization == null || !authorization.startsWith("Bearer ak_")) {
                    ctx.response().setStatusCode(401).end();
                    return;
                }
                ctx.response().setStatusCode(201)
                        .putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON)
                        .putHeader(LOCATION, LOCATION_VALUE)
                        .putHeader(RATE_LIMIT, RATE_LIMIT_VALUE)
                        .putHeader(RATE_LIMIT_POLICY, RATE_LIMIT_POLICY_VALUE)
                        .end(BODY);
            });
            // Vert.x Web pauses the request while routing; resume it so body() gets the bytes.
            request.resume();
        });
    }

    private static Buffer load() {
        try (InputStream in = VertxReservations.class.getResourceAsStream("/floor-response.json")) {
            return Buffer.buffer(in.readAllBytes());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
