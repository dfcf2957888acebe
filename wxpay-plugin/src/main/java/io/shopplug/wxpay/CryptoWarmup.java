package io.shopplug.wxpay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the CPU path of an APIv3 notification (replay key, signature verify, envelope, AES-GCM
 * decrypt, mapping) a few thousand times on made-up data when the plugin starts, on one background
 * thread, so that the JIT has compiled it before real notifications come. A node started cold in
 * the middle of a storm otherwise spends its first seconds interpreting the RSA arithmetic while
 * the compiler fights the request threads for the cores. Its keys are made here and thrown away;
 * it touches no database, merchant, guard or notify log. Once per JVM (per class loader): the
 * compiled code is shared by every plugin in it.
 */
final class CryptoWarmup {
    private static final Logger LOG = LoggerFactory.getLogger(CryptoWarmup.class);
    /** Notifications run at start: about a second of one core, the key pair included. */
    static final int NOTIFICATIONS = 5_000;
    /** The warm-up stops after this long whatever it has done. */
    static final Duration TIME_LIMIT = Duration.ofSeconds(30);
    private static final String KEY_ID = "PUB_KEY_ID_WARMUP";
    private static final String SCOPE = "warmup";
    private static final String OUT_TRADE_NO = "WARMUP-1";
    private static final AtomicBoolean STARTED = new AtomicBoolean();
    /** The warm-up's thread while it may be running. */
    private static volatile Thread running;

    private CryptoWarmup() {
    }

    /** Starts the warm-up on a daemon thread, unless it was started before in this class loader. */
    static void startOnce() {
        if (!STARTED.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(() -> {
            long start = System.nanoTime();
            try {
                int done = run(NOTIFICATIONS, TIME_LIMIT);
                LOG.info("wxpay warmed up the APIv3 path: {} notifications in {} ms", done,
                        (System.nanoTime() - start) / 1_000_000);
            } catch (RuntimeException | LinkageError e) {
                LOG.warn("wxpay warm-up stopped ({}); the first notifications will be slower", e.toString());
            } finally {
                running = null;
            }
        }, "wxpay-warmup");
        t.setDaemon(true);
        running = t;
        t.start();
    }

    /** True once {@link #startOnce} has started the warm-up in this class loader. */
    static boolean started() {
        return STARTED.get();
    }

    /**
     * Ends a running warm-up at its next notification (the plugin is stopping: its thread must
     * not outlive the webapp's class loader).
     */
    static void stop() {
        Thread t = running;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Lets the next {@link #startOnce} start again: for tests of who starts it. */
    static void forget() {
        STARTED.set(false);
    }

    /**
     * Runs up to {@code notifications} made-up notifications through the path, each checked to map
     * to its payment, stopping early after {@code timeLimit} or when the thread is interrupted.
     *
     * @return how many ran
     * @throws IllegalStateException if a step did not give what it must
     */
    static int run(int notifications, Duration timeLimit) {
        Clock clock = Clock.systemUTC();
        KeyPair wechat = rsaKeyPair();
        String apiV3Key = randomKey();
        ApiV3Verifier verifier = new ApiV3Verifier(
                PlatformKeys.builder(clock).publicKey(KEY_ID, wechat.getPublic()).build(), clock);
        ResourceCipher cipher = new ResourceCipher(apiV3Key);
        String timestamp = Long.toString(clock.instant().getEpochSecond());
        String nonce = "WARMUPNONCE0123456789ABCDEFGHIJK";
        byte[] body = envelope(apiV3Key).getBytes(StandardCharsets.UTF_8);
        ApiV3Headers headers = new ApiV3Headers(timestamp, nonce, sign(wechat, timestamp, nonce, body), KEY_ID, null);
        long deadline = System.nanoTime() + timeLimit.toNanos();
        int done = 0;
        while (done < notifications && System.nanoTime() - deadline < 0 && !Thread.currentThread().isInterrupted()) {
            ReplayGuard.key(SCOPE, headers, body);
            verifier.verify(headers, body);
            ApiV3Notify.Envelope envelope = ApiV3Notify.parseEnvelope(body);
            List<Notification> mapped = ApiV3Notify.toNotifications(envelope.eventType(), envelope.decrypt(cipher));
            if (mapped.size() != 1 || !OUT_TRADE_NO.equals(mapped.get(0).outTradeNo())) {
                throw new IllegalStateException("the made-up payment did not map back");
            }
            done++;
        }
        return done;
    }

    private static String envelope(String apiV3Key) {
        String payment = "{\"mchid\":\"1900000000\",\"appid\":\"wx0000000000000000\",\"out_trade_no\":\""
                + OUT_TRADE_NO + "\",\"transaction_id\":\"4200000000000000000000000001\",\"trade_type\":\"JSAPI\","
                + "\"trade_state\":\"SUCCESS\",\"trade_state_desc\":\"ok\",\"bank_type\":\"OTHERS\",\"attach\":\"\","
                + "\"success_time\":\"2026-01-01T10:00:00+08:00\",\"payer\":{\"openid\":\"warmup\"},"
                + "\"amount\":{\"total\":100,\"payer_total\":100,\"currency\":\"CNY\",\"payer_currency\":\"CNY\"}}";
        String nonce = "warmupnonce1";
        String ciphertext;
        try {
            Cipher aes = Cipher.getInstance("AES/GCM/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(apiV3Key.getBytes(StandardCharsets.US_ASCII), "AES"),
                    new GCMParameterSpec(128, nonce.getBytes(StandardCharsets.US_ASCII)));
            aes.updateAAD("transaction".getBytes(StandardCharsets.US_ASCII));
            ciphertext = Base64.getEncoder().encodeToString(aes.doFinal(payment.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available", e);
        }
        return "{\"id\":\"WARMUP-EVENT\",\"create_time\":\"2026-01-01T10:00:00+08:00\","
                + "\"resource_type\":\"encrypt-resource\",\"event_type\":\"" + ApiV3Notify.TRANSACTION_SUCCESS
                + "\",\"summary\":\"warm-up\",\"resource\":{\"original_type\":\"transaction\",\"algorithm\":"
                + "\"AEAD_AES_256_GCM\",\"ciphertext\":\"" + ciphertext + "\",\"associated_data\":\"transaction\","
                + "\"nonce\":\"" + nonce + "\"}}";
    }

    private static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA is not available", e);
        }
    }

    private static String sign(KeyPair keys, String timestamp, String nonce, byte[] body) {
        try {
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update((timestamp + "\n" + nonce + "\n").getBytes(StandardCharsets.UTF_8));
            signer.update(body);
            signer.update((byte) '\n');
            return Base64.getEncoder().encodeToString(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA signing is not available", e);
        }
    }

    /** 32 random characters of the APIv3 key alphabet. */
    private static String randomKey() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder key = new StringBuilder(32);
        for (int i = 0; i < 32; i++) {
            key.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return key.toString();
    }
}
