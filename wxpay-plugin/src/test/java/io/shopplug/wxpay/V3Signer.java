package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.TBSCertificate;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.asn1.x509.V3TBSCertificateGenerator;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;

/**
 * Test-only: plays WeChat Pay's side of APIv3. Makes RSA-2048 and SM2 key pairs and self-signed
 * platform certificates (with bcprov's ASN.1 classes alone: no bcpkix), encrypts resources and
 * signs notifications, valid or deliberately broken (in the manner of Stripe's
 * {@code generateSigHeader}).
 *
 * <pre>
 * V3Signer wechat = new V3Signer(rsa, serial, API_V3_KEY, clock);
 * V3Signer.Signed n = wechat.notify("TRANSACTION.SUCCESS", paymentJson);
 * verifier.verify(n.headers(), n.body());
 * </pre>
 */
final class V3Signer {
    /** A test APIv3 key (32 ASCII characters); not the official vector's key. */
    static final String API_V3_KEY = "shopplugTestApiV3Key0123456789ab";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String NONCE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    private final KeyPair signingKey;
    private final String serial;
    private final String apiV3Key;
    private final Clock clock;

    /**
     * @param signingKey WeChat Pay's private key (RSA or SM2) for this test
     * @param serial what {@code Wechatpay-Serial} says: a certificate serial or a public-key id
     * @param apiV3Key the merchant's APIv3 key the resource is encrypted with
     * @param clock gives {@code Wechatpay-Timestamp}
     */
    V3Signer(KeyPair signingKey, String serial, String apiV3Key, Clock clock) {
        this.signingKey = signingKey;
        this.serial = serial;
        this.apiV3Key = apiV3Key;
        this.clock = clock;
    }

    /**
     * A signed notification: the resource encrypted with {@code AEAD_AES_256_GCM} (or
     * {@code AEAD_SM4_GCM} for an SM2 signer), the envelope with {@code "summary":"支付成功"}.
     */
    Signed notify(String eventType, String resourceJson) {
        String algorithm = isSm2(signingKey.getPublic()) ? ResourceCipher.SM4_GCM : ResourceCipher.AES_GCM;
        return notify(eventType, resourceJson, algorithm);
    }

    Signed notify(String eventType, String resourceJson, String algorithm) {
        String resourceNonce = nonce(12);
        String associatedData = eventType.startsWith("REFUND") ? "refund" : "transaction";
        String ciphertext = encrypt(algorithm, apiV3Key.getBytes(StandardCharsets.US_ASCII), resourceNonce,
                associatedData, resourceJson.getBytes(StandardCharsets.UTF_8));
        byte[] body = envelope(eventType, algorithm, resourceNonce, associatedData, ciphertext);
        return sign(body);
    }

    /** Signs any body as received now. */
    Signed sign(byte[] body) {
        return sign(body, String.valueOf(clock.instant().getEpochSecond()), nonce(32));
    }

    Signed sign(byte[] body, String timestamp, String nonce) {
        String signature = sign(signingKey.getPrivate(), timestamp, nonce, body);
        return new Signed(body, timestamp, nonce, signature, serial, signatureType(signingKey.getPublic()));
    }

    /** One notification as it goes on the wire; the {@code with...} methods break it on purpose. */
    static final class Signed {
        private final byte[] body;
        private final String timestamp;
        private final String nonce;
        private final String signature;
        private final String serial;
        private final String signatureType;

        Signed(byte[] body, String timestamp, String nonce, String signature, String serial, String signatureType) {
            this.body = body;
            this.timestamp = timestamp;
            this.nonce = nonce;
            this.signature = signature;
            this.serial = serial;
            this.signatureType = signatureType;
        }

        byte[] body() { return body.clone(); }
        String signature() { return signature; }
        String timestamp() { return timestamp; }
        String nonce() { return nonce; }

        ApiV3Headers headers() {
            return new ApiV3Headers(timestamp, nonce, signature, serial, signatureType);
        }

