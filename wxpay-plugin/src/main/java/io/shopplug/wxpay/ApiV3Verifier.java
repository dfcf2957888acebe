package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.AlgorithmParameterSpec;
import java.time.Clock;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;
import org.bouncycastle.jcajce.spec.SM2ParameterSpec;

/**
 * Authenticates one APIv3 notification (or API answer) in a straight line: headers present →
 * not a signature probe → timestamp within ±300 s → key by serial → key algorithm matches the
 * signature type → signature is base64 → the signature verifies over {@code timestamp\nnonce\nbody\n}
 * built from the raw body bytes. Each failure is a {@link NotifyRejected} with its own fixed
 * reason; no message ever holds the signature, the signed message or a key. The {@link Signature}
 * objects come from a {@link CryptoPool} per algorithm, made on first need and reused. Thread-safe.
 */
final class ApiV3Verifier {
    /** Timestamps this far from now or farther, either way, are refused. */
    static final long WINDOW_SECONDS = 300;
    /** The prefix of the deliberately wrong signatures WeChat Pay sends to test merchants. */
    static final String PROBE_PREFIX = "WECHATPAY/SIGNTEST/";
    /** The SM2 user id WeChat Pay signs with (the standard's default), set explicitly. */
    static final String SM2_USER_ID = "1234567812345678";

    private static final AlgorithmParameterSpec SM2_SPEC =
            new SM2ParameterSpec(SM2_USER_ID.getBytes(StandardCharsets.US_ASCII));
    private static final byte[] NEWLINE = {'\n'};

    private final PlatformKeys keys;
    private final Clock clock;
    private final CryptoPool<Signature> rsa =
            new CryptoPool<>(CryptoPool.DEFAULT_CAPACITY, () -> newSignature(PlatformKey.Algorithm.RSA));
    private final CryptoPool<Signature> sm2 =
            new CryptoPool<>(CryptoPool.DEFAULT_CAPACITY, () -> newSignature(PlatformKey.Algorithm.SM2));
    private final LongAdder checked = new LongAdder();

    ApiV3Verifier(PlatformKeys keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * @param headers the received {@code Wechatpay-*} headers
     * @param body the raw request body, exactly as received
     * @throws NotifyRejected {@link Reason#MISSING_HEADER}, {@link Reason#SIGNATURE_PROBE},
     *     {@link Reason#TIMESTAMP_EXPIRED}, {@link Reason#TIMESTAMP_FUTURE},
     *     {@link Reason#UNKNOWN_SERIAL} or {@link Reason#BAD_SIGNATURE}
     */
    void verify(ApiV3Headers headers, byte[] body) {
        Objects.requireNonNull(body, "body");
        checkHeaders(headers);
        String timestamp = headers.timestamp();
        String nonce = headers.nonce();
        String signature = headers.signature();
        String serial = headers.serial();
        PlatformKey key = keys.find(serial).orElseThrow(() -> new NotifyRejected(Reason.UNKNOWN_SERIAL));
        if (!key.algorithm().signatureType().equals(signatureType(headers))) {
            throw new NotifyRejected(Reason.BAD_SIGNATURE);
        }
        byte[] signatureBytes;
        try {
            signatureBytes = Base64.getDecoder().decode(signature);
        } catch (IllegalArgumentException e) {
            throw new NotifyRejected(Reason.BAD_SIGNATURE);
        }
        if (!verifies(key, signatureBytes, timestamp, nonce, body)) {
            throw new NotifyRejected(Reason.BAD_SIGNATURE);
        }
    }

    /**
     * The checks of {@link #verify} that need no key: the four headers present, not a signature
     * probe, the timestamp within the window. Every copy of a notification passes them, also one
     * answered from the {@link ReplayGuard} without a second signature check.
     *
     * @throws NotifyRejected {@link Reason#MISSING_HEADER}, {@link Reason#SIGNATURE_PROBE},
     *     {@link Reason#TIMESTAMP_EXPIRED} or {@link Reason#TIMESTAMP_FUTURE}
     */
    void checkHeaders(ApiV3Headers headers) {
        String timestamp = headers.timestamp();
        String signature = headers.signature();
        if (isEmpty(timestamp) || isEmpty(headers.nonce()) || isEmpty(signature) || isEmpty(headers.serial())) {
            throw new NotifyRejected(Reason.MISSING_HEADER);
        }
        if (signature.startsWith(PROBE_PREFIX)) {
            throw new NotifyRejected(Reason.SIGNATURE_PROBE);
        }
        long age = clock.instant().getEpochSecond() - unixSeconds(timestamp);
        if (age >= WINDOW_SECONDS) {
            throw new NotifyRejected(Reason.TIMESTAMP_EXPIRED);
        }
        if (-age >= WINDOW_SECONDS) {
            throw new NotifyRejected(Reason.TIMESTAMP_FUTURE);
        }
    }

    /** The {@code Wechatpay-Signature-Type} the signature is checked as: absent means RSA. */
    static String signatureType(ApiV3Headers headers) {
        return headers.signatureType() == null ? PlatformKey.Algorithm.RSA.signatureType() : headers.signatureType();
    }

    /** How many signatures this verifier has checked with a key since it was made. */
    long signaturesChecked() {
        return checked.sum();
    }

    private boolean verifies(PlatformKey key, byte[] signatureBytes, String timestamp, String nonce, byte[] body) {
        CryptoPool<Signature> pool = key.algorithm() == PlatformKey.Algorithm.SM2 ? sm2 : rsa;
        checked.increment();
        try {
            return pool.use(verifier -> {
                verifier.initVerify(key.publicKey());
                verifier.update(timestamp.getBytes(StandardCharsets.UTF_8));
                verifier.update(NEWLINE);
                verifier.update(nonce.getBytes(StandardCharsets.UTF_8));
                verifier.update(NEWLINE);
                verifier.update(body);
                verifier.update(NEWLINE);
                return verifier.verify(signatureBytes);
            });
        } catch (SignatureException e) {
            // A signature of the wrong length or a broken DER encoding.
            return false;
        } catch (GeneralSecurityException e) {
            // An InvalidKeyException. Not chained: some providers print the key in its message.
            throw new IllegalStateException("the platform key " + key.serial() + " cannot verify ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * A new {@link Signature} for a pool (they are not thread-safe; each is used by one thread at
     * a time and set up again by {@code initVerify} on every use). SM2 comes from the one
     * BouncyCastle object, with WeChat Pay's user id set once; RSA from the JDK.
     */
    private static Signature newSignature(PlatformKey.Algorithm algorithm) {
        try {
            if (algorithm == PlatformKey.Algorithm.SM2) {
                Signature sm2 = Signature.getInstance("SM3withSM2", BcProvider.INSTANCE);
                sm2.setParameter(SM2_SPEC);
                return sm2;
            }
            return Signature.getInstance("SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(algorithm + " signatures are not available", e);
        }
    }

    /** Unix seconds: 1 to 18 ASCII digits, else {@link Reason#MISSING_HEADER}. */
    private static long unixSeconds(String timestamp) {
        if (timestamp.length() > 18) {
            throw new NotifyRejected(Reason.MISSING_HEADER);
        }
        for (int i = 0; i < timestamp.length(); i++) {
            char c = timestamp.charAt(i);
            if (c < '0' || c > '9') {
                throw new NotifyRejected(Reason.MISSING_HEADER);
            }
        }
        return Long.parseLong(timestamp);
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }
}
