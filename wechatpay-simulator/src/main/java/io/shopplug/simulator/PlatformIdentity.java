package io.shopplug.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * <p>A public-key identity can also be kept in a file ({@link #rsaPublicKeyFile(Path)}), so that
 * two processes, say a shop and a load driver, sign and verify with the same key: the file holds
 * only the private key, and the id is derived from the public key, so both sides agree on it.
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

    /**
     * A public-key identity for an existing RSA key pair, with the id {@link #publicKeyId} derives
     * from its public key.
     *
     * @param effective the start of validity (when the key was made)
     * @throws IllegalArgumentException if the keys are not RSA
     */
    public static PlatformIdentity rsaPublicKey(KeyPair keys, Instant effective) {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(effective, "effective");
        if (!(keys.getPublic() instanceof RSAPublicKey)
                || !"RSA".equals(keys.getPrivate().getAlgorithm())) {
            throw new IllegalArgumentException("a WeChat Pay public key is RSA, not "
                    + keys.getPublic().getAlgorithm());
        }
        return new PlatformIdentity(Kind.RSA_PUBLIC_KEY, publicKeyId(keys.getPublic()), keys, null,
                effective, effective.plus(VALIDITY));
    }

    /**
     * The public-key identity kept in {@code file}: its RSA private key as unencrypted PKCS#8 PEM
     * ({@code -----BEGIN PRIVATE KEY-----}). If the file does not exist, a fresh RSA-2048 key is
     * generated and written there first (readable by its owner only where the file system has
     * POSIX permissions; missing parent directories are made). Two processes that call this at
     * once end up with the same key: the file is written under a temporary name and linked into
     * place only if still absent. The id is {@link #publicKeyId} of the public key, and the start
     * of validity the file's last-modified time, so every process that reads the file gets an
     * equal identity.
     *
     * @throws IllegalArgumentException if the file exists but is not a PKCS#8 PEM RSA private key
     * @throws UncheckedIOException if the file cannot be read or written
     */
    public static PlatformIdentity rsaPublicKeyFile(Path file) {
        Objects.requireNonNull(file, "file");
        if (!Files.exists(file)) {
            create(file);
        }
        String pem;
        Instant modified;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
            modified = Files.getLastModifiedTime(file).toInstant().truncatedTo(ChronoUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the platform key file " + file, e);
        }
        return rsaPublicKey(readPrivateKey(file, pem), modified);
    }

    /**
     * The id WeChat Pay's public key gets here: {@code PUB_KEY_ID_}, then {@code 01} and 24 digits
     * taken from the SHA-256 of the key's X.509 encoding (as WeChat Pay's ids: 26 digits, starting
     * with {@code 01}). The same key always gets the same id.
     */
    public static String publicKeyId(PublicKey key) {
        Objects.requireNonNull(key, "key");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            BigInteger digits = new BigInteger(1, digest).mod(BigInteger.TEN.pow(24));
            return String.format(java.util.Locale.ROOT, "PUB_KEY_ID_01%024d", digits);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("JDK lacks SHA-256", e);
        }
    }

    private static void create(Path file) {
        KeyPair keys = generate("RSA");
        String pem = pem("PRIVATE KEY", keys.getPrivate().getEncoded());
        Path dir = file.toAbsolutePath().getParent();
        Path temp = null;
        try {
            Files.createDirectories(dir);
            boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
            temp = posix
                    ? Files.createTempFile(dir, ".platform-key-", ".tmp",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
                    : Files.createTempFile(dir, ".platform-key-", ".tmp");
            Files.writeString(temp, pem, StandardCharsets.US_ASCII);
            try {
                // A hard link is made only if the name is free, atomically: whoever links first
                // wins, and the other reads the winner's key.
                Files.createLink(file, temp);
            } catch (FileAlreadyExistsException lostTheRace) {
                // the other process's key stands
            } catch (UnsupportedOperationException | IOException noHardLinks) {
                try {
                    Files.move(temp, file); // no REPLACE_EXISTING: an existing key stands
                } catch (FileAlreadyExistsException lostTheRace) {
                    // the other process's key stands
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the platform key file " + file, e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // a stray temporary file: harmless
                }
            }
        }
    }

    private static KeyPair readPrivateKey(Path file, String pem) {
        String begin = "-----BEGIN PRIVATE KEY-----";
        String end = "-----END PRIVATE KEY-----";
        int from = pem.indexOf(begin);
        int to = pem.indexOf(end);
        String problem = file + " is not an RSA private key in PKCS#8 PEM (" + begin + ")";
        if (from < 0 || to < from) {
            throw new IllegalArgumentException(problem);
        }
        PrivateKey key;
        KeyFactory rsa;
        try {
            byte[] der = Base64.getMimeDecoder().decode(pem.substring(from + begin.length(), to));
            rsa = KeyFactory.getInstance("RSA");
            key = rsa.generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException(problem, e);
        }
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new IllegalArgumentException(problem + ": the key lacks its public exponent");
        }
        try {
            return new KeyPair(rsa.generatePublic(
                    new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent())), key);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(problem, e);
        }
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
