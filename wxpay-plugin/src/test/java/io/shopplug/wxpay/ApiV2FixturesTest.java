package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.wxpay.ApiV2Signer.SignType;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Runs each file of {@code notify/v2/} (see its README) through the APIv2 payment path as the
 * pipeline does: {@link XmlFields#parse} → {@link ApiV2Signer#verify} → {@link
 * ApiV2PaymentNotify#toNotification}. The signs in the files were computed with Python's hashlib,
 * not with {@link ApiV2Signer}.
 */
class ApiV2FixturesTest {

    private static final String KEY = "8934e7d15453e97507ef794cf7b0519d";
    private static final String MCH_ID = "1900000109";
    private static final String APP_ID = "wx2421b1c4370ec43b";
    private static final String TRANSACTION_ID = "4200000001202611240000000001";
    private static final Instant TIME_END = Instant.parse("2026-11-24T02:30:00Z");

    private final ApiV2Signer signer = new ApiV2Signer(KEY, SignType.MD5);

    private static byte[] fixture(String name) {
        try (InputStream in = ApiV2FixturesTest.class.getResourceAsStream("notify/v2/" + name)) {
            assertNotNull(in, name);
            return in.readAllBytes();
        } catch (IOException e) {
            throw new AssertionError(name, e);
        }
    }

    /** The whole path; returns the notification or throws the rejection. */
    private Notification run(String name) {
        Map<String, String> fields = XmlFields.parse(fixture(name));
        signer.verify(fields);
        return ApiV2PaymentNotify.toNotification(fields);
    }

    private Reason rejection(String name) {
        return assertThrows(NotifyRejected.class, () -> run(name)).reason();
    }

    private static void assertOrder1001(Notification n, long amountFen, String mchId) {
        assertEquals(EventKind.PAYMENT, n.kind());
        assertEquals(TRANSACTION_ID, n.businessKey());
        assertEquals(TRANSACTION_ID, n.transactionId());
        assertEquals("ORDER-1001", n.outTradeNo());
        assertEquals(amountFen, n.amountFen());
        assertEquals("CNY", n.currency());
        assertEquals(mchId, n.merchantId());
        assertEquals(APP_ID, n.appId());
        assertEquals(TIME_END, n.eventTime());
        assertEquals("v2", n.api());
        assertFalse(n.payload().contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), "openid is masked");
        assertTrue(n.payload().contains("\"openid\":\"oUpF****eS6o\""), n.payload());
        assertFalse(n.payload().contains("\"sign\""), "sign is dropped");
    }

    @Test
    void paid() {
        assertOrder1001(run("paid.xml"), 1999, MCH_ID);
    }

    @Test
    void badSign() {
        assertEquals(Reason.BAD_SIGN, rejection("bad-sign.xml"));
    }

    @Test
    void missingSign() {
        assertEquals(Reason.MISSING_SIGN, rejection("missing-sign.xml"));
    }

    @Test
    void wrongMchIdVerifiesAndMapsWithItsOwnMerchant() {
        // Refusing it (MERCHANT_MISMATCH) is the pipeline's check against the configuration.
        assertOrder1001(run("wrong-mch-id.xml"), 1999, "1900000999");
    }

    @Test
    void amountMismatchVerifiesAndMapsWithItsOwnAmount() {
        // Refusing it (AMOUNT_MISMATCH) is the pipeline's check against the order.
        assertOrder1001(run("amount-mismatch.xml"), 1, MCH_ID);
    }

    @Test
    void unknownFieldIsKeptAndSigned() {
        Notification n = run("unknown-field.xml");
        assertOrder1001(n, 1999, MCH_ID);
        assertTrue(n.payload().contains("\"future_field\":\"added-by-wechat-later\""), n.payload());

        Map<String, String> fields = XmlFields.parse(fixture("unknown-field.xml"));
        fields.remove("future_field");
        NotifyRejected e = assertThrows(NotifyRejected.class, () -> signer.verify(fields));
        assertEquals(Reason.BAD_SIGN, e.reason());
    }

    @Test
    void cdataAndBareNumbers() {
        Notification n = run("cdata-and-bare-numbers.xml");
        assertOrder1001(n, 1999, MCH_ID);
        Map<String, String> fields = XmlFields.parse(fixture("cdata-and-bare-numbers.xml"));
        assertEquals("门店=上海 & 会员", fields.get("attach"));
        assertEquals("", fields.get("device_info"));
        assertEquals("1999", fields.get("cash_fee"));
    }

    @Test
    void hmacSha256WithoutSignType() {
        Map<String, String> fields = XmlFields.parse(fixture("hmac-sha256.xml"));
        assertFalse(fields.containsKey("sign_type"));
        assertEquals(64, fields.get("sign").length());
        // The configured type is MD5; the sign's length alone selects HMAC-SHA256.
        assertOrder1001(run("hmac-sha256.xml"), 1999, MCH_ID);
    }

    @Test
    void resultFailVerifiesButIsNotAPayment() {
        signer.verify(XmlFields.parse(fixture("result-fail.xml")));
        assertEquals(Reason.PAYMENT_NOT_SUCCESS, rejection("result-fail.xml"));
    }

    @Test
    void xxe() {
        assertEquals(Reason.DTD_NOT_ALLOWED, rejection("xxe.xml"));
    }

    @Test
    void billionLaughs() {
        Reason reason = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> rejection("billion-laughs.xml"));
        assertEquals(Reason.DTD_NOT_ALLOWED, reason);
    }

    @Test
    void nested() {
        assertEquals(Reason.MALFORMED, rejection("nested.xml"));
    }

    @Test
    void everyValidFixtureIsSignedWithTheTestKeyOnly() {
        ApiV2Signer otherKey = new ApiV2Signer("192006250b4c09247ec02edce69f6a2d", SignType.MD5);
        for (String name : new String[] {"paid.xml", "wrong-mch-id.xml", "amount-mismatch.xml",
            "unknown-field.xml", "cdata-and-bare-numbers.xml", "hmac-sha256.xml", "result-fail.xml"}) {
            Map<String, String> fields = XmlFields.parse(fixture(name));
            signer.verify(fields);
            NotifyRejected e = assertThrows(NotifyRejected.class, () -> otherKey.verify(fields), name);
            assertEquals(Reason.BAD_SIGN, e.reason(), name);
        }
    }
}
