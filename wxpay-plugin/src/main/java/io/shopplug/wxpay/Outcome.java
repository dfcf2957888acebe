package io.shopplug.wxpay;

/** What the plugin decided about one notification. A duplicate is a normal result, not an error. */
enum Outcome {
    /** Recorded now; the listeners will be told. */
    ACCEPTED,
    /** Already recorded earlier; acknowledged with no second effect. */
    DUPLICATE,
    /**
     * Genuine, recorded in the notify log and acknowledged, with no effect: an event the plugin
     * does not act on (a refund that closed or went abnormal, an unknown event type).
     */
    IGNORED,
    /** Refused; see the {@link Reason}. */
    REJECTED
}
