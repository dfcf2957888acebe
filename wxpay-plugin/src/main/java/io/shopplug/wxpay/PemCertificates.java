package io.shopplug.wxpay;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.gm.GMObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Certificate;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;

/**
 * Parses the PEM files a merchant configures or downloads: X.509 platform certificates (RSA
 * through the JDK, SM2 through {@link BcProvider}) and the WeChat Pay public key (RSA). Failures
 * are {@link IllegalArgumentException}s with fixed messages (the input is never quoted).
 */
final class PemCertificates {
    private static final String BEGIN_CERT = "-----BEGIN CERTIFICATE-----";
    private static final String END_CERT = "-----END CERTIFICATE-----";
    private static final String BEGIN_KEY = "-----BEGIN PUBLIC KEY-----";
    private static final String END_KEY = "-----END PUBLIC KEY-----";
    private static final String BEGIN_PRIVATE = "-----BEGIN PRIVATE KEY-----";
    private static final String END_PRIVATE = "-----END PRIVATE KEY-----";

    private PemCertificates() {}

    /** Every certificate in a PEM file, in order. */
    static List<X509Certificate> readCertificates(Path file) throws IOException {
        return parseCertificates(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII));
    }

    /**
     * @param pem one or more {@code CERTIFICATE} blocks; text around them is ignored
     * @return the certificates in order
     * @throws IllegalArgumentException if there is no block or one does not parse
     */
    static List<X509Certificate> parseCertificates(String pem) {
        List<X509Certificate> certificates = new ArrayList<>();
        for (byte[] der : blocks(pem, BEGIN_CERT, END_CERT)) {
            certificates.add(certificate(der));
        }
        if (certificates.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate found");
        }
        return certificates;
    }

    /** The one RSA public key ({@code PUBLIC KEY} block) in a PEM file. */
    static PublicKey readPublicKey(Path file) throws IOException {
        return parsePublicKey(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII));
    }

    /**
     * @param pem exactly one {@code PUBLIC KEY} block (SubjectPublicKeyInfo) holding an RSA key
     * @throws IllegalArgumentException if there is not exactly one block or it is not an RSA key
     */
    static PublicKey parsePublicKey(String pem) {
        List<byte[]> blocks = blocks(pem, BEGIN_KEY, END_KEY);
        if (blocks.size() != 1) {
            throw new IllegalArgumentException("expected exactly one PEM public key");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(blocks.get(0)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA public key");
        }
    }

    /**
     * The merchant's RSA API private key: exactly one PKCS#8 {@code PRIVATE KEY} block.
     *
     * @throws IllegalArgumentException if the file holds something else (its content is never echoed)
     */
    static PrivateKey readPrivateKey(Path file) throws IOException {
        List<byte[]> blocks = blocks(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII),
                BEGIN_PRIVATE, END_PRIVATE);
        if (blocks.size() != 1) {
            throw new IllegalArgumentException("expected exactly one PKCS#8 PEM private key");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(blocks.get(0)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an RSA private key");
        }
    }

    private static X509Certificate certificate(byte[] der) {
        try {
            CertificateFactory factory = isSm2(der)
                    ? CertificateFactory.getInstance("X.509", BcProvider.INSTANCE)
                    : CertificateFactory.getInstance("X.509");
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException("not an X.509 certificate");
        }
    }

    /** True when the certificate's key is an SM2 key, which the JDK cannot parse. */
    private static boolean isSm2(byte[] der) {
        AlgorithmIdentifier key = Certificate.getInstance(der).getSubjectPublicKeyInfo().getAlgorithm();
        ASN1ObjectIdentifier alg = key.getAlgorithm();
        return GMObjectIdentifiers.sm2p256v1.equals(alg)
                || (X9ObjectIdentifiers.id_ecPublicKey.equals(alg)
                        && GMObjectIdentifiers.sm2p256v1.equals(key.getParameters()));
    }

    private static List<byte[]> blocks(String pem, String begin, String end) {
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int start = pem.indexOf(begin, from);
            if (start < 0) {
                return blocks;
            }
            int stop = pem.indexOf(end, start);
            if (stop < 0) {
                throw new IllegalArgumentException("unterminated PEM block");
            }
            String body = pem.substring(start + begin.length(), stop);
            try {
                blocks.add(Base64.getMimeDecoder().decode(body));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("PEM block is not base64");
            }
            from = stop + end.length();
        }
    }
}
