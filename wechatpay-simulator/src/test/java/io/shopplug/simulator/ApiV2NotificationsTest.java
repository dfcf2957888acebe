package io.shopplug.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ApiV2NotificationsTest {

    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final Merchant MD5 = Merchant.of("wx2421b1c4370ec43b", "10000100", KEY, Merchant.MD5);
    /** 2024-03-01T02:03:04Z is 10:03:04 in Beijing. */
    static final Clock CLOCK = Clock.fixed(Instant.parse("2024-03-01T02:03:04Z"), ZoneOffset.UTC);

    private final ApiV2Notifications md5 = new ApiV2Notifications(MD5, CLOCK, new Random(7));
    private final ApiV2Notifications hmac = new ApiV2Notifications(
            MD5.withSignType(Merchant.HMAC_SHA256), CLOCK, new Random(7));

    @Test
    void paidNoticeCarriesEveryRequiredFieldInOrderAndVerifies() {
        NotifyMessage m = md5.paid("order-1", 1234);
        Map<String, String> parsed = TestXml.fields(m.body());

        assertEquals(List.of("return_code", "return_msg", "appid", "mch_id", "nonce_str",
                "result_code", "openid", "is_subscribe", "trade_type", "bank_type", "total_fee",
                "fee_type", "cash_fee", "transaction_id", "out_trade_no", "time_end", "sign"),
                List.copyOf(parsed.keySet()));
        assertEquals(m.fields(), parsed);
        assertEquals("SUCCESS", parsed.get("return_code"));
        assertEquals("wx2421b1c4370ec43b", parsed.get("appid"));
        assertEquals("10000100", parsed.get("mch_id"));
        assertEquals("1234", parsed.get("total_fee"));
        assertEquals("1234", parsed.get("cash_fee"));
        assertEquals("order-1", parsed.get("out_trade_no"));
        assertEquals("20240301100304", parsed.get("time_end"));
        assertTrue(parsed.get("nonce_str").matches("[A-Za-z0-9]{32}"), parsed.get("nonce_str"));
        assertTrue(parsed.get("openid").matches("oUpF8[A-Za-z0-9_-]{23}"), parsed.get("openid"));
        assertTrue(parsed.get("transaction_id").matches("4200\\d{6}20240301\\d{10}"),
                parsed.get("transaction_id"));
        assertEquals(m.transactionId(), parsed.get("transaction_id"));
        assertEquals(ApiV2Notifications.sign(parsed, KEY, Merchant.MD5), parsed.get("sign"));
        assertEquals(32, parsed.get("sign").length());
    }

    @Test
    void stringsInCdataNumbersBare() {
        String xml = md5.paid("order-1", 1234).xml();
        assertTrue(xml.startsWith("<xml><return_code><![CDATA[SUCCESS]]></return_code>"), xml);
        assertTrue(xml.contains("<total_fee>1234</total_fee>"), xml);
        assertTrue(xml.contains("<cash_fee>1234</cash_fee>"), xml);
        assertTrue(xml.contains("<out_trade_no><![CDATA[order-1]]></out_trade_no>"), xml);
        assertTrue(xml.endsWith("]]></sign></xml>"), xml);
    }

    @Test
    void hmacNoticeNamesItsSignTypeAndSignsWithHmac() {
        Map<String, String> f = hmac.paid("order-2", 99).fields();
        assertEquals("HMAC-SHA256", f.get("sign_type"));
        assertEquals(64, f.get("sign").length());
        assertEquals(ApiV2Notifications.sign(f, KEY, Merchant.HMAC_SHA256), f.get("sign"));
    }

    @Test
    void hmacNoticeCanLeaveOutSignTypeAndStillVerify() {
        Map<String, String> f = hmac.paid(PaymentNotice.builder().outTradeNo("o").totalFee(1)
                .withoutSignTypeField().build()).fields();
        assertFalse(f.containsKey("sign_type"));
        assertEquals(ApiV2Notifications.sign(f, KEY, Merchant.HMAC_SHA256), f.get("sign"));
    }

    @Test
    void givenValuesAndExtraFieldsAreSignedAndSurviveTheXml() {
        NotifyMessage m = md5.paid(PaymentNotice.builder().outTradeNo("order-3").totalFee(500)
                .cashFee(450).transactionId("4200000001202403011234567890")
                .field("attach", "支付成功 ]]> <&>")
                .field("coupon_fee", "50")
                .field("device_info", "")
                .build());
        Map<String, String> parsed = TestXml.fields(m.body());
        assertEquals("4200000001202403011234567890", parsed.get("transaction_id"));
        assertEquals("450", parsed.get("cash_fee"));
        assertEquals("支付成功 ]]> <&>", parsed.get("attach"));
        assertEquals("", parsed.get("device_info"));
        assertTrue(m.xml().contains("<coupon_fee>50</coupon_fee>"), m.xml());
        assertEquals(ApiV2Notifications.sign(parsed, KEY, Merchant.MD5), parsed.get("sign"));
    }

    @Test
    void wrongKeyGivesASignThatDoesNotVerify() {
        Map<String, String> f = md5.paid(PaymentNotice.builder().outTradeNo("o").totalFee(1)
                .signedWithKey("ffffffffffffffffffffffffffffffff").build()).fields();
        assertNotEquals(ApiV2Notifications.sign(f, KEY, Merchant.MD5), f.get("sign"));
        assertEquals(ApiV2Notifications.sign(f, "ffffffffffffffffffffffffffffffff", Merchant.MD5),
                f.get("sign"));
    }

    @Test
    void withoutSignHasNoSign() {
        NotifyMessage m = md5.paid(PaymentNotice.builder().outTradeNo("o").totalFee(1)
                .withoutSign().build());
        assertFalse(TestXml.fields(m.body()).containsKey("sign"));
    }

    @Test
    void tamperingHappensAfterSigning() {
        Map<String, String> f = md5.paid(PaymentNotice.builder().outTradeNo("o").totalFee(100)
                .tamperedAfterSigning("total_fee", "1")
                .tamperedAfterSigning("openid", null).build()).fields();
        assertEquals("1", f.get("total_fee"));
        assertFalse(f.containsKey("openid"));
        assertNotEquals(ApiV2Notifications.sign(f, KEY, Merchant.MD5), f.get("sign"));
    }

    @Test
    void noticesDifferInNonceAndTransactionId() {
        NotifyMessage a = md5.paid("o", 1);
        NotifyMessage b = md5.paid("o", 1);
        assertNotEquals(a.field("nonce_str"), b.field("nonce_str"));
        assertNotEquals(a.transactionId(), b.transactionId());
    }

    @Test
    void merchantToStringHidesTheKey() {
        assertFalse(MD5.toString().contains(KEY), MD5.toString());
        assertTrue(MD5.toString().contains("10000100"), MD5.toString());
    }

    @Test
    void rejectsWhatCannotBeSent() {
        assertThrows(IllegalArgumentException.class,
                () -> PaymentNotice.builder().outTradeNo("o").totalFee(0).build());
        assertThrows(IllegalArgumentException.class,
                () -> PaymentNotice.builder().field("sign", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> PaymentNotice.builder().field("a b", "x"));
        assertThrows(IllegalArgumentException.class,
                () -> Merchant.of("wx", "1", KEY, "SHA1"));
    }
}
