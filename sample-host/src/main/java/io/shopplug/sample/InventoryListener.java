package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.RefundEvent;
import java.sql.PreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deducts a paid order's quantity from its product's stock, exactly once per event. The money has
 * been taken, so the deduction happens even if it drives the stock below zero (an oversell the
 * shop's staff must see), and a warning says so. A refund puts its share of the quantity back.
 */
final class InventoryListener extends ExactlyOnceListener {
    static final String NAME = "inventory";
    private static final Logger LOG = LoggerFactory.getLogger(InventoryListener.class);

    InventoryListener(AppliedEvents appliedEvents) {
        super(NAME, appliedEvents);
    }

    @Override
    AppliedEvents.Effect paid(PaymentEvent event) {
        return c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_product SET stock = stock - ? WHERE id = ?")) {
                ps.setInt(1, order.quantity());
                ps.setLong(2, order.productId());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("The shop has no product " + order.productId());
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT stock FROM shop_product WHERE id = ?")) {
                ps.setLong(1, order.productId());
                try (var rs = ps.executeQuery()) {
                    if (rs.next() && rs.getInt(1) < 0) {
                        LOG.warn("Product {} oversold: stock is now {} after order {}",
                                order.productId(), rs.getInt(1), order.outTradeNo());
                    }
                }
            }
        };
    }

    /**
     * Puts back the refunded part of the order's quantity, exactly once per refund: what the
     * refunds this listener has applied so far add, {@code floor(qty × cumulative / paid)} minus
     * {@code floor(qty × previous / paid)}, so partial refunds never drift and a full refund puts
     * back the whole quantity.
     */
    @Override
    AppliedEvents.Effect refunded(RefundEvent event) {
        return c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            long back = RefundProgress.of(c, NAME, event).share(order.quantity());
            if (back == 0) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_product SET stock = stock + ? WHERE id = ?")) {
                ps.setLong(1, back);
                ps.setLong(2, order.productId());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("The shop has no product " + order.productId());
                }
            }
        };
    }
}
