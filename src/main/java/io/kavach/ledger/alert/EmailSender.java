package io.kavach.ledger.alert;

import io.vertx.core.Vertx;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Sends alert mails over SMTP with the Vert.x mail client, configured by
 * {@code kavach.alerts.smtp.*} (docs/alerts.md). Without a host no mail is sent: the delivery
 * fails, says why, and is retried like any other.
 */
@ApplicationScoped
public class EmailSender {

    /** How long one mail may take, connection included. */
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    @Inject
    Vertx vertx;
    @Inject
    AlertsConfig config;

    private volatile MailClient client;

    /** Sends one plain-text mail and waits for the server's answer; throws what went wrong. */
    void send(String to, String subject, String text) throws Exception {
        MailMessage message = new MailMessage().setFrom(config.smtp().from()).setTo(to).setSubject(subject).setText(text);
        try {
            client().sendMail(message).toCompletionStage().toCompletableFuture()
                    .get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    private MailClient client() {
        MailClient current = client;
        if (current != null) {
            return current;
        }
        synchronized (this) {
            if (client == null) {
                AlertsConfig.Smtp smtp = config.smtp();
                String host = smtp.host().filter(h -> !h.isBlank()).orElseThrow(() -> new IllegalStateException(
                        "no SMTP server is configured (kavach.alerts.smtp.host)"));
                MailConfig mail = new MailConfig().setHostname(host).setPort(smtp.port()).setStarttls(smtp.startTls())
                        .setSsl(smtp.ssl()).setConnectTimeout((int) SEND_TIMEOUT.toMillis()).setMaxPoolSize(2);
                smtp.username().ifPresent(mail::setUsername);
                smtp.password().ifPresent(mail::setPassword);
                client = MailClient.create(vertx, mail);
            }
            return client;
        }
    }

    @PreDestroy
    void close() {
        if (client != null) {
            client.close();
        }
    }
}
