package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shopplug.simulator.DeliveryResult.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class SimulatorServerTest {

    private static final Merchant MERCHANT = ApiV3NotificationsTest.MERCHANT;
    private static final String API_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    private static final Instant NOW = Instant.parse("2024-05-20T05:14:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static KeyPair merchantKey;
    private static KeyPair otherKey;

    private final HttpClient http = HttpClient.newHttpClient();
    private NotifyDelivery delivery;
    private Simulator wechat;
    private SimulatorServer server;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        merchantKey = g.generateKeyPair();
        otherKey = g.generateKeyPair();
    }

    @BeforeEach
    void start() {
        delivery = NotifyDelivery.builder().compress(1000).build();
        wechat = new Simulator(MERCHANT, ApiV3NotificationsTest.RSA, CLOCK, delivery);
        server = SimulatorServer.start(CLOCK, wechat);
        server.registerMerchantApiKey(MERCHANT.mchId(), API_SERIAL, merchantKey.getPublic());
    }

    @AfterEach
    void stop() {
        server.close();
        delivery.close();
    }

    /** The merchant's side of section 7: sign METHOD\nPATH?QUERY\nts\nnonce\nbody\n. */
    static String authorization(String mchid, String serial, PrivateKey key, String method,
            String pathAndQuery, long timestamp, String body) throws Exception {
        String nonce = "593BEC0C930BF1AFEB40B4A08C8FB242";
        Signature s = Signature.getInstance("SHA256withRSA");
        s.initSign(key);
        s.update((method + "\n" + pathAndQuery + "\n" + timestamp + "\n" + nonce + "\n" + body
                + "\n").getBytes(StandardCharsets.UTF_8));
        return "WECHATPAY2-SHA256-RSA2048 mchid=\"" + mchid + "\",nonce_str=\"" + nonce
                + "\",timestamp=\"" + timestamp + "\",serial_no=\"" + serial + "\",signature=\""
                + Base64.getEncoder().encodeToString(s.sign()) + "\"";
    }

    private HttpResponse<String> get(String pathAndQuery, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + pathAndQuery))
                .header("Accept", "application/json");
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private HttpResponse<String> signedGet(String pathAndQuery) throws Exception {
        return get(pathAndQuery, authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "GET", pathAndQuery, NOW.getEpochSecond(), ""));
    }

    /** The answer's Wechatpay-* signature verifies with {@code platform}. */
    private static void assertSignedBy(PlatformIdentity platform, HttpResponse<String> r) {
        String ts = r.headers().firstValue("Wechatpay-Timestamp").orElseThrow();
        assertEquals(Long.toString(NOW.getEpochSecond()), ts);
        assertEquals(platform.serial(), r.headers().firstValue("Wechatpay-Serial").orElseThrow());
        assertTrue(V3Crypto.verify(V3Crypto.RSA_SIGNATURE_TYPE, platform.publicKey(),
                V3Crypto.notifyMessage(ts, r.headers().firstValue("Wechatpay-Nonce").orElseThrow(),
                        r.body().getBytes(StandardCharsets.UTF_8)),
                Base64.getDecoder().decode(r.headers().firstValue("Wechatpay-Signature").orElseThrow())));
    }

    @Test
    void certificatesAreListedEncryptedUnderTheApiV3KeyAndTheAnswerIsSigned() throws Exception {
        HttpResponse<String> r = signedGet("/v3/certificates");

        assertEquals(200, r.statusCode(), r.body());
        assertSignedBy(ApiV3NotificationsTest.RSA, r);
        JsonArray data = JsonParser.parseString(r.body()).getAsJsonObject().getAsJsonArray("data");
        assertEquals(1, data.size());
        JsonObject d = data.get(0).getAsJsonObject();
        assertEquals(ApiV3NotificationsTest.RSA.serial(), d.get("serial_no").getAsString());
        assertTrue(d.has("effective_time") && d.has("expire_time"));
        JsonObject enc = d.getAsJsonObject("encrypt_certificate");
        assertEquals("AEAD_AES_256_GCM", enc.get("algorithm").getAsString());
        assertEquals("certificate", enc.get("associated_data").getAsString());
        String pem = new String(V3Crypto.decrypt(V3Crypto.AEAD_AES_256_GCM,
                ApiV3NotificationsTest.V3_KEY, enc.get("nonce").getAsString(), "certificate",
                Base64.getDecoder().decode(enc.get("ciphertext").getAsString())),
                StandardCharsets.UTF_8);
        assertEquals(ApiV3NotificationsTest.RSA.certificatePem(), pem);
    }

    @Test
    void badAuthorizationIsRefusedWith401() throws Exception {
        String path = "/v3/certificates";
        long ts = NOW.getEpochSecond();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("no header", null);
        cases.put("other scheme", "Bearer abc");
        cases.put("other key", authorization(MERCHANT.mchId(), API_SERIAL,
                otherKey.getPrivate(), "GET", path, ts, ""));
        cases.put("other serial", authorization(MERCHANT.mchId(), "0000AAAA",
                merchantKey.getPrivate(), "GET", path, ts, ""));
        cases.put("unknown merchant", authorization("1999999999", API_SERIAL,
                merchantKey.getPrivate(), "GET", path, ts, ""));
        cases.put("stale", authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "GET", path, ts - 300, ""));
        cases.put("future", authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "GET", path, ts + 300, ""));
        cases.put("other path signed", authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "GET", path + "?algorithm_type=SM2", ts, ""));
        cases.put("other method signed", authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "POST", path, ts, ""));
        cases.put("signature not base64", "WECHATPAY2-SHA256-RSA2048 mchid=\"" + MERCHANT.mchId()
                + "\",nonce_str=\"n\",timestamp=\"" + ts + "\",serial_no=\"" + API_SERIAL
                + "\",signature=\"WECHATPAY/SIGNTEST/%%\"");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            HttpResponse<String> r = get(path, c.getValue());
            assertEquals(401, r.statusCode(), c.getKey());
            assertEquals("SIGN_ERROR", JsonParser.parseString(r.body()).getAsJsonObject()
                    .get("code").getAsString(), c.getKey());
        }
        // The window is |now - ts| < 300 s: one second inside is fine, unquoted values too.
        assertEquals(200, get(path, authorization(MERCHANT.mchId(), API_SERIAL,
                merchantKey.getPrivate(), "GET", path, ts - 299, "").replace("\"", ""))
                .statusCode());
    }

    @Test
    void orderQueryAnswersFromWhatTheSimulatorPaidEvenWhenTheNoticeWasDropped() throws Exception {
        wechat.dropNotifications(true);
        SimulatedV3Notice paid = wechat.payV3("http://127.0.0.1:9/never", "SO-LOST", 4321);
        DeliveryResult d = paid.delivery().get(5, TimeUnit.SECONDS);
        assertEquals(Status.DROPPED, d.status());
        assertEquals(0, d.attemptCount());

        String q = "/v3/pay/transactions/out-trade-no/SO-LOST?mchid=" + MERCHANT.mchId();
        HttpResponse<String> r = signedGet(q);
        assertEquals(200, r.statusCode(), r.body());
        assertSignedBy(ApiV3NotificationsTest.RSA, r);
        assertEquals(paid.message().plaintext(), r.body());
        JsonObject t = JsonParser.parseString(r.body()).getAsJsonObject();
        assertEquals("SUCCESS", t.get("trade_state").getAsString());
        assertEquals(4321, t.getAsJsonObject("amount").get("total").getAsLong());

        HttpResponse<String> byId = signedGet("/v3/pay/transactions/id/"
                + paid.message().transactionId() + "?mchid=" + MERCHANT.mchId());
        assertEquals(paid.message().plaintext(), byId.body());

        HttpResponse<String> none = signedGet("/v3/pay/transactions/out-trade-no/SO-NONE?mchid="
                + MERCHANT.mchId());
        assertEquals(404, none.statusCode());
        assertEquals("ORDER_NOT_EXIST",
                JsonParser.parseString(none.body()).getAsJsonObject().get("code").getAsString());
        assertSignedBy(ApiV3NotificationsTest.RSA, none);

        assertEquals(400, signedGet("/v3/pay/transactions/out-trade-no/SO-LOST").statusCode());
        assertEquals(401, get(q, null).statusCode());
    }

    @Test
    void aBrokenNoticeIsNoPayment() throws Exception {
        wechat.dropNotifications(true);
        wechat.payV3("http://127.0.0.1:9/never", ApiV3Notice.payment("SO-FORGED", 1)
                .broken(ApiV3Notice.Breakage.WRONG_SIGNING_KEY));
        assertEquals(404, signedGet("/v3/pay/transactions/out-trade-no/SO-FORGED?mchid="
                + MERCHANT.mchId()).statusCode());
    }

    private HttpResponse<String> postXml(String path, Map<String, String> fields) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofByteArray(ApiV2Notifications.toXml(fields)))
                .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static Map<String, String> orderQuery(String outTradeNo, String key, String signType) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", MERCHANT.appId());
        f.put("mch_id", MERCHANT.mchId());
        f.put("out_trade_no", outTradeNo);
        f.put("nonce_str", "5K8264ILTKCH16CQ2502SI8ZNMTM67VS");
        if (signType != null) {
            f.put("sign_type", signType);
        }
        f.put("sign", ApiV2Notifications.sign(f, key,
                signType == null ? Merchant.MD5 : signType));
        return f;
    }

    @Test
    void apiV2OrderQuery() throws Exception {
        wechat.dropNotifications(true);
        SimulatedPayment p = wechat.pay("http://127.0.0.1:9/never", "SO-V2", 999);
        assertEquals(Status.DROPPED, p.delivery().get(5, TimeUnit.SECONDS).status());

        for (String signType : new String[] {null, Merchant.HMAC_SHA256}) {
            HttpResponse<String> r = postXml("/pay/orderquery",
                    orderQuery("SO-V2", MERCHANT.apiV2Key(), signType));
            Map<String, String> a = TestXml.fields(r.body().getBytes(StandardCharsets.UTF_8));
            assertEquals("SUCCESS", a.get("return_code"), r.body());
            assertEquals("SUCCESS", a.get("result_code"));
            assertEquals("SUCCESS", a.get("trade_state"));
            assertEquals("999", a.get("total_fee"));
            assertEquals(p.transactionId(), a.get("transaction_id"));
            assertEquals(p.notice().field("time_end"), a.get("time_end"));
            assertEquals(ApiV2Notifications.sign(a, MERCHANT.apiV2Key(),
                    signType == null ? Merchant.MD5 : signType), a.get("sign"));
        }

        Map<String, String> notPaid = TestXml.fields(postXml("/pay/orderquery",
                orderQuery("SO-NEVER", MERCHANT.apiV2Key(), null)).body()
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("NOTPAY", notPaid.get("trade_state"));
        assertEquals(ApiV2Notifications.sign(notPaid, MERCHANT.apiV2Key(), Merchant.MD5),
                notPaid.get("sign"));

        Map<String, String> badSign = TestXml.fields(postXml("/pay/orderquery",
                orderQuery("SO-V2", "ffffffffffffffffffffffffffffffff", null)).body()
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("FAIL", badSign.get("return_code"));
        assertEquals("签名错误", badSign.get("return_msg"));
        assertFalse(badSign.containsKey("trade_state"));
    }

    @Test
    void rotationPublishesTheNewCertificateFirstAndSignsWithItAfterTheSwitch() throws Exception {
        PlatformIdentity next = PlatformIdentity.rsaCertificate();
        wechat.addPlatformIdentity(next);

        JsonArray listed = JsonParser.parseString(signedGet("/v3/certificates").body())
                .getAsJsonObject().getAsJsonArray("data");
        assertEquals(2, listed.size());
        assertEquals(next.serial(), listed.get(1).getAsJsonObject().get("serial_no").getAsString());
        assertEquals(ApiV3NotificationsTest.RSA.serial(),
                wechat.notificationsV3().paid("SO-R1", 1).header("Wechatpay-Serial"));

        wechat.switchPlatformIdentity(next);
        ApiV3Message after = wechat.notificationsV3().paid("SO-R2", 1);
        assertEquals(next.serial(), after.header("Wechatpay-Serial"));
        assertTrue(ApiV3NotificationsTest.signatureValid(after, next));
        assertSignedBy(next, signedGet("/v3/certificates"));
    }
}
