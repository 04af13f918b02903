package io.kavach.ledger.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scripts the container image runs (src/main/docker), run here as they run there, against
 * temporary directories and local servers: no Docker engine is needed to know they work.
 */
class ContainerScriptsTest {

    private static final Path SCRIPTS = Path.of("src", "main", "docker");

    @TempDir
    Path dir;

    @BeforeAll
    static void bashAndOpensslAreThere() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash (as the image has)");
        Assumptions.assumeTrue(run(Map.of(), "bash", "-c", "command -v openssl").exitCode == 0,
                "needs openssl (as the image has)");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(Map<String, String> environment, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            builder.environment().putAll(environment);
            Process process = builder.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("still running after 60 s: " + List.of(command));
            }
            return new Result(process.exitValue(), output);
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Result keysInit(Path privateDir, Path publicDir) {
        return run(Map.of("KAVACH_PRIVATE_KEY_DIR", privateDir.toString(), "KAVACH_PUBLIC_KEY_DIR", publicDir.toString()),
                SCRIPTS.resolve("keys-init.sh").toString());
    }

    private static byte[] der(Path pem) throws IOException {
        String body = Files.readString(pem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    @Test
    void keysInitCreatesAMatchingPairWithThePrivateKeyReadableOnlyByItsOwner() throws Exception {
        Path privateDir = dir.resolve("private");
        Path publicDir = dir.resolve("public");
        Result result = keysInit(privateDir, publicDir);
        assertEquals(0, result.exitCode, result.output);

        Path privatePem = privateDir.resolve("private.pem");
        Path publicPem = publicDir.resolve("public.pem");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(privatePem)));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(publicPem)));
        assertTrue(Files.list(publicDir).allMatch(publicPem::equals), "the public volume holds the public key only");

        // The pair is what the service and the token command expect: PKCS#8 RSA private, X.509 public.
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        PrivateKey privateKey = rsa.generatePrivate(new PKCS8EncodedKeySpec(der(privatePem)));
        PublicKey publicKey = rsa.generatePublic(new X509EncodedKeySpec(der(publicPem)));
        Signature signer = Signature.getInstance("SHA256withRSA");
        signer.initSign(privateKey);
        signer.update("kavach".getBytes(StandardCharsets.US_ASCII));
        byte[] signature = signer.sign();
        Signature verifier = Signature.getInstance("SHA256withRSA");
        verifier.initVerify(publicKey);
        verifier.update("kavach".getBytes(StandardCharsets.US_ASCII));
        assertTrue(verifier.verify(signature), "the public key verifies what the private key signs");
    }

    @Test
    void keysInitOnALaterStartChangesNothing() throws Exception {
        Path privateDir = dir.resolve("private");
        Path publicDir = dir.resolve("public");
        assertEquals(0, keysInit(privateDir, publicDir).exitCode);
        byte[] privateBefore = Files.readAllBytes(privateDir.resolve("private.pem"));
        byte[] publicBefore = Files.readAllBytes(publicDir.resolve("public.pem"));

        Result again = keysInit(privateDir, publicDir);
        assertEquals(0, again.exitCode, again.output);
        assertTrue(again.output.contains("nothing to do"), again.output);
        assertArrayEquals(privateBefore, Files.readAllBytes(privateDir.resolve("private.pem")));
        assertArrayEquals(publicBefore, Files.readAllBytes(publicDir.resolve("public.pem")));
    }

    @Test
    void keysInitDerivesThePublicKeyOfAnOperatorsPrivateKey() throws Exception {
        Path privateDir = Files.createDirectories(dir.resolve("private"));
        Path publicDir = dir.resolve("public");
        assertEquals(0, run(Map.of(), "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", privateDir.resolve("private.pem").toString()).exitCode);
        byte[] operatorsKey = Files.readAllBytes(privateDir.resolve("private.pem"));

        Result result = keysInit(privateDir, publicDir);
        assertEquals(0, result.exitCode, result.output);
        assertArrayEquals(operatorsKey, Files.readAllBytes(privateDir.resolve("private.pem")), "kept as given");
        Result expected = run(Map.of(), "openssl", "pkey", "-in", privateDir.resolve("private.pem").toString(), "-pubout");
        assertEquals(expected.output, Files.readString(publicDir.resolve("public.pem")));
    }

    @Test
    void jwksListsEachPublicKeyWithItsThumbprintAsKid() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, keysInit(a, a).exitCode);
        assertEquals(0, keysInit(b, b).exitCode);
        Result set = run(Map.of(), SCRIPTS.resolve("jwks.sh").toString(), a.resolve("public.pem").toString(),
                b.resolve("public.pem").toString());
        assertEquals(0, set.exitCode, set.output);
        com.fasterxml.jackson.databind.JsonNode keys = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(set.output).get("keys");
        assertEquals(2, keys.size());
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        Path[] pems = {a.resolve("public.pem"), b.resolve("public.pem")};
        for (int i = 0; i < 2; i++) {
            var key = (java.security.interfaces.RSAPublicKey) rsa.generatePublic(new X509EncodedKeySpec(der(pems[i])));
            String n = unsigned(key.getModulus());
            String e = unsigned(key.getPublicExponent());
            assertEquals(n, keys.get(i).get("n").asText());
            assertEquals(e, keys.get(i).get("e").asText());
            assertEquals("RS256", keys.get(i).get("alg").asText());
            // RFC 7638: SHA-256 of the required members in lexical order, base64url without padding.
            byte[] thumbprint = java.security.MessageDigest.getInstance("SHA-256").digest(
                    ("{\"e\":\"" + e + "\",\"kty\":\"RSA\",\"n\":\"" + n + "\"}").getBytes(StandardCharsets.US_ASCII));
            assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(thumbprint), keys.get(i).get("kid").asText());
        }
        assertNotEquals(0, run(Map.of(), SCRIPTS.resolve("jwks.sh").toString()).exitCode, "no key: usage");
    }

    private static String unsigned(java.math.BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes.length > 1 && bytes[0] == 0) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    @Test
    void entrypointRunsTheJarWithTheDocumentedHeapAndPassesArgumentsThrough() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path fakeJava = bin.resolve("java");
        Files.writeString(fakeJava, "#!/usr/bin/env bash\nfor a in \"$@\"; do echo \"[$a]\"; done\n");
        fakeJava.toFile().setExecutable(true);
        Map<String, String> env = Map.of("PATH", bin + ":" + System.getenv("PATH"), "KAVACH_APP_DIR", "/deployments");

        Result token = run(env, SCRIPTS.resolve("entrypoint.sh").toString(), "token", "--org", "acme corp", "--role", "admin");
        assertEquals(0, token.exitCode, token.output);
        assertEquals("[-Xmx256m]\n[-jar]\n[/deployments/quarkus-run.jar]\n[token]\n[--org]\n[acme corp]\n[--role]\n[admin]\n",
                token.output);

        Map<String, String> custom = new java.util.HashMap<>(env);
        custom.put("JAVA_OPTS", "-Xmx512m -XX:+UseSerialGC");
        Result service = run(custom, SCRIPTS.resolve("entrypoint.sh").toString());
        assertEquals("[-Xmx512m]\n[-XX:+UseSerialGC]\n[-jar]\n[/deployments/quarkus-run.jar]\n", service.output);
    }

    @Test
    void healthcheckPassesOnlyWhenReadinessAnswers200() throws Exception {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        HttpServer ready = server(200);
        HttpServer notReady = server(503);
        try {
            String script = SCRIPTS.resolve("healthcheck.sh").toString();
            int readyPort = ready.getAddress().getPort();
            int notReadyPort = notReady.getAddress().getPort();
            // A port nothing listens on is skipped; the next, ready, decides: healthy.
            assertEquals(0, run(Map.of("KAVACH_HEALTH_PORTS", closed + " " + readyPort), script).exitCode);
            Result down = run(Map.of("KAVACH_HEALTH_PORTS", notReadyPort + " " + readyPort), script);
            assertNotEquals(0, down.exitCode, "the first port that answers decides: 503 is unhealthy");
            assertTrue(down.output.contains("503"), down.output);
            assertNotEquals(0, run(Map.of("KAVACH_HEALTH_PORTS", Integer.toString(closed)), script).exitCode);
        } finally {
            ready.stop(0);
            notReady.stop(0);
        }
    }

    private static HttpServer server(int status) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        List<String> paths = new ArrayList<>();
        server.createContext("/", exchange -> {
            paths.add(exchange.getRequestURI().getPath());
            int code = exchange.getRequestURI().getPath().equals("/q/health/ready") ? status : 404;
            byte[] body = "{}".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(code, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return server;
    }
}
