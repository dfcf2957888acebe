package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts the {@code req_info} of one merchant's APIv2 refund notifications: base64, then
 * AES-256-ECB with PKCS#7 padding ({@code PKCS5Padding} in JCA), the key being the 32 ASCII
 * characters of the lowercase hex MD5 of the merchant's APIv2 key. That decryption is the only
 * authenticity check an APIv2 refund notification has: it carries no sign.
 *
 * <p>The key is derived once, here. A {@link Cipher} is not thread-safe, so the ciphers come from
 * a {@link CryptoPool}, made on first need and initialised again on every use. The key never
 * reaches an exception, a log line or {@link #toString()}. Thread-safe.
 */
final class ApiV2RefundCipher {
    private static final String TRANSFORMATION = "AES/ECB/PKCS5Padding";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    /** Longest {@code req_info} accepted, in base64 characters (the body cap applies first anyway). */
    private static final int MAX_CIPHERTEXT_CHARS = 64 * 1_024;

    private final SecretKey key;
    private final CryptoPool<Cipher> ciphers =
            new CryptoPool<>(CryptoPool.DEFAULT_CAPACITY, ApiV2RefundCipher::newCipher);

    /**
     * @param aesKey the 32-byte AES-256 key itself (for a merchant, use {@link #forApiV2Key})
     * @throws IllegalArgumentException if it is not 32 bytes (the key is not echoed)
     */
    ApiV2RefundCipher(byte[] aesKey) {
        Objects.requireNonNull(aesKey, "aesKey");
        if (aesKey.length != 32) {
            throw new IllegalArgumentException("the refund key must be 32 bytes");
        }
        this.key = new SecretKeySpec(aesKey, "AES");
        // Fail at start-up, not on the first refund, if the JDK cannot do AES-256.
        try {
            ciphers.use(cipher -> {
                cipher.init(Cipher.DECRYPT_MODE, key);
                return null;
            });
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256 unavailable", e);
        }
    }

    /** The cipher of a merchant with this APIv2 key: AES key = lowercase hex MD5 of it, ASCII. */
    static ApiV2RefundCipher forApiV2Key(String apiV2Key) {
        Objects.requireNonNull(apiV2Key, "APIv2 key");
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("MD5").digest(apiV2Key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 unavailable", e);
        }
        byte[] hex = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            hex[2 * i] = (byte) HEX[(digest[i] >> 4) & 0xF];
            hex[2 * i + 1] = (byte) HEX[digest[i] & 0xF];
        }
        try {
            return new ApiV2RefundCipher(hex);
        } finally {
            Arrays.fill(hex, (byte) 0);
            Arrays.fill(digest, (byte) 0);
        }
    }

    /**
     * @param reqInfo the base64 {@code req_info} as received
     * @return the plaintext bytes (a UTF-8 {@code <root>} document when the notification is genuine)
     * @throws NotifyRejected {@link Reason#REQ_INFO_DECRYPT_FAILED} if it is empty or too long, not base64,
     *     not a whole number of blocks, or its padding is wrong (a different key or a forgery)
     */
    byte[] decrypt(String reqInfo) {
        if (reqInfo == null || reqInfo.isEmpty() || reqInfo.length() > MAX_CIPHERTEXT_CHARS) {
            throw new NotifyRejected(Reason.REQ_INFO_DECRYPT_FAILED);
        }
        byte[] ciphertext;
        try {
            ciphertext = Base64.getDecoder().decode(reqInfo);
        } catch (IllegalArgumentException e) {
            throw new NotifyRejected(Reason.REQ_INFO_DECRYPT_FAILED);
        }
        if (ciphertext.length == 0 || ciphertext.length % 16 != 0) {
            throw new NotifyRejected(Reason.REQ_INFO_DECRYPT_FAILED);
        }
        try {
            return ciphers.use(cipher -> {
                cipher.init(Cipher.DECRYPT_MODE, key);
                return cipher.doFinal(ciphertext);
            });
        } catch (GeneralSecurityException e) {
            // BadPaddingException or IllegalBlockSizeException: no cause kept, nothing to leak.
            throw new NotifyRejected(Reason.REQ_INFO_DECRYPT_FAILED);
        }
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance(TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(TRANSFORMATION + " unavailable", e);
        }
    }

    @Override
    public String toString() {
        return "ApiV2RefundCipher[key hidden]";
    }
}
