package io.shopplug.sample;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderSnapshot;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** Answers the plugin's "which order is this?" from {@code shop_order}: one keyed read. */
final class ShopOrderLookup implements OrderLookup {
    private final DataSource dataSource;

    ShopOrderLookup(DataSource dataSource) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    }

    @Override
    public Optional<OrderSnapshot> find(String outTradeNo) {
        if (outTradeNo == null || outTradeNo.isEmpty()) {
            return Optional.empty();
        }
        try (Connection c = dataSource.getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT amount_fen, currency, state FROM shop_order WHERE out_trade_no = ?")) {
            ps.setString(1, outTradeNo);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                ShopOrderStatus status = ShopOrderStatus.valueOf(rs.getString("state").trim());
                return Optional.of(new OrderSnapshot(outTradeNo, rs.getLong("amount_fen"),
                        rs.getString("currency").trim(), status.paymentState()));
            }
        } catch (SQLException e) {
            // The plugin turns this into a retryable answer, so WeChat Pay sends the notify again.
            throw new IllegalStateException("Cannot read order " + outTradeNo, e);
        }
    }
}
