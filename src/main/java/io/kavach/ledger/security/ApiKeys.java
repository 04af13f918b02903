package io.kavach.ledger.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * The API key format: {@code ak_<environment>_<32 base62 characters>} (about 190 bits of
 * randomness). The SDK routes by the {@code ak_prod_}/{@code ak_dev_} prefix. Only a SHA-256 hash
 * is stored: with that much randomness a slow password hash adds nothing.
 */
public final class ApiKeys {

    public static final String PREFIX = "ak_";
    public static final int RANDOM_LENGTH = 32;
    /** How many random characters a listing shows after {@code ak_<env>_}. */
    public static final int VISIBLE_RANDOM_LENGTH = 4;

    private static final Pattern FORMAT = Pattern.compile("ak_(prod|dev)_[A-Za-z0-9]{" + RANDOM_LENGTH + "}");
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();
    /** One digest per thread: every SDK request hashes its key, and the provider lookup is not free. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    private ApiKeys() {
    }

    /** A bearer token that is meant as an API key (well-formed or not); anything else may be a JWT. */
    public static boolean looksLikeKey(String token) {
        return token.startsWith(PREFIX);
    }

    public static boolean isWellFormed(String key) {
        return key.length() <= 64 && FORMAT.matcher(key).matches();
    }

    public static String generate(String environment) {
        StringBuilder key = new StringBuilder(PREFIX).append(environment).append('_');
        for (int i = 0; i < RANDOM_LENGTH; i++) {
            key.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return key.toString();
    }

    /** What listings show: {@code ak_prod_XXXX}. */
    public static String visiblePrefix(String key) {
        int randomStart = key.indexOf('_', PREFIX.length()) + 1;
        return key.substring(0, randomStart + VISIBLE_RANDOM_LENGTH);
    }

    public static byte[] hash(String key) {
        return SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    }
}