        /** The headers a servlet would see: names in any case, through a lookup function. */
        Map<String, String> headerMap() {
            Map<String, String> h = new LinkedHashMap<>();
            h.put(ApiV3Headers.TIMESTAMP, timestamp);
            h.put(ApiV3Headers.NONCE, nonce);
            h.put(ApiV3Headers.SIGNATURE, signature);
            h.put(ApiV3Headers.SERIAL, serial);
            if (signatureType != null) {
                h.put(ApiV3Headers.SIGNATURE_TYPE, signatureType);
            }
            return h;
        }

        Signed withBody(byte[] v) { return new Signed(v, timestamp, nonce, signature, serial, signatureType); }
        Signed withTimestamp(String v) { return new Signed(body, v, nonce, signature, serial, signatureType); }
        Signed withNonce(String v) { return new Signed(body, timestamp, v, signature, serial, signatureType); }
        Signed withSignature(String v) { return new Signed(body, timestamp, nonce, v, serial, signatureType); }
        Signed withSerial(String v) { return new Signed(body, timestamp, nonce, signature, v, signatureType); }
        Signed withSignatureType(String v) { return new Signed(body, timestamp, nonce, signature, serial, v); }
    }

    // ---- keys and certificates -------------------------------------------------------------

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair sm2KeyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", BcProvider.INSTANCE);
            g.initialize(new ECGenParameterSpec("sm2p256v1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** A random 160-bit serial whose hex has 40 digits, like WeChat Pay's. */
    static BigInteger randomSerial() {
        return new BigInteger(160, RANDOM).setBit(159);
    }

    /** The serial as {@code Wechatpay-Serial} carries it: uppercase hex. */
    static String serialOf(X509Certificate certificate) {
        return certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    /** A self-signed certificate for the key pair, parsed back through {@link PemCertificates}. */
    static X509Certificate certificate(KeyPair keys, BigInteger serial, Instant notBefore, Instant notAfter) {
        return PemCertificates.parseCertificates(pem(certificateDer(keys, serial, notBefore, notAfter))).get(0);
    }

    static byte[] certificateDer(KeyPair keys, BigInteger serial, Instant notBefore, Instant notAfter) {
        boolean sm2 = isSm2(keys.getPublic());
        AlgorithmIdentifier signatureAlgorithm = sm2
                ? new AlgorithmIdentifier(GMObjectIdentifiers.sm2sign_with_sm3)
                : new AlgorithmIdentifier(PKCSObjectIdentifiers.sha256WithRSAEncryption, DERNull.INSTANCE);
        X500Name name = new X500Name("CN=Tenpay.com Test Platform, O=shopplug tests, C=CN");
        V3TBSCertificateGenerator tbs = new V3TBSCertificateGenerator();
        tbs.setSerialNumber(new ASN1Integer(serial));
        tbs.setSignature(signatureAlgorithm);
        tbs.setIssuer(name);
        tbs.setSubject(name);
        tbs.setStartDate(new Time(Date.from(notBefore)));
        tbs.setEndDate(new Time(Date.from(notAfter)));
        tbs.setSubjectPublicKeyInfo(SubjectPublicKeyInfo.getInstance(keys.getPublic().getEncoded()));
        try {
            TBSCertificate toBeSigned = tbs.generateTBSCertificate();
            Signature signer = sm2 ? Signature.getInstance("SM3withSM2", BcProvider.INSTANCE)
                    : Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(toBeSigned.getEncoded(ASN1Encoding.DER));
            ASN1EncodableVector certificate = new ASN1EncodableVector();
            certificate.add(toBeSigned);
            certificate.add(signatureAlgorithm);
            certificate.add(new DERBitString(signer.sign()));
            return new DERSequence(certificate).getEncoded(ASN1Encoding.DER);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String pem(byte[] certificateDer) {
        return "-----BEGIN CERTIFICATE-----\n" + mime(certificateDer) + "\n-----END CERTIFICATE-----\n";
    }

    static String publicKeyPem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + mime(key.getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String mime(byte[] der) {
        return Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    }

    static boolean isSm2(PublicKey key) {
        return !(key instanceof RSAKey);
    }

    static String signatureType(PublicKey key) {
        return isSm2(key) ? "WECHATPAY2-SM2-WITH-SM3" : "WECHATPAY2-SHA256-RSA2048";
    }

    // ---- signatures and encryption -----------------------------------------------------------

    /**
     * Base64 signature over {@code timestamp\nnonce\nbody\n}: SHA256withRSA, or SM3withSM2 with
     * BouncyCastle's default user id (which must be WeChat Pay's {@code 1234567812345678}).
     */
    static String sign(PrivateKey key, String timestamp, String nonce, byte[] body) {
        return sign(key, timestamp, nonce, body, null);
    }

    /** As {@link #sign(PrivateKey, String, String, byte[])}, SM2 with the given user id. */
    static String sign(PrivateKey key, String timestamp, String nonce, byte[] body, String sm2UserId) {
        try {
            Signature signer;
            if (key instanceof RSAKey) {
                signer = Signature.getInstance("SHA256withRSA");
            } else {
                signer = Signature.getInstance("SM3withSM2", BcProvider.INSTANCE);
                if (sm2UserId != null) {
                    signer.setParameter(new SM2ParameterSpec(sm2UserId.getBytes(StandardCharsets.US_ASCII)));
                }
            }
            signer.initSign(key);
            signer.update(message(timestamp, nonce, body));
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    static byte[] message(String timestamp, String nonce, byte[] body) {
        byte[] head = (timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[head.length + body.length + 1];
        System.arraycopy(head, 0, message, 0, head.length);
        System.arraycopy(body, 0, message, head.length, body.length);
        message[message.length - 1] = '\n';
        return message;
    }

    /** Base64 of ciphertext then tag, as in {@code resource.ciphertext}. */
    static String encrypt(String algorithm, byte[] apiV3Key, String nonce, String associatedData, byte[] plaintext) {
        try {
            Cipher cipher;
            SecretKeySpec key;
            if (ResourceCipher.SM4_GCM.equals(algorithm)) {
                cipher = Cipher.getInstance("SM4/GCM/NoPadding", BcProvider.INSTANCE);
                key = new SecretKeySpec(ResourceCipher.sm4KeyFor(apiV3Key), "SM4");
            } else {
                cipher = Cipher.getInstance("AES/GCM/NoPadding");
                key = new SecretKeySpec(apiV3Key, "AES");
            }
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce.getBytes(StandardCharsets.UTF_8)));
            if (associatedData != null && !associatedData.isEmpty()) {
                cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getEncoder().encodeToString(cipher.doFinal(plaintext));
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** The envelope as WeChat Pay writes it: compact JSON, raw UTF-8 ({@code 支付成功}). */
    static byte[] envelope(String eventType, String algorithm, String nonce, String associatedData,
            String ciphertext) {
        boolean refund = eventType.startsWith("REFUND");
        Map<String, Object> resource = new LinkedHashMap<>();
        resource.put("original_type", refund ? "refund" : "transaction");
        resource.put("algorithm", algorithm);
        resource.put("ciphertext", ciphertext);
        resource.put("associated_data", associatedData);
        resource.put("nonce", nonce);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("id", UUID.randomUUID().toString());
        envelope.put("create_time", "2026-11-24T10:30:00+08:00");
        envelope.put("resource_type", "encrypt-resource");
        envelope.put("event_type", eventType);
        envelope.put("summary", refund ? "退款成功" : "支付成功");
        envelope.put("resource", resource);
        try {
            return JSON.writeValueAsBytes(envelope);
        } catch (JsonProcessingException e) {
            throw new AssertionError(e);
        }
    }

    static String nonce(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(NONCE_CHARS.charAt(RANDOM.nextInt(NONCE_CHARS.length())));
        }
        return sb.toString();
    }
}
