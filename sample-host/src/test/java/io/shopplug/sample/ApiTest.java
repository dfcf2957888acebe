package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopplug.api.PaymentEvent;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The JSON API and the pages, over real HTTP. */
class ApiTest {
    private static final RecordingGateway gateway = new RecordingGateway();
    private static SampleShop shop;
    private static ShopClient client;

    @BeforeAll
    static void start() {
        shop = SampleShop.start(TestShops.settings(), gateway.factory());
        client = new ShopClient(shop.baseUri());
    }

    @AfterAll
    static void stop() {
        shop.close();
    }

    private static JsonNode placeOrder(int memberId, int productId, int quantity) {
        HttpResponse<String> r = client.postJson("/api/orders", "{\"memberId\":" + memberId
                + ",\"productId\":" + productId + ",\"quantity\":" + quantity + "}");
        assertEquals(201, r.statusCode(), r.body());
        return ShopClient.json(r);
    }

    @Test
    void placeAnOrderAndReadIt() {
        JsonNode placed = placeOrder(1, 1, 2);
        String no = placed.get("outTradeNo").asText();
        assertTrue(no.matches("SHOP-\\d{8}-[A-Z0-9]{8}"), no);
        assertEquals(3998, placed.get("amountFen").asLong());

        HttpResponse<String> r = client.get("/api/orders/" + no);
        assertEquals(200, r.statusCode());
        JsonNode order = ShopClient.json(r);
        assertEquals(no, order.get("outTradeNo").asText());
        assertEquals("AWAITING_PAYMENT", order.get("state").asText());
        assertEquals(3998, order.get("amountFen").asLong());
        assertEquals("CNY", order.get("currency").asText());
        assertEquals(2, order.get("quantity").asInt());
        assertEquals(1, order.get("productId").asLong());
        assertEquals(1, order.get("memberId").asLong());
        assertTrue(order.get("stock").isInt());
        assertTrue(order.get("points").isIntegralNumber());
        assertTrue(order.get("paidAt").isNull());
    }

    @Test
    void theOrderShowsCurrentStockAndPointsOnceListenersRan() {
        String no = placeOrder(2, 4, 1).get("outTradeNo").asText();
        JsonNode before = ShopClient.json(client.get("/api/orders/" + no));
        // Deliver as the plugin would, straight to the shop's listeners.
        AppliedEvents applied = new AppliedEvents(shop.dataSource(), Clock.systemUTC());
        PaymentEvent event = PaymentEvent.builder().idempotencyKey("api-test:" + no)
                .transactionId("4200000000000001").outTradeNo(no).amountFen(12800).currency("CNY")
                .paidAt(Instant.parse("2025-11-24T04:00:00Z")).merchantId("1900000109")
                .appId("wx2421b1c4370ec43b").build();
        new OrderStatusListener(applied).onPaid(event);
        new InventoryListener(applied).onPaid(event);
        new PointsListener(applied).onPaid(event);

        JsonNode after = ShopClient.json(client.get("/api/orders/" + no));
        assertEquals("PAID", after.get("state").asText());
        assertEquals("2025-11-24T04:00:00Z", after.get("paidAt").asText());
        assertEquals(before.get("stock").asInt() - 1, after.get("stock").asInt());
        assertEquals(before.get("points").asLong() + 128, after.get("points").asLong());

        HttpResponse<String> pay = client.postJson("/api/orders/" + no + "/pay", "");
        assertEquals(409, pay.statusCode(), "a paid order is not paid again");
    }

