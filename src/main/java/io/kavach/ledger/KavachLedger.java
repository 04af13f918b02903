package io.kavach.ledger;

import io.kavach.ledger.security.TokenCommand;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.smallrye.config.SmallRyeConfig;
import java.util.Arrays;
import java.util.List;
import org.eclipse.microprofile.config.spi.ConfigProviderResolver;

/**
 * The entry point of the packaged jar: {@code token …} mints a JWT and exits without starting the
 * service (no database, no port); anything else runs the service.
 */
@QuarkusMain
public class KavachLedger {

    public static void main(String... args) {
        if (args.length > 0 && TokenCommand.NAME.equals(args[0])) {
            String profile = System.getProperty("quarkus.profile",
                    System.getenv().getOrDefault("QUARKUS_PROFILE", "prod"));
            SmallRyeConfig config = TokenCommand.configuration(profile);
            // The JWT builder reads its smallrye.jwt.new-token.* defaults from the global config.
            ConfigProviderResolver.instance().registerConfig(config, Thread.currentThread().getContextClassLoader());
            List<String> rest = Arrays.asList(args).subList(1, args.length);
            System.exit(TokenCommand.run(rest, config, System.out, System.err));
        }
        Quarkus.run(args);
    }
}
