package io.kavach.ledger;

import io.kavach.ledger.ops.DatabasePreflight;
import io.kavach.ledger.ops.DevDatabase;
import io.kavach.ledger.ops.DevDatabaseConfigSourceFactory;
import io.kavach.ledger.security.TokenCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.SmallRyeConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;

/**
 * The entry point of the packaged jar and of dev mode: {@code token …} mints a JWT and exits
 * without starting the service (no database, no port); anything else checks that the database
 * answers and runs the service.
 */
@QuarkusMain
public class KavachLedger {

    /**
     * The profile Quarkus is about to start with. The launch mode is not set yet when main runs,
     * so dev mode is recognised by the class loader it runs the application in.
     */
    static String profile() {
        String configured = System.getProperty("quarkus.profile", System.getenv("QUARKUS_PROFILE"));
        if (configured != null && !configured.isBlank()) {
            return configured;
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        boolean dev = loader != null && loader.getClass().getSimpleName().equals("QuarkusClassLoader")
                && loader.toString().contains(": DEV ");
        return dev ? "dev" : "prod";
    }

    /**
     * Mutiny's callback decorators capture and restore thread context around every operator of a
     * Uni chain (the security checks of every request are such chains). Nothing here propagates
     * context through Mutiny (the request context lives on the Vert.x context, ArC context
     * propagation is off), so they were pure per-request cost (docs/decisions/0013). Mutiny reads
     * the flag once, when it is first loaded: it must be set before Quarkus starts.
     */
    static final String NO_MUTINY_DECORATORS = "mutiny.disableCallBackDecorators";

    public static void main(String... args) {
        if (System.getProperty(NO_MUTINY_DECORATORS) == null) {
            System.setProperty(NO_MUTINY_DECORATORS, "true");
        }
        if (args.length > 0 && TokenCommand.NAME.equals(args[0])) {
            String profile = System.getProperty("quarkus.profile",
                    System.getenv().getOrDefault("QUARKUS_PROFILE", "prod"));
            SmallRyeConfig config = TokenCommand.configuration(profile);
            // The JWT builder reads its smallrye.jwt.new-token.* defaults from the global config.
            ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
            List<String> rest = Arrays.asList(args).subList(1, args.length);
            System.exit(TokenCommand.run(rest, config, System.out, System.err));
        }
        // A missing database is one clear line, not a Flyway stack trace (dev mode and the jar). In
        // dev mode without a configured database, DevDatabaseConfigSourceFactory has already found or
        // started one, or left it to Dev Services: nothing to check here.
        String profile = profile();
        String devDatabase = System.getProperty(DevDatabaseConfigSourceFactory.CHOSEN, DevDatabase.Choice.CONFIGURED.name());
        boolean check = !"dev".equals(profile) || DevDatabase.Choice.CONFIGURED.name().equals(devDatabase);
        Optional<String> problem = check ? DatabasePreflight.problem(TokenCommand.configuration(profile)) : Optional.empty();
        if (problem.isPresent()) {
            System.err.println(problem.get());
            System.exit(1);
        }
        Quarkus.run(args);
    }
}
