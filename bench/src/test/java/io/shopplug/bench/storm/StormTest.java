package io.shopplug.bench.storm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.sample.SampleShop;
import io.shopplug.sample.ShopSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storm's small profile, as CI runs it: the same driver as the full storm, against the sample
 * shop started in this JVM on embedded H2 ({@link StormMariaDbTest}: on MariaDB), with
 * {@value #ORDERS} orders x 10 copies and 10 % forged requests, after a warm-up of
 * {@value #WARMUP} orders of the same shape. Only counts are asserted, never timing: every check of
 * the storm's report, and the test's own counts from the shop's database, which cover the warm-up's
 * orders as well as the storm's.
 */
class StormTest {
    static final int ORDERS = 300;
    static final int WARMUP = 40;

    @TempDir
    Path dir;

    /** The shop's database settings; H2 here. */
    Map<String, String> database(Path dir) {
        return Map.of(ShopSettings.DB_URL, "jdbc:h2:file:" + dir.resolve("db/shop").toAbsolutePath());
    }

    StormOptions options(Path dir) {
        return StormOptions.defaults().withOrders(ORDERS).withWarmupOrders(WARMUP).withOut(dir)
                .withLimits(Duration.ofSeconds(150), Duration.ofSeconds(60));
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aSmallStormPaysEveryOrderExactlyOnceAndAcceptsNothingForged() throws Exception {
        Path keyFile = dir.resolve("platform-key.pem");
        Map<String, String> values = new HashMap<>(database(dir));
        values.put(ShopSettings.PORT, "0");
        values.put(ShopSettings.WXPAY_API, "v3");
        values.put(ShopSettings.WXPAY_KEY_MODE, "public-key");
        values.put(ShopSettings.WXPAY_PLATFORM_KEY_FILE, keyFile.toString());
        values.put(ShopSettings.DATA_DIR, dir.resolve("shop-data").toString());
        values.put(ShopSettings.RECONCILE_DELAY_SECONDS, "3600");
        StormOptions options = options(dir);
        try (SampleShop shop = SampleShop.start(ShopSettings.fromMap(values))) {
            DataSource db = shop.dataSource();
            StormTarget target = StormTarget.inThisJvm(shop.baseUri(), db, keyFile);
            Map<Long, Long> pointsBefore = StormOrders.column(target, "SELECT id, points FROM shop_member");

            StormReport report = Storm.run(options, target);
            Path out = Path.of("target", getClass().getSimpleName());
            Files.createDirectories(out);
            report.write(out);

            assertTrue(report.passed(), report.markdown());
            assertEquals(ORDERS * 10 + ORDERS, report.requests(), "10 copies each and 10 % forged, the storm's only");
            assertEquals(report.requests(), report.answered());
            assertEquals(0, report.forgedAcknowledged());
            String checks = report.markdown();
            assertTrue(checks.contains((ORDERS + WARMUP) + " of " + (ORDERS + WARMUP) + " PAID"),
                    "the database checks cover the warm-up's orders too");
            int warmupRequests = WARMUP * 10 + WARMUP;
            assertTrue(checks.contains((report.requests() + warmupRequests) + " of " + (report.requests() + warmupRequests)
                    + " sent"), "the answer checks cover the warm-up's requests too");
            assertTrue(checks.contains("| warm-up's outbox drained before the storm | PASS |"), checks);

            // The test's own counts, straight from the shop's database: the warm-up's orders and the storm's.
            int paid = ORDERS + WARMUP;
            int bait = options.baitOrders() + options.warmup().baitOrders();
            assertEquals(paid, count(db, "SELECT COUNT(*) FROM wxpay_transaction"));
            assertEquals(paid, count(db, "SELECT COUNT(DISTINCT out_trade_no) FROM wxpay_transaction"));
            assertEquals(paid, count(db, "SELECT COUNT(DISTINCT transaction_id) FROM wxpay_transaction"));
            assertEquals(paid + bait, count(db, "SELECT COUNT(*) FROM shop_order"));
            assertEquals(paid, count(db, "SELECT COUNT(*) FROM shop_order WHERE state = 'PAID'"));
            assertEquals(bait, count(db, "SELECT COUNT(*) FROM shop_order WHERE state = 'AWAITING_PAYMENT'"));
            assertEquals(0, count(db, "SELECT COUNT(*) FROM wxpay_transaction t JOIN shop_order o"
                    + " ON o.out_trade_no = t.out_trade_no WHERE o.state <> 'PAID'"), "no payment of an unpaid order");
            assertEquals(paid * 3L, count(db, "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'"));
            assertEquals(paid * 3L, count(db, "SELECT COUNT(*) FROM shop_applied_event"));
            // The storm stocks each product with its orders' quantity and 1000 more.
            assertEquals(Map.of(1L, 1000L, 2L, 1000L, 3L, 1000L, 4L, 1000L),
                    StormOrders.column(target, "SELECT id, stock FROM shop_product"));
            // One point per whole yuan (FLOOR: MariaDB divides integers into decimals).
            Map<Long, Long> earned = StormOrders.column(target, "SELECT member_id, SUM(FLOOR(amount_fen / 100.0)) FROM shop_order"
                    + " WHERE state = 'PAID' GROUP BY member_id");
            Map<Long, Long> pointsAfter = StormOrders.column(target, "SELECT id, points FROM shop_member");
            for (Map.Entry<Long, Long> before : pointsBefore.entrySet()) {
                assertEquals(before.getValue() + earned.getOrDefault(before.getKey(), 0L),
                        pointsAfter.get(before.getKey()), "points of member " + before.getKey());
            }
        }
    }

    static long count(DataSource db, String sql) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
