package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemCertificatesTest {
    private static final Instant FROM = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant TO = Instant.parse("2031-01-01T00:00:00Z");
    private static final KeyPair RSA = V3Signer.rsaKeyPair();
    private static final KeyPair SM2 = V3Signer.sm2KeyPair();

    @Test
    void parsesAnRsaCertificateWithTheJdk() {
        BigInteger serial = V3Signer.randomSerial();
        String pem = V3Signer.pem(V3Signer.certificateDer(RSA, serial, FROM, TO));
        X509Certificate c = PemCertificates.parseCertificates(pem).get(0);
        assertEquals(serial, c.getSerialNumber());
        assertEquals(TO, c.getNotAfter().toInstant());
        assertEquals(RSA.getPublic(), c.getPublicKey());
        assertEquals(PlatformKey.Algorithm.RSA, PlatformKey.Algorithm.of(c.getPublicKey()).get());
        assertFalse(c.getClass().getName().startsWith("org.bouncycastle"), "the JDK parses RSA certificates");
    }

    @Test
    void parsesAnSm2CertificateWithBouncyCastle() throws Exception {
        String pem = V3Signer.pem(V3Signer.certificateDer(SM2, BigInteger.valueOf(0xABCDEF), FROM, TO));
        X509Certificate c = PemCertificates.parseCertificates(pem).get(0);
        assertEquals("ABCDEF", V3Signer.serialOf(c));
        assertEquals(PlatformKey.Algorithm.SM2, PlatformKey.Algorithm.of(c.getPublicKey()).get());
        c.verify(c.getPublicKey(), BcProvider.INSTANCE);
    }

    @Test
    void parsesSeveralCertificatesFromOneFile(@TempDir Path dir) throws Exception {
        String pem = "old one:\n" + V3Signer.pem(V3Signer.certificateDer(RSA, BigInteger.ONE, FROM, TO))
                + "new one:\r\n" + V3Signer.pem(V3Signer.certificateDer(SM2, BigInteger.TEN, FROM, TO)).replace("\n", "\r\n");
        Path file = dir.resolve("platform.pem");
        Files.write(file, pem.getBytes(StandardCharsets.US_ASCII));
        List<X509Certificate> all = PemCertificates.readCertificates(file);
        assertEquals(2, all.size());
        assertEquals(BigInteger.ONE, all.get(0).getSerialNumber());
        assertEquals(BigInteger.TEN, all.get(1).getSerialNumber());
    }

    @Test
    void parsesAnRsaPublicKey(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("pub_key.pem");
        Files.write(file, V3Signer.publicKeyPem(RSA.getPublic()).getBytes(StandardCharsets.US_ASCII));
        PublicKey key = PemCertificates.readPublicKey(file);
        assertEquals(RSA.getPublic(), key);
    }

    @Test
    void refusesWhatIsNotACertificateOrAnRsaKeyWithoutQuotingIt() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> PemCertificates.parseCertificates("nothing here"));
        assertEquals("no PEM certificate found", none.getMessage());
        String garbage = "-----BEGIN CERTIFICATE-----\nc2VjcmV0LXN0dWZm\n-----END CERTIFICATE-----\n";
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> PemCertificates.parseCertificates(garbage));
        assertFalse(bad.getMessage().contains("c2VjcmV0"));
        assertThrows(IllegalArgumentException.class, () -> PemCertificates.parseCertificates(
                "-----BEGIN CERTIFICATE-----\n@@@\n-----END CERTIFICATE-----"));
        assertThrows(IllegalArgumentException.class, () -> PemCertificates.parseCertificates(
                "-----BEGIN CERTIFICATE-----\nAAAA"));
        assertThrows(IllegalArgumentException.class,
                () -> PemCertificates.parsePublicKey(V3Signer.publicKeyPem(SM2.getPublic())));
        assertThrows(IllegalArgumentException.class, () -> PemCertificates.parsePublicKey("no key"));
        String two = V3Signer.publicKeyPem(RSA.getPublic()) + V3Signer.publicKeyPem(RSA.getPublic());
        assertThrows(IllegalArgumentException.class, () -> PemCertificates.parsePublicKey(two));
    }

    @Test
    void anEcKeyOnAnotherCurveIsNeitherRsaNorSm2() throws Exception {
        java.security.KeyPairGenerator g = java.security.KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        PublicKey p256 = g.generateKeyPair().getPublic();
        assertFalse(PlatformKey.Algorithm.of(p256).isPresent());
        assertTrue(PlatformKey.Algorithm.of(SM2.getPublic()).isPresent());
        assertNotEquals(PlatformKey.Algorithm.of(RSA.getPublic()), PlatformKey.Algorithm.of(SM2.getPublic()));
    }
}
