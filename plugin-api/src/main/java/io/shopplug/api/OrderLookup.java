package io.shopplug.api;

import java.util.Optional;

/**
 * The host's answer to "which order is this payment for?". A plugin accepts a payment only for an
 * order that exists, awaits payment, and whose amount and currency match.
 *
 * <p>Called on the thread handling a notification, possibly concurrently; implementations must be
 * thread-safe, fast (a keyed read), and must not change anything. An exception thrown here makes
 * the plugin answer with a retryable failure, so the payment provider sends the notification
 * again later.
 *
 * @since 0.1
 */
public interface OrderLookup {

    /**
     * Finds the order with the shop's order number (WeChat Pay's {@code out_trade_no}).
     *
     * @return the order as it is now, or empty when the shop has no such order
     */
    Optional<OrderSnapshot> find(String outTradeNo);
}
