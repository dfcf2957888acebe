package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The simulator's own crypto, written from the protocol notes (sections 2, 3, 4, 7): AEAD for
 * {@code resource} and certificates, the APIv2 refund {@code req_info}, SHA256withRSA and
 * SM3withSM2 signatures. One BouncyCastle provider object, passed explicitly, never registered.
 */
final class V3Crypto {

    /** The one BouncyCastle provider of the simulator. */
    static final Provider BC = new BouncyCastleProvider();

    static final String AEAD_AES_256_GCM = "AEAD_AES_256_GCM";
    static final String AEAD_SM4_GCM = "AEAD_SM4_GCM";
    static final String RSA_SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048";
    static final String SM2_SIGNATURE_TYPE = "WECHATPAY2-SM2-WITH-SM3";
    /** The default SM2 user id, as WeChat Pay uses it. */
    static final byte[] SM2_USER_ID = "1234567812345678".getBytes(StandardCharsets.US_ASCII);

    private V3Crypto() {
    }

    /** AEAD encryption: the ciphertext with its 128-bit tag appended. */
    static byte[] encrypt(String algorithm, String apiV3Key, String nonce, String associatedData,
            byte[] plaintext) {
        return aead(Cipher.ENCRYPT_MODE, algorithm, apiV3Key, nonce, associatedData, plaintext);
    }

    /**
     * AEAD decryption of ciphertext-with-tag.
     *
     * @throws GeneralSecurityException when the tag does not verify (wrong key, tampered data)
     */
    static byte[] decrypt(String algorithm, String apiV3Key, String nonce, String associatedData,
            byte[] ciphertext) throws GeneralSecurityException {
        return aeadChecked(Cipher.DECRYPT_MODE, algorithm, apiV3Key, nonce, associatedData,
                ciphertext);
    }

    private static byte[] aead(int mode, String algorithm, String apiV3Key, String nonce,
            String associatedData, byte[] input) {
        try {
            return aeadChecked(mode, algorithm, apiV3Key, nonce, associatedData, input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " failed", e);
        }
    }

    private static byte[] aeadChecked(int mode, String algorithm, String apiV3Key, String nonce,
            String associatedData, byte[] input) throws GeneralSecurityException {
        byte[] key = apiV3Key.getBytes(StandardCharsets.UTF_8);
        Cipher cipher;
        SecretKeySpec spec;
        if (AEAD_AES_256_GCM.equals(algorithm)) {
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            spec = new SecretKeySpec(key, "AES");
        } else if (AEAD_SM4_GCM.equals(algorithm)) {
            cipher = Cipher.getInstance("SM4/GCM/NoPadding", BC);
            spec = new SecretKeySpec(sm4Key(apiV3Key), "SM4");
        } else {
            throw new IllegalArgumentException("unknown AEAD algorithm " + algorithm);
        }
        cipher.init(mode, spec,
                new GCMParameterSpec(128, nonce.getBytes(StandardCharsets.UTF_8)));
        cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(input);
    }

    /** SM4 key for {@code AEAD_SM4_GCM}: the first 16 bytes of SM3(APIv3 key). */
    static byte[] sm4Key(String apiV3Key) {
        return Arrays.copyOf(sm3(apiV3Key.getBytes(StandardCharsets.UTF_8)), 16);
    }

    static byte[] sm3(byte[] data) {
        try {
            return MessageDigest.getInstance("SM3", BC).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("BouncyCastle lacks SM3", e);
        }
    }

    /**
     * APIv2 refund {@code req_info} key: the 32 ASCII characters of the lowercase hex MD5 of the
     * APIv2 key.
     */
    static byte[] refundKey(String apiV2Key) {
        try {
            byte[] md5 = MessageDigest.getInstance("MD5")
                    .digest(apiV2Key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(md5).getBytes(StandardCharsets.US_ASCII);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks MD5", e);
        }
    }

    /** AES-256-ECB with PKCS#7 padding (PKCS5Padding in JCA names: the same for 16-byte blocks). */
    static byte[] aesEcb(int mode, byte[] key32, byte[] input) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(mode, new SecretKeySpec(key32, "AES"));
        return cipher.doFinal(input);
    }

    /** A WeChat Pay signature of {@code message}: SHA256withRSA or SM3withSM2 (DER r,s). */
    static byte[] sign(String signatureType, PrivateKey key, byte[] message) {
        try {
            Signature s = signature(signatureType);
            s.initSign(key);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + signatureType, e);
        }
    }

    /** Verifies a signature; false for a bad one, never an exception for bad input. */
    static boolean verify(String signatureType, PublicKey key, byte[] message, byte[] signature) {
        try {
            Signature s = signature(signatureType);
            s.initVerify(key);
            s.update(message);
            return s.verify(signature);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private static Signature signature(String signatureType) throws GeneralSecurityException {
        if (RSA_SIGNATURE_TYPE.equals(signatureType)) {
            return Signature.getInstance("SHA256withRSA");
        }
        if (SM2_SIGNATURE_TYPE.equals(signatureType)) {
            Signature s = Signature.getInstance("SM3withSM2", BC);
            s.setParameter(new SM2ParameterSpec(SM2_USER_ID));
            return s;
        }
        throw new IllegalArgumentException("unknown signature type " + signatureType);
    }

    /** {@code timestamp\nnonce\nbody\n}, body being the exact bytes. */
    static byte[] notifyMessage(String timestamp, String nonce, byte[] body) {
        byte[] head = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(head, head.length + body.length + 1);
        System.arraycopy(body, 0, out, head.length, body.length);
        out[out.length - 1] = '\n';
        return out;
    }
}
