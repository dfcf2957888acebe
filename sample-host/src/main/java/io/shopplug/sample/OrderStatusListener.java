package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.sql.PreparedStatement;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks an order {@code PAID} when its payment is recorded. Only an order awaiting payment moves;
 * a state never moves back. Exactly once per event (see {@link AppliedEvents}).
 */
final class OrderStatusListener implements PaymentListener {
    static final String NAME = "order-status";
    private static final Logger LOG = LoggerFactory.getLogger(OrderStatusListener.class);

    private final AppliedEvents appliedEvents;

    OrderStatusListener(AppliedEvents appliedEvents) {
        this.appliedEvents = Objects.requireNonNull(appliedEvents, "appliedEvents");
    }

    @Override
    public void onPaid(PaymentEvent event) {
        AppliedEvents.Outcome outcome = appliedEvents.applyOnce(event.idempotencyKey(), NAME, c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            if (order.status() != ShopOrderStatus.AWAITING_PAYMENT) {
                LOG.warn("Order {} is {}, not awaiting payment: left as it is for {}",
                        order.outTradeNo(), order.status(), event);
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_order SET state = ?, paid_at = ? WHERE out_trade_no = ? AND state = ?")) {
                ps.setString(1, ShopOrderStatus.PAID.name());
                ps.setObject(2, ShopDatabase.utc(event.paidAt()));
                ps.setString(3, order.outTradeNo());
                ps.setString(4, ShopOrderStatus.AWAITING_PAYMENT.name());
                ps.executeUpdate();
            }
        });
        LOG.info("{} {}: {}", NAME, outcome, event);
    }
}
