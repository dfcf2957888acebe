package io.shopplug.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WeChat Pay API on 127.0.0.1, for the merchants of the {@link Simulator}s it is given:
 *
 * <ul>
 *   <li>{@code GET /v3/certificates} (add {@code ?algorithm_type=SM2} for SM2 certificates): the
 *       platform certificates, encrypted under the merchant's APIv3 key;
 *   <li>{@code GET /v3/pay/transactions/out-trade-no/{no}?mchid=...} and
 *       {@code GET /v3/pay/transactions/id/{transaction_id}?mchid=...}: the payment model from
 *       the simulator's record, or 404 {@code ORDER_NOT_EXIST};
 *   <li>{@code POST /pay/orderquery} (APIv2, signed XML): trade_state SUCCESS with the payment's
 *       fields, or NOTPAY.
 * </ul>
 *
 * <p>APIv3 requests must carry {@code Authorization: WECHATPAY2-SHA256-RSA2048 mchid=...,
 * nonce_str=...,timestamp=...,serial_no=...,signature=...} signed with the merchant's API key
 * whose public key was {@linkplain #registerMerchantApiKey registered}; otherwise 401. APIv3
 * answers are signed with the current platform identity (RSA) and carry the {@code Wechatpay-*}
 * headers. Thread-safe; {@link #close()} stops it.
 */
public final class SimulatorServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SimulatorServer.class);
    private static final String AUTH_SCHEME = "WECHATPAY2-SHA256-RSA2048";
    /** Requests older or newer than this (seconds) are refused, as WeChat does. */
    static final long WINDOW_SECONDS = 300;
    private static final int MAX_BODY = 64 * 1024;
    private static final String ALNUM =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final DateTimeFormatter TIME_END = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private record ApiKey(String serialNo, PublicKey publicKey) {
    }

    /** A bad request: the HTTP status and WeChat's error code. */
    private static final class Refusal extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refusal(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    private final Map<String, Simulator> simulators = new HashMap<>();
    private final Map<String, ApiKey> apiKeys = new ConcurrentHashMap<>();
    private final Clock clock;
    private final Random random = new SecureRandom();
    private final HttpServer server;
    private final ExecutorService executor;

    private SimulatorServer(int port, Clock clock, List<Simulator> sims) {
        this.clock = Objects.requireNonNull(clock, "clock");
        for (Simulator s : sims) {
            simulators.put(s.merchant().mchId(), s);
        }
        AtomicInteger count = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "wechatpay-sim-server-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            executor.shutdownNow();
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a server on a free port of 127.0.0.1.
     *
     * @param clock checks request timestamps and stamps answers
     */
    public static SimulatorServer start(Clock clock, Simulator... simulators) {
        return start(0, clock, simulators);
    }

    /** Starts a server on {@code port} (0: any free port) of 127.0.0.1. */
    public static SimulatorServer start(int port, Clock clock, Simulator... simulators) {
        return new SimulatorServer(port, clock, List.of(simulators));
    }

    /**
     * Registers the merchant's API certificate serial and public key: APIv3 requests of
     * {@code mchid} must be signed with the matching private key and name {@code serialNo}.
     */
    public void registerMerchantApiKey(String mchid, String serialNo, PublicKey publicKey) {
        apiKeys.put(Objects.requireNonNull(mchid, "mchid"), new ApiKey(
                Objects.requireNonNull(serialNo, "serialNo"),
                Objects.requireNonNull(publicKey, "publicKey")));
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code http://127.0.0.1:<port>}, the base host to configure instead of WeChat's. */
    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- dispatch ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = readBody(ex.getRequestBody());
            String path = ex.getRequestURI().getRawPath();
            String method = ex.getRequestMethod();
            if ("POST".equals(method) && "/pay/orderquery".equals(path)) {
                sendXml(ex, orderQueryV2(body));
            } else if (path.startsWith("/v3/")) {
                handleV3(ex, method, path, body);
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        } catch (RuntimeException e) {
            LOG.warn("simulated WeChat Pay API failed on {}", ex.getRequestURI().getPath(), e);
        }
    }

    private static byte[] readBody(InputStream in) throws IOException {
        byte[] b = in.readNBytes(MAX_BODY + 1);
        if (b.length > MAX_BODY) {
            throw new IOException("request body over " + MAX_BODY + " bytes");
        }
        return b;
    }

    private void handleV3(HttpExchange ex, String method, String path, byte[] body)
            throws IOException {
        Simulator sim = null;
        int status;
        String json;
        try {
            String pathAndQuery = ex.getRequestURI().getRawQuery() == null ? path
                    : path + "?" + ex.getRequestURI().getRawQuery();
            sim = authenticate(ex.getRequestHeaders().getFirst("Authorization"), method,
                    pathAndQuery, body);
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (!"GET".equals(method)) {
                throw new Refusal(405, "NOT_FOUND", "method not allowed");
            } else if ("/v3/certificates".equals(path)) {
                json = certificates(sim, query.getOrDefault("algorithm_type", "RSA"));
            } else if (path.startsWith("/v3/pay/transactions/out-trade-no/")) {
                json = orderQueryV3(sim, query, decode(path.substring(34)), true);
            } else if (path.startsWith("/v3/pay/transactions/id/")) {
                json = orderQueryV3(sim, query, decode(path.substring(24)), false);
            } else {
                throw new Refusal(404, "NOT_FOUND", "no such API in the simulator");
            }
            status = 200;
        } catch (Refusal r) {
            status = r.status;
            json = Json.write(ApiV3Notifications.map("code", r.code, "message", r.getMessage()));
        }
        byte[] out = json.getBytes(StandardCharsets.UTF_8);
        Optional<PlatformIdentity> signer = responseSigner(sim);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Request-ID", randomString(32));
        signer.ifPresent(p -> signResponse(ex, p, out));
        ex.sendResponseHeaders(status, out.length);
        ex.getResponseBody().write(out);
    }

    // ---- APIv3 authentication ----

    /** Checks the request signature; returns the merchant's simulator. */
    private Simulator authenticate(String authorization, String method, String pathAndQuery,
            byte[] body) {
        if (authorization == null || !authorization.startsWith(AUTH_SCHEME + " ")) {
            throw new Refusal(401, "SIGN_ERROR", "Authorization missing or not "
                    + AUTH_SCHEME);
        }
        Map<String, String> p = authParams(authorization.substring(AUTH_SCHEME.length() + 1));
        for (String name : List.of("mchid", "nonce_str", "timestamp", "serial_no", "signature")) {
            if (p.getOrDefault(name, "").isEmpty()) {
                throw new Refusal(401, "SIGN_ERROR", "Authorization lacks " + name);
            }
        }
        Simulator sim = simulators.get(p.get("mchid"));
        ApiKey key = apiKeys.get(p.get("mchid"));
        if (sim == null || key == null) {
            throw new Refusal(401, "SIGN_ERROR", "unknown mchid");
        }
        if (!key.serialNo().equalsIgnoreCase(p.get("serial_no"))) {
            throw new Refusal(401, "SIGN_ERROR", "serial_no is not the merchant's API certificate");
        }
        long ts;
        try {
            ts = Long.parseLong(p.get("timestamp"));
        } catch (NumberFormatException e) {
            throw new Refusal(401, "SIGN_ERROR", "timestamp is not a number");
        }
        if (Math.abs(clock.instant().getEpochSecond() - ts) >= WINDOW_SECONDS) {
            throw new Refusal(401, "SIGN_ERROR", "timestamp outside the 5 minute window");
        }
        byte[] message = concat((method + "\n" + pathAndQuery + "\n" + ts + "\n"
                + p.get("nonce_str") + "\n").getBytes(StandardCharsets.UTF_8), body,
                new byte[] {'\n'});
        byte[] signature;
        try {
            signature = Base64.getDecoder().decode(p.get("signature"));
        } catch (IllegalArgumentException e) {
            throw new Refusal(401, "SIGN_ERROR", "signature is not base64");
        }
        if (!V3Crypto.verify(V3Crypto.RSA_SIGNATURE_TYPE, key.publicKey(), message, signature)) {
            throw new Refusal(401, "SIGN_ERROR", "signature does not verify");
        }
        return sim;
    }

    /** {@code a="1",b="2"} (quotes optional) into a map. */
    private static Map<String, String> authParams(String s) {
        Map<String, String> out = new HashMap<>();
        for (String part : s.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new Refusal(401, "SIGN_ERROR", "Authorization is malformed");
            }
            String value = part.substring(eq + 1).trim();
            if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = value.substring(1, value.length() - 1);
            }
            out.put(part.substring(0, eq).trim(), value);
        }
        return out;
    }

    // ---- APIv3 endpoints ----

    private String certificates(Simulator sim, String algorithmType) {
        PlatformIdentity.Kind wanted = "SM2".equalsIgnoreCase(algorithmType)
                ? PlatformIdentity.Kind.SM2_CERTIFICATE : PlatformIdentity.Kind.RSA_CERTIFICATE;
        String apiV3Key = sim.merchant().apiV3Key()
                .orElseThrow(() -> new Refusal(403, "NO_AUTH", "merchant has no APIv3 key"));
        List<Object> data = new ArrayList<>();
        for (PlatformIdentity p : sim.platformIdentities()) {
            if (p.kind() != wanted) {
                continue;
            }
            String nonce = randomString(12);
            byte[] ct = V3Crypto.encrypt(V3Crypto.AEAD_AES_256_GCM, apiV3Key, nonce, "certificate",
                    p.certificatePem().getBytes(StandardCharsets.UTF_8));
            Map<String, Object> enc = ApiV3Notifications.map("algorithm",
                    V3Crypto.AEAD_AES_256_GCM, "nonce", nonce, "associated_data", "certificate",
                    "ciphertext", Base64.getEncoder().encodeToString(ct));
            data.add(ApiV3Notifications.map("serial_no", p.serial(),
                    "effective_time", rfc3339(p.effectiveTime()),
                    "expire_time", rfc3339(p.expireTime()),
                    "encrypt_certificate", enc));
        }
        return Json.write(ApiV3Notifications.map("data", data));
    }

    private String orderQueryV3(Simulator sim, Map<String, String> query, String id,
            boolean byOutTradeNo) {
        String mchid = query.get("mchid");
        if (mchid == null || mchid.isEmpty()) {
            throw new Refusal(400, "PARAM_ERROR", "mchid is required");
        }
        if (!mchid.equals(sim.merchant().mchId())) {
            throw new Refusal(400, "PARAM_ERROR", "mchid does not match the signing merchant");
        }
        Optional<PaymentLedger.Payment> p = byOutTradeNo ? sim.payment(mchid, id)
                : sim.paymentByTransactionId(mchid, id);
        return p.map(PaymentLedger.Payment::v3Model)
                .orElseThrow(() -> new Refusal(404, "ORDER_NOT_EXIST", "订单不存在"));
    }

    private Optional<PlatformIdentity> responseSigner(Simulator sim) {
        if (sim == null) {
            return Optional.empty();
        }
        try {
            PlatformIdentity current = sim.platformIdentity();
            if (current.isRsa()) {
                return Optional.of(current);
            }
        } catch (IllegalStateException none) {
            return Optional.empty();
        }
        return sim.platformIdentities().stream().filter(PlatformIdentity::isRsa).findFirst();
    }

    private void signResponse(HttpExchange ex, PlatformIdentity p, byte[] body) {
        String ts = Long.toString(clock.instant().getEpochSecond());
        String nonce = randomString(32);
        byte[] sig = p.sign(V3Crypto.notifyMessage(ts, nonce, body));
        ex.getResponseHeaders().set("Wechatpay-Timestamp", ts);
        ex.getResponseHeaders().set("Wechatpay-Nonce", nonce);
        ex.getResponseHeaders().set("Wechatpay-Signature", Base64.getEncoder().encodeToString(sig));
        ex.getResponseHeaders().set("Wechatpay-Serial", p.serial());
        ex.getResponseHeaders().set("Wechatpay-Signature-Type", p.signatureType());
    }

    // ---- APIv2 order query ----

    private byte[] orderQueryV2(byte[] body) {
        Map<String, String> req;
        try {
            req = FlatXml.parse(body);
        } catch (IllegalArgumentException e) {
            return failV2("XML格式错误");
        }
        Simulator sim = simulators.get(req.getOrDefault("mch_id", ""));
        if (sim == null) {
            return failV2("mch_id参数格式错误");
        }
        Merchant m = sim.merchant();
        String signType = req.getOrDefault("sign_type", Merchant.MD5);
        if (!Merchant.MD5.equals(signType) && !Merchant.HMAC_SHA256.equals(signType)) {
            return failV2("sign_type参数格式错误");
        }
        String expected = ApiV2Signer.sign(req, m.apiV2Key(), signType);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                req.getOrDefault("sign", "").getBytes(StandardCharsets.UTF_8))) {
            return failV2("签名错误");
        }
        if (!m.appId().equals(req.get("appid"))) {
            return failV2("appid和mch_id不匹配");
        }
        String outTradeNo = req.getOrDefault("out_trade_no", "");
        String transactionId = req.getOrDefault("transaction_id", "");
        Optional<PaymentLedger.Payment> paid = !transactionId.isEmpty()
                ? sim.paymentByTransactionId(m.mchId(), transactionId)
                : sim.payment(m.mchId(), outTradeNo);
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", m.appId());
        f.put("mch_id", m.mchId());
        f.put("nonce_str", randomString(32));
        f.put("result_code", "SUCCESS");
        if (paid.isPresent()) {
            PaymentLedger.Payment p = paid.get();
            if (p.openid() != null) {
                f.put("openid", p.openid());
            }
            f.put("is_subscribe", "N");
            f.put("trade_type", "JSAPI");
            f.put("bank_type", "OTHERS");
            f.put("total_fee", Long.toString(p.totalFen()));
            f.put("fee_type", "CNY");
            f.put("cash_fee", Long.toString(p.totalFen()));
            f.put("transaction_id", p.transactionId());
            f.put("out_trade_no", p.outTradeNo());
            f.put("attach", "");
            f.put("time_end", TIME_END.format(p.successTime().atZone(ApiV2Notifications.BEIJING)));
            f.put("trade_state", "SUCCESS");
            f.put("trade_state_desc", "支付成功");
        } else {
            f.put("out_trade_no", outTradeNo);
            f.put("trade_state", "NOTPAY");
            f.put("trade_state_desc", "订单未支付");
        }
        f.put("sign", ApiV2Signer.sign(f, m.apiV2Key(), signType));
        return ApiV2Notifications.toXml(f);
    }

    private static byte[] failV2(String message) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "FAIL");
        f.put("return_msg", message);
        return ApiV2Notifications.toXml(f);
    }

    private static void sendXml(HttpExchange ex, byte[] xml) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "text/xml; charset=utf-8");
        ex.sendResponseHeaders(200, xml.length);
        ex.getResponseBody().write(xml);
    }

    // ---- helpers ----

    private static Map<String, String> query(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return out;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            out.putIfAbsent(name, eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refusal(400, "PARAM_ERROR", "bad percent-encoding");
        }
    }

    private static String rfc3339(java.time.Instant t) {
        return ApiV3Notifications.RFC3339.format(t.atZone(ApiV2Notifications.BEIJING));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    private String randomString(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        return sb.toString();
    }
}
