package io.shopplug.wxpay;

/**
 * Thrown inside the notify pipeline when a notification is refused; translated to the wire
 * answer in one place. Carries no stack trace (it is a normal outcome) and no secret.
 */
final class NotifyRejected extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    NotifyRejected(Reason reason) {
        super(reason.message(), null, false, false);
        this.reason = reason;
    }

    NotifyRejected(Reason reason, Throwable cause) {
        super(reason.message(), cause, false, false);
        this.reason = reason;
    }

    Reason reason() { return reason; }
}
