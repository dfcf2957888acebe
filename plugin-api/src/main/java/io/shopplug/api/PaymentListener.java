package io.shopplug.api;

/**
 * A host hook told about payments and refunds once they are durably recorded, for example to
 * mark an order paid, deduct inventory or award points.
 *
 * <p>Contract:
 * <ul>
 *   <li>Called on a plugin worker thread, never on the thread answering WeChat Pay, and only
 *       after the payment or refund has been committed to the plugin's tables.</li>
 *   <li>Delivery is at least once: the same event can arrive again (after a crash or a retry).
 *       Make the effect idempotent with {@link PaymentEvent#idempotencyKey()} or
 *       {@link RefundEvent#idempotencyKey()}, for example with a unique key in the same
 *       database transaction as the effect.</li>
 *   <li>Each listener has its own delivery of each event: listeners run independently, possibly
 *       at the same time and in no fixed order. One listener's failure never stops the others
 *       and never changes the answer sent to WeChat Pay. A thrown exception is logged with the
 *       listener's class name, recorded against the event, and the delivery is retried later
 *       with exponential back-off; after {@code wxpay.dispatch.max-attempts} failures it is
 *       parked as a dead letter for a person to replay.</li>
 *   <li>Never concurrently for the same event: a delivery runs only on the node holding its
 *       lease, and a node renews the lease while the listener runs. (If a node cannot reach the
 *       database for longer than the lease, another node may take the event over while the first
 *       call is still running: keep the effect idempotent.)</li>
 * </ul>
 * For exactly-once effects without an idempotency table, see {@link TransactionalPaymentListener}.
 * Implementations must be thread-safe: different events can be delivered concurrently.
 *
 * @since 0.1
 */
public interface PaymentListener {

    /** A payment for one of the shop's orders has been verified and recorded. */
    default void onPaid(PaymentEvent event) {}

    /** A refund of one of the shop's payments has been recorded. */
    default void onRefunded(RefundEvent event) {}
}
