package io.shopplug.sample;

import io.shopplug.api.PendingOrders;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Tells the plugin's reconciliation which orders still await payment, from {@code shop_order}: one
 * read, newest first, changing nothing.
 */
final class ShopPendingOrders implements PendingOrders {
    private final DataSource dataSource;

    ShopPendingOrders(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public List<String> awaitingPayment(Instant placedAfter, Instant placedBefore, int limit) {
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT out_trade_no FROM shop_order"
                        + " WHERE state = ? AND created_at >= ? AND created_at < ?"
                        + " ORDER BY created_at DESC, out_trade_no")) {
            ps.setString(1, ShopOrderStatus.AWAITING_PAYMENT.name());
            ps.setObject(2, ShopDatabase.utc(placedAfter));
            ps.setObject(3, ShopDatabase.utc(placedBefore));
            ps.setMaxRows(limit);
            List<String> orders = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next() && orders.size() < limit) {
                    orders.add(rs.getString(1));
                }
            }
            return orders;
        } catch (SQLException e) {
            // The plugin records that the run failed and asks again at the next one.
            throw new IllegalStateException("Cannot list the orders awaiting payment", e);
        }
    }
}
