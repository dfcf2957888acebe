package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ApiV2PaymentNotifyTest {

    private static final String OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";
    /** Mapping does not verify; any sign will do, it only has to disappear from the payload. */
    private static final String SOME_SIGN = "B552ED6B279343CB493C5DD0D78AB241";

    private static Map<String, String> paid() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("appid", "wx2421b1c4370ec43b");
        f.put("bank_type", "CMC");
        f.put("cash_fee", "1999");
        f.put("fee_type", "CNY");
        f.put("is_subscribe", "Y");
        f.put("mch_id", "1900000109");
        f.put("nonce_str", "5d2b6c2a8db53831f7eda20af46e531c");
        f.put("openid", OPENID);
        f.put("out_trade_no", "ORDER-1001");
        f.put("result_code", "SUCCESS");
        f.put("return_code", "SUCCESS");
        f.put("sign", SOME_SIGN);
        f.put("time_end", "20261124103000");
        f.put("total_fee", "1999");
        f.put("trade_type", "JSAPI");
        f.put("transaction_id", "4200000001202611240000000001");
        return f;
    }

    private static Map<String, String> with(String name, String value) {
        Map<String, String> f = paid();
        if (value == null) {
            f.remove(name);
        } else {
            f.put(name, value);
        }
        return f;
    }

    private static Reason rejection(Map<String, String> f) {
        return assertThrows(NotifyRejected.class, () -> ApiV2PaymentNotify.toNotification(f)).reason();
    }

    @Test
    void mapsAPaidNotify() {
        Notification n = ApiV2PaymentNotify.toNotification(paid());
        assertEquals(EventKind.PAYMENT, n.kind());
        assertEquals("4200000001202611240000000001", n.businessKey());
        assertEquals("4200000001202611240000000001", n.transactionId());
        assertEquals("ORDER-1001", n.outTradeNo());
        assertEquals(1999L, n.amountFen());
        assertEquals("CNY", n.currency());
        assertEquals("1900000109", n.merchantId());
        assertEquals("wx2421b1c4370ec43b", n.appId());
        // 10:30 in Beijing (UTC+8, no daylight saving) is 02:30 UTC.
        assertEquals(Instant.parse("2026-11-24T02:30:00Z"), n.eventTime());
        assertEquals("v2", n.api());
        assertEquals("wxpay:payment:4200000001202611240000000001", n.idempotencyKey());
    }

    @Test
    void payloadKeepsEveryFieldButTheSignAndMasksOpenids() throws Exception {
        Map<String, String> f = paid();
        f.put("sub_openid", "oSubOpenId0123456789abcdef");
        f.put("a_future_field", "kept");
        String payload = ApiV2PaymentNotify.toNotification(f).payload();

        @SuppressWarnings("unchecked")
        Map<String, String> read = new ObjectMapper().readValue(payload, LinkedHashMap.class);
        List<String> expectedNames = new ArrayList<>(f.keySet());
        expectedNames.remove("sign");
        assertEquals(expectedNames, new ArrayList<>(read.keySet()));
        assertEquals("oUpF****eS6o", read.get("openid"));
        assertEquals("oSub****cdef", read.get("sub_openid"));
        assertEquals("kept", read.get("a_future_field"));
        assertEquals("1999", read.get("total_fee"));
        assertFalse(payload.contains(OPENID));
        assertFalse(payload.contains(SOME_SIGN));
    }

    @Test
    void masking() {
        assertEquals("oUpF****eS6o", ApiV2PaymentNotify.mask(OPENID));
        assertEquals("abcd****ijkl", ApiV2PaymentNotify.mask("abcdefghijkl"));
        assertEquals("****", ApiV2PaymentNotify.mask("abcdefghijk"));
        assertEquals("****", ApiV2PaymentNotify.mask("abcd"));
        assertEquals("****", ApiV2PaymentNotify.mask(""));
    }

    @Test
    void feeTypeDefaultsToCny() {
        assertEquals("CNY", ApiV2PaymentNotify.toNotification(with("fee_type", null)).currency());
        assertEquals("CNY", ApiV2PaymentNotify.toNotification(with("fee_type", "")).currency());
        assertEquals("HKD", ApiV2PaymentNotify.toNotification(with("fee_type", "HKD")).currency());
    }

    @Test
    void zeroAndLargeAmountsAreIntegers() {
        assertEquals(0L, ApiV2PaymentNotify.toNotification(with("total_fee", "0")).amountFen());
        assertEquals(999_999_999_999_999_999L,
                ApiV2PaymentNotify.toNotification(with("total_fee", "999999999999999999")).amountFen());
    }

    @Test
    void transportFailure() {
        assertEquals(Reason.TRANSPORT_FAIL, rejection(with("return_code", "FAIL")));
        assertEquals(Reason.TRANSPORT_FAIL, rejection(with("return_code", null)));
        assertEquals(Reason.TRANSPORT_FAIL, rejection(with("return_code", "success")));
    }

    @Test
    void paymentNotSuccessful() {
        assertEquals(Reason.PAYMENT_NOT_SUCCESS, rejection(with("result_code", "FAIL")));
        assertEquals(Reason.PAYMENT_NOT_SUCCESS, rejection(with("result_code", null)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"appid", "mch_id", "transaction_id", "out_trade_no", "total_fee", "time_end"})
    void requiredFieldMissingOrEmpty(String name) {
        assertEquals(Reason.MISSING_FIELD, rejection(with(name, null)));
        assertEquals(Reason.MISSING_FIELD, rejection(with(name, "")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-1", "+1", "19.99", "1e3", " 1999", "1999 ", "0x10", "١٩٩٩", "9999999999999999999",
        "abc"})
    void totalFeeMustBeANonNegativeInteger(String value) {
        assertEquals(Reason.MISSING_FIELD, rejection(with("total_fee", value)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2026-11-24 10:30:00", "2026112410300", "202611241030000", "20261131103000",
        "20261124243000", "20261124103060", "2026112410300Z", "20230229103000"})
    void timeEndMustBeBeijingCompactTime(String value) {
        assertEquals(Reason.MISSING_FIELD, rejection(with("time_end", value)));
    }

    @Test
    void leapDayIsAccepted() {
        assertEquals(Instant.parse("2024-02-28T16:00:00Z"),
                ApiV2PaymentNotify.toNotification(with("time_end", "20240229000000")).eventTime());
    }
}
