package io.kavach.ledger.security;

import java.time.Duration;
import org.eclipse.microprofile.config.Config;

/** How old a management token may be: {@code kavach.jwt.max-age}, for the service and the token command alike. */
public final class JwtPolicy {

    public static final String MAX_AGE = "kavach.jwt.max-age";
    public static final String MAX_AGE_DEFAULT = "P30D";

    private JwtPolicy() {
    }

    /** The configured maximum age (ISO-8601 duration such as {@code P30D} or {@code PT12H}). */
    public static Duration maxAge(Config config) {
        Duration age = config.getOptionalValue(MAX_AGE, String.class).map(String::trim).filter(v -> !v.isEmpty())
                .map(Duration::parse).orElse(Duration.parse(MAX_AGE_DEFAULT));
        if (age.isNegative() || age.isZero()) {
            throw new IllegalArgumentException(MAX_AGE + " must be a positive duration, not " + age);
        }
        return age;
    }
}
