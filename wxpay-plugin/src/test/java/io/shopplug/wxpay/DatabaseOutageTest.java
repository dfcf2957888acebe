package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.TransactionalPaymentListener;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away in the middle of a stream of notifications and comes back: a real
 * plugin (engine, its own HikariCP pool, dispatcher with its sweeper) talks to an H2 TCP server
 * through a {@link TcpProxy} that the test cuts (every connection closed, new ones refused) and
 * restores. Nothing acknowledged is lost, nothing happens twice, the notifications during the cut
 * are told to retry within the bounded wait, and the plugin recovers by itself.
 */
class DatabaseOutageTest {
    private static final int PAYMENTS = 300;
    private static final int SENDERS = 4;
    private static final int CONNECT_TIMEOUT_MS = 1000;
    /** The longest a notify may take during the cut: the connect timeout, and slack for a loaded machine. */
    private static final long BOUND_MS = CONNECT_TIMEOUT_MS + 2_500;

    private final FakeServletContext web = new FakeServletContext();
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private Server h2;
    private TcpProxy proxy;
    private WxPayEngine engine;
    private String directUrl;

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (h2 != null) {
            h2.stop();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void aCutConnectionLosesNothingAcknowledgedDoublesNothingAndHealsByItself(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        // A file database: H2 closes an in-memory one when a session thread is interrupted by the cut.
        h2 = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists",
                "-baseDir", dir.toString()).start();
        proxy = new TcpProxy(port);
        String path = "/outage-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        directUrl = "jdbc:h2:tcp://127.0.0.1:" + port + path;
        web.webInf.setProperty(Settings.MCH_ID, V2Bodies.MCH_ID);
        web.webInf.setProperty(Settings.APP_ID, V2Bodies.APP_ID);
        web.webInf.setProperty(Settings.API_V2_KEY, V2Bodies.KEY);
        web.webInf.setProperty(Settings.DB_URL, "jdbc:h2:tcp://127.0.0.1:" + proxy.port() + path);
        web.webInf.setProperty(Settings.DB_USER, "sa");
        web.webInf.setProperty(Settings.DB_CONNECT_TIMEOUT_MS, Integer.toString(CONNECT_TIMEOUT_MS));
        web.webInf.setProperty(Settings.DISPATCH_LEASE_MS, "1500");
        web.webInf.setProperty(Settings.DISPATCH_SWEEP_INTERVAL_MS, "300");
        sql("CREATE TABLE host_effect (idempotency_key VARCHAR(100) NOT NULL)"); // creates the database
        Counting counting = new Counting();
        engine = WxPayEngine.start(web.context, new HostHooks(List.of(orders), List.<PaymentListener>of(counting),
                List.<TransactionalPaymentListener>of(new Effect()), () -> true, Optional.empty()));

        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < PAYMENTS; i++) {
            String order = "ORDER-" + (5000 + i);
            orders.put(order, 100 + i, "CNY", OrderState.AWAITING_PAYMENT);
            bodies.add(V2Bodies.signed(V2Bodies.paid("42000000012026112400000" + (50000 + i), order, 100 + i)));
        }

