package io.shopplug.sample;

import io.shopplug.api.RefundEvent;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * How much of an order's payment one listener has handed back, counting the refund it is applying
 * now: the listener's share of a refund is what the cumulative amount adds, so that several partial
 * refunds add up exactly, whatever their order of arrival, with no rounding drift.
 *
 * @param previousFen the refunds this listener had applied to the order before this one
 * @param cumulativeFen the same, this refund included (at most the payment)
 * @param paidFen the payment refunded
 */
record RefundProgress(long previousFen, long cumulativeFen, long paidFen) {

    /**
     * Notes the refund in {@code shop_refund} (once, whichever listener comes first) and sums the
     * refunds of the order that {@code listener} has applied, per {@code shop_applied_event}.
     * Call it inside {@link AppliedEvents#applyOnce} after {@link OrderRow#lock}: the claim of
     * this refund is then in the transaction, and the order's row lock serialises this listener's
     * refunds of the order.
     */
    static RefundProgress of(Connection c, String listener, RefundEvent event) throws SQLException {
        noteRefund(c, event);
        long cumulative;
        try (PreparedStatement ps = c.prepareStatement("SELECT COALESCE(SUM(r.refund_fen), 0)"
                + " FROM shop_refund r JOIN shop_applied_event a ON a.idempotency_key = r.idempotency_key"
                + " WHERE a.listener = ? AND r.out_trade_no = ?")) {
            ps.setString(1, listener);
            ps.setString(2, event.outTradeNo());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                cumulative = rs.getLong(1);
            }
        }
        long paid = event.paymentFen();
        // The plugin never lets refunds exceed the payment; clamp anyway rather than give back more.
        long capped = Math.min(cumulative, paid);
        return new RefundProgress(Math.min(cumulative - event.refundFen(), capped), capped, paid);
    }

    /**
     * This refund's share of {@code whole} (a quantity, the points awarded):
     * {@code floor(whole × cumulative / paid) − floor(whole × previous / paid)}.
     */
    long share(long whole) {
        if (paidFen <= 0) {
            return 0;
        }
        return Math.multiplyExact(whole, cumulativeFen) / paidFen
                - Math.multiplyExact(whole, previousFen) / paidFen;
    }

    /** True once the refunds this listener applied make up the whole payment. */
    boolean complete() {
        return cumulativeFen >= paidFen;
    }

    private static void noteRefund(Connection c, RefundEvent event) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT 1 FROM shop_refund WHERE idempotency_key = ? FOR UPDATE")) {
            ps.setString(1, event.idempotencyKey());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop_refund (idempotency_key,"
                + " refund_id, out_trade_no, refund_fen, payment_fen, refunded_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, event.idempotencyKey());
            ps.setString(2, event.refundId());
            ps.setString(3, event.outTradeNo());
            ps.setLong(4, event.refundFen());
            ps.setLong(5, event.paymentFen());
            ps.setObject(6, ShopDatabase.utc(event.refundedAt()));
            ps.executeUpdate();
        }
    }
}
