package io.shopplug.wxpay;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;

/**
 * One outbox entry as {@link NotifyStore#loadDelivery} found it (or as {@link NotifyStore#record}
 * wrote it), with the fields of its transaction needed to rebuild the event for the listener.
 * Immutable snapshot; the row may change after it was read.
 */
final class Delivery {
    /** The states of an outbox entry, stored by name in {@code wxpay_outbox.state}. */
    enum State {
        /** Not yet attempted; due at once. */
        PENDING,
        /** Delivered; final. */
        DELIVERED,
        /** The last attempt failed; due again at {@code next_attempt_at}. */
        FAILED,
        /** Given up; only a human replays it. */
        DEAD
    }

    private final long id;
    private final String listener;
    private final State state;
    private final int attempts;
    private final EventKind kind;
    private final String businessKey;
    private final String transactionId;
    private final String outTradeNo;
    private final long amountFen;
    private final String currency;
    private final String merchantId;
    private final String appId;
    private final Instant eventTime;
    private final String outRefundNo;
    private final Long paymentFen;

    // The argument order is the <constructor> order in NotifyMapper.xml.
    Delivery(long id, String listener, State state, int attempts, EventKind kind, String businessKey,
            String transactionId, String outTradeNo, long amountFen, String currency,
            String merchantId, String appId, Instant eventTime, String outRefundNo, Long paymentFen) {
        this.id = id;
        this.listener = listener;
        this.state = state;
        this.attempts = attempts;
        this.kind = kind;
        this.businessKey = businessKey;
        this.transactionId = transactionId;
        this.outTradeNo = outTradeNo;
        this.amountFen = amountFen;
        this.currency = currency;
        this.merchantId = merchantId;
        this.appId = appId;
        this.eventTime = eventTime;
        this.outRefundNo = outRefundNo;
        this.paymentFen = paymentFen;
    }

    /**
     * The delivery of a PENDING entry just written for {@code n}, as {@link NotifyStore#loadDelivery}
     * would read it back (the event time at the millisecond the column holds).
     */
    static Delivery pending(long id, String listener, Notification n) {
        return new Delivery(id, listener, State.PENDING, 0, n.kind(), n.businessKey(), n.transactionId(),
                n.outTradeNo(), n.amountFen(), n.currency(), n.merchantId(), n.appId(),
                n.eventTime().truncatedTo(ChronoUnit.MILLIS), n.outRefundNo(),
                n.kind() == EventKind.REFUND ? Long.valueOf(n.paymentFen()) : null);
    }

    /** The outbox entry id. */
    long id() { return id; }
    /** The listener id given to {@link NotifyStore#record}. */
    String listener() { return listener; }
    State state() { return state; }
    /** Attempts made so far (each {@code markFailed} and {@code markDelivered} counts one). */
    int attempts() { return attempts; }
    EventKind kind() { return kind; }
    String businessKey() { return businessKey; }
    String transactionId() { return transactionId; }
    String outTradeNo() { return outTradeNo; }
    long amountFen() { return amountFen; }
    String currency() { return currency; }
    String merchantId() { return merchantId; }
    String appId() { return appId; }
    /** When WeChat Pay says the event happened (millisecond precision). */
    Instant eventTime() { return eventTime; }
    /** The shop's refund number of a refund; null for a payment. */
    String outRefundNo() { return outRefundNo; }
    /** The total of the refunded payment, for a refund; null for a payment. */
    Long paymentFen() { return paymentFen; }

    /** The same key as {@link Notification#idempotencyKey()} of the recorded notification. */
    String idempotencyKey() {
        return "wxpay:" + kind.name().toLowerCase(Locale.ROOT) + ":" + businessKey;
    }

    @Override
    public String toString() {
        return "Delivery[" + id + " to " + listener + ", " + state + ", " + attempts + " attempts, "
                + idempotencyKey() + ", order " + outTradeNo + "]";
    }
}