    @Test
    void payAsksTheGatewayOnceForTheOrdersAmount() {
        JsonNode placed = placeOrder(3, 2, 3);
        String no = placed.get("outTradeNo").asText();
        int callsBefore = gateway.payCalls.get();
        HttpResponse<String> first = client.postJson("/api/orders/" + no + "/pay", "");
        assertEquals(200, first.statusCode(), first.body());
        String transactionId = ShopClient.json(first).get("transactionId").asText();
        assertFalse(transactionId.isEmpty());
        assertEquals(8997, gateway.payment(no).orElseThrow().totalFen());

        HttpResponse<String> again = client.postJson("/api/orders/" + no + "/pay", "");
        assertEquals(200, again.statusCode());
        assertEquals(transactionId, ShopClient.json(again).get("transactionId").asText());
        assertEquals(callsBefore + 1, gateway.payCalls.get(), "a double click does not pay twice");

        HttpResponse<String> payment = client.get("/api/orders/" + no + "/payment");
        assertEquals(200, payment.statusCode());
        assertEquals(transactionId, ShopClient.json(payment).get("transactionId").asText());
    }

    @Test
    void badRequestsGetClearAnswers() {
        assertEquals(400, client.postJson("/api/orders", "{\"memberId\":1}").statusCode());
        assertEquals(400, client.postJson("/api/orders", "not json").statusCode());
        assertEquals(400, client.postJson("/api/orders",
                "{\"memberId\":1,\"productId\":1,\"quantity\":0}").statusCode());
        assertEquals(400, client.postJson("/api/orders",
                "{\"memberId\":1,\"productId\":1,\"quantity\":1.5}").statusCode());
        assertEquals(400, client.postJson("/api/orders",
                "{\"memberId\":99,\"productId\":1,\"quantity\":1}").statusCode());
        assertEquals(409, client.postJson("/api/orders",
                "{\"memberId\":1,\"productId\":4,\"quantity\":99}").statusCode());
        assertEquals(415, client.postForm("/api/orders",
                Map.of("memberId", "1", "productId", "1", "quantity", "1")).statusCode());
        assertEquals(404, client.get("/api/orders/SHOP-20250101-NOSUCH00").statusCode());
        // On a connection of its own: a server may close the connection of a request it refuses as
        // malformed (Jetty 12.0.35 and later do, without a "Connection: close"), and the shared
        // client would send its next POST over the closed one.
        int traversal = new ShopClient(shop.baseUri()).get("/api/orders/..%2F..%2Fetc").statusCode();
        assertTrue(traversal == 400 || traversal == 404, "refused: " + traversal);
        assertEquals(404, client.postJson("/api/orders/SHOP-20250101-NOSUCH00/pay", "").statusCode());
        HttpResponse<String> r = client.postJson("/api/orders", "{\"memberId\":\"x\"}");
        assertEquals("memberId must be an integer", ShopClient.json(r).get("error").asText());
    }

    @Test
    void pluginsAreListed() {
        HttpResponse<String> r = client.get("/api/plugins");
        assertEquals(200, r.statusCode());
        JsonNode plugins = ShopClient.json(r);
        assertTrue(plugins.isArray() && plugins.size() >= 2, r.body());
        for (JsonNode p : plugins) {
            assertTrue(p.has("id") && p.has("name") && p.has("state") && p.has("enabled"), p.toString());
        }
    }

    @Test
    void theStorefrontPlacesAnOrderAndShowsThePayButton() {
        HttpResponse<String> home = client.get("/");
        assertEquals(200, home.statusCode());
        assertTrue(home.body().contains("Green tea"));
        assertTrue(home.body().contains("¥19.99"));

        HttpResponse<String> placed = client.postForm("/orders",
                Map.of("memberId", "1", "productId", "1", "quantity", "1"));
        assertEquals(303, placed.statusCode());
        String location = placed.headers().firstValue("Location").orElseThrow();
        assertTrue(location.startsWith("/orders/SHOP-"), location);

        HttpResponse<String> order = client.get(location);
        assertEquals(200, order.statusCode());
        assertTrue(order.body().contains("AWAITING_PAYMENT"));
        assertTrue(order.body().contains("Pay with WeChat Pay (simulator)"));

        HttpResponse<String> pay = client.postForm(location + "/pay", Map.of());
        assertEquals(303, pay.statusCode());
        HttpResponse<String> paying = client.get(location);
        assertTrue(paying.body().contains("Transaction"), paying.body());
        assertFalse(paying.body().contains("Pay with WeChat Pay (simulator)"));
    }
}
