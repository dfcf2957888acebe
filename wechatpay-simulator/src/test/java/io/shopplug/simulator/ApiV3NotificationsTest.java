package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.shopplug.simulator.ApiV3Notice.Breakage;
import io.shopplug.simulator.ApiV3Notice.SubOrder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ApiV3NotificationsTest {

    static final String V3_KEY = "0123456789ABCDEFabcdef0123456789";
    static final Merchant MERCHANT = Merchant.of("wxd678efh567hg6787", "1230000109",
            "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5).withApiV3Key(V3_KEY);
    static final Instant NOW = Instant.parse("2024-05-20T05:14:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static final PlatformIdentity RSA = PlatformIdentity.rsaCertificate();
    static final PlatformIdentity SM2 = PlatformIdentity.sm2Certificate();

    /** A test-side receiver: checks the signature and decrypts, with the simulator's primitives. */
    static boolean signatureValid(ApiV3Message m, PlatformIdentity platform) {
        String sig = m.header("Wechatpay-Signature");
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(sig);
        } catch (IllegalArgumentException notBase64) {
            return false;
        }
        return V3Crypto.verify(m.header("Wechatpay-Signature-Type"), platform.publicKey(),
                V3Crypto.notifyMessage(m.header("Wechatpay-Timestamp"),
                        m.header("Wechatpay-Nonce"), m.body()), decoded);
    }

    static String decrypt(ApiV3Message m, String key) throws GeneralSecurityException {
        JsonObject r = envelope(m).getAsJsonObject("resource");
        return new String(V3Crypto.decrypt(r.get("algorithm").getAsString(), key,
                r.get("nonce").getAsString(), r.get("associated_data").getAsString(),
                Base64.getDecoder().decode(r.get("ciphertext").getAsString())),
                StandardCharsets.UTF_8);
    }

    static JsonObject envelope(ApiV3Message m) {
        return JsonParser.parseString(m.json()).getAsJsonObject();
    }

    private static ApiV3Notifications v3(PlatformIdentity p) {
        return new ApiV3Notifications(MERCHANT, p, CLOCK);
    }

    @Test
    void aPaymentHasTheHeadersTheRawChineseSummaryAndADecryptableResource() throws Exception {
        ApiV3Message m = v3(RSA).paid("SO-1", 8888);

        assertEquals(List.of("Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature",
                "Wechatpay-Serial", "Wechatpay-Signature-Type"), List.copyOf(m.headers().keySet()));
        assertEquals(Long.toString(NOW.getEpochSecond()), m.header("wechatpay-timestamp"));
        assertEquals(32, m.header("Wechatpay-Nonce").length());
        assertEquals(RSA.serial(), m.header("Wechatpay-Serial"));
        assertTrue(RSA.serial().matches("[0-9A-F]{40}"), RSA.serial());
        assertEquals("WECHATPAY2-SHA256-RSA2048", m.header("Wechatpay-Signature-Type"));
        assertTrue(m.json().contains("\"summary\":\"支付成功\""), m.json());
        assertTrue(signatureValid(m, RSA));

        JsonObject e = envelope(m);
        assertEquals("TRANSACTION.SUCCESS", e.get("event_type").getAsString());
        assertEquals("encrypt-resource", e.get("resource_type").getAsString());
        assertEquals("2024-05-20T13:14:00+08:00", e.get("create_time").getAsString());
        JsonObject r = e.getAsJsonObject("resource");
        assertEquals("AEAD_AES_256_GCM", r.get("algorithm").getAsString());
        assertEquals("transaction", r.get("original_type").getAsString());
        assertEquals("transaction", r.get("associated_data").getAsString());
        assertEquals(12, r.get("nonce").getAsString().length());

        String plain = decrypt(m, V3_KEY);
        assertEquals(m.plaintext(), plain);
        JsonObject t = JsonParser.parseString(plain).getAsJsonObject();
        assertEquals("1230000109", t.get("mchid").getAsString());
        assertEquals("wxd678efh567hg6787", t.get("appid").getAsString());
        assertEquals("SO-1", t.get("out_trade_no").getAsString());
        assertEquals(m.transactionId(), t.get("transaction_id").getAsString());
        assertTrue(m.transactionId().matches("4200\\d{6}20240520\\d{10}"), m.transactionId());
        assertEquals("SUCCESS", t.get("trade_state").getAsString());
        assertEquals("2024-05-20T13:14:00+08:00", t.get("success_time").getAsString());
        assertEquals(8888, t.getAsJsonObject("amount").get("total").getAsLong());
        assertEquals("CNY", t.getAsJsonObject("amount").get("currency").getAsString());
        assertTrue(t.getAsJsonObject("payer").has("openid"));
    }

    @Test
    void smVariantSignsWithSm2AndEncryptsWithSm4() throws Exception {
        ApiV3Message m = v3(SM2).paid("SO-SM", 1);
        assertEquals("WECHATPAY2-SM2-WITH-SM3", m.header("Wechatpay-Signature-Type"));
        assertEquals(SM2.serial(), m.header("Wechatpay-Serial"));
        assertTrue(signatureValid(m, SM2));
        assertFalse(signatureValid(m, RSA));
        assertEquals("AEAD_SM4_GCM",
                envelope(m).getAsJsonObject("resource").get("algorithm").getAsString());
        assertEquals(m.plaintext(), decrypt(m, V3_KEY));
    }

    @Test
    void publicKeyModeNamesThePublicKeyId() {
        PlatformIdentity pk = PlatformIdentity.rsaPublicKey();
        ApiV3Message m = v3(pk).paid("SO-PK", 1);
        assertTrue(m.header("Wechatpay-Serial").matches("PUB_KEY_ID_\\d+"));
        assertTrue(signatureValid(m, pk));
    }

    @Test
    void partnerPaymentCarriesBothMerchantsAndBothApps() throws Exception {
        ApiV3Message m = v3(RSA).build(
                ApiV3Notice.partnerPayment("1900000109", "wxsub0000000001", "SO-P", 500));
        JsonObject t = JsonParser.parseString(decrypt(m, V3_KEY)).getAsJsonObject();
        assertEquals("1230000109", t.get("sp_mchid").getAsString());
        assertEquals("wxd678efh567hg6787", t.get("sp_appid").getAsString());
        assertEquals("1900000109", t.get("sub_mchid").getAsString());
        assertEquals("wxsub0000000001", t.get("sub_appid").getAsString());
        assertFalse(t.has("mchid"));
        assertTrue(t.getAsJsonObject("payer").has("sp_openid"));
        assertEquals(500, t.getAsJsonObject("amount").get("total").getAsLong());
    }

    @Test
    void combinePaymentHasOneSubOrderPerPayment() throws Exception {
        ApiV3Message m = v3(RSA).build(ApiV3Notice.combinePayment("C-1",
                SubOrder.of("1900000109", "SO-A", 100),
                new SubOrder("1900000110", "SO-B", 250, "4200000000202405200000000001")));
        JsonObject t = JsonParser.parseString(decrypt(m, V3_KEY)).getAsJsonObject();
        assertEquals("C-1", t.get("combine_out_trade_no").getAsString());
        assertEquals("1230000109", t.get("combine_mchid").getAsString());
        JsonArray subs = t.getAsJsonArray("sub_orders");
        assertEquals(2, subs.size());
        JsonObject b = subs.get(1).getAsJsonObject();
        assertEquals("1900000110", b.get("mchid").getAsString());
        assertEquals("SO-B", b.get("out_trade_no").getAsString());
        assertEquals("4200000000202405200000000001", b.get("transaction_id").getAsString());
        assertEquals(250, b.getAsJsonObject("amount").get("total_amount").getAsLong());
        assertEquals("CNY", b.getAsJsonObject("amount").get("currency").getAsString());
        assertEquals(m.transactionIds().get(0),
                subs.get(0).getAsJsonObject().get("transaction_id").getAsString());
        assertEquals("4200000000202405200000000001", m.transactionIds().get(1));
    }

    @ParameterizedTest
    @EnumSource(RefundStatus.class)
    void refundsCarryTheirStatusAndAmounts(RefundStatus status) throws Exception {
        ApiV3Message m = v3(RSA).build(ApiV3Notice.refund(status, "SO-1",
                "4200000000202405201234567890", "RF-1", 300, 8888).withRefundId("50000000001"));
        JsonObject e = envelope(m);
        assertEquals("REFUND." + status.apiV3Name(), e.get("event_type").getAsString());
        assertEquals("refund", e.getAsJsonObject("resource").get("original_type").getAsString());
        assertEquals("refund", e.getAsJsonObject("resource").get("associated_data").getAsString());
        JsonObject r = JsonParser.parseString(decrypt(m, V3_KEY)).getAsJsonObject();
        assertEquals("1230000109", r.get("mchid").getAsString());
        assertEquals("4200000000202405201234567890", r.get("transaction_id").getAsString());
        assertEquals("SO-1", r.get("out_trade_no").getAsString());
        assertEquals("50000000001", r.get("refund_id").getAsString());
        assertEquals("RF-1", r.get("out_refund_no").getAsString());
        assertEquals(status.apiV3Name(), r.get("refund_status").getAsString());
        assertEquals(status == RefundStatus.SUCCESS, r.has("success_time"));
        JsonObject a = r.getAsJsonObject("amount");
        assertEquals(8888, a.get("total").getAsLong());
        assertEquals(300, a.get("refund").getAsLong());
        assertEquals(8888, a.get("payer_total").getAsLong());
        assertEquals(300, a.get("payer_refund").getAsLong());
        assertEquals("50000000001", m.refundId().orElseThrow());
    }

    @Test
    void anUnknownEventIsSignedAndEncryptedWithEmptyAssociatedData() throws Exception {
        ApiV3Message m = v3(RSA).build(ApiV3Notice.unknownEvent("SECURITY_ECHO.SUCCESS"));
        assertEquals("SECURITY_ECHO.SUCCESS", envelope(m).get("event_type").getAsString());
        assertEquals("", envelope(m).getAsJsonObject("resource").get("associated_data")
                .getAsString());
        assertTrue(signatureValid(m, RSA));
        assertEquals(m.plaintext(), decrypt(m, V3_KEY));
    }

    @Test
    void breakages() throws Exception {
        ApiV3Notifications n = v3(RSA);
        ApiV3Notice order = ApiV3Notice.payment("SO-X", 100);

        ApiV3Message probe = n.build(order.broken(Breakage.SIGNATURE_PROBE));
        assertTrue(probe.header("Wechatpay-Signature").startsWith("WECHATPAY/SIGNTEST/"));
        assertThrows(IllegalArgumentException.class,
                () -> Base64.getDecoder().decode(probe.header("Wechatpay-Signature")));
        assertFalse(signatureValid(probe, RSA));

        ApiV3Message wrongKey = n.build(order.broken(Breakage.WRONG_SIGNING_KEY));
        assertEquals(RSA.serial(), wrongKey.header("Wechatpay-Serial"));
        assertFalse(signatureValid(wrongKey, RSA));

        ApiV3Message tampered = n.build(order.broken(Breakage.TAMPERED_CIPHERTEXT));
        assertTrue(signatureValid(tampered, RSA));
        assertThrows(GeneralSecurityException.class, () -> decrypt(tampered, V3_KEY));

        ApiV3Message after = n.build(order.broken(Breakage.TAMPERED_AFTER_SIGNING));
        assertFalse(signatureValid(after, RSA));

        ApiV3Message wrongV3 = n.build(order.broken(Breakage.WRONG_APIV3_KEY));
        assertTrue(signatureValid(wrongV3, RSA));
        assertThrows(GeneralSecurityException.class, () -> decrypt(wrongV3, V3_KEY));

        ApiV3Message stale = n.build(order.broken(Breakage.STALE_TIMESTAMP));
        assertTrue(signatureValid(stale, RSA));
        assertEquals(NOW.getEpochSecond() - 600,
                Long.parseLong(stale.header("Wechatpay-Timestamp")));
        ApiV3Message future = n.build(order.broken(Breakage.FUTURE_TIMESTAMP));
        assertTrue(signatureValid(future, RSA));
        assertEquals(NOW.getEpochSecond() + 600,
                Long.parseLong(future.header("Wechatpay-Timestamp")));

        ApiV3Message unknown = n.build(order.broken(Breakage.UNKNOWN_SERIAL));
        assertTrue(signatureValid(unknown, RSA));
        assertNotEquals(RSA.serial(), unknown.header("Wechatpay-Serial"));
        assertTrue(unknown.header("Wechatpay-Serial").matches("[0-9A-F]{40}"));
    }

    @Test
    void needsAnApiV3Key() {
        Merchant v2Only = Merchant.of("wx1", "1", "k", Merchant.MD5);
        assertThrows(IllegalStateException.class, () -> new ApiV3Notifications(v2Only, RSA, CLOCK));
        assertThrows(IllegalArgumentException.class, () -> v2Only.withApiV3Key("short"));
        assertFalse(MERCHANT.toString().contains(V3_KEY));
    }
}
