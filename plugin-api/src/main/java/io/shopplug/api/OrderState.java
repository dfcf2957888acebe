package io.shopplug.api;

/**
 * Where an order stands as far as payment is concerned. States only move forward:
 * {@code AWAITING_PAYMENT → PAID → PARTIALLY_REFUNDED → REFUNDED}; {@code CLOSED} means the shop
 * closed or cancelled the order before it was paid, so a late payment must be given back.
 *
 * @since 0.1
 */
public enum OrderState {
    /** Placed and not yet paid: the only state in which a payment is applied. */
    AWAITING_PAYMENT,
    /** Paid in full. */
    PAID,
    /** Paid, and part of the amount refunded. */
    PARTIALLY_REFUNDED,
    /** Paid, and the whole amount refunded. */
    REFUNDED,
    /** Closed or cancelled by the shop without payment. */
    CLOSED
}
