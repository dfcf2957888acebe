package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PlatformKeysTest {
    private static final Instant NOW = Instant.parse("2026-11-24T02:30:00Z");
    private static final String PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000000000";
    private static final KeyPair RSA = V3Signer.rsaKeyPair();
    private static final KeyPair RSA_NEXT = V3Signer.rsaKeyPair();
    private static final KeyPair SM2 = V3Signer.sm2KeyPair();

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(NOW);

    /** A source whose list a test changes, counting fetches. */
    private static final class Source implements CertificateSource {
        volatile List<X509Certificate> certificates;
        volatile RuntimeException failure;
        final AtomicInteger fetches = new AtomicInteger();

        Source(X509Certificate... certificates) {
            this.certificates = Arrays.asList(certificates);
        }

        @Override
        public List<X509Certificate> fetch() {
            fetches.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return certificates;
        }
    }

    private static X509Certificate cert(KeyPair keys, Instant notAfter) {
        return V3Signer.certificate(keys, V3Signer.randomSerial(), NOW.minus(Duration.ofDays(365)), notAfter);
    }

    private static X509Certificate cert(KeyPair keys) {
        return cert(keys, NOW.plus(Duration.ofDays(5 * 365)));
    }

    private PlatformKeys certificates(CertificateSource source) {
        return PlatformKeys.builder(clock).certificates(source).build();
    }

    @Test
    void findsACertificateBySerialAfterTheFirstLoad() {
        X509Certificate rsa = cert(RSA);
        X509Certificate sm2 = cert(SM2);
        Source source = new Source(rsa, sm2);
        PlatformKeys keys = certificates(source);

        PlatformKey found = keys.find(V3Signer.serialOf(rsa)).get();
        assertEquals(PlatformKey.Algorithm.RSA, found.algorithm());
        assertEquals(PlatformKey.Kind.CERTIFICATE, found.kind());
        assertEquals(RSA.getPublic(), found.publicKey());
        assertEquals(Optional.of(rsa.getNotAfter().toInstant()), found.notAfter());
        assertEquals(PlatformKey.Algorithm.SM2, keys.find(V3Signer.serialOf(sm2)).get().algorithm());
        assertEquals(1, source.fetches.get(), "the first unknown serial loads; the second is known");
    }

    @Test
    void serialsCompareAsHexNumbers() {
        X509Certificate c = V3Signer.certificate(RSA, new BigInteger("0ABC", 16), NOW, NOW.plusSeconds(3600));
        PlatformKeys keys = certificates(new Source(c));
        assertTrue(keys.find("ABC").isPresent());
        assertTrue(keys.find("abc").isPresent());
        assertTrue(keys.find("0ABC").isPresent());
        assertEquals("ABC", keys.find("000abc").get().serial());
    }

    @Test
    void anUnknownSerialRefreshesOnceThenWaitsForTheInterval() {
        Source source = new Source(cert(RSA));
        PlatformKeys keys = PlatformKeys.builder(clock).certificates(source)
                .refreshInterval(Duration.ofSeconds(60)).build();
        keys.refresh();
        assertEquals(1, source.fetches.get());

        clock.set(NOW.plusSeconds(61));
        assertFalse(keys.find("5157F09EFDC096DE15EBE81A47057A7232F1B8E1").isPresent());
        assertEquals(2, source.fetches.get(), "one refresh for the miss");
        clock.set(NOW.plusSeconds(61 + 59));
        assertFalse(keys.find("5157F09EFDC096DE15EBE81A47057A7232F1B8E1").isPresent());
        assertFalse(keys.find("6157F09EFDC096DE15EBE81A47057A7232F1B8E1").isPresent());
        assertEquals(2, source.fetches.get(), "no second refresh within the interval");
        clock.set(NOW.plusSeconds(61 + 60));
        assertFalse(keys.find("5157F09EFDC096DE15EBE81A47057A7232F1B8E1").isPresent());
        assertEquals(3, source.fetches.get(), "the interval passed: one more");
    }

    @Test
    void aRefreshFindsARotatedCertificateAndKeepsTheOldOneUntilItExpires() {
        X509Certificate old = cert(RSA, NOW.plus(Duration.ofHours(20)));
        Source source = new Source(old);
        PlatformKeys keys = certificates(source);
        keys.refresh();
        X509Certificate next = cert(RSA_NEXT);
        source.certificates = Collections.singletonList(next);

        clock.set(NOW.plus(Duration.ofHours(1)));
        PlatformKey found = keys.find(V3Signer.serialOf(next)).get();
        assertEquals(RSA_NEXT.getPublic(), found.publicKey());
        assertEquals(2, source.fetches.get());
        assertTrue(keys.find(V3Signer.serialOf(old)).isPresent(), "the old one stays until it expires");

        clock.set(NOW.plus(Duration.ofHours(20)).plusSeconds(1));
        assertFalse(keys.find(V3Signer.serialOf(old)).isPresent(), "expired: never used");
        keys.refresh();
        assertEquals(1, keys.all().size(), "a refresh drops expired certificates");
    }

    @Test
    void anExpiredCertificateIsNeverUsedNorLoaded() {
        X509Certificate expired = cert(RSA, NOW.minusSeconds(1));
        PlatformKeys keys = certificates(new Source(expired));
        assertFalse(keys.find(V3Signer.serialOf(expired)).isPresent());
        assertTrue(keys.all().isEmpty());
    }

    @Test
    void concurrentMissesShareOneRefresh() throws Exception {
        X509Certificate c = cert(RSA);
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger fetches = new AtomicInteger();
        CertificateSource slow = () -> {
            fetches.incrementAndGet();
            fetching.countDown();
            release.await(10, TimeUnit.SECONDS);
            return Collections.singletonList(c);
        };
        PlatformKeys keys = certificates(slow);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Optional<PlatformKey>>> results = new ArrayList<>();
            results.add(pool.submit(() -> keys.find(V3Signer.serialOf(c))));
            assertTrue(fetching.await(10, TimeUnit.SECONDS));
            for (int i = 0; i < 7; i++) {
                results.add(pool.submit(() -> keys.find(V3Signer.serialOf(c))));
            }
            Thread.sleep(50); // let the others reach the lock; correctness does not depend on it
            release.countDown();
            for (Future<Optional<PlatformKey>> r : results) {
                assertTrue(r.get(10, TimeUnit.SECONDS).isPresent());
            }
            assertEquals(1, fetches.get());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aFailingSourceKeepsTheKeysHeld() {
        X509Certificate c = cert(RSA);
        Source source = new Source(c);
        PlatformKeys keys = certificates(source);
        keys.refresh();
        source.failure = new IllegalStateException("connection refused");

        clock.set(NOW.plusSeconds(120));
        assertFalse(keys.find("ABCDEF").isPresent(), "a failed refresh is a miss, not an exception");
        assertTrue(keys.find(V3Signer.serialOf(c)).isPresent());
        IllegalStateException e = assertThrows(IllegalStateException.class, keys::refresh);
        assertSame(source.failure, e.getCause());
        assertTrue(keys.find(V3Signer.serialOf(c)).isPresent());
    }

    @Test
    void publicKeyModeNeedsTheExactId() {
        CertificateSource never = () -> {
            throw new AssertionError("public-key mode never fetches");
        };
        PlatformKeys keys = PlatformKeys.builder(clock).publicKey(PUB_KEY_ID, RSA.getPublic()).build();
        PlatformKey key = keys.find(PUB_KEY_ID).get();
        assertEquals(PlatformKey.Kind.PUBLIC_KEY, key.kind());
        assertEquals(PlatformKey.Algorithm.RSA, key.algorithm());
        assertFalse(key.notAfter().isPresent());
        assertFalse(keys.find(PUB_KEY_ID.toLowerCase(java.util.Locale.ROOT)).isPresent());
        assertFalse(keys.find(PUB_KEY_ID + "0").isPresent());
        assertFalse(keys.find("PUB_KEY_ID_0114232134912410000000000000000001").isPresent());
        assertFalse(keys.find("").isPresent());
        assertFalse(keys.find(null).isPresent());

        PlatformKeys both = PlatformKeys.builder(clock).certificates(never).publicKey(PUB_KEY_ID, RSA.getPublic())
                .build();
        assertFalse(both.find("PUB_KEY_ID_OTHER").isPresent(), "an unknown id does not refresh certificates");
    }

    @Test
    void bothModesAtOnce() {
        X509Certificate c = cert(SM2);
        Source source = new Source(c);
        PlatformKeys keys = PlatformKeys.builder(clock).certificates(source).publicKey(PUB_KEY_ID, RSA.getPublic())
                .build();
        assertEquals(PlatformKey.Kind.PUBLIC_KEY, keys.find(PUB_KEY_ID).get().kind());
        assertEquals(PlatformKey.Kind.CERTIFICATE, keys.find(V3Signer.serialOf(c)).get().kind());
        List<PlatformKey> all = keys.all();
        assertEquals(2, all.size());
        assertEquals(PUB_KEY_ID, all.get(0).serial());
        assertEquals(V3Signer.serialOf(c), all.get(1).serial());
    }

    @Test
    void theConfigurationIsChecked() {
        assertThrows(IllegalStateException.class, () -> PlatformKeys.builder(clock).build());
        PlatformKeys.Builder b = PlatformKeys.builder(clock);
        assertThrows(IllegalArgumentException.class, () -> b.publicKey("0114232134912410", RSA.getPublic()));
        assertThrows(IllegalArgumentException.class, () -> b.publicKey("PUB_KEY_ID_", RSA.getPublic()));
        assertThrows(IllegalArgumentException.class, () -> b.publicKey(PUB_KEY_ID, SM2.getPublic()));
        assertThrows(IllegalArgumentException.class, () -> b.refreshInterval(Duration.ofSeconds(-1)));
    }
}
