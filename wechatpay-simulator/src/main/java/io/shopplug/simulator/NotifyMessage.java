package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One built APIv2 notification: the exact body bytes and, for assertions, the fields it carries
 * (and, for a refund notice, the fields inside the encrypted {@code req_info}).
 */
public final class NotifyMessage {

    private final byte[] body;
    private final Map<String, String> fields;
    private final Map<String, String> reqInfo;

    NotifyMessage(byte[] body, Map<String, String> fields) {
        this(body, fields, Map.of());
    }

    NotifyMessage(byte[] body, Map<String, String> fields, Map<String, String> reqInfo) {
        this.body = body.clone();
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        this.reqInfo = Collections.unmodifiableMap(new LinkedHashMap<>(reqInfo));
    }

    /** The body as sent (UTF-8 XML); a fresh copy each call. */
    public byte[] body() {
        return body.clone();
    }

    /** The body as a string. */
    public String xml() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The fields in the order they appear in the body, {@code sign} included when present. */
    public Map<String, String> fields() {
        return fields;
    }

    /** The value of a field, or {@code null}. */
    public String field(String name) {
        return fields.get(name);
    }

    /**
     * A refund notice's decrypted {@code req_info} fields, in order; empty for a payment notice.
     */
    public Map<String, String> reqInfo() {
        return reqInfo;
    }

    /** The transaction id (of a refund notice: from {@code req_info}). */
    public String transactionId() {
        return fields.getOrDefault("transaction_id", reqInfo.get("transaction_id"));
    }

    /** The order number (of a refund notice: from {@code req_info}). */
    public String outTradeNo() {
        return fields.getOrDefault("out_trade_no", reqInfo.get("out_trade_no"));
    }

    /** The refund id of a refund notice; {@code null} for a payment notice. */
    public String refundId() {
        return reqInfo.get("refund_id");
    }

    @Override
    public String toString() {
        return "NotifyMessage[out_trade_no=" + outTradeNo() + ", transaction_id=" + transactionId()
                + ", " + body.length + " bytes]";
    }
}
