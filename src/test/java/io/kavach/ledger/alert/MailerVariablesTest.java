package io.kavach.ledger.alert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.IOException;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Email alerts are configured by the standard Quarkus mailer variables (QUARKUS_MAILER_HOST, …),
 * as application.properties maps them onto {@code kavach.alerts.smtp.*}; the service's own
 * variables still win one by one.
 */
class MailerVariablesTest {

    @Test
    void theStandardMailerVariablesConfigureTheSmtpServer() throws IOException {
        SmallRyeConfig config = config(Map.of(
                "quarkus.mailer.host", "smtp.example.com",
                "quarkus.mailer.port", "2525",
                "quarkus.mailer.username", "alerts",
                "quarkus.mailer.start-tls", "DISABLED",
                "quarkus.mailer.tls", "true",
                "quarkus.mailer.from", "ledger@example.com"));

        assertEquals("smtp.example.com", config.getValue("kavach.alerts.smtp.host", String.class));
        assertEquals(2525, config.getValue("kavach.alerts.smtp.port", Integer.class));
        assertEquals("alerts", config.getValue("kavach.alerts.smtp.username", String.class));
        assertEquals("DISABLED", config.getValue("kavach.alerts.smtp.start-tls", String.class));
        assertEquals(true, config.getValue("kavach.alerts.smtp.ssl", Boolean.class));
        assertEquals("ledger@example.com", config.getValue("kavach.alerts.smtp.from", String.class));
    }

    @Test
    void withoutThemThereIsNoHostAndTheDefaultsHold() throws IOException {
        SmallRyeConfig config = config(Map.of());

        assertTrue(config.getOptionalValue("kavach.alerts.smtp.host", String.class).isEmpty());
        assertEquals(587, config.getValue("kavach.alerts.smtp.port", Integer.class));
        assertEquals("REQUIRED", config.getValue("kavach.alerts.smtp.start-tls", String.class));
        assertEquals(false, config.getValue("kavach.alerts.smtp.ssl", Boolean.class));
        assertEquals("kavach-ledger@localhost", config.getValue("kavach.alerts.smtp.from", String.class));
    }

    @Test
    void theServicesOwnVariableWinsOverTheMailers() throws IOException {
        SmallRyeConfig config = config(Map.of("quarkus.mailer.host", "smtp.example.com",
                "kavach.alerts.smtp.host", "relay.internal"));

        assertEquals("relay.internal", config.getValue("kavach.alerts.smtp.host", String.class));
    }

    /** application.properties under a source of higher ordinal standing for the environment. */
    private static SmallRyeConfig config(Map<String, String> environment) throws IOException {
        URL properties = MailerVariablesTest.class.getResource("/application.properties");
        return new SmallRyeConfigBuilder().addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(properties, 250))
                .withSources(new PropertiesConfigSource(environment, "environment", 300))
                .build();
    }
}
