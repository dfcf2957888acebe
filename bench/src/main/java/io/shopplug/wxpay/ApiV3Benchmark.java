package io.shopplug.wxpay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.binarywang.wxpay.bean.notify.SignatureHeader;
import com.github.binarywang.wxpay.bean.notify.WxPayNotifyV3Result;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.exception.WxPayException;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceImpl;
import com.github.binarywang.wxpay.v3.auth.CertificatesVerifier;
import com.wechat.pay.java.core.notification.NotificationParser;
import com.wechat.pay.java.core.notification.RSANotificationConfig;
import com.wechat.pay.java.core.notification.RequestParam;
import com.wechat.pay.java.service.payments.model.Transaction;
import io.shopplug.simulator.ApiV3Message;
import io.shopplug.simulator.ApiV3Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.PlatformIdentity;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One APIv3 {@code TRANSACTION.SUCCESS} notification (RSA platform certificate, AES-256-GCM
 * resource) authenticated, decrypted and mapped by each contender. Everything that a receiver
 * builds once at start (parsed certificates and keys, SDK parsers and services) is built in
 * {@code @Setup}; each benchmark method does only what one incoming notification costs, starting
 * from the raw header strings and the raw body bytes a servlet hands over.
 *
 * <p>Each contender's state is its own {@code @State}, so a fork loads and initialises only the
 * library it measures (a library that registers a security provider cannot slow another's
 * lookups). All of them share the {@link Notice} of their fork; every setup checks once that its
 * contender accepts it, so no benchmark ever measures a rejection.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class ApiV3Benchmark {

    static final String OUT_TRADE_NO = "SO-20261124-0001";
    static final long TOTAL_FEN = 8888;
    static final String API_V3_KEY = "shopplugBenchApiV3Key0123456789a";

    /**
     * The notification, built by the simulator with a fresh RSA-2048 platform certificate and a
     * clock fixed at this fork's start; the plugin verifies with the same fixed clock.
     */
    @State(Scope.Benchmark)
    public static class Notice {
        Clock clock;
        PlatformIdentity platform;
        ApiV3Message message;
        /** Case-insensitive, like {@code HttpServletRequest.getHeader}. */
        Map<String, String> headers;
        byte[] body;

        @Setup
        public void build() {
            clock = Clock.fixed(Instant.now().truncatedTo(ChronoUnit.SECONDS), ZoneOffset.UTC);
            platform = PlatformIdentity.rsaCertificate();
            Merchant merchant = Merchant.of("wxd678efh567hg6787", "1230000109",
                    "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5).withApiV3Key(API_V3_KEY);
            message = new ApiV3Notifications(merchant, platform, clock).paid(OUT_TRADE_NO, TOTAL_FEN);
            headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            headers.putAll(message.headers());
            body = message.body();
        }

        String header(String name) {
            return headers.get(name);
        }
    }

    /** The plugin as {@code Merchants} builds it at start: platform keys, verifier, cipher. */
    @State(Scope.Benchmark)
    public static class Plugin {
        ApiV3Verifier verifier;
        ResourceCipher cipher;

        @Setup
        public void build(Notice n) {
            List<X509Certificate> certificates = PemCertificates.parseCertificates(n.platform.certificatePem());
            PlatformKeys keys = PlatformKeys.builder(n.clock).certificates(() -> certificates).build();
            keys.refresh(); // loaded now, so no benchmark call takes the unknown-serial path
            verifier = new ApiV3Verifier(keys, n.clock);
            cipher = new ResourceCipher(API_V3_KEY);
            List<Notification> out = pluginOnce(n, this);
            check(out.size() == 1 && OUT_TRADE_NO.equals(out.get(0).outTradeNo())
                    && out.get(0).amountFen() == TOTAL_FEN, "plugin");
        }
    }

    /**
     * The floor: the inputs decoded in setup (message {@code timestamp\nnonce\nbody\n}, signature
     * bytes, ciphertext bytes, IV, AAD) and keys parsed once; per call only the crypto.
     */
    @State(Scope.Benchmark)
    public static class Raw {
        PublicKey publicKey;
        SecretKeySpec aesKey;
        byte[] message;
        byte[] signature;
        byte[] iv;
        byte[] aad;
        byte[] ciphertext;

        @Setup
        public void build(Notice n) throws IOException, GeneralSecurityException {
            publicKey = PemCertificates.parseCertificates(n.platform.certificatePem()).get(0).getPublicKey();
            aesKey = new SecretKeySpec(API_V3_KEY.getBytes(StandardCharsets.US_ASCII), "AES");
            byte[] head = (n.header("Wechatpay-Timestamp") + "\n" + n.header("Wechatpay-Nonce") + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            message = Arrays.copyOf(head, head.length + n.body.length + 1);
            System.arraycopy(n.body, 0, message, head.length, n.body.length);
            message[message.length - 1] = '\n';
            signature = Base64.getDecoder().decode(n.header("Wechatpay-Signature"));
            JsonNode resource = new ObjectMapper().readTree(n.body).get("resource");
            iv = resource.get("nonce").textValue().getBytes(StandardCharsets.UTF_8);
            aad = resource.get("associated_data").textValue().getBytes(StandardCharsets.UTF_8);
            ciphertext = Base64.getDecoder().decode(resource.get("ciphertext").textValue());
            check(n.message.plaintext().equals(new String(rawFloorOnce(this), StandardCharsets.UTF_8)), "raw floor");
        }
    }

    /** The raw floor with one {@link Signature} and one {@link Cipher} kept per thread. */
    @State(Scope.Thread)
    public static class RawReused {
        Signature signature;
        Cipher cipher;

        @Setup
        public void build(Raw raw) throws GeneralSecurityException {
            signature = Signature.getInstance("SHA256withRSA");
            cipher = Cipher.getInstance("AES/GCM/NoPadding");
            check(Arrays.equals(rawFloorOnce(raw), rawFloorReusedOnce(raw, this)), "raw floor (reused)");
        }
    }

    /**
     * wechatpay-java 0.2.17, certificate mode, offline: {@code RSANotificationConfig} given the
     * platform certificate PEM (deprecated in favour of the downloading config, which needs the
     * network and Tenpay's CA; still the SDK's offline certificate-mode notification config).
     */
    @State(Scope.Benchmark)
    public static class WechatPayJava {
        NotificationParser parser;

        @Setup
        @SuppressWarnings("deprecation")
        public void build(Notice n) {
            parser = new NotificationParser(new RSANotificationConfig.Builder()
                    .certificates(n.platform.certificatePem()).apiV3Key(API_V3_KEY).build());
            Transaction t = wechatpayJavaOnce(n, this);
            check(OUT_TRADE_NO.equals(t.getOutTradeNo()) && t.getAmount().getTotal() == TOTAL_FEN, "wechatpay-java");
        }
    }

    /**
     * WxJava (weixin-java-pay), offline: the APIv3 key and a {@code CertificatesVerifier} over the
     * platform certificate set on the config. Without a verifier, {@code WxPayConfig.getVerifier()}
     * would build the APIv3 HTTP client and download certificates.
     */
    @State(Scope.Benchmark)
    public static class WxJava {
        WxPayService service;

        @Setup
        public void build(Notice n) throws WxPayException {
            WxPayConfig config = new WxPayConfig();
            config.setMchId("1230000109");
            config.setAppId("wxd678efh567hg6787");
            config.setApiV3Key(API_V3_KEY);
            config.setVerifier(new CertificatesVerifier(
                    List.of(n.platform.certificate().orElseThrow())));
            service = new WxPayServiceImpl();
            service.setConfig(config);
            WxPayNotifyV3Result r = wxJavaOnce(n, this);
            check(OUT_TRADE_NO.equals(r.getResult().getOutTradeNo())
                    && r.getResult().getAmount().getTotal() == TOTAL_FEN, "WxJava");
        }
    }

    /** (a) The plugin: verify (fixed clock, ±300 s window), parse the envelope, decrypt, map. */
    @Benchmark
    public Object plugin(Notice n, Plugin p) {
        return pluginOnce(n, p);
    }

    static List<Notification> pluginOnce(Notice n, Plugin p) {
        ApiV3Headers headers = ApiV3Headers.from(n.headers::get);
        p.verifier.verify(headers, n.body);
        ApiV3Notify.Envelope envelope = ApiV3Notify.parseEnvelope(n.body);
        return ApiV3Notify.toNotifications(envelope.eventType(), envelope.decrypt(p.cipher));
    }

    /**
     * (b) The floor: one SHA256withRSA verify and one AES-256-GCM decrypt, with a {@link Signature}
     * and a {@link Cipher} from {@code getInstance} per call (the plugin keeps them in a pool instead).
     */
    @Benchmark
    public byte[] rawFloor(Raw r) throws GeneralSecurityException {
        return rawFloorOnce(r);
    }

    static byte[] rawFloorOnce(Raw r) throws GeneralSecurityException {
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initVerify(r.publicKey);
        s.update(r.message);
        if (!s.verify(r.signature)) {
            throw new IllegalStateException("signature");
        }
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        c.init(Cipher.DECRYPT_MODE, r.aesKey, new GCMParameterSpec(128, r.iv));
        c.updateAAD(r.aad);
        return c.doFinal(r.ciphertext);
    }

    /** (b') The floor without the two {@code getInstance} look-ups: objects kept per thread. */
    @Benchmark
    public byte[] rawFloorReused(Raw r, RawReused t) throws GeneralSecurityException {
        return rawFloorReusedOnce(r, t);
    }

    static byte[] rawFloorReusedOnce(Raw r, RawReused t) throws GeneralSecurityException {
        t.signature.initVerify(r.publicKey);
        t.signature.update(r.message);
        if (!t.signature.verify(r.signature)) {
            throw new IllegalStateException("signature");
        }
        t.cipher.init(Cipher.DECRYPT_MODE, r.aesKey, new GCMParameterSpec(128, r.iv));
        t.cipher.updateAAD(r.aad);
        return t.cipher.doFinal(r.ciphertext);
    }

    /** (c) wechatpay-java {@code NotificationParser.parse(RequestParam, Transaction.class)}. */
    @Benchmark
    public Transaction wechatpayJava(Notice n, WechatPayJava w) {
        return wechatpayJavaOnce(n, w);
    }

    static Transaction wechatpayJavaOnce(Notice n, WechatPayJava w) {
        RequestParam request = new RequestParam.Builder()
                .serialNumber(n.header("Wechatpay-Serial"))
                .nonce(n.header("Wechatpay-Nonce"))
                .signature(n.header("Wechatpay-Signature"))
                .timestamp(n.header("Wechatpay-Timestamp"))
                .signType(n.header("Wechatpay-Signature-Type"))
                .body(new String(n.body, StandardCharsets.UTF_8))
                .build();
        return w.parser.parse(request, Transaction.class);
    }

    /** (d) WxJava {@code WxPayServiceImpl.parseOrderNotifyV3Result(body, SignatureHeader)}. */
    @Benchmark
    public WxPayNotifyV3Result wxJava(Notice n, WxJava w) throws WxPayException {
        return wxJavaOnce(n, w);
    }

    static WxPayNotifyV3Result wxJavaOnce(Notice n, WxJava w) throws WxPayException {
        SignatureHeader header = SignatureHeader.builder()
                .timeStamp(n.header("Wechatpay-Timestamp"))
                .nonce(n.header("Wechatpay-Nonce"))
                .signature(n.header("Wechatpay-Signature"))
                .serial(n.header("Wechatpay-Serial"))
                .build();
        return w.service.parseOrderNotifyV3Result(new String(n.body, StandardCharsets.UTF_8), header);
    }

    static void check(boolean ok, String contender) {
        if (!ok) {
            throw new IllegalStateException(contender + " did not accept the benchmark notification");
        }
    }
}
