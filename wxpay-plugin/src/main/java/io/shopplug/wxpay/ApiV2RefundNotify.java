package io.shopplug.wxpay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.ResolverStyle;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The APIv2 refund notification: an outer {@code <xml>} with {@code return_code, appid, mch_id,
 * nonce_str, req_info} (and {@code sub_appid, sub_mch_id} for a partner) and no sign, the refund
 * itself being the {@code <root>} document encrypted in {@code req_info}. Decrypts and maps it to a
 * {@link EventKind#REFUND} {@link Notification}; the merchant and app checks and the checks against
 * the recorded payment are the pipeline's.
 *
 * <p>Since nothing is signed, decrypting under the merchant's key is the only proof that WeChat
 * Pay sent it; the pipeline therefore only accepts a refund that fits a payment it has recorded.
 */
final class ApiV2RefundNotify {
    /** The outer field that marks a body as a refund notification. */
    static final String REQ_INFO = "req_info";
    /** Root element of the decrypted {@code req_info}. */
    static final String PLAIN_ROOT = "root";
    /** APIv2 refund notifications say no currency; APIv2 payments default to CNY as well. */
    static final String CURRENCY = "CNY";

    private static final DateTimeFormatter SUCCESS_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss").withResolverStyle(ResolverStyle.STRICT);
    private static final ObjectMapper JSON = JsonMappers.PLAIN;
    private static final String SUCCESS = "SUCCESS";
    private static final String[] REQUIRED_OUTER = {"appid", "mch_id"};
    private static final String[] REQUIRED = {"transaction_id", "out_trade_no", "refund_id",
        "out_refund_no", "total_fee", "refund_fee", "success_time"};
    /** Where the money went back to (a bank card's tail, say): personal, so masked. */
    private static final String[] MASKED = {"refund_recv_accout"};

    private ApiV2RefundNotify() {}

    /** True if these outer fields are a refund notification (they carry {@code req_info}). */
    static boolean isRefund(Map<String, String> outer) {
        return outer.containsKey(REQ_INFO);
    }

    /**
     * Decrypts and parses {@code req_info}.
     *
     * @return the fields of the decrypted {@code <root>} document, as {@link XmlFields} reads them
     * @throws NotifyRejected {@link Reason#REQ_INFO_DECRYPT_FAILED} if {@code req_info} does not decrypt
     *     under the merchant's key, or decrypts to something that is not a flat {@code <root>}
     *     document (what a wrong key yields when the padding happens to look right);
     *     {@link Reason#DTD_NOT_ALLOWED} for a plaintext with a {@code DOCTYPE}
     */
    static Map<String, String> decrypt(ApiV2RefundCipher cipher, Map<String, String> outer) {
        byte[] plaintext = cipher.decrypt(outer.get(REQ_INFO));
        try {
            return XmlFields.parse(plaintext, PLAIN_ROOT);
        } catch (NotifyRejected e) {
            if (e.reason() == Reason.MALFORMED) {
                throw new NotifyRejected(Reason.REQ_INFO_DECRYPT_FAILED);
            }
            throw e;
        }
    }

    /**
     * @param outer the outer fields (already checked for {@code return_code} and the merchant)
     * @param plain the decrypted {@code req_info} fields
     * @return a {@link EventKind#REFUND} notification when {@code refund_status} is
     *     {@code SUCCESS}: business key {@code refund_id}, {@code amountFen} = {@code refund_fee},
     *     {@code paymentFen} = {@code total_fee}, currency CNY, time {@code success_time} (Beijing),
     *     api {@code v2}, merchant {@code sub_mch_id} (partner, with {@code mch_id} as the service
     *     provider) or {@code mch_id}, and as payload a JSON object of the outer fields without the
     *     ciphertext, with the decrypted fields under {@code req_info} and the receiving account
     *     masked. Empty for any other status ({@code CHANGE}: abnormal, {@code REFUNDCLOSE}): a
     *     genuine notification of a refund that did not happen, to acknowledge with no effect.
     * @throws NotifyRejected {@link Reason#MISSING_FIELD} if {@code refund_status} is missing, or
     *     for a successful refund if {@code appid, mch_id, transaction_id, out_trade_no, refund_id,
     *     out_refund_no, total_fee, refund_fee} or {@code success_time} is missing or empty, an
     *     amount is not an integer, {@code refund_fee} is not between 1 and {@code total_fee}, or
     *     {@code success_time} is not {@code yyyy-MM-dd HH:mm:ss}
     */
    static Optional<Notification> toNotification(Map<String, String> outer, Map<String, String> plain) {
        String status = plain.get("refund_status");
        if (status == null || status.isEmpty()) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        if (!SUCCESS.equals(status)) {
            return Optional.empty();
        }
        requireAll(outer, REQUIRED_OUTER);
        requireAll(plain, REQUIRED);
        long paymentFen = ApiV2PaymentNotify.fen(plain.get("total_fee"));
        long refundFen = ApiV2PaymentNotify.fen(plain.get("refund_fee"));
        if (refundFen < 1 || refundFen > paymentFen) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
        String sub = outer.get("sub_mch_id");
        boolean partner = sub != null && !sub.isEmpty();
        return Optional.of(Notification.refund().refundId(plain.get("refund_id"))
                .outRefundNo(plain.get("out_refund_no")).transactionId(plain.get("transaction_id"))
                .outTradeNo(plain.get("out_trade_no")).amountFen(refundFen).paymentFen(paymentFen)
                .currency(CURRENCY)
                .merchantId(partner ? sub : outer.get("mch_id")).spMerchantId(partner ? outer.get("mch_id") : null)
                .appId(outer.get("appid")).eventTime(beijingTime(plain.get("success_time")))
                .api("v2").payload(payload(outer, plain)).build());
    }

    private static void requireAll(Map<String, String> fields, String[] names) {
        for (String name : names) {
            String value = fields.get(name);
            if (value == null || value.isEmpty()) {
                throw new NotifyRejected(Reason.MISSING_FIELD);
            }
        }
    }

    private static Instant beijingTime(String value) {
        try {
            return LocalDateTime.parse(value, SUCCESS_TIME).atZone(ApiV2PaymentNotify.BEIJING).toInstant();
        } catch (DateTimeException e) {
            throw new NotifyRejected(Reason.MISSING_FIELD);
        }
    }

    private static String payload(Map<String, String> outer, Map<String, String> plain) {
        Map<String, Object> copy = new LinkedHashMap<>(outer);
        Map<String, String> refund = new LinkedHashMap<>(plain);
        for (String name : MASKED) {
            refund.computeIfPresent(name, (k, v) -> ApiV2PaymentNotify.mask(v));
        }
        copy.put(REQ_INFO, refund);
        try {
            return JSON.writeValueAsString(copy);
        } catch (JsonProcessingException e) {
            // Cannot happen for maps of strings; the message could quote a value, so drop it.
            throw new IllegalStateException("cannot write the payload");
        }
    }
}
