package io.kavach.ledger.alert;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Map;

/** A PagerDuty Events API stand-in (HTTP) and a real SMTP server (GreenMail), both in the test JVM. */
public class ChannelReceivers implements QuarkusTestResourceLifecycleManager {

    static Receiver pagerduty;
    static GreenMail smtp;

    @Override
    public Map<String, String> start() {
        try {
            pagerduty = new Receiver(0);
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
            smtp.start();
            return Map.of("kavach.alerts.pagerduty-url", pagerduty.url("/v2/enqueue"),
                    "kavach.alerts.smtp.host", "127.0.0.1",
                    "kavach.alerts.smtp.port", Integer.toString(port),
                    "kavach.alerts.smtp.start-tls", "DISABLED");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (pagerduty != null) {
            pagerduty.close();
        }
        if (smtp != null) {
            smtp.stop();
        }
    }
}
