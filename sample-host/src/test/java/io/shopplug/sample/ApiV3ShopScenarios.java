package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopplug.simulator.ApiV3Message;
import io.shopplug.simulator.ApiV3Notice;
import io.shopplug.simulator.ApiV3Notice.Breakage;
import io.shopplug.simulator.ApiV3Notifications;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PlatformIdentity;
import java.net.http.HttpResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The sample shop in one APIv3 mode, with the real plugin in a real Jetty, spoken to over HTTP.
 * The shop makes WeChat Pay's simulated platform identities at start and hands the plugin their
 * PEM files through {@code PluginContext.settings()}; its gateway pays through
 * {@code Simulator.payV3}. Each subclass is one mode ({@link #mode()}); every mode must show:
 * orders paid through the gateway become PAID with exact stock and points, once, whichever demo
 * merchant and signing identity the notice came from; ten identical copies sent at once have one
 * effect; a probe and forged notices are refused with nothing changed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ApiV3ShopScenarios {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final int COPIES = 10;

    /** Where the shop writes WeChat Pay's simulated certificates and keys; removed at the end. */
    Path dataDir;
    SampleShop shop;
    private ShopClient client;
    private NotifyDelivery wechat;
    private String notifyUrl;
    /** The stock of the product these scenarios buy, as found: put back at the end. */
    private long stockAtStart = -1;

    /** The {@code shop.wxpay.*} settings of the mode. */
    abstract Map<String, String> mode();

    /** The shop's settings: the mode, a data directory of its own, and the database. */
    ShopSettings settings(Map<String, String> values) {
        return TestShops.settings(values);
    }

    @BeforeAll
    void start() throws IOException {
        dataDir = Files.createTempDirectory("shop-data-");
        Map<String, String> values = new HashMap<>(mode());
        values.put(ShopSettings.DATA_DIR, dataDir.toString());
        shop = SampleShop.start(settings(values));
        client = new ShopClient(shop.baseUri());
        wechat = NotifyDelivery.builder().compress(100).build();
        notifyUrl = shop.baseUri().resolve("/wxpay/notify").toString();
        // On a database server the shop's data outlives the run: take stock enough for these
        // scenarios, and leave it as found.
        stockAtStart = stock();
        setStock(stockAtStart + 40);
        assertEquals("STARTED", plugin().get("state").asText().toUpperCase(java.util.Locale.ROOT),
                plugin().toString());
    }

    @AfterAll
    void stop() {
        if (wechat != null) {
            wechat.close();
        }
        if (shop != null) {
            if (stockAtStart >= 0) {
                setStock(stockAtStart);
            }
            shop.close();
        }
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    // ---- scenarios

    @Test
    void ordersPaidThroughTheGatewayArePaidOnceWithExactStockAndPoints() throws Exception {
        List<DemoWeChatPay.DemoMerchant> merchants = shop.wechatPay().merchants();
        int combinations = 0;
        Set<String> expected = new HashSet<>();
        for (DemoWeChatPay.DemoMerchant m : merchants) {
            for (PlatformIdentity p : m.identities()) {
                expected.add(m.merchant().mchId() + " " + p.serial());
                combinations++;
            }
        }
        // Enough payments for every merchant and every signing identity to take a turn.
        int payments = Math.max(2, combinations);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < payments; i++) {
            int quantity = 1 + i % 2;
            String no = placeOrder(1 + i % 3, 1, quantity);
            JsonNode before = order(no);
            assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());

            await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
            await("/api/orders/" + no + "/payment", p -> p.get("acknowledged").asBoolean());
            String tx = ShopClient.json(client.get("/api/orders/" + no + "/payment")).get("transactionId").asText();
            awaitAllApplied(tx);
            assertPaidOnce(before, no, tx, quantity);
            seen.add(((WeChatPaySimulatorGateway) shop.gateway()).paidThrough(no).orElseThrow());
        }
        assertEquals(expected, seen, "every demo merchant and signing identity took a turn");
    }

    @Test
    void aPartialThenTheFullRefundThroughApiV3GiveBackStockAndPointsExactlyOnce() throws Exception {
        String no = placeOrder(2, 1, 2);
        JsonNode before = order(no);
        assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());
        await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
        String tx = ShopClient.json(client.get("/api/orders/" + no + "/payment")).get("transactionId").asText();
        awaitAllApplied(tx);
        long amount = before.get("amountFen").asLong();

        assertEquals(202, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":" + (amount / 2) + "}")
                .statusCode());
        JsonNode partial = await("/api/orders/" + no, o -> "PARTIALLY_REFUNDED".equals(o.get("state").asText()));
        assertEquals(amount / 2, partial.get("refundedFen").asLong());
        assertEquals(202, client.postJson("/api/orders/" + no + "/refund",
                "{\"refundFen\":" + (amount - amount / 2) + "}").statusCode());
        await("/api/orders/" + no, o -> "REFUNDED".equals(o.get("state").asText()));
        awaitCount(6, "SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key LIKE 'wxpay:refund:%'"
                + " AND idempotency_key IN (SELECT idempotency_key FROM shop_refund WHERE out_trade_no = ?)", no);

        JsonNode refunded = order(no);
        assertEquals(amount, refunded.get("refundedFen").asLong());
        assertEquals(before.get("stock").asLong(), refunded.get("stock").asLong(), "stock back exactly");
        assertEquals(before.get("points").asLong(), refunded.get("points").asLong(), "points taken back exactly");
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ? AND event_kind = 'REFUND'"
                + " AND api = 'v3'", no));
    }

    @Test
    void tenIdenticalCopiesAtOnceHaveExactlyOneEffect() throws Exception {
        for (DemoWeChatPay.DemoMerchant m : shop.wechatPay().merchants()) {
            for (PlatformIdentity p : m.identities()) {
                String no = placeOrder(2, 1, 1);
                JsonNode before = order(no);
                ApiV3Message notice = new ApiV3Notifications(m.merchant(), p, Clock.systemUTC())
                        .paid(no, before.get("amountFen").asLong());

                List<NotifyAnswer> answers = sendConcurrently(notice);

                int accepted = 0;
                for (NotifyAnswer a : answers) {
                    // The first is processed; a copy that comes while it is is told to retry.
                    assertTrue(a.status() == 204 || a.status() == 429 && a.body().contains("still being processed"),
                            a.toString());
                    accepted += a.status() == 204 ? 1 : 0;
                }
                assertTrue(accepted >= 1, answers.toString());
                // WeChat Pay's retry of a copy told to retry: a duplicate now.
                assertEquals(204, wechat.sendOnce(notifyUrl, notice).status());
                await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
                awaitAllApplied(notice.transactionId());
                assertPaidOnce(before, no, notice.transactionId(), 1);
                assertEquals(m.merchant().mchId(), column("SELECT merchant_id FROM wxpay_transaction WHERE out_trade_no = ?", no));
            }
        }
    }

    @Test
    void aProbeAndForgedNoticesAreRefusedWithNothingChanged() {
        for (DemoWeChatPay.DemoMerchant m : shop.wechatPay().merchants()) {
            PlatformIdentity p = m.identities().get(m.identities().size() - 1);
            String no = placeOrder(3, 1, 1);
            JsonNode before = order(no);
            ApiV3Notifications notices = new ApiV3Notifications(m.merchant(), p, Clock.systemUTC());
            ApiV3Notice genuine = ApiV3Notice.payment(no, before.get("amountFen").asLong());

            assertRefused(notices.build(genuine.broken(Breakage.SIGNATURE_PROBE)), 401,
                    "signature probe: signature does not verify");
            assertRefused(notices.build(genuine.broken(Breakage.WRONG_SIGNING_KEY)), 401, "signature does not verify");
            assertRefused(notices.build(genuine.broken(Breakage.TAMPERED_AFTER_SIGNING)), 401,
                    "signature does not verify");
            assertRefused(notices.build(genuine.broken(Breakage.UNKNOWN_SERIAL)), 401, "unknown Wechatpay-Serial");
            assertRefused(notices.build(genuine.broken(Breakage.STALE_TIMESTAMP)), 401, "timestamp older than 5 minutes");
            assertRefused(notices.build(genuine.broken(Breakage.WRONG_APIV3_KEY)), 400,
                    "wrong APIv3 key or tampered resource");

            JsonNode now = order(no);
            assertEquals("AWAITING_PAYMENT", now.get("state").asText());
            assertEquals(before.get("stock").asInt(), now.get("stock").asInt());
            assertEquals(before.get("points").asLong(), now.get("points").asLong());
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
        }
        assertEquals(200, client.get("/api/plugins").statusCode(), "the shop still answers");
    }

    // ---- helpers

    private void assertRefused(ApiV3Message forged, int status, String message) {
        NotifyAnswer answer = wechat.sendOnce(notifyUrl, forged);
        assertEquals(status, answer.status(), answer.toString());
        assertEquals("{\"code\":\"FAIL\",\"message\":\"" + message + "\"}", answer.body());
    }

    /** Paid, stock down by {@code quantity}, points up by the yuan paid, one row, three listeners once. */
    private void assertPaidOnce(JsonNode before, String no, String transactionId, int quantity) {
        JsonNode after = order(no);
        assertEquals("PAID", after.get("state").asText());
        assertFalse(after.get("paidAt").isNull());
        assertEquals(before.get("stock").asInt() - quantity, after.get("stock").asInt(), no);
        assertEquals(before.get("points").asLong() + after.get("amountFen").asLong() / 100,
                after.get("points").asLong(), no);
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
        assertEquals("v3", column("SELECT api FROM wxpay_transaction WHERE out_trade_no = ?", no));
        assertEquals(transactionId, column("SELECT transaction_id FROM wxpay_transaction WHERE out_trade_no = ?", no));
        assertEquals(3, count("SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key = ?",
                "wxpay:payment:" + transactionId));
    }

    private JsonNode plugin() {
        for (JsonNode p : ShopClient.json(client.get("/api/plugins"))) {
            if ("wxpay".equals(p.get("id").asText())) {
                return p;
            }
        }
        throw new AssertionError("no wxpay plugin");
    }

    private List<NotifyAnswer> sendConcurrently(ApiV3Message notice) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(COPIES);
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<NotifyAnswer>> futures = new ArrayList<>();
            for (int i = 0; i < COPIES; i++) {
                futures.add(pool.submit(() -> {
                    gate.await();
                    return wechat.sendOnce(notifyUrl, notice);
                }));
            }
            gate.countDown();
            List<NotifyAnswer> answers = new ArrayList<>();
            for (Future<NotifyAnswer> f : futures) {
                answers.add(f.get(30, TimeUnit.SECONDS));
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    private String placeOrder(int memberId, int productId, int quantity) {
        HttpResponse<String> placed = client.postJson("/api/orders", "{\"memberId\":" + memberId
                + ",\"productId\":" + productId + ",\"quantity\":" + quantity + "}");
        assertEquals(201, placed.statusCode(), placed.body());
        return ShopClient.json(placed).get("outTradeNo").asText();
    }

    private JsonNode order(String no) {
        return ShopClient.json(client.get("/api/orders/" + no));
    }

    /** Waits until each of the shop's three listeners has applied the payment. */
    private void awaitAllApplied(String transactionId) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (count("SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key = ?",
                "wxpay:payment:" + transactionId) < 3) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("payment " + transactionId + " not applied within " + DEADLINE);
            }
            Thread.sleep(20);
        }
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
            Thread.sleep(20);
        }
        throw new AssertionError("not within " + DEADLINE + ": " + path + " -> " + last);
    }

    private long stock() {
        try (Connection c = shop.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT stock FROM shop_product WHERE id = 1");
                ResultSet rs = ps.executeQuery()) {
            assertTrue(rs.next());
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    private void setStock(long stock) {
        try (Connection c = shop.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("UPDATE shop_product SET stock = ? WHERE id = 1")) {
            ps.setLong(1, stock);
            assertEquals(1, ps.executeUpdate());
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    long count(String sql, String param) {
        return ((Number) query(sql, param)).longValue();
    }

    private void awaitCount(long expected, String sql, String param) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (count(sql, param) != expected) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not " + expected + " within " + DEADLINE + ": " + sql);
            }
            Thread.sleep(20);
        }
    }

    private String column(String sql, String param) {
        return String.valueOf(query(sql, param));
    }

    private Object query(String sql, String param) {
        try (Connection c = shop.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, param);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), sql);
                return rs.getObject(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
