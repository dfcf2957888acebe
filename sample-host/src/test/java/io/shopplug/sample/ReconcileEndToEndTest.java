package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sample shop with the real plugin, over HTTP: the simulator loses the payment notification,
 * and the plugin's reconciliation (1 s after the order, every second) finds the payment at the
 * simulator's API and pays the order, exactly once: stock and points move once, and later runs
 * change nothing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReconcileEndToEndTest {
    private static final Duration DEADLINE = Duration.ofSeconds(30);

    private SampleShop shop;
    private ShopClient client;

    @BeforeAll
    void start() {
        shop = SampleShop.start(ShopSettings.fromMap(Map.of(
                ShopSettings.PORT, "0",
                ShopSettings.DB_URL, TestShops.memoryDbUrl(),
                ShopSettings.SIMULATOR_COMPRESS, "100",
                ShopSettings.RECONCILE_DELAY_SECONDS, "1",
                ShopSettings.RECONCILE_INTERVAL_SECONDS, "1")));
        client = new ShopClient(shop.baseUri());
    }

    @AfterAll
    void stop() {
        shop.close();
    }

    @Test
    void aDroppedNotificationIsPaidByReconciliationExactlyOnce() throws Exception {
        String csrf = client.loginForCsrfToken();
        assertEquals(401, new ShopClient(shop.baseUri()).postJson("/api/simulator/drop-notifications",
                "{\"drop\":true}").statusCode(), "the switch is the admin's");
        HttpResponse<String> dropping = client.postJson("/api/simulator/drop-notifications", "{\"drop\":true}",
                "X-CSRF-Token", csrf);
        assertEquals(200, dropping.statusCode(), dropping.body());
        assertTrue(ShopClient.json(client.get("/api/simulator/drop-notifications")).get("drop").asBoolean());
        try {
            HttpResponse<String> placed = client.postJson("/api/orders",
                    "{\"memberId\":3,\"productId\":3,\"quantity\":2}");
            assertEquals(201, placed.statusCode(), placed.body());
            String no = ShopClient.json(placed).get("outTradeNo").asText();
            JsonNode before = order(no);
            long amount = before.get("amountFen").asLong();

            assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());
            JsonNode payment = await("/api/orders/" + no + "/payment", p -> p.get("finished").asBoolean());
            assertEquals(0, payment.get("attempts").size(), "the notification was lost: " + payment);
            assertFalse(payment.get("acknowledged").asBoolean());

            await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
            awaitCount(3, "SELECT COUNT(*) FROM wxpay_outbox o JOIN wxpay_transaction t ON o.transaction_ref = t.id"
                    + " WHERE t.out_trade_no = ? AND o.state = 'DELIVERED'", no);
            // Two more runs, to show that later runs change nothing.
            long runs = count("SELECT COUNT(*) FROM wxpay_reconcile_run WHERE finished_at IS NOT NULL AND ? IS NOT NULL", no);
            awaitCount(runs + 2, "SELECT COUNT(*) FROM wxpay_reconcile_run WHERE finished_at IS NOT NULL AND ? IS NOT NULL", no);

            JsonNode paid = order(no);
            assertEquals(before.get("stock").asInt() - 2, paid.get("stock").asInt());
            assertEquals(before.get("points").asLong() + amount / 100, paid.get("points").asLong());
            assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ?", no),
                    "no notification ever arrived");
            assertEquals(1, count("SELECT COUNT(*) FROM wxpay_reconcile_finding WHERE out_trade_no = ?"
                    + " AND outcome = 'ACCEPTED'", no));
            assertEquals(1, count("SELECT COUNT(*) FROM wxpay_reconcile_finding WHERE out_trade_no = ?", no));
            String transactionId = string("SELECT transaction_id FROM wxpay_transaction WHERE out_trade_no = ?", no);
            assertEquals(3, count("SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key = ?",
                    "wxpay:payment:" + transactionId), "order status, inventory and points, each once");
        } finally {
            client.postJson("/api/simulator/drop-notifications", "{\"drop\":false}", "X-CSRF-Token", csrf);
        }
    }

    @Test
    void theConsoleShowsTheRunsAndRunsOneOnRequest() throws Exception {
        client.loginForCsrfToken();
        awaitCount(1, "SELECT COUNT(*) FROM wxpay_reconcile_run WHERE finished_at IS NOT NULL AND ? IS NOT NULL", "x");
        JsonNode status = ShopClient.json(client.get("/wxpay/console/api/status"));
        JsonNode reconciliation = status.get("reconciliation");
        assertTrue(reconciliation.get("active").asBoolean(), status.toString());
        assertTrue(reconciliation.get("recentRuns").size() >= 1, reconciliation.toString());
        String csrf = status.get("csrfToken").asText();

        assertEquals(403, client.postJson("/wxpay/console/api/reconcile", "{}").statusCode(), "CSRF token required");
        // The scheduled runs (every second here) may be under way: ask again until ours ran.
        Instant deadline = Instant.now().plus(DEADLINE);
        int asked = 0;
        JsonNode answer;
        do {
            HttpResponse<String> now = client.postJson("/wxpay/console/api/reconcile", "{}", "X-CSRF-Token", csrf);
            assertEquals(200, now.statusCode(), now.body());
            answer = ShopClient.json(now);
            asked++;
            String outcome = answer.get("status").asText();
            assertTrue(outcome.equals("COMPLETED") || outcome.equals("ALREADY_RUNNING"), now.body());
        } while (!"COMPLETED".equals(answer.get("status").asText()) && Instant.now().isBefore(deadline));
        assertEquals("COMPLETED", answer.get("status").asText(), answer.toString());
        long runId = answer.get("run").get("id").asLong();
        assertFalse(answer.get("run").get("finishedAt").isNull(), answer.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_reconcile_run WHERE id = CAST(? AS BIGINT)"
                + " AND finished_at IS NOT NULL", Long.toString(runId)), "the run asked for is recorded");
        assertEquals(asked, count("SELECT COUNT(*) FROM wxpay_audit WHERE action = 'reconcile' AND ? IS NOT NULL", "x"));
        assertTrue(client.get("/wxpay/console").body().contains("id=\"reconcile-now\""), "the Run now button");
    }

    private JsonNode order(String no) {
        return ShopClient.json(client.get("/api/orders/" + no));
    }

    private JsonNode await(String path, Predicate<JsonNode> condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        JsonNode last = null;
        while (Instant.now().isBefore(deadline)) {
            HttpResponse<String> r = client.get(path);
            if (r.statusCode() == 200) {
                last = ShopClient.json(r);
                if (condition.test(last)) {
                    return last;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("not within " + DEADLINE + ": " + path + " -> " + last);
    }

    private void awaitCount(long atLeast, String sql, String param) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        long last;
        while ((last = count(sql, param)) < atLeast) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + DEADLINE + ": " + sql + " = " + last + " < " + atLeast);
            }
            Thread.sleep(50);
        }
    }

    private String string(String sql, String param) {
        try (Connection c = shop.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), sql);
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private long count(String sql, String param) {
        try (Connection c = shop.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
