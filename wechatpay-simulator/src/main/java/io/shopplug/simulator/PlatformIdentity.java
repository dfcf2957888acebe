package io.shopplug.simulator;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A WeChat Pay platform signing identity, generated at run time: the key WeChat signs
 * notifications and API answers with, and what a merchant configures to verify them. Three kinds:
 * an RSA-2048 key with a self-signed platform certificate (the serial, uppercase hex, is what
 * {@code Wechatpay-Serial} names), an RSA-2048 public key with an id {@code PUB_KEY_ID_<digits>}
 * (public-key mode), and an SM2 key with an SM2 certificate (the national-standard variant).
 *
 * <p>Immutable and thread-safe; {@link #toString()} never prints the private key.
 */
public final class PlatformIdentity {

    /** The kinds of platform identity. */
    public enum Kind {
        /** RSA-2048 with a platform certificate; {@code Wechatpay-Serial} is its serial. */
        RSA_CERTIFICATE,
        /** RSA-2048 public key; {@code Wechatpay-Serial} is {@code PUB_KEY_ID_...}. */
        RSA_PUBLIC_KEY,
        /** SM2 with an SM2 certificate; signatures are SM3withSM2. */
        SM2_CERTIFICATE
    }

    /** How long generated certificates are valid, counted from generation. */
    public static final Duration VALIDITY = Duration.ofDays(5 * 365);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Kind kind;
    private final String serial;
    private final KeyPair keys;
    private final X509Certificate certificate;
    private final Instant effective;
    private final Instant expires;

    private PlatformIdentity(Kind kind, String serial, KeyPair keys, X509Certificate certificate,
            Instant effective, Instant expires) {
        this.kind = kind;
        this.serial = serial;
        this.keys = keys;
        this.certificate = certificate;
        this.effective = effective;
        this.expires = expires;
    }

    /** A fresh RSA-2048 key with a self-signed platform certificate valid from now. */
    public static PlatformIdentity rsaCertificate() {
        KeyPair keys = generate("RSA");
        return withCertificate(Kind.RSA_CERTIFICATE, keys, "SHA256withRSA");
    }

    /** A fresh RSA-2048 public key with a new id {@code PUB_KEY_ID_} and 26 digits. */
    public static PlatformIdentity rsaPublicKey() {
        StringBuilder id = new StringBuilder("PUB_KEY_ID_01");
        for (int i = 0; i < 24; i++) {
            id.append(RANDOM.nextInt(10));
        }
        Instant now = Instant.now();
        return new PlatformIdentity(Kind.RSA_PUBLIC_KEY, id.toString(), generate("RSA"), null,
                now, now.plus(VALIDITY));
    }

    /** A fresh SM2 key (curve sm2p256v1) with a self-signed SM2 certificate valid from now. */
    public static PlatformIdentity sm2Certificate() {
        KeyPair keys = generate("SM2");
        return withCertificate(Kind.SM2_CERTIFICATE, keys, "SM3withSM2");
    }

    public Kind kind() {
        return kind;
    }

    /**
     * What {@code Wechatpay-Serial} carries: the certificate serial in uppercase hex (no leading
     * zero), or the public-key id.
     */
    public String serial() {
        return serial;
    }

    /** {@code WECHATPAY2-SHA256-RSA2048} or {@code WECHATPAY2-SM2-WITH-SM3}. */
    public String signatureType() {
        return kind == Kind.SM2_CERTIFICATE ? V3Crypto.SM2_SIGNATURE_TYPE
                : V3Crypto.RSA_SIGNATURE_TYPE;
    }

    public PublicKey publicKey() {
        return keys.getPublic();
    }

    /** The platform certificate; empty in public-key mode. */
    public Optional<X509Certificate> certificate() {
        return Optional.ofNullable(certificate);
    }

    /** Start of validity (the certificate's notBefore; generation time for a public key). */
    public Instant effectiveTime() {
        return effective;
    }

    /** End of validity (the certificate's notAfter). */
    public Instant expireTime() {
        return expires;
    }

    /**
     * The platform certificate as PEM ({@code -----BEGIN CERTIFICATE-----}), for a merchant's
     * configuration.
     *
     * @throws IllegalStateException in public-key mode
     */
    public String certificatePem() {
        if (certificate == null) {
            throw new IllegalStateException("a public-key identity has no certificate");
        }
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot encode the certificate", e);
        }
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}, X.509 SubjectPublicKeyInfo). */
    public String publicKeyPem() {
        return pem("PUBLIC KEY", keys.getPublic().getEncoded());
    }

    PrivateKey privateKey() {
        return keys.getPrivate();
    }

    /** Signs {@code message} with this identity's key and algorithm. */
    byte[] sign(byte[] message) {
        return V3Crypto.sign(signatureType(), keys.getPrivate(), message);
    }

    /** Whether this identity signs with RSA (certificate or public-key mode). */
    boolean isRsa() {
        return kind != Kind.SM2_CERTIFICATE;
    }

    private static KeyPair generate(String algorithm) {
        try {
            KeyPairGenerator g;
            if ("RSA".equals(algorithm)) {
                g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048, RANDOM);
            } else {
                g = KeyPairGenerator.getInstance("EC", V3Crypto.BC);
                g.initialize(new ECGenParameterSpec("sm2p256v1"), RANDOM);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
        }
    }

    private static PlatformIdentity withCertificate(Kind kind, KeyPair keys, String sigAlg) {
        Instant notBefore = Instant.now().minusSeconds(60).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Instant notAfter = notBefore.plus(VALIDITY);
        // 20 bytes, top nibble non-zero and sign bit clear: 40 uppercase hex digits, as WeChat's.
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        bytes[0] = (byte) (0x10 | (bytes[0] & 0x6F));
        BigInteger serial = new BigInteger(1, bytes);
        X500Name name = new X500Name("C=CN, O=Tenpay.com (simulated), OU=Tenpay.com CA Center,"
                + " CN=Tenpay.com Simulated Platform " + kind);
        X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name, serial,
                Date.from(notBefore), Date.from(notAfter), name, keys.getPublic());
        try {
            ContentSigner signer = new JcaContentSignerBuilder(sigAlg).setProvider(V3Crypto.BC)
                    .build(keys.getPrivate());
            X509Certificate cert = new JcaX509CertificateConverter().setProvider(V3Crypto.BC)
                    .getCertificate(builder.build(signer));
            return new PlatformIdentity(kind, serial.toString(16).toUpperCase(java.util.Locale.ROOT),
                    keys, cert, notBefore, notAfter);
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot make a " + kind + " certificate", e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PlatformIdentity p && kind == p.kind && serial.equals(p.serial);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, serial);
    }

    @Override
    public String toString() {
        return "PlatformIdentity[" + kind + ", serial=" + serial + "]";
    }
}
