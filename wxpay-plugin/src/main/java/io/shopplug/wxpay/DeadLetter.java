package io.shopplug.wxpay;

import java.time.Instant;
import java.util.Locale;

/**
 * An outbox entry given up after the maximum number of attempts ({@code DEAD}), as
 * {@link NotifyStore#deadLetters} lists it for a person to look at and replay. Immutable.
 */
final class DeadLetter {
    private final long id;
    private final String listener;
    private final EventKind kind;
    private final String businessKey;
    private final String outTradeNo;
    private final int attempts;
    private final String lastError;
    private final Instant createdAt;

    // The argument order is the <constructor> order in NotifyMapper.xml.
    DeadLetter(long id, String listener, EventKind kind, String businessKey, String outTradeNo,
            int attempts, String lastError, Instant createdAt) {
        this.id = id;
        this.listener = listener;
        this.kind = kind;
        this.businessKey = businessKey;
        this.outTradeNo = outTradeNo;
        this.attempts = attempts;
        this.lastError = lastError;
        this.createdAt = createdAt;
    }

    /** The outbox entry id, to replay it with. */
    long id() { return id; }
    /** The listener id the entry is for. */
    String listener() { return listener; }
    EventKind kind() { return kind; }
    String businessKey() { return businessKey; }
    String outTradeNo() { return outTradeNo; }
    /** Attempts made before it was given up. */
    int attempts() { return attempts; }
    /** The last failure as recorded (exception type and message; no secret is written there). */
    String lastError() { return lastError; }
    /** When the entry was recorded. */
    Instant createdAt() { return createdAt; }

    /** The idempotency key of the event. */
    String idempotencyKey() {
        return "wxpay:" + kind.name().toLowerCase(Locale.ROOT) + ":" + businessKey;
    }

    @Override
    public String toString() {
        return "DeadLetter[" + id + " to " + listener + ", " + idempotencyKey() + ", order "
                + outTradeNo + ", " + attempts + " attempts]";
    }
}
