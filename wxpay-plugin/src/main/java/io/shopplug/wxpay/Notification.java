package io.shopplug.wxpay;

import java.time.Instant;
import java.util.Objects;

/**
 * One authenticated notification in the plugin's own model, whatever API generation it came
 * from. Immutable. {@link #payload()} is the received content with secrets and personal data
 * already masked, so it is safe to store and show.
 */
final class Notification {
    private final EventKind kind;
    private final String businessKey;
    private final String transactionId;
    private final String outTradeNo;
    private final long amountFen;
    private final String currency;
    private final String merchantId;
    private final String appId;
    private final Instant eventTime;
    private final String api;
    private final String payload;

    Notification(EventKind kind, String businessKey, String transactionId, String outTradeNo,
            long amountFen, String currency, String merchantId, String appId, Instant eventTime,
            String api, String payload) {
        this.kind = Objects.requireNonNull(kind);
        this.businessKey = Objects.requireNonNull(businessKey);
        this.transactionId = Objects.requireNonNull(transactionId);
        this.outTradeNo = Objects.requireNonNull(outTradeNo);
        this.amountFen = amountFen;
        this.currency = Objects.requireNonNull(currency);
        this.merchantId = Objects.requireNonNull(merchantId);
        this.appId = Objects.requireNonNull(appId);
        this.eventTime = Objects.requireNonNull(eventTime);
        this.api = Objects.requireNonNull(api);
        this.payload = Objects.requireNonNull(payload);
    }

    EventKind kind() { return kind; }
    /** {@code transaction_id} for a payment, {@code refund_id} for a refund. */
    String businessKey() { return businessKey; }
    String transactionId() { return transactionId; }
    String outTradeNo() { return outTradeNo; }
    long amountFen() { return amountFen; }
    String currency() { return currency; }
    String merchantId() { return merchantId; }
    String appId() { return appId; }
    Instant eventTime() { return eventTime; }
    /** {@code v2} or {@code v3}. */
    String api() { return api; }
    /** The received fields, masked; never holds a signature, key or openid. */
    String payload() { return payload; }

    /** The key listeners see: stable for this event on every node, unique among events. */
    String idempotencyKey() {
        return idempotencyKey(kind, businessKey);
    }

    /** {@code wxpay:payment:<transaction_id>} or {@code wxpay:refund:<refund_id>}. */
    static String idempotencyKey(EventKind kind, String businessKey) {
        return "wxpay:" + kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + businessKey;
    }

    @Override
    public String toString() {
        return "Notification[" + idempotencyKey() + ", order " + outTradeNo + ", " + amountFen + " fen]";
    }
}
