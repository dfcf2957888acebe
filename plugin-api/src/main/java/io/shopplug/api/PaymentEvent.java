package io.shopplug.api;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable record of one verified payment for one order, handed to
 * {@link PaymentListener#onPaid(PaymentEvent)}. It carries no secret and no personal data, so it
 * is safe to log.
 *
 * @since 0.1
 */
public final class PaymentEvent {
    private final String idempotencyKey;
    private final String transactionId;
    private final String outTradeNo;
    private final long amountFen;
    private final String currency;
    private final Instant paidAt;
    private final String merchantId;
    private final String appId;

    private PaymentEvent(Builder b) {
        this.idempotencyKey = require(b.idempotencyKey, "idempotencyKey");
        this.transactionId = require(b.transactionId, "transactionId");
        this.outTradeNo = require(b.outTradeNo, "outTradeNo");
        if (b.amountFen < 0) {
            throw new IllegalArgumentException("amountFen must not be negative");
        }
        this.amountFen = b.amountFen;
        this.currency = require(b.currency, "currency");
        this.paidAt = Objects.requireNonNull(b.paidAt, "paidAt");
        this.merchantId = require(b.merchantId, "merchantId");
        this.appId = require(b.appId, "appId");
    }

    static String require(String value, String name) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    /** Starts an event; every property is required. */
    public static Builder builder() { return new Builder(); }

    /**
     * The same for every delivery of this payment, on every node and after every restart, and
     * different for every other payment or refund: use it to make a listener's effect idempotent.
     */
    public String idempotencyKey() { return idempotencyKey; }

    /** WeChat Pay's transaction id: the business key of the payment. */
    public String transactionId() { return transactionId; }

    /** The shop's order number. */
    public String outTradeNo() { return outTradeNo; }

    /** The amount paid, in fen (1/100 yuan); equal to the order's amount. */
    public long amountFen() { return amountFen; }

    /** The ISO 4217 currency code, such as {@code CNY}. */
    public String currency() { return currency; }

    /** When the payment succeeded, as reported by WeChat Pay. */
    public Instant paidAt() { return paidAt; }

    /** The merchant id ({@code mch_id}) the payment was made to. */
    public String merchantId() { return merchantId; }

    /** The app id ({@code appid}) the payment was made through. */
    public String appId() { return appId; }

    @Override
    public String toString() {
        return "PaymentEvent[" + idempotencyKey + ", order " + outTradeNo + ", " + amountFen
                + " fen " + currency + ", paid " + paidAt + "]";
    }

    /** Builds a {@link PaymentEvent}. Not thread-safe. */
    public static final class Builder {
        private String idempotencyKey;
        private String transactionId;
        private String outTradeNo;
        private long amountFen = -1;
        private String currency;
        private Instant paidAt;
        private String merchantId;
        private String appId;

        private Builder() {}

        /** @see PaymentEvent#idempotencyKey() */
        public Builder idempotencyKey(String v) { idempotencyKey = v; return this; }
        /** @see PaymentEvent#transactionId() */
        public Builder transactionId(String v) { transactionId = v; return this; }
        /** @see PaymentEvent#outTradeNo() */
        public Builder outTradeNo(String v) { outTradeNo = v; return this; }
        /** @see PaymentEvent#amountFen() */
        public Builder amountFen(long v) { amountFen = v; return this; }
        /** @see PaymentEvent#currency() */
        public Builder currency(String v) { currency = v; return this; }
        /** @see PaymentEvent#paidAt() */
        public Builder paidAt(Instant v) { paidAt = v; return this; }
        /** @see PaymentEvent#merchantId() */
        public Builder merchantId(String v) { merchantId = v; return this; }
        /** @see PaymentEvent#appId() */
        public Builder appId(String v) { appId = v; return this; }

        /**
         * @throws IllegalArgumentException if a property is missing or the amount is negative
         */
        public PaymentEvent build() { return new PaymentEvent(this); }
    }
}
