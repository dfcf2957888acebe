package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.RefundEvent;
import java.sql.PreparedStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Awards the order's member one point per whole yuan paid (fen / 100, rounded down), exactly once
 * per event; a refund takes back its share of them.
 */
final class PointsListener extends ExactlyOnceListener {
    static final String NAME = "points";
    private static final Logger LOG = LoggerFactory.getLogger(PointsListener.class);

    PointsListener(AppliedEvents appliedEvents) {
        super(NAME, appliedEvents);
    }

    /** Points for an amount: one per whole yuan. */
    static long pointsFor(long amountFen) {
        return amountFen / 100;
    }

    @Override
    AppliedEvents.Effect paid(PaymentEvent event) {
        return c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_member SET points = points + ? WHERE id = ?")) {
                ps.setLong(1, pointsFor(event.amountFen()));
                ps.setLong(2, order.memberId());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("The shop has no member " + order.memberId());
                }
            }
        };
    }

    /**
     * Takes back the refunded share of the points the payment earned, exactly once per refund, in
     * proportion to the cumulative refunded amount (see {@link RefundProgress#share}). Points
     * already spent may leave the member below zero; a warning says so.
     */
    @Override
    AppliedEvents.Effect refunded(RefundEvent event) {
        return c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            long back = RefundProgress.of(c, NAME, event).share(pointsFor(event.paymentFen()));
            if (back == 0) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_member SET points = points - ? WHERE id = ?")) {
                ps.setLong(1, back);
                ps.setLong(2, order.memberId());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("The shop has no member " + order.memberId());
                }
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT points FROM shop_member WHERE id = ?")) {
                ps.setLong(1, order.memberId());
                try (var rs = ps.executeQuery()) {
                    if (rs.next() && rs.getLong(1) < 0) {
                        LOG.warn("Member {} has {} points after refund {} of order {}",
                                order.memberId(), rs.getLong(1), event.refundId(), order.outTradeNo());
                    }
                }
            }
        };
    }
}
