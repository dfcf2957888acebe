package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.BadPaddingException;
import javax.crypto.IllegalBlockSizeException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Decrypts the {@code resource} of one merchant's APIv3 notifications: {@code AEAD_AES_256_GCM}
 * (key = the 32 bytes of the APIv3 key) and {@code AEAD_SM4_GCM} (key = the first 16 bytes of
 * SM3 of the APIv3 key). Both keys are derived once, here. The {@link Cipher} objects come from a
 * {@link CryptoPool} per algorithm, made on first need and initialised again, with the resource's
 * nonce, on every use. Thread-safe.
 */
final class ResourceCipher {
    static final String AES_GCM = "AEAD_AES_256_GCM";
    static final String SM4_GCM = "AEAD_SM4_GCM";

    private static final int TAG_BITS = 128;
    private static final int TAG_BYTES = TAG_BITS / 8;

    private static final String AES_TRANSFORMATION = "AES/GCM/NoPadding";
    private static final String SM4_TRANSFORMATION = "SM4/GCM/NoPadding";

    private final SecretKeySpec aesKey;
    private final SecretKeySpec sm4Key;
    private final CryptoPool<Cipher> aes = new CryptoPool<>(CryptoPool.DEFAULT_CAPACITY, () -> newCipher(false));
    private final CryptoPool<Cipher> sm4 = new CryptoPool<>(CryptoPool.DEFAULT_CAPACITY, () -> newCipher(true));

    /**
     * @param apiV3Key the configured APIv3 key (32 ASCII characters)
     * @throws IllegalArgumentException if it is not 32 ASCII characters
     */
    ResourceCipher(String apiV3Key) {
        this(asciiKey(apiV3Key));
    }

    /**
     * @param apiV3Key the 32 bytes of the APIv3 key; copied, not kept
     * @throws IllegalArgumentException if it is not 32 bytes long
     */
    ResourceCipher(byte[] apiV3Key) {
        if (apiV3Key == null || apiV3Key.length != 32) {
            throw new IllegalArgumentException("the APIv3 key must be 32 bytes");
        }
        this.aesKey = new SecretKeySpec(apiV3Key, "AES");
        byte[] sm4 = sm4KeyFor(apiV3Key);
        this.sm4Key = new SecretKeySpec(sm4, "SM4");
        Arrays.fill(sm4, (byte) 0);
    }

    /** The SM4 key of {@code AEAD_SM4_GCM}: the first 16 bytes of SM3 of the APIv3 key. */
    static byte[] sm4KeyFor(byte[] apiV3Key) {
        try {
            byte[] sm3 = MessageDigest.getInstance("SM3", BcProvider.INSTANCE).digest(apiV3Key);
            return Arrays.copyOf(sm3, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SM3 is not available from BouncyCastle", e);
        }
    }

    /**
     * Verifies the tag, then decrypts.
     *
     * @param algorithm {@code resource.algorithm}
     * @param nonce {@code resource.nonce}: its bytes are the IV (12 in practice)
     * @param associatedData {@code resource.associated_data}; null or empty means none
     * @param ciphertextBase64 {@code resource.ciphertext}: base64 of ciphertext then 16-byte tag
     * @return the plaintext (UTF-8 JSON in practice)
     * @throws NotifyRejected {@link Reason#UNSUPPORTED_ALGORITHM} for another algorithm;
     *     {@link Reason#MISSING_FIELD} if the nonce or ciphertext is null or empty;
     *     {@link Reason#MALFORMED} if the ciphertext is not base64 or shorter than the tag;
     *     {@link Reason#DECRYPT_FAILED} if the tag does not verify (wrong APIv3 key or tampered
     *     resource)
     */
    byte[] decrypt(String algorithm, String nonce, String associatedData, String ciphertextBase64) {
        boolean isSm4 = SM4_GCM.equals(algorithm);
        if (!isSm4 && !AES_GCM.equals(algorithm)) {
            throw new NotifyRejected(Reason.UNSUPPORTED_ALGORITHM);
        }
        if (nonce == null || nonce.isEmpty() || ciphertextBase64 == null || ciphertextBase64.isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        byte[] input;
        try {
            input = Base64.getDecoder().decode(ciphertextBase64);
        } catch (IllegalArgumentException e) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        if (input.length < TAG_BYTES) {
            throw new NotifyRejected(Reason.MALFORMED);
        }
        try {
            SecretKeySpec key = isSm4 ? sm4Key : aesKey;
            return (isSm4 ? sm4 : aes).use(cipher -> {
                // Decryption may reuse a key and nonce; only GCM encryption must not.
                cipher.init(Cipher.DECRYPT_MODE, key,
                        new GCMParameterSpec(TAG_BITS, nonce.getBytes(StandardCharsets.UTF_8)));
                if (associatedData != null && !associatedData.isEmpty()) {
                    cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
                }
                return cipher.doFinal(input);
            });
        } catch (AEADBadTagException e) {
            throw new NotifyRejected(Reason.DECRYPT_FAILED);
        } catch (InvalidAlgorithmParameterException e) {
            throw new NotifyRejected(Reason.MALFORMED);
        } catch (BadPaddingException | IllegalBlockSizeException e) {
            // Other tag or length failures some providers report instead of AEADBadTagException.
            throw new NotifyRejected(Reason.DECRYPT_FAILED);
        } catch (GeneralSecurityException e) {
            // An unusable key: the runtime, not the notification, is wrong.
            // Not chained: a provider's key error could describe the key.
            throw new IllegalStateException(transformation(isSm4) + " is not available ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** A new cipher for a pool: AES from the JDK, SM4 from the one BouncyCastle object. */
    private static Cipher newCipher(boolean isSm4) {
        try {
            return isSm4 ? Cipher.getInstance(SM4_TRANSFORMATION, BcProvider.INSTANCE)
                    : Cipher.getInstance(AES_TRANSFORMATION);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(transformation(isSm4) + " is not available ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static String transformation(boolean isSm4) {
        return isSm4 ? SM4_TRANSFORMATION : AES_TRANSFORMATION;
    }

    private static byte[] asciiKey(String apiV3Key) {
        if (apiV3Key == null || !StandardCharsets.US_ASCII.newEncoder().canEncode(apiV3Key)) {
            throw new IllegalArgumentException("the APIv3 key must be 32 ASCII characters");
        }
        return apiV3Key.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "ResourceCipher[keys hidden]";
    }
}
