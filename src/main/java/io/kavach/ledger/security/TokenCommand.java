package io.kavach.ledger.security;

import io.kavach.ledger.core.Names;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import io.smallrye.jwt.util.ResourceUtils;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.spi.ConfigSource;
import org.eclipse.microprofile.jwt.Claims;

/**
 * {@code token --org <org> --role admin|viewer [--ttl <seconds>]}: mints a management-API JWT
 * with the configured signing key and prints it alone on stdout. It runs before (and instead of)
 * Quarkus: it needs no database and binds no port.
 */
public final class TokenCommand {

    public static final String NAME = "token";
    public static final long TTL_SECONDS_DEFAULT = 3600;
    public static final String DEFAULT_ISSUER = "kavach-ledger";

    static final String SIGN_KEY_LOCATION = "smallrye.jwt.sign.key.location";
    static final String SIGN_KEY_LOCATION_ENV = "SMALLRYE_JWT_SIGN_KEY_LOCATION";
    static final String NEW_TOKEN_ISSUER = "smallrye.jwt.new-token.issuer";
    static final String VERIFY_ISSUER = "mp.jwt.verify.issuer";

    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    static final int EXIT_USAGE = 2;

    static String usage(long ttlSecondsMax) {
        return "usage: java -jar quarkus-run.jar token --org <org id> --role admin|viewer [--ttl <seconds, 1-"
                + ttlSecondsMax + " (" + JwtPolicy.MAX_AGE + "), default " + TTL_SECONDS_DEFAULT + ">]";
    }

    private static final Set<String> ROLES = Set.of(Roles.ADMIN, Roles.VIEWER);

    private TokenCommand() {
    }

    /** What to mint, parsed from the command line. */
    record Request(String org, String role, long ttlSeconds) {
    }

    /** A failure reported as one line on stderr, with its exit code. */
    static final class CommandException extends Exception {
        final int exitCode;

        CommandException(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    /** Runs the command with the arguments after {@code token}; returns the process exit code. */
    public static int run(List<String> args, Config config, PrintStream out, PrintStream err) {
        try {
            // The service refuses a token older than its max age whatever its exp: none lives longer.
            long ttlSecondsMax = JwtPolicy.maxAge(config).toSeconds();
            if (args.contains("--help") || args.contains("-h")) {
                out.println(usage(ttlSecondsMax));
                return EXIT_OK;
            }
            String token = mint(parse(args, ttlSecondsMax), config);
            out.println(token);
            out.flush();
            return EXIT_OK;
        } catch (CommandException e) {
            err.println("kavach-ledger token: " + e.getMessage());
            err.flush();
            return e.exitCode;
        } catch (IllegalArgumentException e) {
            err.println("kavach-ledger token: " + e.getMessage());
            err.flush();
            return EXIT_FAILED;
        }
    }

    static Request parse(List<String> args, long ttlSecondsMax) throws CommandException {
        String org = null;
        String role = null;
        String ttl = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            String option = arg;
            String value = null;
            int equals = arg.indexOf('=');
            if (arg.startsWith("--") && equals > 0) {
                option = arg.substring(0, equals);
                value = arg.substring(equals + 1);
            }
            if (!option.equals("--org") && !option.equals("--role") && !option.equals("--ttl")) {
                throw usage("unknown argument \"" + arg + "\"");
            }
            if (value == null) {
                if (i + 1 >= args.size()) {
                    throw usage(option + " needs a value");
                }
                value = args.get(++i);
            }
            switch (option) {
                case "--org" -> org = value;
                case "--role" -> role = value;
                default -> ttl = value;
            }
        }
        if (org == null) {
            throw usage("--org is required");
        }
        if (!Names.isOrgId(org)) {
            throw usage("invalid org id \"" + org + "\": it must be 1-" + Names.ORG_ID_LENGTH_MAX
                    + " characters of A-Z a-z 0-9 . _ -");
        }
        if (role == null) {
            throw usage("--role is required (admin or viewer)");
        }
        if (!ROLES.contains(role)) {
            throw usage("unknown role \"" + role + "\": use admin or viewer");
        }
        long ttlSeconds = TTL_SECONDS_DEFAULT;
        if (ttl != null) {
            try {
                ttlSeconds = Long.parseLong(ttl);
            } catch (NumberFormatException e) {
                throw usage("--ttl must be a whole number of seconds, not \"" + ttl + "\"");
            }
            if (ttlSeconds < 1 || ttlSeconds > ttlSecondsMax) {
                throw usage("--ttl must be between 1 and " + ttlSecondsMax + " seconds (" + JwtPolicy.MAX_AGE
                        + "), not " + ttl);
            }
        }
        return new Request(org, role, Math.min(ttlSeconds, ttlSecondsMax));
    }

