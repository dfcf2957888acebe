package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.NotifyMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shop process is killed with SIGKILL while deliveries to a transactional listener are open:
 * the sample shop runs in a JVM of its own ({@code java -cp} with the test class path) on a
 * database served by an H2 TCP server in the test's JVM, with {@link TestListeners.Blocking}
 * registered through {@link SampleShop#EXTRA_LISTENERS}. The first shop blocks in the listener
 * after writing its effect; it is killed; a second shop, not blocking, finishes the work once the
 * dead shop's open transactions are rolled back (and its leases, if any, expire). Every effect must
 * exist exactly once.
 */
class CrashRecoveryTest {
    private static final int PAYMENTS = 20;
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final Pattern RUNNING = Pattern.compile("Sample shop running at (http://\\S+)");
    private static final Merchant MERCHANT =
            Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);

    private final List<Process> children = new ArrayList<>();
    private H2TcpServer h2;
    private String url;

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (h2 != null) {
            h2.close();
        }
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void aShopKilledWithOpenDeliveriesHasEveryEffectExactlyOnceAfterItsRestart(@TempDir Path dir) throws Exception {
        h2 = H2TcpServer.start();
        url = h2.newDatabaseUrl("crash");
        createEffectTable();

        long t0 = System.nanoTime();
        Process first = startShop(dir.resolve("first.log"), true);
        URI base = awaitBaseUri(dir.resolve("first.log"), first);
        ShopClient client = new ShopClient(base);
        ApiV2Notifications notices = new ApiV2Notifications(MERCHANT, Clock.systemUTC());
        List<NotifyMessage> messages = new ArrayList<>();
        try (NotifyDelivery wechat = NotifyDelivery.builder().timeout(Duration.ofSeconds(20)).build()) {
            for (int i = 0; i < PAYMENTS; i++) {
                var placed = client.postJson("/api/orders", "{\"memberId\":1,\"productId\":1,\"quantity\":1}");
                assertEquals(201, placed.statusCode(), placed.body());
                var order = ShopClient.json(placed);
                NotifyMessage m = notices.paid(order.get("outTradeNo").asText(), order.get("amountFen").asLong());
                messages.add(m);
                NotifyAnswer answer = wechat.sendOnce(base.resolve("/wxpay/notify").toString(), m.body());
                assertEquals("SUCCESS", answer.returnCode(), answer.toString());
            }
        }
        // Every payment is committed; the shop's dispatch threads are stuck in the listener.
        assertEquals(PAYMENTS, count("SELECT COUNT(*) FROM wxpay_transaction"));
        await(() -> logged(dir.resolve("first.log"), TestListeners.Blocking.BLOCKED),
                "the first shop's transactional deliveries are open");
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_outbox WHERE listener LIKE 'tx:%TestListeners%' AND state = 'DELIVERED'"));
        assertEquals(0, count("SELECT COUNT(*) FROM " + TestListeners.EFFECT_TABLE), "blocked effects are not committed");

        first.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no rollback by the shop
        assertTrue(first.waitFor(20, TimeUnit.SECONDS));
        assertEquals(137, first.exitValue(), "killed by SIGKILL");
        long killed = System.nanoTime();

        Process second = startShop(dir.resolve("second.log"), false);
        awaitBaseUri(dir.resolve("second.log"), second);
        await(() -> count("SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") == 4L * PAYMENTS,
                "every entry delivered after the restart");
        long done = System.nanoTime();
        System.out.printf("CrashRecoveryTest: %d payments, killed after %d ms, all delivered %d ms after the kill%n",
                PAYMENTS, TimeUnit.NANOSECONDS.toMillis(killed - t0), TimeUnit.NANOSECONDS.toMillis(done - killed));

        assertEquals(PAYMENTS, count("SELECT COUNT(*) FROM " + TestListeners.EFFECT_TABLE));
        assertEquals(PAYMENTS, count("SELECT COUNT(DISTINCT idempotency_key) FROM " + TestListeners.EFFECT_TABLE));
        assertEquals(0, count("SELECT COUNT(*) FROM " + TestListeners.EFFECT_TABLE + " WHERE node <> 'second'"),
                "nothing the killed shop wrote in its open transactions survived");
        for (NotifyMessage m : messages) {
            assertEquals(1, count("SELECT COUNT(*) FROM " + TestListeners.EFFECT_TABLE
                    + " WHERE idempotency_key = 'wxpay:payment:" + m.transactionId() + "'"));
        }
        assertEquals(PAYMENTS, count("SELECT COUNT(*) FROM shop_order WHERE state = 'PAID'"));
        assertEquals(PAYMENTS * 3L, count("SELECT COUNT(*) FROM shop_applied_event"));
        second.destroy();
        second.waitFor(20, TimeUnit.SECONDS);
    }

    private Process startShop(Path log, boolean block) throws IOException {
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(java, "-Xmx256m", "-cp", classPath,
                "-D" + ShopSettings.PORT + "=0",
                "-D" + ShopSettings.HOST + "=127.0.0.1",
                "-D" + ShopSettings.DB_URL + "=" + url,
                "-D" + SampleShop.EXTRA_LISTENERS + "=" + TestListeners.Blocking.class.getName(),
                "-Dshop.test.block-effect=" + block,
                "-Dshop.test.node=" + (block ? "first" : "second"),
                "-Dwxpay.dispatch.lease-ms=1500",
                "-Dwxpay.dispatch.sweep-interval-ms=300",
                SampleShop.class.getName());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        children.add(p);
        return p;
    }

    private static URI awaitBaseUri(Path log, Process p) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(log)) {
                Matcher m = RUNNING.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find()) {
                    return URI.create(m.group(1));
                }
            }
            if (!p.isAlive()) {
                throw new AssertionError("the shop exited: " + tail(log));
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the shop did not start within " + DEADLINE + ": " + tail(log));
    }

    private static boolean logged(Path log, String text) {
        try {
            return Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no output)";
        }
        String s = Files.readString(log, StandardCharsets.UTF_8);
        return s.substring(Math.max(0, s.length() - 3000));
    }

    private void createEffectTable() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE " + TestListeners.EFFECT_TABLE
                    + " (idempotency_key VARCHAR(100) NOT NULL, node VARCHAR(32) NOT NULL)");
        }
    }

    private long count(String sql) {
        try (Connection c = DriverManager.getConnection(url, "sa", ""); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
