package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiV3VerifierTest {
    private static final Instant NOW = Instant.parse("2026-11-24T02:30:00Z");
    /** {@link #NOW} in Unix seconds (a constant, for the parameterised tests). */
    private static final long NOW_SECONDS = 1_795_487_400L;
    private static final String PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000000000";
    private static final KeyPair RSA = V3Signer.rsaKeyPair();
    private static final KeyPair SM2 = V3Signer.sm2KeyPair();
    private static final KeyPair PUBLIC_KEY_MODE = V3Signer.rsaKeyPair();
    private static final X509Certificate RSA_CERT = cert(RSA);
    private static final X509Certificate SM2_CERT = cert(SM2);
    /** A body as WeChat Pay writes it: compact, with raw UTF-8 Chinese. */
    private static final String BODY = "{\"id\":\"EV-2018022511223320873\",\"create_time\":\"2015-05-20T13:29:35+08:00\","
            + "\"resource_type\":\"encrypt-resource\",\"event_type\":\"TRANSACTION.SUCCESS\",\"summary\":\"支付成功\","
            + "\"resource\":{\"original_type\":\"transaction\",\"algorithm\":\"AEAD_AES_256_GCM\","
            + "\"ciphertext\":\"\",\"associated_data\":\"\",\"nonce\":\"\"}}";

    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final AtomicInteger fetches = new AtomicInteger();
    private final PlatformKeys keys = PlatformKeys.builder(clock)
            .certificates(() -> {
                fetches.incrementAndGet();
                return Arrays.asList(RSA_CERT, SM2_CERT);
            })
            .publicKey(PUB_KEY_ID, PUBLIC_KEY_MODE.getPublic())
            .build();
    private final ApiV3Verifier verifier = new ApiV3Verifier(keys, clock);

    private final V3Signer rsa = new V3Signer(RSA, V3Signer.serialOf(RSA_CERT), V3Signer.API_V3_KEY, clock);
    private final V3Signer sm2 = new V3Signer(SM2, V3Signer.serialOf(SM2_CERT), V3Signer.API_V3_KEY, clock);
    private final V3Signer publicKey = new V3Signer(PUBLIC_KEY_MODE, PUB_KEY_ID, V3Signer.API_V3_KEY, clock);

    private static X509Certificate cert(KeyPair keys) {
        return V3Signer.certificate(keys, V3Signer.randomSerial(), NOW.minus(Duration.ofDays(1)),
                NOW.plus(Duration.ofDays(365)));
    }

    private static byte[] body() {
        return BODY.getBytes(StandardCharsets.UTF_8);
    }

    private Reason rejection(V3Signer.Signed n) {
        NotifyRejected e = assertThrows(NotifyRejected.class, () -> verifier.verify(n.headers(), n.body()));
        if (n.signature() != null && n.signature().length() >= 8) {
            assertFalse(e.getMessage().contains(n.signature()), "the signature never reaches a message");
        }
        assertNull(e.getCause());
        return e.reason();
    }

    private V3Signer.Signed signedAt(V3Signer signer, long secondsFromNow) {
        return signer.sign(body(), String.valueOf(NOW.getEpochSecond() + secondsFromNow), V3Signer.nonce(32));
    }

    @Test
    void nowSecondsIsNow() {
        assertEquals(NOW.getEpochSecond(), NOW_SECONDS);
    }

    @Test
    void acceptsRsaInCertificateMode() {
        V3Signer.Signed n = rsa.sign(body());
        assertDoesNotThrow(() -> verifier.verify(n.headers(), n.body()));
    }

    @Test
    void acceptsRsaInPublicKeyMode() {
        V3Signer.Signed n = publicKey.sign(body());
        assertDoesNotThrow(() -> verifier.verify(n.headers(), n.body()));
    }

    @Test
    void acceptsBothModesMixedDuringAMigration() {
        for (int i = 0; i < 3; i++) {
            V3Signer.Signed viaCertificate = rsa.sign(body());
            V3Signer.Signed viaPublicKey = publicKey.sign(body());
            verifier.verify(viaPublicKey.headers(), viaPublicKey.body());
            verifier.verify(viaCertificate.headers(), viaCertificate.body());
        }
        assertEquals(1, fetches.get());
    }

    @Test
    void acceptsSm2WithSm3() {
        V3Signer.Signed n = sm2.sign(body());
        assertEquals("WECHATPAY2-SM2-WITH-SM3", n.headers().signatureType());
        assertDoesNotThrow(() -> verifier.verify(n.headers(), n.body()));
    }

    @Test
    void anAbsentSignatureTypeMeansRsa() {
        V3Signer.Signed n = rsa.sign(body()).withSignatureType(null);
        assertDoesNotThrow(() -> verifier.verify(n.headers(), n.body()));
        V3Signer.Signed sm = sm2.sign(body()).withSignatureType(null);
        assertEquals(Reason.BAD_SIGNATURE, rejection(sm));
    }

    @Test
    void headersComeFromACaseInsensitiveLookup() {
        V3Signer.Signed n = rsa.sign(body());
        Map<String, String> servlet = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Map.Entry<String, String> h : n.headerMap().entrySet()) {
            servlet.put(h.getKey().toLowerCase(Locale.ROOT), h.getValue());
        }
        ApiV3Headers headers = ApiV3Headers.from(servlet::get);
        assertDoesNotThrow(() -> verifier.verify(headers, n.body()));
        assertFalse(headers.toString().contains(n.signature()), "toString leaves the signature out");
    }

    @Test
    void aWrongSignatureIsBadSignature() {
        V3Signer.Signed n = rsa.sign(body());
        V3Signer.Signed other = rsa.sign(body());
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withSignature(other.signature())));
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withNonce(n.nonce() + "x")));
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withSignature("AAAA")), "wrong length");
        V3Signer.Signed s = sm2.sign(body());
        assertEquals(Reason.BAD_SIGNATURE, rejection(s.withSignature(sm2.sign(body()).signature())));
        assertEquals(Reason.BAD_SIGNATURE, rejection(s.withSignature("MAYCAQECAQE=")), "DER of other r, s");
        assertEquals(Reason.BAD_SIGNATURE, rejection(s.withSignature("AAAA")), "not DER");
    }

    @Test
    void threadsVerifyingManyDifferentMessagesAtOnceEachGetTheRightAnswer() throws Exception {
        List<V3Signer.Signed> genuine = new ArrayList<>();
        List<V3Signer.Signed> forged = new ArrayList<>();
        V3Signer[] signers = {rsa, sm2, publicKey};
        for (int i = 0; i < 24; i++) {
            V3Signer signer = signers[i % signers.length];
            byte[] b = BODY.replace("EV-2018022511223320873", "EV-" + i).getBytes(StandardCharsets.UTF_8);
            genuine.add(signer.sign(b));
        }
        for (int i = 0; i < genuine.size(); i++) {
            V3Signer.Signed n = genuine.get(i);
            // The signature of another message from the same key: verify() says false.
            forged.add(n.withSignature(genuine.get((i + signers.length) % genuine.size()).signature()));
            if (i % 4 == 0) {
                // Not a signature at all: the Signature throws, and is dropped.
                forged.add(n.withSignature("AAAA"));
            }
        }
        List<V3Signer.Signed> all = new ArrayList<>(genuine);
        all.addAll(forged);
        AtomicInteger wrong = new AtomicInteger();
        CryptoPoolTest.inThreads(4, thread -> {
            List<V3Signer.Signed> mine = new ArrayList<>(all);
            Random random = new Random(thread);
            for (int round = 0; round < 8; round++) {
                Collections.shuffle(mine, random);
                for (V3Signer.Signed n : mine) {
                    Reason reason = null;
                    try {
                        verifier.verify(n.headers(), n.body());
                    } catch (NotifyRejected e) {
                        reason = e.reason();
                    }
                    if (reason != (genuine.contains(n) ? null : Reason.BAD_SIGNATURE)) {
                        wrong.incrementAndGet();
                    }
                }
            }
        });
        assertEquals(0, wrong.get());
    }

    @Test
    void anSm2SignatureWithAnotherUserIdIsBadSignature() {
        String ts = String.valueOf(NOW.getEpochSecond());
        String nonce = V3Signer.nonce(32);
        String other = V3Signer.sign(SM2.getPrivate(), ts, nonce, body(), "8765432187654321");
        V3Signer.Signed n = sm2.sign(body(), ts, nonce).withSignature(other);
        assertEquals(Reason.BAD_SIGNATURE, rejection(n));
        String explicit = V3Signer.sign(SM2.getPrivate(), ts, nonce, body(), ApiV3Verifier.SM2_USER_ID);
        verifier.verify(n.withSignature(explicit).headers(), body());
    }

    @Test
    void aReSerialisedBodyIsBadSignature() {
        V3Signer.Signed n = rsa.sign(body());
        String spaced = BODY.replace(",\"", ", \"");
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withBody(spaced.getBytes(StandardCharsets.UTF_8))));
        String escaped = BODY.replace("支付成功", "\\u652f\\u4ed8\\u6210\\u529f");
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withBody(escaped.getBytes(StandardCharsets.UTF_8))));
        byte[] trailingNewline = (BODY + "\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withBody(trailingNewline)));
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withBody(BODY.getBytes(StandardCharsets.UTF_16))));
    }

    @Test
    void theKeysAlgorithmMustMatchTheSignatureType() {
        V3Signer.Signed n = rsa.sign(body());
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withSignatureType("WECHATPAY2-SM2-WITH-SM3")));
        assertEquals(Reason.BAD_SIGNATURE, rejection(sm2.sign(body()).withSignatureType("WECHATPAY2-SHA256-RSA2048")));
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withSignatureType("wechatpay2-sha256-rsa2048")));
        assertEquals(Reason.BAD_SIGNATURE, rejection(n.withSignatureType("HMAC-SHA256")));
    }

    @Test
    void anUnknownSerialIsUnknownSerialAfterOneRefresh() {
        V3Signer.Signed n = rsa.sign(body());
        verifier.verify(n.headers(), n.body());
        assertEquals(1, fetches.get());
        assertEquals(Reason.UNKNOWN_SERIAL, rejection(n.withSerial("5157F09EFDC096DE15EBE81A47057A7232F1B8E1")));
        assertEquals(Reason.UNKNOWN_SERIAL, rejection(n.withSerial("PUB_KEY_ID_0000")));
        assertEquals(Reason.UNKNOWN_SERIAL, rejection(n.withSerial(PUB_KEY_ID.toLowerCase(Locale.ROOT))));
        assertEquals(1, fetches.get(), "refreshed within the interval: no second fetch");
    }

    @Test
    void aSignatureMadeWithAnotherKeyOfTheSameKindIsBadSignature() {
        // Signed with the certificate's key but announced as the public key.
        V3Signer.Signed n = rsa.sign(body()).withSerial(PUB_KEY_ID);
        assertEquals(Reason.BAD_SIGNATURE, rejection(n));
    }

    @ParameterizedTest
    @ValueSource(longs = {0, 1, -1, 299, -299})
    void aTimestampWithin299SecondsIsAccepted(long offset) {
        V3Signer.Signed n = signedAt(rsa, offset);
        assertDoesNotThrow(() -> verifier.verify(n.headers(), n.body()));
    }

    @ParameterizedTest
    @ValueSource(longs = {-300, -301, -86_400, -NOW_SECONDS})
    void aTimestamp300SecondsOldOrOlderIsExpired(long offset) {
        assertEquals(Reason.TIMESTAMP_EXPIRED, rejection(signedAt(rsa, offset)));
    }

    @ParameterizedTest
    @ValueSource(longs = {300, 301, 86_400})
    void aTimestamp300SecondsAheadOrMoreIsFuture(long offset) {
        assertEquals(Reason.TIMESTAMP_FUTURE, rejection(signedAt(rsa, offset)));
    }

    @Test
    void theWindowIsCheckedBeforeTheKeyIsLookedUp() {
        assertEquals(Reason.TIMESTAMP_EXPIRED, rejection(signedAt(rsa, -300).withSerial("ABCDEF")));
        assertEquals(0, fetches.get(), "an old notify cannot trigger a refresh");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1", "+1795487400", "1795487400.5", " 1795487400", "1e9", "9999999999999999999"})
    void aTimestampThatIsNotUnixSecondsIsMissingHeader(String timestamp) {
        V3Signer.Signed n = rsa.sign(body(), timestamp, V3Signer.nonce(32));
        assertEquals(Reason.MISSING_HEADER, rejection(n));
    }

    @ParameterizedTest
    @ValueSource(strings = {"timestamp", "nonce", "signature", "serial"})
    void aMissingOrEmptyHeaderIsMissingHeader(String which) {
        V3Signer.Signed n = rsa.sign(body());
        for (String value : new String[] {null, ""}) {
            V3Signer.Signed broken;
            switch (which) {
                case "timestamp": broken = n.withTimestamp(value); break;
                case "nonce": broken = n.withNonce(value); break;
                case "signature": broken = n.withSignature(value); break;
                default: broken = n.withSerial(value); break;
            }
            assertEquals(Reason.MISSING_HEADER, rejection(broken));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"WECHATPAY/SIGNTEST/", "WECHATPAY/SIGNTEST/aGVsbG8=",
            "WECHATPAY/SIGNTEST/!!! not base64 at all ~~~"})
    void aSignatureProbeIsSignatureProbe(String probe) {
        V3Signer.Signed n = rsa.sign(body()).withSignature(probe);
        assertEquals(Reason.SIGNATURE_PROBE, rejection(n));
        assertEquals(Reason.SIGNATURE_PROBE, rejection(n.withSerial("UNKNOWN")), "before the key lookup");
        assertEquals(0, fetches.get());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not base64!", "WECHATPAY/SIGNTESTX", "abc$", "YWJj\nZGVm", "a"})
    void aSignatureThatIsNotBase64IsBadSignature(String signature) {
        assertEquals(Reason.BAD_SIGNATURE, rejection(rsa.sign(body()).withSignature(signature)));
    }
}