        // The stream: senders go through every notification once; the cut comes and goes meanwhile.
        Map<Integer, Outcome> firstRound = new ConcurrentHashMap<>();
        AtomicInteger next = new AtomicInteger();
        AtomicInteger failedDuringCut = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> running = new ArrayList<>();
        for (int t = 0; t < SENDERS; t++) {
            running.add(senders.submit(() -> {
                for (int i; (i = next.getAndIncrement()) < PAYMENTS; ) {
                    Outcome o = send(bodies.get(i));
                    firstRound.put(i, o);
                    if (!o.success) {
                        failedDuringCut.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        awaitCount(() -> firstRound.size() >= PAYMENTS / 4, "a quarter answered before the cut");
        proxy.cut();
        awaitCount(() -> failedDuringCut.get() >= 4 * SENDERS, "notifies refused during the cut");
        proxy.restore();
        for (Future<?> f : running) {
            f.get(1, TimeUnit.MINUTES);
        }
        senders.shutdown();

        List<Integer> acknowledged = new ArrayList<>();
        long slowestFailureMs = 0;
        for (Map.Entry<Integer, Outcome> e : firstRound.entrySet()) {
            Outcome o = e.getValue();
            if (o.success) {
                acknowledged.add(e.getKey());
            } else {
                assertTrue(o.body.contains("database unavailable, retry later"), o.body);
                slowestFailureMs = Math.max(slowestFailureMs, o.millis);
            }
        }
        int refused = PAYMENTS - acknowledged.size();
        System.out.printf("DatabaseOutageTest: %d acknowledged, %d refused during the cut, slowest refusal %d ms%n",
                acknowledged.size(), refused, slowestFailureMs);
        assertTrue(refused >= 2 * SENDERS && acknowledged.size() >= PAYMENTS / 4, refused + " refused");
        assertTrue(slowestFailureMs <= BOUND_MS, "a refusal took " + slowestFailureMs + " ms");
        // Every notification answered SUCCESS is committed.
        Set<String> recorded = recordedTransactions();
        for (int i : acknowledged) {
            assertTrue(recorded.contains("42000000012026112400000" + (50000 + i)), "acknowledged but lost: " + i);
        }

        // WeChat Pay sends everything again; the plugin took itself back into service.
        for (byte[] body : bodies) {
            Outcome o = send(body);
            assertTrue(o.success, o.body);
        }
        assertEquals(PAYMENTS, count("SELECT COUNT(*) FROM wxpay_transaction"));
        awaitCount(() -> count("SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") == 2L * PAYMENTS,
                "every outbox entry delivered after the database came back");
        assertEquals(PAYMENTS, count("SELECT COUNT(*) FROM host_effect"), "the transactional effect once each");
        assertEquals(PAYMENTS, count("SELECT COUNT(DISTINCT idempotency_key) FROM host_effect"));
        assertEquals(PAYMENTS, counting.calls.size(), "the plain listener got every payment");
        int extra = counting.calls.values().stream().mapToInt(AtomicInteger::get).sum() - PAYMENTS;
        System.out.printf("DatabaseOutageTest: the at-least-once listener got %d repeat deliveries%n", extra);
    }

    private Outcome send(byte[] body) {
        long start = System.nanoTime();
        Answer a = engine.v2().handle(body, "203.0.113.7", engine.merchantsFor(engine.config().notifyPath()));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        String text = new String(a.body(), StandardCharsets.UTF_8);
        return new Outcome(text.contains("<return_code><![CDATA[SUCCESS]]></return_code>"), text, ms);
    }

    private static final class Outcome {
        final boolean success;
        final String body;
        final long millis;

        Outcome(boolean success, String body, long millis) {
            this.success = success;
            this.body = body;
            this.millis = millis;
        }
    }

    private Set<String> recordedTransactions() throws SQLException {
        Set<String> ids = new java.util.HashSet<>();
        try (Connection c = DriverManager.getConnection(directUrl, "sa", ""); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT business_key FROM wxpay_transaction")) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }

    private long count(String sql) {
        try (Connection c = DriverManager.getConnection(directUrl, "sa", ""); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private void sql(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(directUrl, "sa", ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static void awaitCount(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(10);
        }
    }

    /** At least once: counts deliveries per key. */
    static final class Counting implements PaymentListener {
        final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();

        @Override
        public void onPaid(PaymentEvent event) {
            calls.computeIfAbsent(event.idempotencyKey(), k -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** Exactly once: one row per delivery, through the plugin's transaction. */
    static final class Effect implements TransactionalPaymentListener {
        @Override
        public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
            try (PreparedStatement ps = connection.prepareStatement(
                    "INSERT INTO host_effect (idempotency_key) VALUES (?)")) {
                ps.setString(1, event.idempotencyKey());
                ps.executeUpdate();
            }
        }
    }
}
