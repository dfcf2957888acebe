package io.shopplug.sample;

import io.shopplug.api.OrderState;

/**
 * The states of an order as the shop keeps them in {@code shop_order.state}. The shop knows a
 * little more than payment does (shipping), so {@link #paymentState()} maps each to the plugin's
 * {@link OrderState}.
 */
enum ShopOrderStatus {
    /** Placed, waiting for the customer to pay. */
    AWAITING_PAYMENT(OrderState.AWAITING_PAYMENT),
    /** Paid, not yet shipped. */
    PAID(OrderState.PAID),
    /** Paid and handed to the courier. */
    SHIPPED(OrderState.PAID),
    /** Paid, and part of it refunded. */
    PARTIALLY_REFUNDED(OrderState.PARTIALLY_REFUNDED),
    /** Paid, and all of it refunded. */
    REFUNDED(OrderState.REFUNDED),
    /** Cancelled by the customer or the shop before payment. */
    CANCELLED(OrderState.CLOSED);

    private final OrderState paymentState;

    ShopOrderStatus(OrderState paymentState) {
        this.paymentState = paymentState;
    }

    OrderState paymentState() {
        return paymentState;
    }
}
