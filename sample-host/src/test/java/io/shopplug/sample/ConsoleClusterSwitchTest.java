package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.NotifyMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Two shop nodes on one database: the console's switch, flipped on node A, is obeyed by node B
 * within seconds; while off, B refuses a genuine notification retryably and records nothing; on
 * again, B processes the retry.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleClusterSwitchTest {
    private static final Duration DEADLINE = Duration.ofSeconds(10);
    private static final String OFF = "plugin switched off, retry later";
    private static final Merchant MERCHANT =
            Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);

    private SampleShop nodeA;
    private SampleShop nodeB;
    private NotifyDelivery wechat;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        String sharedDb = TestShops.memoryDbUrl();
        Map<String, String> settings = Map.of(ShopSettings.PORT, "0", ShopSettings.DB_URL, sharedDb,
                ShopSettings.SIMULATOR_COMPRESS, "100");
        nodeA = SampleShop.start(ShopSettings.fromMap(settings));
        nodeB = SampleShop.start(ShopSettings.fromMap(settings));
        wechat = NotifyDelivery.builder().compress(100).build();
    }

    @AfterAll
    void stop() {
        wechat.close();
        nodeB.close();
        nodeA.close();
    }

    @Test
    void switchedOffOnNodeAIsObeyedByNodeBThenOnAgain() throws Exception {
        ShopClient adminOnA = new ShopClient(nodeA.baseUri());
        adminOnA.loginForCsrfToken();
        String csrf = adminOnA.consoleCsrfToken();
        ShopClient customerOnB = new ShopClient(nodeB.baseUri());
        HttpResponse<String> placed = customerOnB.postJson("/api/orders", "{\"memberId\":1,\"productId\":1,\"quantity\":1}");
        String no = ShopClient.json(placed).get("outTradeNo").asText();
        long amount = ShopClient.json(customerOnB.get("/api/orders/" + no)).get("amountFen").asLong();
        NotifyMessage notice = new ApiV2Notifications(MERCHANT, Clock.systemUTC()).paid(no, amount);
        String notifyOnB = nodeB.baseUri().resolve("/wxpay/notify").toString();
        assertTrue(probe(nodeB).contains("only POST is accepted"), "B is on to begin with");

        try {
            HttpResponse<String> off = adminOnA.postJson("/wxpay/console/api/switch", "{\"enabled\":false}",
                    "X-CSRF-Token", csrf);
            assertEquals(200, off.statusCode(), off.body());
            assertFalse(ShopClient.json(off).get("on").asBoolean());
            assertEquals("admin", ShopClient.json(off).get("changedBy").asText());
            Instant switched = Instant.now();

            Duration took = awaitProbe(nodeB, OFF, switched);
            assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "node B obeyed after " + took);

            NotifyAnswer refused = wechat.sendOnce(notifyOnB, notice.body());
            assertEquals("FAIL", refused.returnCode());
            assertEquals(OFF, refused.returnMsg());
            assertEquals("AWAITING_PAYMENT", ShopClient.json(customerOnB.get("/api/orders/" + no)).get("state").asText());
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ?", no));
            JsonNode statusOnB = statusAsAdmin(nodeB);
            assertFalse(statusOnB.get("enabled").asBoolean());
            assertTrue(statusOnB.get("hostEnabled").asBoolean(), "B's own switch was never touched");
        } finally {
            HttpResponse<String> on = adminOnA.postJson("/wxpay/console/api/switch", "{\"enabled\":true}",
                    "X-CSRF-Token", csrf);
            assertEquals(200, on.statusCode(), on.body());
        }
        awaitProbe(nodeB, "only POST is accepted", Instant.now());

        NotifyAnswer accepted = wechat.sendOnce(notifyOnB, notice.body());
        assertEquals("SUCCESS", accepted.returnCode(), accepted.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_audit WHERE actor = ? AND action = 'setting'", "admin"));
    }

    private JsonNode statusAsAdmin(SampleShop node) {
        ShopClient admin = new ShopClient(node.baseUri());
        admin.loginForCsrfToken();
        return ShopClient.json(admin.get("/wxpay/console/api/status"));
    }

    /** A GET to the notify path: 405 while on, the "switched off" FAIL while off; records nothing either way. */
    private String probe(SampleShop node) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.baseUri().resolve("/wxpay/notify").toString()))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private Duration awaitProbe(SampleShop node, String expected, Instant since) throws Exception {
        Instant deadline = Instant.now().plus(DEADLINE);
        String last;
        do {
            last = probe(node);
            if (last.contains(expected)) {
                return Duration.between(since, Instant.now());
            }
            Thread.sleep(50);
        } while (Instant.now().isBefore(deadline));
        throw new AssertionError("node did not answer '" + expected + "' within " + DEADLINE + ": " + last);
    }

    private long count(String sql, String param) {
        try (Connection c = nodeA.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
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
