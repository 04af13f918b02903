package io.kavach.ledger.ops;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * SIGTERM without losing an answer (docs/operations.md, "Shutdown"). Quarkus announces the
 * shutdown before it closes the HTTP server ({@code quarkus.shutdown.delay-enabled}); from then
 * on the API takes no new request — the connection is closed without an answer, so the caller
 * knows nothing was done and can retry on another instance — and shutdown waits until every
 * request already taken, including the commands queued in a ledger lane, has been answered (at
 * most {@code kavach.shutdown.drain-timeout}). Only then does the server close. Quarkus' own
 * graceful shutdown would answer 503 instead; a caller must never read a 5xx for a request the
 * service was simply not taking.
 */
@ApplicationScoped
public class GracefulShutdown {

    private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

    @ConfigProperty(name = "kavach.shutdown.drain-timeout", defaultValue = "PT30S")
    Duration drainTimeout;

    private final AtomicInteger inFlight = new AtomicInteger();
    private final Object drained = new Object();
    private volatile boolean draining;

    void register(@Observes Router router) {
        // Before every other route of the API port, so a refused request is never read or authenticated.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 2).handler(this::gate);
    }

    private void gate(RoutingContext context) {
        // Counted before the check: a request the drain did not see is one it refused itself.
        inFlight.incrementAndGet();
        if (draining && !context.request().path().startsWith("/q/")) {
            done();
            context.request().connection().close();
            return;
        }
        context.addEndHandler(ignored -> done());
        context.next();
    }

    private void done() {
        if (inFlight.decrementAndGet() == 0 && draining) {
            synchronized (drained) {
                drained.notifyAll();
            }
        }
    }

    /** Runs in Quarkus' shutdown, before the HTTP server closes and before the ledger lanes stop. */
    void drain(@Observes ShutdownDelayInitiatedEvent event) throws InterruptedException {
        draining = true;
        LOG.infof("shutting down: taking no new requests, answering the %d in flight (at most %s)", inFlight.get(),
                drainTimeout);
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        synchronized (drained) {
            long left;
            while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                drained.wait(Math.max(1, left / 1_000_000));
            }
        }
        int unanswered = inFlight.get();
        if (unanswered > 0) {
            LOG.warnf("shutting down with %d requests still unanswered after %s", unanswered, drainTimeout);
        } else {
            LOG.info("drained: every request taken before the shutdown was answered");
        }
    }

    /** True once shutdown has begun. */
    public boolean draining() {
        return draining;
    }
}
