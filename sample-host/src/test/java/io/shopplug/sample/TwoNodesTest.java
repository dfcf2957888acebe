package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.NotifyMessage;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two sample shops, each with the real plugin in its own Jetty, on ONE database: the same 1,000
 * signed notifications are each sent to both shops at the same moment over HTTP. Each payment must
 * be applied once (stock and points exact), every outbox entry delivered once, and every listener
 * called once per payment across both nodes. On H2 (a TCP server, so the two pools share one
 * database) here; on MariaDB and PostgreSQL in {@link ServerTwoNodesTest}.
 */
class TwoNodesTest {
    static final int PAYMENTS = 1000;
    /** The shop's three listeners, the counting one and the transactional one. */
    static final int ENTRIES_PER_PAYMENT = 5;
    private static final Duration DEADLINE = Duration.ofSeconds(90);
    private static final Merchant MERCHANT =
            Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);

    private H2TcpServer h2;
    private final List<AutoCloseable> open = new ArrayList<>();

    /** Prepares an empty database of the test's own and returns the shop settings on it. */
    ShopSettings freshDatabase() throws SQLException {
        h2 = H2TcpServer.start();
        return ShopSettings.fromMap(Map.of(ShopSettings.PORT, "0",
                ShopSettings.DB_URL, h2.newDatabaseUrl("twonodes")));
    }

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
        if (h2 != null) {
            h2.close();
        }
    }

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void theSameThousandNotifiesSentToTwoNodesAtOnceApplyEachPaymentOnce() throws Exception {
        ShopSettings settings = freshDatabase();
        TestListeners.Counting countingA = new TestListeners.Counting();
        TestListeners.Counting countingB = new TestListeners.Counting();
        TestListeners.Effect effectA = new TestListeners.Effect("a");
        TestListeners.Effect effectB = new TestListeners.Effect("b");
        // One after the other: the first creates the schemas, the second finds them.
        SampleShop a = start(settings, countingA, effectA);
        SampleShop b = start(settings, countingB, effectB);
        TestListeners.createEffectTable(a.dataSource());
        NotifyDelivery wechat = NotifyDelivery.builder().timeout(Duration.ofSeconds(30)).build();
        open.add(wechat);

        long started = System.nanoTime();
        update(a, "UPDATE shop_product SET stock = 1000000");
        ShopStore store = new ShopStore(a.dataSource(), Clock.systemUTC());
        ApiV2Notifications notices = new ApiV2Notifications(MERCHANT, Clock.systemUTC());
        List<NotifyMessage> messages = new ArrayList<>();
        Map<Long, Long> soldByProduct = new HashMap<>();
        Map<Long, Long> pointsByMember = new HashMap<>();
        for (int i = 0; i < PAYMENTS; i++) {
            long member = 1 + i % 3;
            long product = 1 + i % 4;
            int quantity = 1 + i % 3;
            ShopStore.OrderView order = store.placeOrder(member, product, quantity);
            messages.add(notices.paid(order.outTradeNo(), order.amountFen()));
            soldByProduct.merge(product, (long) quantity, Long::sum);
            pointsByMember.merge(member, order.amountFen() / 100, Long::sum);
        }
        Map<Long, Long> stockBefore = column(a, "SELECT id, stock FROM shop_product");
        Map<Long, Long> pointsBefore = column(a, "SELECT id, points FROM shop_member");

        long sending = System.nanoTime();
        String urlA = a.baseUri().resolve("/wxpay/notify").toString();
        String urlB = b.baseUri().resolve("/wxpay/notify").toString();
        List<String> notAcknowledged = sendToBoth(wechat, messages, urlA, urlB);
        long sent = System.nanoTime();
        assertEquals(List.of(), notAcknowledged, "every copy is answered SUCCESS (accepted or duplicate)");

        awaitAllDelivered(a);
        long delivered = System.nanoTime();
        System.out.printf("TwoNodesTest %s: %d orders in %d ms, %d notifies x2 in %d ms, delivered %d ms later%n",
                getClass().getSimpleName(), PAYMENTS, ms(sending - started), PAYMENTS, ms(sent - sending),
                ms(delivered - sent));

        assertEquals(PAYMENTS, count(a, "SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(PAYMENTS * ENTRIES_PER_PAYMENT, count(a,
                "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED' AND attempts = 1"));
        assertEquals(PAYMENTS, count(a, "SELECT COUNT(*) FROM shop_order WHERE state = 'PAID'"));
        assertEquals(PAYMENTS * 3, count(a, "SELECT COUNT(*) FROM shop_applied_event"));
        // Both nodes recorded and delivered some: the work really was shared.
        assertTrue(effectA.calls.get() > 0 && effectB.calls.get() > 0,
                "a " + effectA.calls + ", b " + effectB.calls);
        assertEquals(PAYMENTS, effectA.calls.get() + effectB.calls.get());
        assertEquals(PAYMENTS, count(a, "SELECT COUNT(*) FROM " + TestListeners.EFFECT_TABLE));
        assertEquals(0, count(a, "SELECT COUNT(*) FROM (SELECT idempotency_key FROM " + TestListeners.EFFECT_TABLE
                + " GROUP BY idempotency_key HAVING COUNT(*) <> 1) twice"));
        for (NotifyMessage m : messages) {
            String key = "wxpay:payment:" + m.transactionId();
            assertEquals(1, calls(countingA, key) + calls(countingB, key), key);
        }

        Map<Long, Long> stockAfter = column(a, "SELECT id, stock FROM shop_product");
        Map<Long, Long> pointsAfter = column(a, "SELECT id, points FROM shop_member");
        for (Map.Entry<Long, Long> e : soldByProduct.entrySet()) {
            assertEquals(stockBefore.get(e.getKey()) - e.getValue(), stockAfter.get(e.getKey()), "stock of " + e.getKey());
        }
        for (Map.Entry<Long, Long> e : pointsByMember.entrySet()) {
            assertEquals(pointsBefore.get(e.getKey()) + e.getValue(), pointsAfter.get(e.getKey()), "points of " + e.getKey());
        }
    }

    private SampleShop start(ShopSettings settings, Object... extraListeners) {
        SampleShop shop = SampleShop.start(settings, new RecordingGateway().factory(), List.of(extraListeners));
        open.add(shop);
        return shop;
    }

    /** Each notification to both nodes at once; returns the answers that were not SUCCESS. */
    private static List<String> sendToBoth(NotifyDelivery wechat, List<NotifyMessage> messages, String urlA,
            String urlB) throws Exception {
        ExecutorService pairs = Executors.newFixedThreadPool(12);
        ExecutorService second = Executors.newFixedThreadPool(12);
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger index = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (NotifyMessage m : messages) {
                boolean aFirst = index.getAndIncrement() % 2 == 0;
                futures.add(pairs.submit(() -> {
                    CompletableFuture<NotifyAnswer> other = CompletableFuture.supplyAsync(
                            () -> wechat.sendOnce(aFirst ? urlB : urlA, m.body()), second);
                    NotifyAnswer mine = wechat.sendOnce(aFirst ? urlA : urlB, m.body());
                    for (NotifyAnswer answer : List.of(mine, other.join())) {
                        if (!"SUCCESS".equals(answer.returnCode())) {
                            failures.add(m.outTradeNo() + ": " + answer);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pairs.shutdownNow();
            second.shutdownNow();
        }
        return failures;
    }

    private static int calls(TestListeners.Counting listener, String key) {
        AtomicInteger n = listener.calls.get(key);
        return n == null ? 0 : n.get();
    }

    private static void awaitAllDelivered(SampleShop shop) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        long expected = (long) PAYMENTS * ENTRIES_PER_PAYMENT;
        while (count(shop, "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") < expected) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not delivered within " + DEADLINE + ": "
                        + count(shop, "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") + " of " + expected);
            }
            Thread.sleep(50);
        }
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    static long count(SampleShop shop, String sql) {
        try (Connection c = shop.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private static Map<Long, Long> column(SampleShop shop, String sql) throws SQLException {
        Map<Long, Long> values = new HashMap<>();
        try (Connection c = shop.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return values;
    }

    private static void update(SampleShop shop, String sql) throws SQLException {
        try (Connection c = shop.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate(sql);
        }
    }

    /** Runs {@code sql} statements on a server as an administrator (to make a database of the test's own). */
    static void admin(String url, String user, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, ""); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}
