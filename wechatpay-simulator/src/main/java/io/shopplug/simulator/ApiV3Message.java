package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One built APIv3 notification: the {@code Wechatpay-*} headers, the exact body bytes, and for
 * assertions the decrypted {@code resource} and the business ids it carries.
 */
public final class ApiV3Message {

    private final Map<String, String> headers;
    private final byte[] body;
    private final String plaintext;
    private final ApiV3Notice notice;
    private final String outTradeNo;
    private final List<String> transactionIds;
    private final String refundId;

    ApiV3Message(Map<String, String> headers, byte[] body, String plaintext, ApiV3Notice notice,
            String outTradeNo, List<String> transactionIds, String refundId) {
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        this.body = body.clone();
        this.plaintext = Objects.requireNonNull(plaintext, "plaintext");
        this.notice = Objects.requireNonNull(notice, "notice");
        this.outTradeNo = outTradeNo;
        this.transactionIds = List.copyOf(transactionIds);
        this.refundId = refundId;
    }

    /**
     * {@code Wechatpay-Timestamp}, {@code -Nonce}, {@code -Signature}, {@code -Serial},
     * {@code -Signature-Type}, in that order.
     */
    public Map<String, String> headers() {
        return headers;
    }

    /** A header by name, ignoring case; {@code null} when absent. */
    public String header(String name) {
        for (Map.Entry<String, String> e : headers.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The body as sent (UTF-8 JSON); a fresh copy each call. */
    public byte[] body() {
        return body.clone();
    }

    /** The body as a string. */
    public String json() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The decrypted {@code resource}: what a receiver must get after decryption. */
    public String plaintext() {
        return plaintext;
    }

    /** What was asked for, breakage included. */
    public ApiV3Notice notice() {
        return notice;
    }

    public String eventType() {
        return notice.eventType();
    }

    /** The order number (combine order number for a combine payment); null for unknown events. */
    public String outTradeNo() {
        return outTradeNo;
    }

    /** The payment's transaction id (the first sub-order's for a combine payment), or null. */
    public String transactionId() {
        return transactionIds.isEmpty() ? null : transactionIds.get(0);
    }

    /** Every transaction id carried: one, or one per sub-order; empty for unknown events. */
    public List<String> transactionIds() {
        return transactionIds;
    }

    /** The refund id, for a refund. */
    public Optional<String> refundId() {
        return Optional.ofNullable(refundId);
    }

    @Override
    public String toString() {
        return "ApiV3Message[" + notice.eventType() + ", out_trade_no=" + outTradeNo
                + ", transaction_ids=" + transactionIds
                + (refundId == null ? "" : ", refund_id=" + refundId)
                + ", breakage=" + notice.breakage() + ", " + body.length + " bytes]";
    }
}
