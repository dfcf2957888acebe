package io.shopplug.wxpay;

/** What a notification reports. Stored by name; with the business key it is the idempotency key. */
enum EventKind {
    /** A payment; business key: WeChat Pay's {@code transaction_id}. */
    PAYMENT,
    /** A refund; business key: WeChat Pay's {@code refund_id}. */
    REFUND
}
