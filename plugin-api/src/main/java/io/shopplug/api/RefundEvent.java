package io.shopplug.api;

import java.time.Instant;
import java.util.Objects;

/**
 * An immutable record of one refund of one payment, handed to
 * {@link PaymentListener#onRefunded(RefundEvent)}. Each refund of an order (partial or full) is
 * its own event with its own refund id. It carries no secret and no personal data.
 *
 * @since 0.1
 */
public final class RefundEvent {
    private final String idempotencyKey;
    private final String refundId;
    private final String outRefundNo;
    private final String transactionId;
    private final String outTradeNo;
    private final long refundFen;
    private final long paymentFen;
    private final String currency;
    private final Instant refundedAt;

    private RefundEvent(Builder b) {
        this.idempotencyKey = PaymentEvent.require(b.idempotencyKey, "idempotencyKey");
        this.refundId = PaymentEvent.require(b.refundId, "refundId");
        this.outRefundNo = PaymentEvent.require(b.outRefundNo, "outRefundNo");
        this.transactionId = PaymentEvent.require(b.transactionId, "transactionId");
        this.outTradeNo = PaymentEvent.require(b.outTradeNo, "outTradeNo");
        if (b.refundFen < 0 || b.paymentFen < 0 || b.refundFen > b.paymentFen) {
            throw new IllegalArgumentException("refundFen must be between 0 and paymentFen");
        }
        this.refundFen = b.refundFen;
        this.paymentFen = b.paymentFen;
        this.currency = PaymentEvent.require(b.currency, "currency");
        this.refundedAt = Objects.requireNonNull(b.refundedAt, "refundedAt");
    }

    /** Starts an event; every property is required. */
    public static Builder builder() { return new Builder(); }

    /** Stable across deliveries of this refund, distinct from every other event. */
    public String idempotencyKey() { return idempotencyKey; }

    /** WeChat Pay's refund id: the business key of the refund. */
    public String refundId() { return refundId; }

    /** The shop's refund number. */
    public String outRefundNo() { return outRefundNo; }

    /** The transaction id of the payment refunded. */
    public String transactionId() { return transactionId; }

    /** The shop's order number. */
    public String outTradeNo() { return outTradeNo; }

    /** The amount of this refund, in fen. */
    public long refundFen() { return refundFen; }

    /** The amount of the payment refunded, in fen; {@code refundFen() <= paymentFen()}. */
    public long paymentFen() { return paymentFen; }

    /** The ISO 4217 currency code. */
    public String currency() { return currency; }

    /** When the refund succeeded, as reported by WeChat Pay. */
    public Instant refundedAt() { return refundedAt; }

    @Override
    public String toString() {
        return "RefundEvent[" + idempotencyKey + ", order " + outTradeNo + ", " + refundFen
                + " of " + paymentFen + " fen " + currency + ", refunded " + refundedAt + "]";
    }

    /** Builds a {@link RefundEvent}. Not thread-safe. */
    public static final class Builder {
        private String idempotencyKey;
        private String refundId;
        private String outRefundNo;
        private String transactionId;
        private String outTradeNo;
        private long refundFen = -1;
        private long paymentFen = -1;
        private String currency;
        private Instant refundedAt;

        private Builder() {}

        /** @see RefundEvent#idempotencyKey() */
        public Builder idempotencyKey(String v) { idempotencyKey = v; return this; }
        /** @see RefundEvent#refundId() */
        public Builder refundId(String v) { refundId = v; return this; }
        /** @see RefundEvent#outRefundNo() */
        public Builder outRefundNo(String v) { outRefundNo = v; return this; }
        /** @see RefundEvent#transactionId() */
        public Builder transactionId(String v) { transactionId = v; return this; }
        /** @see RefundEvent#outTradeNo() */
        public Builder outTradeNo(String v) { outTradeNo = v; return this; }
        /** @see RefundEvent#refundFen() */
        public Builder refundFen(long v) { refundFen = v; return this; }
        /** @see RefundEvent#paymentFen() */
        public Builder paymentFen(long v) { paymentFen = v; return this; }
        /** @see RefundEvent#currency() */
        public Builder currency(String v) { currency = v; return this; }
        /** @see RefundEvent#refundedAt() */
        public Builder refundedAt(Instant v) { refundedAt = v; return this; }

        /**
         * @throws IllegalArgumentException if a property is missing or the amounts are inconsistent
         */
        public RefundEvent build() { return new RefundEvent(this); }
    }
}
