package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole path with the real simulator: the shop's pay action, a signed APIv2 notify delivered
 * to {@code /wxpay/notify} over HTTP with WeChat's retry schedule (compressed 100x). What the shop
 * answers depends on whether the WeChat Pay plugin is on the class path and started.
 */
class PaymentThroughSimulatorTest {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static SampleShop shop;
    private static ShopClient client;

    @BeforeAll
    static void start() {
        shop = SampleShop.start(TestShops.settings());
        client = new ShopClient(shop.baseUri());
    }

    @AfterAll
    static void stop() {
        shop.close();
    }

    private static boolean wxpayStarted() {
        return shop.plugins().plugin("wxpay")
                .map(p -> p.state() == PluginHost.State.STARTED).orElse(false);
    }

    private static String placeAndPay(int memberId, int productId, int quantity) {
        HttpResponse<String> placed = client.postJson("/api/orders", "{\"memberId\":" + memberId
                + ",\"productId\":" + productId + ",\"quantity\":" + quantity + "}");
        assertEquals(201, placed.statusCode(), placed.body());
        String no = ShopClient.json(placed).get("outTradeNo").asText();
        HttpResponse<String> pay = client.postJson("/api/orders/" + no + "/pay", "");
        assertEquals(200, pay.statusCode(), pay.body());
        assertFalse(ShopClient.json(pay).get("transactionId").asText().isEmpty());
        return no;
    }

    /** Polls a GET until the JSON satisfies the condition, or fails at the deadline. */
    private static JsonNode await(String path, Predicate<JsonNode> condition) throws InterruptedException {
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
            Thread.sleep(20); // the poll interval of a bounded poll
        }
        throw new AssertionError("not within " + DEADLINE + ": " + path + " -> " + last);
    }

    @Test
    void withoutThePluginTheNotifyIsRefusedAndRetriedOnSchedule() throws InterruptedException {
        assumeFalse(wxpayStarted(), "the WeChat Pay plugin is started: see the other test");
        String no = placeAndPay(1, 1, 1);

        JsonNode payment = await("/api/orders/" + no + "/payment", p -> p.get("attempts").size() >= 3);
        for (JsonNode attempt : payment.get("attempts")) {
            // Nothing owns the notify path: Jetty's fallback answers 404/405, never SUCCESS.
            int status = attempt.get("httpStatus").asInt();
            assertTrue(status == 404 || status == 405, attempt.toString());
            assertTrue(attempt.get("answer").asText().startsWith("HTTP_ERROR"), attempt.toString());
        }
        assertFalse(payment.get("acknowledged").asBoolean());
        assertEquals("AWAITING_PAYMENT",
                ShopClient.json(client.get("/api/orders/" + no)).get("state").asText());

        HttpResponse<String> page = client.get("/orders/" + no);
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("HTTP_ERROR"), page.body());
    }

    @Test
    void withThePluginTheOrderIsPaidOnceWithStockAndPoints() throws InterruptedException {
        assumeTrue(wxpayStarted(), "the WeChat Pay plugin is not built on this branch");
        JsonNode before = ShopClient.json(client.get("/api/orders/" + placeOrderOnly()));
        String no = placeAndPay(2, 2, 2); // 2 x Oolong tea = 59.98 yuan → 59 points

        JsonNode payment = await("/api/orders/" + no + "/payment", p -> p.get("acknowledged").asBoolean());
        assertEquals("SUCCESS", payment.get("attempts").get(payment.get("attempts").size() - 1)
                .get("answer").asText().split(":")[0]);
        JsonNode paid = await("/api/orders/" + no, o -> "PAID".equals(o.get("state").asText())
                && o.get("points").asLong() == before.get("points").asLong() + 59);
        assertEquals(before.get("stock").asInt() - 2, paid.get("stock").asInt());
        assertFalse(paid.get("paidAt").isNull());
    }

    private static String placeOrderOnly() {
        HttpResponse<String> placed = client.postJson("/api/orders",
                "{\"memberId\":2,\"productId\":2,\"quantity\":1}");
        return ShopClient.json(placed).get("outTradeNo").asText();
    }
}
