package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A public-key platform identity kept in a PKCS#8 PEM file, shared by two processes. */
class PlatformIdentityFileTest {

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsCreatedOwnerOnlyAndLoadsAsTheSameIdentity() throws Exception {
        Path file = dir.resolve("keys/platform.pem");
        PlatformIdentity created = PlatformIdentity.rsaPublicKeyFile(file);

        assertTrue(Files.readString(file).startsWith("-----BEGIN PRIVATE KEY-----\n"));
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(file));
        assertEquals(List.of("platform.pem"), names(file.getParent()), "no temporary file left behind");
        PlatformIdentity loaded = PlatformIdentity.rsaPublicKeyFile(file);
        assertEquals(PlatformIdentity.Kind.RSA_PUBLIC_KEY, loaded.kind());
        assertEquals(created, loaded);
        assertEquals(created.serial(), loaded.serial());
        assertEquals(created.publicKey(), loaded.publicKey());
        assertEquals(created.effectiveTime(), loaded.effectiveTime());
        assertEquals(created.publicKeyPem(), loaded.publicKeyPem());
        assertTrue(created.certificate().isEmpty());

        // What one side signs, the other verifies with its own copy of the public key.
        ApiV3Message m = new ApiV3Notifications(ApiV3NotificationsTest.MERCHANT, created, Clock.systemUTC())
                .paid("SO-1", 100);
        assertEquals(created.serial(), m.header("Wechatpay-Serial"));
        assertTrue(ApiV3NotificationsTest.signatureValid(m, loaded));
        assertFalse(ApiV3NotificationsTest.signatureValid(m, PlatformIdentity.rsaPublicKeyFile(dir.resolve("other.pem"))));
    }

    @Test
    void theIdIsDerivedFromThePublicKeyAlone() throws Exception {
        KeyPair keys = rsa();
        PlatformIdentity a = PlatformIdentity.rsaPublicKey(keys, Instant.parse("2024-01-01T00:00:00Z"));
        PlatformIdentity b = PlatformIdentity.rsaPublicKey(keys, Instant.parse("2025-06-01T00:00:00Z"));
        assertEquals(a.serial(), b.serial());
        assertEquals(PlatformIdentity.publicKeyId(keys.getPublic()), a.serial());
        assertTrue(a.serial().matches("PUB_KEY_ID_01[0-9]{24}"), a.serial());
        assertNotEquals(a.serial(), PlatformIdentity.rsaPublicKey(rsa(), Instant.EPOCH).serial());
        assertEquals(Instant.parse("2024-01-01T00:00:00Z").plus(PlatformIdentity.VALIDITY), a.expireTime());
    }

    @Test
    void aKeyWrittenBySomeoneElseIsUsedAsItIs() throws Exception {
        KeyPair keys = rsa();
        Path file = dir.resolve("given.pem");
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n", StandardCharsets.US_ASCII);
        PlatformIdentity loaded = PlatformIdentity.rsaPublicKeyFile(file);
        assertEquals(keys.getPublic(), loaded.publicKey());
        assertEquals(PlatformIdentity.publicKeyId(keys.getPublic()), loaded.serial());
    }

    @Test
    void twoProcessesCreatingTheFileAtOnceGetOneKey() throws Exception {
        Path file = dir.resolve("raced.pem");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<PlatformIdentity>> racers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                racers.add(pool.submit(() -> {
                    go.await();
                    return PlatformIdentity.rsaPublicKeyFile(file);
                }));
            }
            go.countDown();
            PlatformIdentity first = racers.get(0).get(1, TimeUnit.MINUTES);
            for (Future<PlatformIdentity> f : racers) {
                PlatformIdentity p = f.get(1, TimeUnit.MINUTES);
                assertEquals(first.publicKey(), p.publicKey());
            }
            assertEquals(first.publicKey(), PlatformIdentity.rsaPublicKeyFile(file).publicKey());
            assertEquals(List.of("raced.pem"), names(dir));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFileThatIsNotAnRsaPrivateKeyIsRefusedClearly() throws Exception {
        Path text = Files.writeString(dir.resolve("text.pem"), "hello");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PlatformIdentity.rsaPublicKeyFile(text));
        assertEquals(text + " is not an RSA private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)", e.getMessage());

        Path junk = Files.writeString(dir.resolve("junk.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PlatformIdentity.rsaPublicKeyFile(junk))
                .getMessage().startsWith(junk + " is not an RSA private key"));

        KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(new ECGenParameterSpec("secp256r1"));
        Path ecFile = Files.writeString(dir.resolve("ec.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(ec.generateKeyPair().getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PlatformIdentity.rsaPublicKeyFile(ecFile))
                .getMessage().startsWith(ecFile + " is not an RSA private key"));

        Path directory = Files.createDirectory(dir.resolve("a-directory"));
        UncheckedIOException io = assertThrows(UncheckedIOException.class,
                () -> PlatformIdentity.rsaPublicKeyFile(directory));
        assertEquals("Cannot read the platform key file " + directory, io.getMessage());
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static List<String> names(Path directory) throws Exception {
        try (var files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
