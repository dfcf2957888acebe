package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shop's schema creation on a database a shop from before refunds created. */
class ShopDatabaseTest {

    @Test
    void aDatabaseFromBeforeRefundsIsUpgradedInPlace() throws SQLException {
        String url = TestShops.memoryDbUrl();
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            // The shop's tables as they were before refunds, with an order in them.
            st.execute("CREATE TABLE shop_product (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                    + " price_fen BIGINT NOT NULL, stock INT NOT NULL)");
            st.execute("CREATE TABLE shop_member (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL,"
                    + " points BIGINT DEFAULT 0 NOT NULL)");
            st.execute("CREATE TABLE shop_order (out_trade_no VARCHAR(32) NOT NULL PRIMARY KEY,"
                    + " member_id BIGINT NOT NULL REFERENCES shop_member (id),"
                    + " product_id BIGINT NOT NULL REFERENCES shop_product (id), quantity INT NOT NULL,"
                    + " amount_fen BIGINT NOT NULL, currency CHAR(3) NOT NULL, state VARCHAR(24) NOT NULL,"
                    + " created_at TIMESTAMP(3) NOT NULL, paid_at TIMESTAMP(3))");
            st.execute("CREATE TABLE shop_applied_event (idempotency_key VARCHAR(191) NOT NULL,"
                    + " listener VARCHAR(64) NOT NULL, applied_at TIMESTAMP(3) NOT NULL,"
                    + " PRIMARY KEY (idempotency_key, listener))");
            st.execute("INSERT INTO shop_product VALUES (1, 'Green tea', 1999, 99)");
            st.execute("INSERT INTO shop_member VALUES (1, 'Alice', 19)");
            st.execute("INSERT INTO shop_order VALUES ('SHOP-OLD', 1, 1, 1, 1999, 'CNY', 'PAID',"
                    + " TIMESTAMP '2025-01-01 00:00:00', TIMESTAMP '2025-01-01 00:01:00')");
        }
        ShopSettings settings = ShopSettings.fromMap(Map.of(ShopSettings.DB_URL, url));
        ShopDatabase.open(settings).close();
        try (ShopDatabase db = ShopDatabase.open(settings)) { // and again: nothing to do
            ShopStore.OrderView old = new ShopStore(db.dataSource(), Clock.systemUTC()).order("SHOP-OLD").orElseThrow();
            assertEquals("PAID", old.state());
            assertEquals(0, old.refundedFen());
            try (Connection c = db.dataSource().getConnection();
                    ResultSet rs = c.getMetaData().getTables(null, null, "SHOP_REFUND", null)) {
                assertTrue(rs.next(), "shop_refund created");
            }
        }
    }
}
