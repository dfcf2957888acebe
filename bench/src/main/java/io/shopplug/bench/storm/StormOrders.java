package io.shopplug.bench.storm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The storm's orders, placed the way the shop's customers place theirs: {@code POST /api/orders}
 * on the shop's JSON API (public, no login), after {@link #stock} has given every product stock for
 * all of them; the amounts the shop answers are checked against its prices.
 */
final class StormOrders {
    /** Stock each product keeps after every genuine order is paid. */
    static final long STOCK_LEFT = 1000;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A placed order: the shop's number and amount, and what was asked for. */
    record Placed(String outTradeNo, long amountFen, StormPlan.Line line) {}

    private final Placed[] genuine;
    private final Placed[] bait;
    private final Map<Long, Long> prices;

    private StormOrders(Placed[] genuine, Placed[] bait, Map<Long, Long> prices) {
        this.genuine = genuine;
        this.bait = bait;
        this.prices = prices;
    }

    Placed genuine(int i) {
        return genuine[i];
    }

    Placed bait(int i) {
        return bait[i];
    }

    /** The shop's price of each product, in fen, as its API gave them. */
    Map<Long, Long> prices() {
        return prices;
    }

    /**
     * Gives every product stock for all its genuine orders in {@code plans} and {@value #STOCK_LEFT}
     * more, by SQL (the shop has no stock API).
     */
    static void stock(StormTarget target, List<StormPlan> plans) throws SQLException {
        Map<Long, Long> sold = new HashMap<>();
        for (StormPlan plan : plans) {
            for (int i = 0; i < plan.orders(); i++) {
                sold.merge(plan.order(i).productId(), (long) plan.order(i).quantity(), Long::sum);
            }
        }
        try (Connection c = target.connect();
                PreparedStatement ps = c.prepareStatement("UPDATE shop_product SET stock = ? WHERE id = ?")) {
            for (long product = 1; product <= StormPlan.PRODUCTS; product++) {
                ps.setLong(1, sold.getOrDefault(product, 0L) + STOCK_LEFT);
                ps.setLong(2, product);
                if (ps.executeUpdate() != 1) {
                    throw new IllegalStateException("the shop has no product " + product);
                }
            }
        }
    }

    /**
     * Places every genuine and bait order of the plan with {@code concurrency} parallel requests.
     *
     * @throws IllegalStateException if the shop refuses an order or charges other than price x quantity
     */
    static StormOrders place(StormPlan plan, StormTarget target, HttpClient http, int concurrency,
            Deadline deadline) throws Exception {
        Map<Long, Long> prices = new HashMap<>();
        HttpResponse<String> products = http.send(HttpRequest.newBuilder(target.baseUri().resolve("/api/products"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode p : JSON.readTree(products.body())) {
            prices.put(p.get("id").asLong(), p.get("priceFen").asLong());
        }
        Placed[] genuine = new Placed[plan.orders()];
        Placed[] bait = new Placed[plan.baitOrders()];
        URI orders = target.baseUri().resolve("/api/orders");
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            AtomicInteger next = new AtomicInteger();
            int total = genuine.length + bait.length;
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        deadline.check("placing orders");
                        boolean isBait = i >= genuine.length;
                        StormPlan.Line line = isBait ? plan.bait(i - genuine.length) : plan.order(i);
                        Placed placed = placeOne(http, orders, line, prices);
                        if (isBait) {
                            bait[i - genuine.length] = placed;
                        } else {
                            genuine[i] = placed;
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : workers) {
                f.get(deadline.remainingMillis(), TimeUnit.MILLISECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        return new StormOrders(genuine, bait, Map.copyOf(prices));
    }

    private static Placed placeOne(HttpClient http, URI orders, StormPlan.Line line, Map<Long, Long> prices)
            throws IOException, InterruptedException {
        String body = "{\"memberId\":" + line.memberId() + ",\"productId\":" + line.productId()
                + ",\"quantity\":" + line.quantity() + "}";
        HttpRequest request = HttpRequest.newBuilder(orders).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() >= 500) {
            // One more try: the shop's random order number may, very rarely, have been taken.
            answer = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (answer.statusCode() != 201) {
            throw new IllegalStateException("the shop refused order " + body + ": " + answer.statusCode() + " "
                    + answer.body());
        }
        JsonNode json = JSON.readTree(answer.body());
        long amount = json.get("amountFen").asLong();
        long expected = prices.get(line.productId()) * line.quantity();
        if (amount != expected) {
            throw new IllegalStateException("order " + json.get("outTradeNo").asText() + " costs " + amount
                    + " fen, not price x quantity = " + expected);
        }
        return new Placed(json.get("outTradeNo").asText(), amount, line);
    }

    /** {@code SELECT id, value} as a map. */
    static Map<Long, Long> column(StormTarget target, String sql) throws SQLException {
        Map<Long, Long> values = new HashMap<>();
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                values.put(rs.getLong(1), rs.getLong(2));
            }
        }
        return values;
    }
}
