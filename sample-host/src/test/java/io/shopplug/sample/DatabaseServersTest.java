package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.sql.Connection;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schema, the seed and exactly-once listeners on real MariaDB and PostgreSQL servers. Tagged
 * {@code db-server}: run with {@code -Pdb-servers}. URLs and credentials come from
 * {@code shop.test.<db>.url|user|password} (system property, or the environment variable
 * {@code SHOP_TEST_<DB>_URL}...), defaulting to what {@code .ci/run} sets up: database {@code test}
 * on 127.0.0.1, user {@code root} (MariaDB) or {@code postgres} (PostgreSQL), no password.
 */
@Tag("db-server")
class DatabaseServersTest {

    private static String setting(String db, String key, String fallback) {
        String name = "shop.test." + db + "." + key;
        String value = System.getProperty(name);
        if (value == null) {
            value = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        }
        return value == null ? fallback : value;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mariadb", "postgresql"})
    void schemaSeedAndExactlyOnceListeners(String db) throws Exception {
        boolean maria = db.equals("mariadb");
        String url = setting(db, "url", maria
                ? "jdbc:mariadb://127.0.0.1:3306/test" : "jdbc:postgresql://127.0.0.1:5432/test");
        ShopSettings settings = ShopSettings.fromMap(Map.of(ShopSettings.DB_URL, url,
                ShopSettings.DB_USER, setting(db, "user", maria ? "root" : "postgres"),
                ShopSettings.DB_PASSWORD, setting(db, "password", "")));
        // Twice: the second start finds the schema and the seed and leaves them be.
        ShopDatabase.open(settings).close();
        try (ShopDatabase database = ShopDatabase.open(settings)) {
            try (Connection c = database.dataSource().getConnection()) {
                assertEquals(Connection.TRANSACTION_READ_COMMITTED, c.getTransactionIsolation(),
                        "the pool's level, the one the plugin's deliveries run at");
            }
            ShopStore store = new ShopStore(database.dataSource(), Clock.systemUTC());
            AppliedEvents applied = new AppliedEvents(database.dataSource(), Clock.systemUTC());
            List<PaymentListener> listeners = List.of(new OrderStatusListener(applied),
                    new InventoryListener(applied), new PointsListener(applied));
            ShopStore.OrderView order = store.placeOrder(1, 1, 1);
            PaymentEvent event = PaymentEvent.builder().idempotencyKey("db-test:" + UUID.randomUUID())
                    .transactionId("4200000000" + System.nanoTime()).outTradeNo(order.outTradeNo())
                    .amountFen(order.amountFen()).currency("CNY").paidAt(Instant.now())
                    .merchantId("1900000109").appId("wx2421b1c4370ec43b").build();

            ExecutorService pool = Executors.newFixedThreadPool(12);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> copies = new java.util.ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    for (PaymentListener l : listeners) {
                        copies.add(pool.submit(() -> {
                            go.await();
                            l.onPaid(event);
                            return null;
                        }));
                    }
                }
                go.countDown();
                for (Future<?> f : copies) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
            assertEquals("PAID", after.state());
            assertEquals(order.stock() - 1, after.stock());
            assertEquals(order.points() + 19, after.points());
            assertEquals(OrderState.PAID, new ShopOrderLookup(database.dataSource())
                    .find(order.outTradeNo()).orElseThrow().state());
        }
    }
}
