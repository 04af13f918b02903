package io.kavach.ledger.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The dev-mode RSA key pair: created on first use in a directory outside the source tree (by
 * default {@code ~/.kavach-ledger/dev-keys}) and reused afterwards, so dev tokens survive restarts.
 * It is never used by the prod profile, which must be given its keys.
 */
public final class DevKeyPair {

    public static final String PUBLIC_KEY_FILE = "public.pem";
    public static final String PRIVATE_KEY_FILE = "private.pem";

    private DevKeyPair() {
    }

    /** Creates the pair in {@code directory} unless both files are already there; true when it created them. */
    public static synchronized boolean ensure(Path directory) throws IOException {
        Path publicKey = directory.resolve(PUBLIC_KEY_FILE);
        Path privateKey = directory.resolve(PRIVATE_KEY_FILE);
        if (Files.isReadable(publicKey) && Files.isReadable(privateKey)) {
            return false;
        }
        Files.createDirectories(directory);
        restrict(directory, "rwx------");
        KeyPair pair = generate();
        // Written to temporary files and moved into place, private key first: a reader that sees
        // public.pem also sees the matching private.pem.
        write(privateKey, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        write(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
        return true;
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("RSA is required by every Java platform", e);
        }
    }

    private static void write(Path target, String content) throws IOException {
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName().toString(), ".tmp");
        restrict(temporary, "rw-------");
        Files.writeString(temporary, content, StandardCharsets.US_ASCII);
        Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void restrict(Path path, String permissions) throws IOException {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system (Windows): the user's profile directory is private already.
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
