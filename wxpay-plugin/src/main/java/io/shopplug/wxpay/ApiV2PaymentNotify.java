package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps the fields of an APIv2 payment notify, already parsed by {@link XmlFields} and verified by
 * {@link ApiV2Signer}, to a {@link Notification}. Checks only what the notify itself says; the
 * merchant and app ids against the configuration and the order facts are the pipeline's checks.
 */
final class ApiV2PaymentNotify {

    /** {@code time_end} is Beijing time without a zone. */
    static final ZoneId BEIJING = ZoneId.of("Asia/Shanghai");

    private static final DateTimeFormatter TIME_END =
            DateTimeFormatter.ofPattern("uuuuMMddHHmmss").withResolverStyle(ResolverStyle.STRICT);
    private static final ObjectMapper JSON = JsonMappers.PLAIN;
    private static final String SUCCESS = "SUCCESS";
    private static final String[] REQUIRED =
            {"appid", "mch_id", "transaction_id", "out_trade_no", "total_fee", "time_end"};
    private static final String[] MASKED = {"openid", "sub_openid"};

    private ApiV2PaymentNotify() {}

    /**
     * @param f the verified fields of one notify
     * @return a {@link EventKind#PAYMENT} notification, business key {@code transaction_id}, api
     *     {@code v2}, currency {@code fee_type} (default {@code CNY}), time {@code time_end}, and
     *     as payload a JSON object of all fields without {@code sign} and with {@code openid}
     *     and {@code sub_openid} masked
     * @throws NotifyRejected {@link Reason#TRANSPORT_FAIL} if {@code return_code} is not
     *     {@code SUCCESS}; {@link Reason#PAYMENT_NOT_SUCCESS} if {@code result_code} is not;
     *     {@link Reason#MISSING_FIELD} if {@code appid, mch_id, transaction_id, out_trade_no,
     *     total_fee} or {@code time_end} is missing or empty, {@code total_fee} is not a
     *     non-negative integer or {@code time_end} is not {@code yyyyMMddHHmmss}
     */
    static Notification toNotification(Map<String, String> f) {
        if (!SUCCESS.equals(f.get("return_code"))) {
            throw new NotifyRejected(Reason.TRANSPORT_FAIL);
        }
        if (!SUCCESS.equals(f.get("result_code"))) {
            throw new NotifyRejected(Reason.PAYMENT_NOT_SUCCESS);
        }
        for (String name : REQUIRED) {
            String value = f.get(name);
            if (value == null || value.isEmpty()) {
                throw new NotifyRejected(Reason.MISSING_FIELD);
            }
        }
        long totalFee = fen(f.get("total_fee"));
        Instant timeEnd = beijingTime(f.get("time_end"));
        String feeType = f.get("fee_type");
        String currency = feeType == null || feeType.isEmpty() ? "CNY" : feeType;
        String transactionId = f.get("transaction_id");
        String sub = f.get("sub_mch_id");
        boolean partner = sub != null && !sub.isEmpty();
        return Notification.payment().transactionId(transactionId).outTradeNo(f.get("out_trade_no"))
                .amountFen(totalFee).currency(currency)
                .merchantId(partner ? sub : f.get("mch_id")).spMerchantId(partner ? f.get("mch_id") : null)
                .appId(f.get("appid")).eventTime(timeEnd).api("v2").payload(payload(f)).build();
    }

    /**
     * A non-negative integer of ASCII digits that fits a {@code long}.
     *
     * @throws NotifyRejected {@link Reason#MISSING_FIELD} for anything else
     */
    static long fen(String value) {
        if (value.length() > 18) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new NotifyRejected(Reason.MISSING_FIELD);
            }
        }
        return Long.parseLong(value);
    }

    private static Instant beijingTime(String value) {
        try {
            return LocalDateTime.parse(value, TIME_END).atZone(BEIJING).toInstant();
        } catch (DateTimeException e) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
    }

    private static String payload(Map<String, String> f) {
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.remove("sign");
        for (String name : MASKED) {
            copy.computeIfPresent(name, (k, v) -> mask(v));
        }
        try {
            return JSON.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            // Cannot happen for a map of strings; the message could quote a value, so drop it.
            throw new IllegalStateException("cannot write the payload");
        }
    }

    /**
     * Keeps the first and last 4 characters with {@code ****} between; a value under 12
     * characters, where that would show most of it, becomes {@code ****}.
     */
    static String mask(String value) {
        int length = value.codePointCount(0, value.length());
        if (length < 12) {
            return "****";
        }
        int headEnd = value.offsetByCodePoints(0, 4);
        int tailStart = value.offsetByCodePoints(value.length(), -4);
        return value.substring(0, headEnd) + "****" + value.substring(tailStart);
    }
}
