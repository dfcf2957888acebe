package io.shopplug.wxpay;

import static io.shopplug.wxpay.V2Bodies.FIXTURE_ORDER;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_OUT_REFUND;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_REFUND;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_TRANSACTION;
import static io.shopplug.wxpay.V2Bodies.REFUND_AES_KEY;
import static io.shopplug.wxpay.V2Bodies.refundOuter;
import static io.shopplug.wxpay.V2Bodies.refunded;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link ApiV2RefundCipher} and {@link ApiV2RefundNotify}: the decryption of {@code req_info}
 * (against the protocol's vector and ciphertexts made with OpenSSL) and the mapping of the
 * decrypted refund. The pipeline around them is in {@link RefundPipelineTest}.
 */
class ApiV2RefundNotifyTest {
    private static final ApiV2RefundCipher MERCHANT = ApiV2RefundCipher.forApiV2Key(V2Bodies.KEY);
    /** {@code success_time=2026-11-25 09:15:30} in Beijing. */
    private static final Instant SUCCESS_TIME = Instant.parse("2026-11-25T01:15:30Z");

    // ---- the cipher

    @Test
    void decryptsTheProtocolVector() {
        ApiV2RefundCipher cipher = new ApiV2RefundCipher(
                "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        assertEquals("hello", new String(cipher.decrypt("pZwJZBLuy3mDACEQT4YTBw=="), StandardCharsets.UTF_8));
    }

    @Test
    void theKeyIsTheLowercaseHexMd5OfTheApiV2Key() {
        // REFUND_AES_KEY was computed with md5sum, outside Java.
        String ciphertext = V2Bodies.encrypt(REFUND_AES_KEY, "refund".getBytes(StandardCharsets.UTF_8));
        assertEquals("refund", new String(MERCHANT.decrypt(ciphertext), StandardCharsets.UTF_8));
        // The same under the uppercase hex (a common mistake) does not decrypt.
        String upper = V2Bodies.encrypt(REFUND_AES_KEY.toUpperCase(java.util.Locale.ROOT),
                "refund".getBytes(StandardCharsets.UTF_8));
        assertDecryptFailed(() -> MERCHANT.decrypt(upper));
    }

    @Test
    void theKeyKeepsLeadingZeros() {
        // md5("refund-key-169") = 008d93044a922bd80eceffa950962660 (md5sum): a key that drops the
        // leading zeros (BigInteger.toString(16)) would be 30 characters and fail.
        ApiV2RefundCipher cipher = ApiV2RefundCipher.forApiV2Key("refund-key-169");
        String ciphertext = V2Bodies.encrypt("008d93044a922bd80eceffa950962660",
                "zeros".getBytes(StandardCharsets.UTF_8));
        assertEquals("zeros", new String(cipher.decrypt(ciphertext), StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badReqInfo")
    void aBadReqInfoIsDecryptFailed(String name, String reqInfo) {
        assertDecryptFailed(() -> MERCHANT.decrypt(reqInfo));
    }

    static Stream<Arguments> badReqInfo() {
        String good = V2Bodies.encrypt(REFUND_AES_KEY, V2Bodies.root(refunded("5001", "4201", "O-1", 1, 2)));
        byte[] tampered = Base64.getDecoder().decode(good);
        tampered[tampered.length - 1] ^= 0x5A;
        return Stream.of(
                Arguments.of("missing", null),
                Arguments.of("empty", ""),
                Arguments.of("not base64", "not*base64!"),
                Arguments.of("base64 with a line break", good.substring(0, 8) + "\n" + good.substring(8)),
                Arguments.of("not a whole block", Base64.getEncoder().encodeToString(new byte[17])),
                Arguments.of("last block tampered", Base64.getEncoder().encodeToString(tampered)),
                Arguments.of("another merchant's key", V2Bodies.encrypt("00000000000000000000000000000000",
                        V2Bodies.root(refunded("5001", "4201", "O-1", 1, 2)))),
                Arguments.of("too long", "A".repeat(64 * 1024 + 4)));
    }

    @Test
    void threadsDecryptingManyDifferentReqInfosAtOnceEachGetTheRightAnswer() throws Exception {
        Map<String, String> cases = new LinkedHashMap<>(); // req_info -> plaintext, or null if it must fail
        for (int i = 0; i < 40; i++) {
            String plain = "<root><refund_id>50" + i + "</refund_id>" + "x".repeat(i * 7) + "</root>";
            cases.put(V2Bodies.encrypt(REFUND_AES_KEY, plain.getBytes(StandardCharsets.UTF_8)), plain);
            String otherKey = V2Bodies.encrypt(String.format("%032d", i), plain.getBytes(StandardCharsets.UTF_8));
            try {
                MERCHANT.decrypt(otherKey);
            } catch (NotifyRejected e) {
                cases.put(otherKey, null); // bad padding under this key (almost always), so it fails in the cipher
            }
        }
        List<String> reqInfos = new ArrayList<>(cases.keySet());
        AtomicInteger wrong = new AtomicInteger();
        CryptoPoolTest.inThreads(4, thread -> {
            List<String> mine = new ArrayList<>(reqInfos);
            Random random = new Random(thread);
            for (int round = 0; round < 40; round++) {
                Collections.shuffle(mine, random);
                for (String reqInfo : mine) {
                    String got;
                    try {
                        got = new String(MERCHANT.decrypt(reqInfo), StandardCharsets.UTF_8);
                    } catch (NotifyRejected e) {
                        got = null;
                    }
                    if (!Objects.equals(cases.get(reqInfo), got)) {
                        wrong.incrementAndGet();
                    }
                }
            }
        });
        assertTrue(cases.containsValue(null), "some cases fail");
        assertEquals(0, wrong.get());
    }

    @Test
    void aKeyThatIsNot32BytesIsRefusedWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ApiV2RefundCipher("short-secret".getBytes(StandardCharsets.US_ASCII)));
        assertFalse(e.getMessage().contains("short-secret"));
        assertFalse(MERCHANT.toString().contains(REFUND_AES_KEY));
        assertFalse(MERCHANT.toString().contains(V2Bodies.KEY));
    }

    // ---- decrypt and parse

    @Test
    void theFixtureDecryptsAndMapsToARefund() {
        Map<String, String> outer = XmlFields.parse(V2Bodies.fixture("refund.xml"));
        assertTrue(ApiV2RefundNotify.isRefund(outer));
        Map<String, String> plain = ApiV2RefundNotify.decrypt(MERCHANT, outer);
        assertEquals("支付用户零钱", plain.get("refund_recv_accout"));

        Notification n = ApiV2RefundNotify.toNotification(outer, plain).orElseThrow();
        assertEquals(EventKind.REFUND, n.kind());
        assertEquals(FIXTURE_REFUND, n.businessKey());
        assertEquals(FIXTURE_OUT_REFUND, n.outRefundNo());
        assertEquals(FIXTURE_TRANSACTION, n.transactionId());
        assertEquals(FIXTURE_ORDER, n.outTradeNo());
        assertEquals(500, n.amountFen());
        assertEquals(1999, n.paymentFen());
        assertEquals("CNY", n.currency());
        assertEquals(V2Bodies.MCH_ID, n.merchantId());
        assertNull(n.spMerchantId());
        assertEquals(V2Bodies.APP_ID, n.appId());
        assertEquals(SUCCESS_TIME, n.eventTime());
        assertEquals("v2", n.api());
        assertEquals("wxpay:refund:" + FIXTURE_REFUND, n.idempotencyKey());
        String payload = n.payload();
        assertTrue(payload.contains("\"req_info\":{"), payload);
        assertTrue(payload.contains("\"refund_id\":\"" + FIXTURE_REFUND + "\""), payload);
        assertTrue(payload.contains("\"refund_recv_accout\":\"****\""), payload);
        assertFalse(payload.contains("支付用户零钱"), payload);
        assertFalse(payload.contains(outer.get("req_info").substring(0, 24)), "the ciphertext is not kept");
    }

    @Test
    void aPaymentBodyIsNotARefund() {
        assertFalse(ApiV2RefundNotify.isRefund(XmlFields.parse(V2Bodies.fixture("paid.xml"))));
    }

    @Test
    void aPlaintextThatIsNotARootDocumentIsDecryptFailed() {
        // What a wrong key gives when the padding happens to look right: garbage, not XML.
        for (String plaintext : new String[] {"hello", "<xml><a>1</a></xml>", "<root><a>1</a>"}) {
            Map<String, String> outer = refundOuter();
            outer.put("req_info", V2Bodies.encrypt(REFUND_AES_KEY, plaintext.getBytes(StandardCharsets.UTF_8)));
            assertDecryptFailed(() -> ApiV2RefundNotify.decrypt(MERCHANT, outer));
        }
    }

    @Test
    void aDoctypeInThePlaintextIsStillRefusedAsSuch() {
        Map<String, String> outer = refundOuter();
        outer.put("req_info", V2Bodies.encrypt(REFUND_AES_KEY, ("<?xml version=\"1.0\"?><!DOCTYPE r ["
                + "<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root><a>&x;</a></root>")
                .getBytes(StandardCharsets.UTF_8)));
        NotifyRejected e = assertThrows(NotifyRejected.class, () -> ApiV2RefundNotify.decrypt(MERCHANT, outer));
        assertEquals(Reason.DTD_NOT_ALLOWED, e.reason());
    }

    // ---- mapping

    @ParameterizedTest
    @ValueSource(strings = {"REFUNDCLOSE", "CHANGE", "SOMETHING_NEW"})
    void aRefundThatDidNotSucceedMapsToNothing(String status) {
        Map<String, String> plain = refunded("5002", "4202", "O-2", 100, 200);
        plain.put("refund_status", status);
        plain.remove("success_time");
        assertEquals(Optional.empty(), ApiV2RefundNotify.toNotification(refundOuter(), plain));
    }

    @Test
    void theClosedFixtureMapsToNothing() {
        Map<String, String> outer = XmlFields.parse(V2Bodies.fixture("refund-closed.xml"));
        Map<String, String> plain = ApiV2RefundNotify.decrypt(MERCHANT, outer);
        assertEquals("REFUNDCLOSE", plain.get("refund_status"));
        assertEquals(Optional.empty(), ApiV2RefundNotify.toNotification(outer, plain));
    }

    @Test
    void partnerRefundBelongsToTheSubMerchant() {
        Map<String, String> outer = refundOuter();
        outer.put("sub_appid", "wx0000000000000001");
        outer.put("sub_mch_id", "1900000201");
        Notification n = ApiV2RefundNotify.toNotification(outer, refunded("5003", "4203", "O-3", 1, 1))
                .orElseThrow();
        assertEquals("1900000201", n.merchantId());
        assertEquals(V2Bodies.MCH_ID, n.spMerchantId());
        assertEquals(1, n.amountFen());
        assertEquals(1, n.paymentFen());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRefunds")
    void anInvalidSuccessfulRefundIsMissingField(String name, String field, String value) {
        Map<String, String> plain = refunded("5004", "4204", "O-4", 100, 200);
        Map<String, String> outer = refundOuter();
        Map<String, String> target = field.startsWith("outer.") ? outer : plain;
        String key = field.replace("outer.", "");
        if (value == null) {
            target.remove(key);
        } else {
            target.put(key, value);
        }
        NotifyRejected e = assertThrows(NotifyRejected.class, () -> ApiV2RefundNotify.toNotification(outer, plain));
        assertEquals(Reason.MISSING_FIELD, e.reason());
    }

    static Stream<Arguments> invalidRefunds() {
        return Stream.of(
                Arguments.of("no refund_status", "refund_status", null),
                Arguments.of("empty refund_status", "refund_status", ""),
                Arguments.of("no refund_id", "refund_id", null),
                Arguments.of("no out_refund_no", "out_refund_no", ""),
                Arguments.of("no transaction_id", "transaction_id", null),
                Arguments.of("no out_trade_no", "out_trade_no", null),
                Arguments.of("no total_fee", "total_fee", null),
                Arguments.of("no refund_fee", "refund_fee", null),
                Arguments.of("no success_time", "success_time", null),
                Arguments.of("no appid", "outer.appid", null),
                Arguments.of("refund_fee above total_fee", "refund_fee", "201"),
                Arguments.of("refund_fee zero", "refund_fee", "0"),
                Arguments.of("refund_fee negative", "refund_fee", "-1"),
                Arguments.of("refund_fee decimal", "refund_fee", "1.00"),
                Arguments.of("success_time compact", "success_time", "20261125091530"),
                Arguments.of("success_time impossible", "success_time", "2026-02-30 09:15:30"));
    }

    private static void assertDecryptFailed(org.junit.jupiter.api.function.Executable call) {
        NotifyRejected e = assertThrows(NotifyRejected.class, call);
        assertEquals(Reason.REQ_INFO_DECRYPT_FAILED, e.reason());
        assertNull(e.getCause());
        assertFalse(e.getMessage().contains(REFUND_AES_KEY));
    }
}
