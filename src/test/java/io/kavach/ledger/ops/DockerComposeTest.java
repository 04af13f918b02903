package io.kavach.ledger.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The structure of docker-compose.yml and the image it builds, checked without a Docker engine
 * (none runs on the machines that build this): what {@code docker compose up} would do, read from
 * the files themselves.
 */
class DockerComposeTest {

    private static Map<String, Object> services;
    private static String dockerfile;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        Map<String, Object> compose = new Yaml().load(Files.readString(Path.of("docker-compose.yml")));
        services = (Map<String, Object>) compose.get("services");
        dockerfile = Files.readString(Path.of("src", "main", "docker", "Dockerfile.jvm"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> service(String name) {
        return (Map<String, Object>) services.get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<String> volumes(String name) {
        return (List<String>) service(name).getOrDefault("volumes", List.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> environment(String name) {
        return (Map<String, Object>) service(name).getOrDefault("environment", Map.of());
    }

    @Test
    void theLedgerServiceBuildsFromSourceAndNeedsNoFilesOnTheHost() {
        for (String name : List.of("ledger", "keys", "token")) {
            @SuppressWarnings("unchecked")
            Map<String, Object> build = (Map<String, Object>) service(name).get("build");
            assertEquals("src/main/docker/Dockerfile.jvm", build.get("dockerfile"), name);
            assertEquals("kavach-ledger:local", service(name).get("image"), name);
        }
        assertTrue(volumes("ledger").stream().noneMatch(v -> v.startsWith(".") || v.startsWith("/")),
                "no bind mount of the host's files: " + volumes("ledger"));
    }

    @Test
    void theLongRunningServiceMountsOnlyThePublicKeyReadOnly() {
        assertEquals(List.of("jwt-public:/keys/public:ro"), volumes("ledger"));
        assertEquals("/keys/public/public.pem", environment("ledger").get("MP_JWT_VERIFY_PUBLICKEY_LOCATION"));
        assertFalse(environment("ledger").containsKey("SMALLRYE_JWT_SIGN_KEY_LOCATION"), "the service signs nothing");
        assertEquals(List.of("jwt-private:/keys/private:ro"), volumes("token"));
        assertEquals("/keys/private/private.pem", environment("token").get("SMALLRYE_JWT_SIGN_KEY_LOCATION"));
        assertEquals(List.of("jwt-private:/keys/private", "jwt-public:/keys/public"), volumes("keys"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theKeysAreMadeOnceBeforeTheServiceStartsAndTheTokenCommandIsNotStartedByUp() {
        assertEquals(List.of("/deployments/keys-init.sh"), service("keys").get("entrypoint"));
        assertEquals("no", service("keys").get("restart"));
        Map<String, Map<String, String>> dependsOn = (Map<String, Map<String, String>>) service("ledger").get("depends_on");
        assertEquals("service_completed_successfully", dependsOn.get("keys").get("condition"));
        assertEquals("service_healthy", dependsOn.get("postgres").get("condition"));
        assertEquals(List.of("tools"), service("token").get("profiles"));
        assertEquals(List.of("/deployments/entrypoint.sh", "token"), service("token").get("entrypoint"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theServiceHasAHealthCheckARestartPolicyTheDocumentedHeapAndTimeToDrain() {
        Map<String, Object> ledger = service("ledger");
        assertEquals(List.of("CMD", "/deployments/healthcheck.sh"), ((Map<String, Object>) ledger.get("healthcheck")).get("test"));
        assertEquals("unless-stopped", ledger.get("restart"));
        assertEquals("unless-stopped", service("postgres").get("restart"));
        assertTrue(((Map<String, Object>) service("postgres").get("healthcheck")).get("test").toString().contains("pg_isready"));
        assertEquals("-Xmx256m", environment("ledger").get("JAVA_OPTS"));
        // docker stop waits longer than the service's drain (kavach.shutdown.drain-timeout=PT30S).
        assertEquals("45s", ledger.get("stop_grace_period"));
        assertTrue(((List<String>) ledger.get("ports")).contains("8000:8000"));
    }

    @Test
    void theImageIsMultiStageCachesDependenciesAndRunsAsANonRootUser() {
        List<String> stages = Pattern.compile("(?m)^FROM ").matcher(dockerfile).results().map(m -> m.group()).toList();
        assertEquals(2, stages.size(), "build stage and runtime stage");
        int goOffline = dockerfile.indexOf("RUN ./mvnw -B -q quarkus:go-offline");
        int sources = dockerfile.indexOf("COPY src/main/ src/main/");
        assertTrue(goOffline > 0 && sources > goOffline, "dependencies resolve in a layer before the sources are copied");
        assertTrue(dockerfile.indexOf("COPY mvnw pom.xml ./") < goOffline);
        assertTrue(dockerfile.contains("package -DskipTests"));
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
        assertTrue(user.find());
        assertEquals("185", user.group(1));
        assertTrue(dockerfile.contains("ENV JAVA_OPTS=\"-Xmx256m\""));
        assertTrue(dockerfile.contains("ENTRYPOINT [\"/deployments/entrypoint.sh\"]"));
    }

    @Test
    void everyScriptTheComposeFileRunsIsCopiedIntoTheImageAndExecutable() throws IOException {
        assertTrue(Files.isExecutable(Path.of("src", "main", "docker", "jwks.sh")), "jwks.sh (an operator's tool) is executable");
        for (String script : List.of("entrypoint.sh", "keys-init.sh", "healthcheck.sh")) {
            Path file = Path.of("src", "main", "docker", script);
            assertTrue(Files.isExecutable(file), file + " is executable");
            assertTrue(dockerfile.contains("src/main/docker/" + script), script + " is copied into the image");
        }
        // The build context must contain what the build stage copies.
        String dockerignore = Files.readString(Path.of(".dockerignore"));
        for (String input : List.of("!mvnw", "!.mvn/", "!pom.xml", "!db/", "!src/main/")) {
            assertTrue(dockerignore.contains(input), ".dockerignore keeps " + input);
        }
    }

    @Test
    void prometheusScrapesTheManagementInterface() throws IOException {
        String prometheus = Files.readString(Path.of("docs", "ops", "prometheus.yml"));
        assertTrue(prometheus.contains("ledger:9000"), prometheus);
        assertTrue(prometheus.contains("metrics_path: /q/metrics"), prometheus);
    }
}
