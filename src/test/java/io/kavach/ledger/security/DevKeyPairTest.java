package io.kavach.ledger.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.jwt.util.KeyUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dev key pair is created once, privately, and then reused as is. */
class DevKeyPairTest {

    @TempDir
    Path home;

    @Test
    void createdOnFirstUseThenReused() throws Exception {
        Path directory = home.resolve(".kavach-ledger/dev-keys");
        assertTrue(DevKeyPair.ensure(directory));
        String publicPem = Files.readString(directory.resolve(DevKeyPair.PUBLIC_KEY_FILE));
        String privatePem = Files.readString(directory.resolve(DevKeyPair.PRIVATE_KEY_FILE));

        assertFalse(DevKeyPair.ensure(directory));
        assertEquals(publicPem, Files.readString(directory.resolve(DevKeyPair.PUBLIC_KEY_FILE)));
        assertEquals(privatePem, Files.readString(directory.resolve(DevKeyPair.PRIVATE_KEY_FILE)));

        // The files are what SmallRye JWT reads, and they belong together.
        var publicKey = KeyUtils.decodePublicKey(publicPem);
        var privateKey = KeyUtils.decodePrivateKey(privatePem);
        assertEquals(((java.security.interfaces.RSAPublicKey) publicKey).getModulus(),
                ((java.security.interfaces.RSAPrivateCrtKey) privateKey).getModulus());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(directory.resolve(DevKeyPair.PRIVATE_KEY_FILE))));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(directory)));
        try (var files = Files.list(directory)) {
            assertEquals(2, files.count()); // no temporary files left behind
        }
    }
}
