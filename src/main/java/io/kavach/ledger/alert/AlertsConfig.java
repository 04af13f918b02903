package io.kavach.ledger.alert;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.ext.mail.StartTLSOptions;
import java.time.Duration;
import java.util.Optional;

/** Alert delivery settings ({@code kavach.alerts.*}); docs/alerts.md says why each default. */
@ConfigMapping(prefix = "kavach.alerts")
public interface AlertsConfig {

    /** Deliver to loopback, private, link-local, CGNAT and metadata addresses (tests, closed networks). */
    @WithDefault("false")
    boolean allowPrivateTargets();

    /** How often each instance looks for due alerts (also read by the scheduler). */
    @WithDefault("1s")
    String pollInterval();

    /** How often each instance reloads the rule index the spend path consults (also read by the scheduler). */
    @WithDefault("1s")
    String ruleRefresh();

    /** Live alert rules per org. */
    @WithDefault("100")
    int rulesPerOrg();

    /** First retry delay; each further retry doubles it, up to {@link #backoffMax()}. */
    @WithDefault("PT10S")
    Duration backoffBase();

    @WithDefault("PT1H")
    Duration backoffMax();

    /** How long after firing an alert is retried before it is marked dead. */
    @WithDefault("PT24H")
    Duration retryFor();

    /** How long a claimed alert is hidden from other workers; a worker killed mid-delivery frees it after this. */
    @WithDefault("PT2M")
    Duration lease();

    /** Alerts one worker run claims. */
    @WithDefault("32")
    int claimBatch();

    /** Deliveries in flight per instance. */
    @WithDefault("8")
    int workers();

    /** Deliveries in flight per instance to one target host. */
    @WithDefault("2")
    int perTargetConcurrency();

    @WithDefault("PT5S")
    Duration connectTimeout();

    /** Whole-request timeout of one delivery. */
    @WithDefault("PT10S")
    Duration requestTimeout();

    /** PagerDuty Events API v2 endpoint (the rule's target is the routing key). */
    @WithDefault("https://events.pagerduty.com/v2/enqueue")
    String pagerdutyUrl();

    /** The SMTP server email alerts go through. */
    Smtp smtp();

    interface Smtp {
        /** Without a host no mail is sent: an email delivery fails with that reason and is retried. */
        Optional<String> host();

        @WithDefault("587")
        int port();

        Optional<String> username();

        Optional<String> password();

        @WithDefault("REQUIRED")
        StartTLSOptions startTls();

        @WithDefault("false")
        boolean ssl();

        @WithDefault("kavach-ledger@localhost")
        String from();
    }
}
