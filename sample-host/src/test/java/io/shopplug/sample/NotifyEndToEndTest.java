package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.NotifyMessage;
import io.shopplug.simulator.PaymentNotice;
import io.shopplug.simulator.RefundNotice;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample shop with the real plugin in a real Jetty, spoken to over HTTP: an APIv2 payment
 * notification from the simulator pays the order exactly once, its refund notifications give back
 * stock and points exactly once, and every kind of bad input is refused with nothing changed. On embedded H2 here; on MariaDB and PostgreSQL in the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NotifyEndToEndTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    /** The demo merchant of {@code sample-host/src/main/resources/wxpay.properties}. */
    private static final Merchant MERCHANT =
            Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);

    private SampleShop shop;
    private ShopClient client;
    private NotifyDelivery wechat;
    private ApiV2Notifications notices;
    private String notifyUrl;

    /** The shop's settings: the database it and the plugin share. */
    ShopSettings settings() {
        return TestShops.settings();
    }

    @BeforeAll
    void start() {
        shop = SampleShop.start(settings());
        client = new ShopClient(shop.baseUri());
        wechat = NotifyDelivery.builder().compress(100).build();
        notices = new ApiV2Notifications(MERCHANT, Clock.systemUTC());
        notifyUrl = shop.baseUri().resolve("/wxpay/notify").toString();
    }

    @AfterAll
    void stop() {
        wechat.close();
        shop.close();
    }

    @Test
    void payingAnOrderMarksItPaidDeductsStockAndAwardsPointsOnce() throws Exception {
        JsonNode before = order(placeOrder(2, 2, 1));
        String no = placeOrder(2, 2, 2); // 2 x 29.99 yuan → 59 points
        assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());

        JsonNode paid = await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
        awaitAllDelivered(no);
        paid = order(no);
        assertEquals(before.get("stock").asInt() - 2, paid.get("stock").asInt());
        assertEquals(before.get("points").asLong() + 59, paid.get("points").asLong());
        assertFalse(paid.get("paidAt").isNull());
        // The gateway learns of the acknowledgement when the delivery completes, just after the
        // attempt that the order page already shows: wait for it rather than race it.
        JsonNode payment = await("/api/orders/" + no + "/payment", p -> p.get("acknowledged").asBoolean());
        assertTrue(payment.get("acknowledged").asBoolean(), payment.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
    }

    @Test
    void refundingPartThenTheRestGivesBackStockAndPointsExactlyOnce() throws Exception {
        String no = placeOrder(3, 1, 3); // 3 x 19.99 yuan = 5997 fen → 59 points
        JsonNode before = order(no);
        assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());
        await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
        awaitAllDelivered(no);
        JsonNode paid = order(no);
        assertEquals(0, paid.get("refundedFen").asLong());
        String transactionId = ShopClient.json(client.get("/api/orders/" + no + "/payment"))
                .get("transactionId").asText();

        // A partial refund through the shop: the simulator sends a real APIv2 refund notice.
        HttpResponse<String> first = client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":2000}");
        assertEquals(202, first.statusCode(), first.body());
        JsonNode partial = await("/api/orders/" + no, o -> o.get("refundedFen").asLong() == 2000);
        assertEquals("PARTIALLY_REFUNDED", partial.get("state").asText());
        awaitRefundsDelivered(no, 1);
        partial = order(no);
        assertEquals(paid.get("stock").asInt() + 1, partial.get("stock").asInt()); // floor(3 × 2000 / 5997)
        assertEquals(paid.get("points").asLong() - 19, partial.get("points").asLong()); // floor(59 × 2000 / 5997)

        // A second refund, delivered by WeChat as 20 simultaneous copies.
        NotifyMessage second = notices.refunded(RefundNotice.of(transactionId, no, no + "-X", 5997, 1000)
                .withRefundId("5030" + System.nanoTime()));
        for (NotifyAnswer a : sendConcurrently(second.body(), 20)) {
            assertEquals("SUCCESS", a.returnCode(), a.toString());
        }
        awaitRefundsDelivered(no, 2);
        assertEquals(3000, order(no).get("refundedFen").asLong());

        // The rest, through the shop; then nothing is left to refund.
        HttpResponse<String> rest = client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":2997}");
        assertEquals(202, rest.statusCode(), rest.body());
        JsonNode refunded = await("/api/orders/" + no, o -> "REFUNDED".equals(o.get("state").asText()));
        awaitRefundsDelivered(no, 3);
        refunded = order(no);
        assertEquals(5997, refunded.get("refundedFen").asLong());
        HttpResponse<String> page = client.get("/orders/" + no);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("<h2>Refunds</h2>") && page.body().contains(no + "-R2"), page.body());
        assertFalse(page.body().contains("/refund\">"), "no refund form once all of it is refunded");
        assertEquals(before.get("stock").asInt(), refunded.get("stock").asInt());
        assertEquals(before.get("points").asLong(), refunded.get("points").asLong());

        // The simulator did not see the refund sent directly above, so it lets one more fen go out:
        // the plugin refuses it (the refunds would exceed the payment) and nothing changes.
        assertEquals(202, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":1}").statusCode());
        awaitCount("SELECT COUNT(*) FROM wxpay_anomaly WHERE out_trade_no = ? AND reason = 'REFUND_EXCEEDS_PAYMENT'", no, 1);
        assertEquals(409, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":5997}").statusCode());
        JsonNode still = order(no);
        assertEquals("REFUNDED", still.get("state").asText());
        assertEquals(5997, still.get("refundedFen").asLong());
        assertEquals(before.get("stock").asInt(), still.get("stock").asInt());
        assertEquals(before.get("points").asLong(), still.get("points").asLong());

        assertEquals(3, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ? AND event_kind = 'REFUND'", no));
        assertEquals(3 * 3, count("SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key LIKE 'wxpay:refund:%'"
                + " AND idempotency_key IN (SELECT idempotency_key FROM shop_refund WHERE out_trade_no = ?)", no));
        assertLogRows(19, "SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ? AND outcome = 'DUPLICATE'", no);
    }

    @Test
    void refundsAreRefusedWhenNothingWasPaidOrTheRequestIsBad() {
        String no = placeOrder(1, 1, 1);
        assertEquals(409, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":1}").statusCode());
        assertEquals(400, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":0}").statusCode());
        assertEquals(400, client.postJson("/api/orders/" + no + "/refund", "{\"refundFen\":\"1\"}").statusCode());
        assertEquals(404, client.postJson("/api/orders/NOPE/refund", "{\"refundFen\":1}").statusCode());
        assertEquals(415, client.postForm("/api/orders/" + no + "/refund", java.util.Map.of("refundFen", "1")).statusCode());
        HttpResponse<String> page = client.postForm("/orders/" + no + "/refund", java.util.Map.of("refundFen", "1"));
        assertEquals(409, page.statusCode());
        assertTrue(page.body().contains("was not paid through the simulator"), page.body());
        assertEquals(0, order(no).get("refundedFen").asLong());
    }

    @Test
    void twentySimultaneousCopiesHaveExactlyOneEffect() throws Exception {
        String no = placeOrder(1, 1, 3);
        JsonNode before = order(no);
        NotifyMessage notice = notices.paid(no, before.get("amountFen").asLong());

        List<NotifyAnswer> answers = sendConcurrently(notice.body(), 20);

        for (NotifyAnswer a : answers) {
            assertEquals("SUCCESS", a.returnCode(), a.toString());
        }
        await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
        awaitAllDelivered(no);
        JsonNode after = order(no);
        assertEquals(before.get("stock").asInt() - 3, after.get("stock").asInt());
        assertEquals(before.get("points").asLong() + before.get("amountFen").asLong() / 100, after.get("points").asLong());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
        assertEquals(3, count("SELECT COUNT(*) FROM shop_applied_event WHERE idempotency_key = ?",
                "wxpay:payment:" + notice.transactionId()));
        assertLogRows(19, "SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ? AND outcome = 'DUPLICATE'", no);
    }

    @Test
    void aForgedSignIsRefusedAndChangesNothing() {
        String no = placeOrder(1, 1, 1);
        JsonNode before = order(no);
        NotifyMessage forged = notices.paid(PaymentNotice.builder().outTradeNo(no)
                .totalFee(before.get("amountFen").asLong()).signedWithKey("00000000000000000000000000000000").build());

        NotifyAnswer answer = wechat.sendOnce(notifyUrl, forged.body());

        assertEquals("FAIL", answer.returnCode());
        assertEquals("sign does not verify", answer.returnMsg());
        assertUnchanged(before, no);
        assertLogRows(1, "SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ? AND reason = 'BAD_SIGN'", no);
    }

    @Test
    void externalEntitiesAreNeverFetchedOrRead(@TempDir Path dir) throws Exception {
        String no = placeOrder(1, 1, 1);
        JsonNode before = order(no);
        Path secret = Files.writeString(dir.resolve("secret.txt"), "CANARY-7f3a", StandardCharsets.UTF_8);
        AtomicInteger fetched = new AtomicInteger();
        HttpServer bait = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        bait.createContext("/", exchange -> {
            fetched.incrementAndGet();
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        bait.start();
        try {
            String xxe = "<?xml version=\"1.0\"?>\n<!DOCTYPE xml [\n"
                    + "<!ENTITY file SYSTEM \"" + secret.toUri() + "\">\n"
                    + "<!ENTITY remote SYSTEM \"http://127.0.0.1:" + bait.getAddress().getPort() + "/x\">\n"
                    + "<!ENTITY % dtd SYSTEM \"http://127.0.0.1:" + bait.getAddress().getPort() + "/dtd\"> %dtd;\n"
                    + "]>\n<xml><return_code>SUCCESS</return_code><out_trade_no>" + no
                    + "</out_trade_no><attach>&file;&remote;</attach></xml>";

            NotifyAnswer answer = wechat.sendOnce(notifyUrl, xxe.getBytes(StandardCharsets.UTF_8));

            assertEquals("FAIL", answer.returnCode());
            assertEquals("DTD or entity declarations are not allowed", answer.returnMsg());
            assertFalse(answer.body().contains("CANARY"));
            assertEquals(0, fetched.get(), "the plugin fetched an external entity");
        } finally {
            bait.stop(0);
        }
        assertUnchanged(before, no);
    }

    @Test
    void billionLaughsIsRefusedAtOnce() {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?>\n<!DOCTYPE xml [\n<!ENTITY lol \"lol\">\n");
        for (int i = 1; i <= 9; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"");
            for (int j = 0; j < 10; j++) {
                dtd.append("&lol").append(i == 1 ? "" : String.valueOf(i - 1)).append(';');
            }
            dtd.append("\">\n");
        }
        dtd.append("]>\n<xml><return_code>SUCCESS</return_code><attach>&lol9;</attach></xml>");

        NotifyAnswer answer = wechat.sendOnce(notifyUrl, dtd.toString().getBytes(StandardCharsets.UTF_8));

        assertEquals("FAIL", answer.returnCode());
        assertEquals("DTD or entity declarations are not allowed", answer.returnMsg());
        assertEquals(200, client.get("/api/plugins").statusCode(), "the shop still answers");
    }

    @Test
    void aTenMegabyteBodyIsRefusedWithNothingChanged() throws Exception {
        String no = placeOrder(1, 1, 1);
        JsonNode before = order(no);
        NotifyMessage genuine = notices.paid(no, before.get("amountFen").asLong());
        byte[] huge = new byte[10 * 1024 * 1024];
        byte[] head = genuine.body();
        System.arraycopy(head, 0, huge, 0, head.length);
        for (int i = head.length; i < huge.length; i++) {
            huge[i] = ' ';
        }
        HttpClient http = HttpClient.newHttpClient();
        // Declared length, refused before reading; and streamed without a length, refused at the cap.
        for (HttpRequest.BodyPublisher publisher : List.of(HttpRequest.BodyPublishers.ofByteArray(huge),
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(huge)))) {
            HttpRequest request = HttpRequest.newBuilder(URI.create(notifyUrl))
                    .header("Content-Type", "text/xml").timeout(Duration.ofSeconds(20))
                    .POST(publisher).build();
            HttpResponse<String> r = null;
            // The shop answers before the body ends and closes the connection; the client, still
            // writing, may see the close before the answer (a TCP reset drops it). Try again, a few times.
            for (int attempt = 1; r == null && attempt <= 5; attempt++) {
                try {
                    r = http.send(request, HttpResponse.BodyHandlers.ofString());
                } catch (java.io.IOException cut) {
                    // refused by closing the connection: nothing acknowledged; try to see the answer
                }
            }
            if (r == null) {
                continue; // cut every time: still refused; what is stored is checked below
            }
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains("<return_code><![CDATA[FAIL]]></return_code>"), r.body());
            assertTrue(r.body().contains("body too large"), r.body());
        }
        assertUnchanged(before, no);
    }

    @Test
    void switchedOffRefusesRetryablyAndRecordsNothingThenTheRetryIsProcessed() throws Exception {
        String csrf = client.loginForCsrfToken();
        String no = placeOrder(1, 1, 1);
        JsonNode before = order(no);
        assertEquals(200, setEnabled(false, csrf).statusCode());
        try {
            assertEquals(200, client.postJson("/api/orders/" + no + "/pay", "").statusCode());
            JsonNode payment = await("/api/orders/" + no + "/payment", p -> p.get("attempts").size() >= 2);
            for (JsonNode attempt : payment.get("attempts")) {
                assertTrue(attempt.get("answer").asText().contains("plugin switched off, retry later"), attempt.toString());
            }
            assertUnchanged(before, no);
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = ?", no));
        } finally {
            assertEquals(200, setEnabled(true, csrf).statusCode());
        }
        await("/api/orders/" + no + "/payment", p -> p.get("acknowledged").asBoolean());
        await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText()));
        awaitAllDelivered(no);
        assertEquals(before.get("stock").asInt() - 1, order(no).get("stock").asInt());
    }

    private HttpResponse<String> setEnabled(boolean enabled, String csrf) {
        return client.postJson("/api/admin/plugins/wxpay/enabled", "{\"enabled\":" + enabled + "}",
                "X-CSRF-Token", csrf);
    }

    private List<NotifyAnswer> sendConcurrently(byte[] body, int copies) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(copies);
        try {
            CountDownLatch gate = new CountDownLatch(1);
            List<Future<NotifyAnswer>> futures = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                Callable<NotifyAnswer> send = () -> {
                    gate.await();
                    return wechat.sendOnce(notifyUrl, body);
                };
                futures.add(pool.submit(send));
            }
            gate.countDown();
            List<NotifyAnswer> answers = new ArrayList<>();
            for (Future<NotifyAnswer> f : futures) {
                answers.add(f.get());
            }
            return answers;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Same state, stock and points as before, and no payment recorded for the order. */
    private void assertUnchanged(JsonNode before, String no) {
        JsonNode now = order(no);
        assertEquals("AWAITING_PAYMENT", now.get("state").asText());
        assertEquals(before.get("stock").asInt(), now.get("stock").asInt());
        assertEquals(before.get("points").asLong(), now.get("points").asLong());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", no));
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

    /** Waits until every listener's outbox entry for the order's payment is delivered. */
    private void awaitAllDelivered(String no) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (count("SELECT COUNT(*) FROM wxpay_outbox o JOIN wxpay_transaction t ON o.transaction_ref = t.id"
                + " WHERE t.out_trade_no = ? AND o.state <> 'DELIVERED'", no) > 0
                || count("SELECT COUNT(*) FROM wxpay_outbox o JOIN wxpay_transaction t ON o.transaction_ref = t.id"
                + " WHERE t.out_trade_no = ? AND t.event_kind = 'PAYMENT'", no) != 3) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("outbox of " + no + " not delivered within " + DEADLINE);
            }
            Thread.sleep(20);
        }
    }

    private void awaitCount(String sql, String param, long expected) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (count(sql, param) != expected) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(sql + " is not " + expected + " within " + DEADLINE);
            }
            Thread.sleep(20);
        }
    }

    /** Waits until the order has {@code refunds} refunds recorded, each delivered to all 3 listeners. */
    private void awaitRefundsDelivered(String no, int refunds) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        String join = "SELECT COUNT(*) FROM wxpay_outbox o JOIN wxpay_transaction t ON o.transaction_ref = t.id"
                + " WHERE t.out_trade_no = ? AND t.event_kind = 'REFUND'";
        while (count(join + " AND o.state = 'DELIVERED'", no) != 3L * refunds || count(join, no) != 3L * refunds) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError(refunds + " refunds of " + no + " not delivered within " + DEADLINE);
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

    /** The notify log is written off the request path: waits up to 10 s for {@code expected} rows. */
    private void assertLogRows(long expected, String sql, String param) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long rows;
        while ((rows = count(sql, param)) != expected && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(expected, rows, sql);
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