    static String mint(Request request, Config config) throws CommandException {
        PrivateKey key = signingKey(config);
        String issuer = issuer(config);
        try {
            Instant now = Instant.now();
            return Jwt.issuer(issuer)
                    .subject("token-command")
                    .claim(OrgClaimAugmentor.ORG_CLAIM, request.org())
                    .claim(Claims.jti.name(), UUID.randomUUID().toString())
                    .groups(Set.of(request.role()))
                    .issuedAt(now)
                    .expiresAt(now.plus(Duration.ofSeconds(request.ttlSeconds())))
                    .jws().keyId(keyId(key))
                    .sign(key);
        } catch (RuntimeException e) {
            throw new CommandException(EXIT_FAILED, "could not sign the token with the key at "
                    + config.getOptionalValue(SIGN_KEY_LOCATION, String.class).orElse("?")
                    + " (an RSA key of at least 2048 bits is required): " + e.getMessage());
        }
    }

    /**
     * The {@code kid} of tokens signed with {@code key}: the RFC 7638 thumbprint of its public key,
     * as src/main/docker/jwks.sh writes it. A service verifying with a key set that holds the old
     * and the new public key picks the right one by it (key rotation, docs/operations.md); a
     * service verifying with one PEM key ignores it.
     */
    static String keyId(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey rsa)) {
            throw new IllegalArgumentException("an RSA private key (PKCS#8, with its public exponent) is required");
        }
        String members = "{\"e\":\"" + base64Url(rsa.getPublicExponent()) + "\",\"kty\":\"RSA\",\"n\":\""
                + base64Url(rsa.getModulus()) + "\"}";
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(members.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) { // unsigned big-endian, as JWK wants it
            bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static CommandException usage(String problem) {
        return new CommandException(EXIT_USAGE, problem + " (try --help)");
    }

    /** The issuer the service verifies: {@code smallrye.jwt.new-token.issuer}, else {@code mp.jwt.verify.issuer}. */
    static String issuer(Config config) {
        return config.getOptionalValue(NEW_TOKEN_ISSUER, String.class)
                .or(() -> config.getOptionalValue(VERIFY_ISSUER, String.class))
                .orElse(DEFAULT_ISSUER);
    }

    static PrivateKey signingKey(Config config) throws CommandException {
        String where = SIGN_KEY_LOCATION + " (env " + SIGN_KEY_LOCATION_ENV + ")";
        Optional<String> configured = config.getOptionalValue(SIGN_KEY_LOCATION, String.class);
        if (configured.isEmpty() || configured.get().isBlank()) {
            throw new CommandException(EXIT_FAILED, "no signing key configured: set " + where
                    + " to a PEM RSA private key file");
        }
        String location = configured.get().trim();
        Optional<Path> file = localFile(location);
        if (file.isPresent() && !Files.isReadable(file.get())) {
            throw new CommandException(EXIT_FAILED, "cannot read the signing key " + file.get() + " named by "
                    + where + ": " + (Files.exists(file.get()) ? "permission denied" : "no such file"));
        }
        String pem;
        try {
            pem = file.isPresent() ? Files.readString(file.get()) : ResourceUtils.readResource(location);
        } catch (IOException | RuntimeException e) {
            throw new CommandException(EXIT_FAILED, "cannot read the signing key " + location + " named by " + where
                    + ": " + e.getMessage());
        }
        if (pem == null) {
            throw new CommandException(EXIT_FAILED, "cannot find the signing key " + location + " named by " + where);
        }
        try {
            return KeyUtils.decodePrivateKey(pem);
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new CommandException(EXIT_FAILED, "the signing key " + location + " named by " + where
                    + " is not a PEM RSA private key in PKCS#8 form (BEGIN PRIVATE KEY): " + e);
        }
    }

    /** The file behind a key location, unless it is a classpath or remote resource. */
    static Optional<Path> localFile(String location) {
        if (location.startsWith("classpath:") || location.startsWith("http:") || location.startsWith("https:")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(location.startsWith("file:") ? location.substring("file:".length()) : location));
    }

    /**
     * The configuration the packaged service would see, without starting it: system properties,
     * environment, {@code config/application.properties} in the working directory and the
     * application.properties inside the jar, with the given profile (prod for the packaged jar).
     */
    public static SmallRyeConfig configuration(String profile, ConfigSource... extraSources) {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<ConfigSource> sources = new ArrayList<>(List.of(extraSources));
        try {
            // Ordinals as in Quarkus: application.properties in the jar 250, config/ in the working dir 260.
            URL packaged = loader.getResource("application.properties");
            if (packaged != null) {
                sources.add(new PropertiesConfigSource(packaged, 250));
            }
            Path local = Path.of("config", "application.properties");
            if (Files.isReadable(local)) {
                sources.add(new PropertiesConfigSource(local.toUri().toURL(), 260));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read application.properties: " + e.getMessage(), e);
        }
        return new SmallRyeConfigBuilder()
                .forClassLoader(loader)
                .addDefaultSources()
                .addDefaultInterceptors()
                .withSources(sources)
                .withProfile(profile)
                .build();
    }
}
