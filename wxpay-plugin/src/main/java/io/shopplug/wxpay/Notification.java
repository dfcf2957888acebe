package io.shopplug.wxpay;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One authenticated payment or refund in the plugin's own model, whatever API generation it came
 * from. Immutable; built with {@link #payment()} or {@link #refund()}. {@link #payload()} is the
 * received content with secrets and personal data already masked, so it is safe to store and show.
 */
final class Notification {
    private final EventKind kind;
    private final String businessKey;
    private final String transactionId;
    private final String outTradeNo;
    private final long amountFen;
    private final String currency;
    private final String merchantId;
    private final String spMerchantId;
    private final String appId;
    private final Instant eventTime;
    private final String api;
    private final String payload;
    private final String outRefundNo;
    private final long paymentFen;

    private Notification(Builder b) {
        this.kind = b.kind;
        this.transactionId = Objects.requireNonNull(b.transactionId, "transactionId");
        this.outTradeNo = Objects.requireNonNull(b.outTradeNo, "outTradeNo");
        this.amountFen = b.amountFen;
        this.currency = Objects.requireNonNull(b.currency, "currency");
        this.merchantId = Objects.requireNonNull(b.merchantId, "merchantId");
        this.spMerchantId = b.spMerchantId;
        this.appId = Objects.requireNonNull(b.appId, "appId");
        this.eventTime = Objects.requireNonNull(b.eventTime, "eventTime");
        this.api = Objects.requireNonNull(b.api, "api");
        this.payload = Objects.requireNonNull(b.payload, "payload");
        if (kind == EventKind.REFUND) {
            this.businessKey = Objects.requireNonNull(b.refundId, "refundId");
            this.outRefundNo = Objects.requireNonNull(b.outRefundNo, "outRefundNo");
            this.paymentFen = b.paymentFen;
        } else {
            this.businessKey = transactionId;
            this.outRefundNo = null;
            this.paymentFen = amountFen;
        }
    }

    /** A payment: the business key is the transaction id. */
    static Builder payment() {
        return new Builder(EventKind.PAYMENT);
    }

    /** A refund: the business key is the refund id; {@code outRefundNo} and {@code paymentFen} are set. */
    static Builder refund() {
        return new Builder(EventKind.REFUND);
    }

    EventKind kind() { return kind; }
    /** {@code transaction_id} for a payment, {@code refund_id} for a refund. */
    String businessKey() { return businessKey; }
    String transactionId() { return transactionId; }
    String outTradeNo() { return outTradeNo; }
    /** The amount of this event in fen: paid for a payment, refunded for a refund. */
    long amountFen() { return amountFen; }
    String currency() { return currency; }
    /** The merchant the order belongs to: {@code mch_id}/{@code mchid}, or {@code sub_mchid} for a partner. */
    String merchantId() { return merchantId; }
    /** The service provider's {@code sp_mchid} in partner mode, else null. */
    String spMerchantId() { return spMerchantId; }
    String appId() { return appId; }
    Instant eventTime() { return eventTime; }
    /** {@code v2} or {@code v3}. */
    String api() { return api; }
    /** The received fields, masked; never holds a signature, key or openid. */
    String payload() { return payload; }
    /** The shop's refund number; null for a payment. */
    String outRefundNo() { return outRefundNo; }
    /** The amount of the payment: {@link #amountFen()} for a payment, the refunded payment's total for a refund. */
    long paymentFen() { return paymentFen; }

    /** The key listeners see: stable for this event on every node, unique among events. */
    String idempotencyKey() {
        return idempotencyKey(kind, businessKey);
    }

    /** {@code wxpay:payment:<transaction_id>} or {@code wxpay:refund:<refund_id>}. */
    static String idempotencyKey(EventKind kind, String businessKey) {
        return "wxpay:" + kind.name().toLowerCase(Locale.ROOT) + ":" + businessKey;
    }

    @Override
    public String toString() {
        return "Notification[" + idempotencyKey() + ", order " + outTradeNo + ", " + amountFen + " fen]";
    }

    /** Builds a {@link Notification}; every property but the partner's and the refund's is required. */
    static final class Builder {
        private final EventKind kind;
        private String transactionId;
        private String outTradeNo;
        private long amountFen;
        private String currency;
        private String merchantId;
        private String spMerchantId;
        private String appId;
        private Instant eventTime;
        private String api;
        private String payload;
        private String refundId;
        private String outRefundNo;
        private long paymentFen;

        private Builder(EventKind kind) {
            this.kind = kind;
        }

        Builder transactionId(String v) { transactionId = v; return this; }
        Builder outTradeNo(String v) { outTradeNo = v; return this; }
        Builder amountFen(long v) { amountFen = v; return this; }
        Builder currency(String v) { currency = v; return this; }
        Builder merchantId(String v) { merchantId = v; return this; }
        Builder spMerchantId(String v) { spMerchantId = v; return this; }
        Builder appId(String v) { appId = v; return this; }
        Builder eventTime(Instant v) { eventTime = v; return this; }
        Builder api(String v) { api = v; return this; }
        Builder payload(String v) { payload = v; return this; }
        Builder refundId(String v) { refundId = v; return this; }
        Builder outRefundNo(String v) { outRefundNo = v; return this; }
        Builder paymentFen(long v) { paymentFen = v; return this; }

        Notification build() {
            return new Notification(this);
        }
    }
}
