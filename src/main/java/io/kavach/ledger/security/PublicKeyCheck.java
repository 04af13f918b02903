package io.kavach.ledger.security;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.SmallRyeConfig;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;

/**
 * In the prod profile the service refuses to start without a readable JWT public key. SmallRye
 * JWT itself would start and then answer 500 to every request (SRJWT02003), even health checks.
 */
@ApplicationScoped
public class PublicKeyCheck {

    static final String LOCATION = "mp.jwt.verify.publickey.location";
    static final String LOCATION_ENV = "MP_JWT_VERIFY_PUBLICKEY_LOCATION";
    static final String INLINE = "mp.jwt.verify.publickey";
    /** SmallRye's alias of {@link #LOCATION}. */
    static final String SMALLRYE_LOCATION = "smallrye.jwt.verify.key.location";

    @Inject
    Config config;

    void verifyAtStartup(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event) {
        if (!config.unwrap(SmallRyeConfig.class).getProfiles().contains("prod")) {
            return;
        }
        problem(config).ifPresent(problem -> {
            throw new IllegalStateException(problem);
        });
    }

    /** Why the configured verification key cannot work, or empty when it can. */
    static Optional<String> problem(Config config) {
        if (config.getOptionalValue(INLINE, String.class).filter(key -> !key.isBlank()).isPresent()) {
            return Optional.empty();
        }
        Optional<String> location = config.getOptionalValue(LOCATION, String.class)
                .or(() -> config.getOptionalValue(SMALLRYE_LOCATION, String.class))
                .map(String::trim).filter(value -> !value.isEmpty());
        String property = LOCATION + " (environment variable " + LOCATION_ENV + ")";
        if (location.isEmpty()) {
            return Optional.of("kavach-ledger cannot start: no JWT public key is configured. Set " + property
                    + " to the PEM file of the RSA public key that verifies management tokens"
                    + " (or " + INLINE + " to the key itself).");
        }
        String value = location.get();
        if (value.startsWith("http:") || value.startsWith("https:")) {
            return Optional.empty(); // A JWKS endpoint: it can only be checked when a token arrives.
        }
        if (value.startsWith("classpath:")) {
            String resource = value.substring("classpath:".length()).replaceFirst("^/", "");
            return Thread.currentThread().getContextClassLoader().getResource(resource) != null ? Optional.empty()
                    : Optional.of("kavach-ledger cannot start: the JWT public key " + value + " named by " + property
                    + " is not on the classpath.");
        }
        Path file = TokenCommand.localFile(value).orElseThrow();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            return Optional.of("kavach-ledger cannot start: the JWT public key file " + file + " named by " + property
                    + " cannot be read (" + (Files.exists(file) ? "not a readable file" : "no such file") + ").");
        }
        try {
            if (Files.readString(file).contains("PRIVATE KEY")) {
                return Optional.of("kavach-ledger cannot start: " + file + " named by " + property
                        + " holds a private key; point it at the public key"
                        + " (openssl pkey -in private.pem -pubout -out public.pem) and keep the private key away from the service.");
            }
        } catch (IOException e) {
            return Optional.of("kavach-ledger cannot start: the JWT public key file " + file + " named by " + property
                    + " cannot be read: " + e.getMessage());
        }
        return Optional.empty();
    }
}
