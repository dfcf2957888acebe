package io.shopplug.api;

import java.time.Instant;
import java.util.List;

/**
 * The host's answer to "which orders are still waiting for their payment?", so a plugin can ask
 * the payment provider about them when a payment notification never arrived (reconciliation).
 * Optional: a host that offers none gets no reconciliation.
 *
 * <p>Called on one of the plugin's own background threads, never on a request thread, at most
 * once per reconciliation run (every minute by default) and only on the node that holds the
 * reconciliation lease; calls never overlap on one node. Implementations must be thread-safe, must
 * not change anything, and should answer with one indexed read. An exception thrown here ends
 * that run with an error recorded; the next run asks again.
 *
 * @since 0.1
 */
public interface PendingOrders {

    /**
     * The shop's order numbers (WeChat Pay's {@code out_trade_no}) of orders that await payment
     * ({@link OrderState#AWAITING_PAYMENT}) and were placed at or after {@code placedAfter} and
     * before {@code placedBefore}; the most recently placed first, so that when there are more
     * than {@code limit} the orders most likely to have been paid are asked about.
     *
     * @param placedAfter the earliest placing time of interest (inclusive); older orders are
     *     left alone
     * @param placedBefore the latest placing time of interest (exclusive); younger orders are
     *     still being paid and are left alone
     * @param limit the most order numbers to return; at least 1
     * @return at most {@code limit} order numbers, no duplicates, never null (empty when none)
     * @since 0.1
     */
    List<String> awaitingPayment(Instant placedAfter, Instant placedBefore, int limit);
}
