package io.shopplug.wxpay;

/** What the plugin decided about one notification. A duplicate is a normal result, not an error. */
enum Outcome {
    /** Recorded now; the listeners will be told. */
    ACCEPTED,
    /** Already recorded earlier; acknowledged with no second effect. */
    DUPLICATE,
    /** Refused; see the {@link Reason}. */
    REJECTED
}
