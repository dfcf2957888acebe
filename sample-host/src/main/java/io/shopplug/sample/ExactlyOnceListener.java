package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.RefundEvent;
import io.shopplug.api.TransactionalPaymentListener;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A shop listener whose effects happen exactly once per event: recorded in
 * {@code shop_applied_event} under its name in the same transaction as the effect. The plugin
 * calls the transactional methods (its own delivery transaction); the plain ones open a
 * transaction of their own, for a host whose plugin keeps its tables elsewhere.
 */
abstract class ExactlyOnceListener implements PaymentListener, TransactionalPaymentListener {
    private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceListener.class);

    private final String name;
    private final AppliedEvents appliedEvents;

    ExactlyOnceListener(String name, AppliedEvents appliedEvents) {
        this.name = Objects.requireNonNull(name, "name");
        this.appliedEvents = Objects.requireNonNull(appliedEvents, "appliedEvents");
    }

    /** The effect of a payment, run once its event is claimed. */
    abstract AppliedEvents.Effect paid(PaymentEvent event);

    /** The effect of a refund, run once its event is claimed. */
    abstract AppliedEvents.Effect refunded(RefundEvent event);

    @Override
    public final void onPaid(PaymentEvent event) {
        LOG.info("{} {}: {}", name, appliedEvents.applyOnce(event.idempotencyKey(), name, paid(event)), event);
    }

    @Override
    public final void onPaid(PaymentEvent event, Connection connection) throws SQLException {
        LOG.info("{} {}: {}", name, appliedEvents.applyWithin(connection, event.idempotencyKey(), name, paid(event)), event);
    }

    @Override
    public final void onRefunded(RefundEvent event) {
        LOG.info("{} {}: {}", name, appliedEvents.applyOnce(event.idempotencyKey(), name, refunded(event)), event);
    }

    @Override
    public final void onRefunded(RefundEvent event, Connection connection) throws SQLException {
        LOG.info("{} {}: {}", name, appliedEvents.applyWithin(connection, event.idempotencyKey(), name, refunded(event)), event);
    }
}
