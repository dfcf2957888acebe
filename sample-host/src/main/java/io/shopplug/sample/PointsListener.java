package io.shopplug.sample;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.sql.PreparedStatement;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Awards the order's member one point per whole yuan paid (fen / 100, rounded down), exactly once
 * per event.
 */
final class PointsListener implements PaymentListener {
    static final String NAME = "points";
    private static final Logger LOG = LoggerFactory.getLogger(PointsListener.class);

    private final AppliedEvents appliedEvents;

    PointsListener(AppliedEvents appliedEvents) {
        this.appliedEvents = Objects.requireNonNull(appliedEvents, "appliedEvents");
    }

    /** Points for an amount: one per whole yuan. */
    static long pointsFor(long amountFen) {
        return amountFen / 100;
    }

    @Override
    public void onPaid(PaymentEvent event) {
        AppliedEvents.Outcome outcome = appliedEvents.applyOnce(event.idempotencyKey(), NAME, c -> {
            OrderRow order = OrderRow.lock(c, event.outTradeNo());
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE shop_member SET points = points + ? WHERE id = ?")) {
                ps.setLong(1, pointsFor(event.amountFen()));
                ps.setLong(2, order.memberId());
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("The shop has no member " + order.memberId());
                }
            }
        });
        LOG.info("{} {}: {}", NAME, outcome, event);
    }
}
