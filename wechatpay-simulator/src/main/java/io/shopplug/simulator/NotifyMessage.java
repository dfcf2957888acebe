package io.shopplug.simulator;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One built notification: the exact body bytes and, for assertions, the fields it carries. */
public final class NotifyMessage {

    private final byte[] body;
    private final Map<String, String> fields;

    NotifyMessage(byte[] body, Map<String, String> fields) {
        this.body = body.clone();
        this.fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
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

    public String transactionId() {
        return fields.get("transaction_id");
    }

    public String outTradeNo() {
        return fields.get("out_trade_no");
    }

    @Override
    public String toString() {
        return "NotifyMessage[out_trade_no=" + outTradeNo() + ", transaction_id=" + transactionId()
                + ", " + body.length + " bytes]";
    }
}
