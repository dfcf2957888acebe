package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.RefundEvent;
import java.sql.PreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks an order {@code PAID} when its payment is recorded. Only an order awaiting payment moves;
 * a state never moves back. Refunds move it on to partially refunded and refunded. Exactly once
 * per event (see {@link AppliedEvents}).
 */
final class OrderStatusListener extends ExactlyOnceListener {
    static final String NAME = "order-status";
    private static final Logger LOG = LoggerFactory.getLogger(OrderStatusListener.class);

    OrderStatusListener(AppliedEvents appliedEvents) {
        super(NAME, appliedEvents);
    }

    @Override
    AppliedEvents.Effect paid(PaymentEvent event) {
        return c -> {
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
        };
    }

    /**
     * Keeps {@code refunded_fen} at the refunds applied so far and moves the order forward to
     * {@code PARTIALLY_REFUNDED}, or {@code REFUNDED} once they make up the payment; never back
     * (a refunded order does not become partially refunded or paid again), and a cancelled order
     * keeps its state. Exactly once per refund.
     */
    @Override
    AppliedEvents.Effect refunded(RefundEvent event) {
        return c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            RefundProgress progress = RefundProgress.of(c, NAME, event);
            ShopOrderStatus target = progress.complete()
                    ? ShopOrderStatus.REFUNDED : ShopOrderStatus.PARTIALLY_REFUNDED;
            ShopOrderStatus next = isForward(order.status(), target) ? target : order.status();
            if (next != target) {
                LOG.warn("Order {} is {}: left as it is for {}", order.outTradeNo(), order.status(), event);
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_order SET refunded_fen = ?, state = ? WHERE out_trade_no = ?")) {
                ps.setLong(1, progress.cumulativeFen());
                ps.setString(2, next.name());
                ps.setString(3, order.outTradeNo());
                ps.executeUpdate();
            }
        };
    }

    /** Whether a refund may move an order from {@code from} to {@code to}: only forward, never from CANCELLED. */
    static boolean isForward(ShopOrderStatus from, ShopOrderStatus to) {
        return from != ShopOrderStatus.CANCELLED && rank(to) > rank(from);
    }

    private static int rank(ShopOrderStatus s) {
        switch (s) {
            case AWAITING_PAYMENT: return 0;
            case PAID: return 1;
            case SHIPPED: return 2;
            case PARTIALLY_REFUNDED: return 3;
            case REFUNDED: return 4;
            default: return -1;
        }
    }
}
