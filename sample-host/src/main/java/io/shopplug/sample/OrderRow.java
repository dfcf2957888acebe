package io.shopplug.sample;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The facts of an order the listeners need, read inside their own transaction. */
record OrderRow(String outTradeNo, long memberId, long productId, int quantity, long amountFen,
        ShopOrderStatus status) {

    /**
     * Reads and locks the order row for the rest of the transaction.
     *
     * @throws IllegalStateException if the shop has no such order: the listener fails, nothing is
     *     recorded, and the plugin may deliver the event again
     */
    static OrderRow lock(Connection c, String outTradeNo) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT member_id, product_id, quantity, amount_fen, state FROM shop_order"
                        + " WHERE out_trade_no = ? FOR UPDATE")) {
            ps.setString(1, outTradeNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("The shop has no order " + outTradeNo);
                }
                return new OrderRow(outTradeNo, rs.getLong("member_id"), rs.getLong("product_id"),
                        rs.getInt("quantity"), rs.getLong("amount_fen"),
                        ShopOrderStatus.valueOf(rs.getString("state").trim()));
            }
        }
    }
}
