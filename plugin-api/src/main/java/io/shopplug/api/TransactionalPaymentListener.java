package io.shopplug.api;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * A host hook told about payments and refunds inside the plugin's own database transaction, so
 * that its effect and the plugin's record "delivered to this listener" commit together: exactly
 * once, without an idempotency table of the host's own.
 *
 * <p>Contract:
 * <ul>
 *   <li>Called on a plugin worker thread, never on the thread answering WeChat Pay, and only
 *       after the payment or refund has been committed to the plugin's tables.</li>
 *   <li>{@code connection} belongs to a transaction on the plugin's database that has already
 *       marked this listener's delivery of the event as done. The plugin commits it after the
 *       method returns normally, so the listener's writes through {@code connection} and the
 *       delivery record become durable together, or not at all. Do the whole effect through
 *       {@code connection}; writes through any other connection are not part of the promise.
 *       The transaction runs at {@code READ COMMITTED} on every database, so a read that follows
 *       a lock the listener waited for sees what other transactions committed meanwhile.</li>
 *   <li>Do not commit, roll back, close the connection or change its auto-commit mode: the
 *       plugin refuses those calls with an {@link SQLException}. Statements and result sets
 *       opened on it should be closed before returning.</li>
 *   <li>A thrown exception (checked or not) rolls back both the listener's writes and the
 *       delivery record; the event is delivered again later with exponential back-off, and
 *       after {@code wxpay.dispatch.max-attempts} failures it is parked as a dead letter for
 *       a person to replay. If the node dies during the call, the transaction is rolled back by
 *       the database and another node (or this one after a restart) delivers the event again.
 *       So the method can run more than once for an event, but its committed effect happens
 *       exactly once. Let an {@link SQLException} out rather than swallow it: on some databases
 *       a failed statement (a deadlock) ends the whole transaction, the delivery record with it;
 *       the plugin then finds its record gone, rolls back the rest and counts a failed attempt.</li>
 *   <li>Only one delivery of an event to a listener runs at a time, on any node: the database
 *       row of the delivery stays locked until the commit, and another node's worker that reaches
 *       for it waits. Keep the call short.</li>
 *   <li>This only makes sense when the plugin's tables live in the shop's own database, that is
 *       when the host hands its {@code DataSource} through {@link PluginContext#dataSource()} (or
 *       the plugin is configured with the same database). The effect must be a change in that
 *       database.</li>
 *   <li>Each listener has its own delivery of each event: listeners run independently, possibly
 *       at the same time and in no fixed order. A failure never stops other listeners and never
 *       changes the answer sent to WeChat Pay.</li>
 * </ul>
 * Implementations must be thread-safe: different events can be delivered concurrently. A host
 * hands them over in {@link PluginContext#services(Class)} with this interface as the type (or
 * registers them in {@code META-INF/services/io.shopplug.api.TransactionalPaymentListener}).
 *
 * @since 0.1
 */
public interface TransactionalPaymentListener {

    /**
     * A payment for one of the shop's orders has been verified and recorded.
     *
     * @param event the payment; {@link PaymentEvent#idempotencyKey()} is stable across deliveries
     * @param connection the plugin's transaction; see the class contract
     * @throws SQLException or any other exception to roll back and be retried later
     */
    default void onPaid(PaymentEvent event, Connection connection) throws SQLException {}

    /**
     * A refund of one of the shop's payments has been recorded.
     *
     * @param event the refund; {@link RefundEvent#idempotencyKey()} is stable across deliveries
     * @param connection the plugin's transaction; see the class contract
     * @throws SQLException or any other exception to roll back and be retried later
     */
    default void onRefunded(RefundEvent event, Connection connection) throws SQLException {}
}
