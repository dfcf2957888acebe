package io.shopplug.sample;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/** The shop's reads and its one write of its own: placing an order. */
final class ShopStore {
    /** Order dates follow the shop's (and WeChat Pay's) calendar. */
    static final ZoneId SHOP_ZONE = ZoneId.of("Asia/Shanghai");
    static final int MAX_QUANTITY = 99;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyyMMdd");
    private static final char[] ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".toCharArray();

    record Product(long id, String name, long priceFen, int stock) {}

    record Member(long id, String name, long points) {}

    /** An order with the current stock of its product and the current points of its member. */
    record OrderView(String outTradeNo, String state, long amountFen, String currency, int quantity,
            long productId, String productName, int stock, long memberId, String memberName,
            long points, Instant createdAt, Instant paidAt, long refundedFen) {}

    /** Why an order could not be placed; the message is safe to show. */
    static final class OrderRejected extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean conflict;

        OrderRejected(String message, boolean conflict) {
            super(message, null, false, false);
            this.conflict = conflict;
        }

        /** True when the request was well formed but the shop cannot serve it now (stock). */
        boolean conflict() {
            return conflict;
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    ShopStore(DataSource dataSource, Clock clock) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    List<Product> products() {
        return query("SELECT id, name, price_fen, stock FROM shop_product ORDER BY id", rs ->
                new Product(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4)));
    }

    List<Member> members() {
        return query("SELECT id, name, points FROM shop_member ORDER BY id", rs ->
                new Member(rs.getLong(1), rs.getString(2), rs.getLong(3)));
    }

    /**
     * Places an order awaiting payment, priced from the product.
     *
     * @throws OrderRejected if the member or product is unknown, the quantity is out of range or
     *     the stock is short
     */
    OrderView placeOrder(long memberId, long productId, int quantity) {
        if (quantity < 1 || quantity > MAX_QUANTITY) {
            throw new OrderRejected("quantity must be between 1 and " + MAX_QUANTITY, false);
        }
        String outTradeNo = newOutTradeNo();
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                Product product = one(c, "SELECT id, name, price_fen, stock FROM shop_product WHERE id = ?",
                        productId, rs -> new Product(rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getInt(4)))
                        .orElseThrow(() -> new OrderRejected("no product " + productId, false));
                one(c, "SELECT id, name, points FROM shop_member WHERE id = ?", memberId,
                        rs -> new Member(rs.getLong(1), rs.getString(2), rs.getLong(3)))
                        .orElseThrow(() -> new OrderRejected("no member " + memberId, false));
                if (product.stock() < quantity) {
                    throw new OrderRejected("only " + Math.max(product.stock(), 0) + " of "
                            + product.name() + " in stock", true);
                }
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO shop_order (out_trade_no,"
                        + " member_id, product_id, quantity, amount_fen, currency, state, created_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                    ps.setString(1, outTradeNo);
                    ps.setLong(2, memberId);
                    ps.setLong(3, productId);
                    ps.setInt(4, quantity);
                    ps.setLong(5, Math.multiplyExact(product.priceFen(), quantity));
                    ps.setString(6, "CNY");
                    ps.setString(7, ShopOrderStatus.AWAITING_PAYMENT.name());
                    ps.setObject(8, ShopDatabase.utc(clock.instant()));
                    ps.executeUpdate();
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot place the order: " + e.getMessage(), e);
        }
        return order(outTradeNo).orElseThrow();
    }

    Optional<OrderView> order(String outTradeNo) {
        List<OrderView> found = query("SELECT o.out_trade_no, o.state, o.amount_fen, o.currency,"
                + " o.quantity, o.product_id, p.name AS product_name, p.stock, o.member_id,"
                + " m.name AS member_name, m.points, o.created_at, o.paid_at, o.refunded_fen"
                + " FROM shop_order o JOIN shop_product p ON p.id = o.product_id"
                + " JOIN shop_member m ON m.id = o.member_id WHERE o.out_trade_no = ?",
                rs -> new OrderView(rs.getString("out_trade_no"), rs.getString("state").trim(),
                        rs.getLong("amount_fen"), rs.getString("currency").trim(),
                        rs.getInt("quantity"), rs.getLong("product_id"), rs.getString("product_name"),
                        rs.getInt("stock"), rs.getLong("member_id"), rs.getString("member_name"),
                        rs.getLong("points"), ShopDatabase.instant(rs, "created_at"),
                        ShopDatabase.instant(rs, "paid_at"), rs.getLong("refunded_fen")),
                outTradeNo);
        return found.stream().findFirst();
    }

    /** {@code SHOP-<yyyyMMdd>-<8 random characters>}: 22 characters, within WeChat's 32. */
    String newOutTradeNo() {
        StringBuilder sb = new StringBuilder("SHOP-")
                .append(DAY.format(clock.instant().atZone(SHOP_ZONE))).append('-');
        for (int i = 0; i < 8; i++) {
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    @FunctionalInterface
    private interface RowMapper<T> {
        T map(ResultSet rs) throws SQLException;
    }

    private <T> List<T> query(String sql, RowMapper<T> mapper, Object... params) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<T> result = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    result.add(mapper.map(rs));
                }
            }
            return result;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the shop database: " + e.getMessage(), e);
        }
    }

    private static <T> Optional<T> one(Connection c, String sql, long id, RowMapper<T> mapper)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(mapper.map(rs)) : Optional.empty();
            }
        }
    }
}
