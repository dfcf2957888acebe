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
import io.shopplug.simulator.PaymentNotice;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The plugin's console in the running sample shop, over real HTTP: nobody but the shop's admin
 * sees anything, no change without the session's CSRF token, the protective headers on every
 * answer, and no configured secret in any page or API answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleSecurityTest {
    private static final String CONSOLE = "/wxpay/console";
    private static final String V2_KEY = "8934e7d15453e97507ef794cf7b0519d";
    private static final String METRICS_TOKEN = "scrape-token-5b1f0c9e2d7a4436";
    private static final String DB_PASSWORD = "shop-db-pw-7c41d2e9";
    private static final Merchant MERCHANT = Merchant.of("wx2421b1c4370ec43b", "1900000109", V2_KEY, Merchant.MD5);
    private static final List<String> PAGES = List.of("", "/", "/log", "/log?outcome=ACCEPTED", "/anomalies",
            "/anomalies?show=all", "/dead-letters", "/metrics", "/console.css", "/api/status", "/api/log",
            "/api/anomalies?show=all", "/api/dead-letters", "/log/1", "/api/log/1");
    private static final List<String> ACTIONS = List.of("/switch", "/api/switch", "/anomalies/1/handled",
            "/api/anomalies/1/handled");

    private SampleShop shop;
    private NotifyDelivery wechat;
    private final List<String> secrets = new ArrayList<>(List.of(V2_KEY, METRICS_TOKEN, DB_PASSWORD));

    @BeforeAll
    void start() {
        System.setProperty("wxpay.metrics.token", METRICS_TOKEN);
        try {
            shop = SampleShop.start(ShopSettings.fromMap(Map.of(ShopSettings.PORT, "0",
                    ShopSettings.DB_URL, TestShops.memoryDbUrl(), ShopSettings.DB_PASSWORD, DB_PASSWORD,
                    ShopSettings.SIMULATOR_COMPRESS, "100")));
        } finally {
            System.clearProperty("wxpay.metrics.token");
        }
        wechat = NotifyDelivery.builder().compress(100).build();
        // Something in every list: a payment, a forged notification, an anomaly.
        ApiV2Notifications notices = new ApiV2Notifications(MERCHANT, Clock.systemUTC());
        ShopClient client = new ShopClient(shop.baseUri());
        String notifyUrl = shop.baseUri().resolve("/wxpay/notify").toString();
        String paid = placeOrder(client);
        NotifyMessage genuine = notices.paid(paid, amount(client, paid));
        assertEquals("SUCCESS", wechat.sendOnce(notifyUrl, genuine.body()).returnCode());
        NotifyMessage forged = notices.paid(PaymentNotice.builder().outTradeNo(placeOrder(client)).totalFee(1)
                .signedWithKey("00000000000000000000000000000000").build());
        assertEquals("FAIL", wechat.sendOnce(notifyUrl, forged.body()).returnCode());
        String mismatch = placeOrder(client);
        NotifyMessage wrongAmount = notices.paid(mismatch, amount(client, mismatch) + 1);
        NotifyAnswer anomaly = wechat.sendOnce(notifyUrl, wrongAmount.body());
        assertEquals("amount does not match the order", anomaly.returnMsg());
        for (NotifyMessage m : List.of(genuine, forged, wrongAmount)) {
            secrets.add(m.field("sign"));
            secrets.add(m.field("openid"));
        }
    }

    @AfterAll
    void stop() {
        wechat.close();
        shop.close();
    }

    @Test
    void anAnonymousVisitorIsRefusedEverythingWithTheHeaders() {
        ShopClient anonymous = new ShopClient(shop.baseUri());
        for (String page : PAGES) {
            assertRefused(anonymous.get(CONSOLE + page), page);
        }
        for (String action : ACTIONS) {
            assertRefused(anonymous.postForm(CONSOLE + action, Map.of("enabled", "false")), action);
            assertRefused(anonymous.postJson(CONSOLE + action, "{\"enabled\":false}"), action);
        }
        assertSwitchOn();
    }

    @Test
    void aLoggedInCustomerIsForbidden() {
        ShopClient alice = new ShopClient(shop.baseUri());
        String shopCsrf = alice.login("alice", "alice");
        for (String page : PAGES) {
            HttpResponse<String> r = alice.get(CONSOLE + page);
            assertEquals(403, r.statusCode(), page);
            assertRefused(r, page);
        }
        for (String action : ACTIONS) {
            HttpResponse<String> r = alice.postForm(CONSOLE + action, Map.of("enabled", "false", "csrf", shopCsrf));
            assertEquals(403, r.statusCode(), action);
            assertRefused(alice.postJson(CONSOLE + action, "{\"enabled\":false}", "X-CSRF-Token", shopCsrf), action);
        }
        assertEquals(303, alice.get("/admin").statusCode(), "the shop's own admin page refuses her too");
        assertSwitchOn();
    }

    @Test
    void changesWithoutTheConsolesCsrfTokenAreRefusedAndChangeNothing() {
        ShopClient admin = new ShopClient(shop.baseUri());
        String shopCsrf = admin.loginForCsrfToken();
        String consoleCsrf = admin.consoleCsrfToken();
        long anomaly = openAnomalyId(admin);
        long auditBefore = count("SELECT COUNT(*) FROM wxpay_audit");

        List<HttpResponse<String>> refused = List.of(
                admin.postForm(CONSOLE + "/switch", Map.of("enabled", "false")),
                admin.postForm(CONSOLE + "/switch", Map.of("enabled", "false", "csrf", "wrong")),
                admin.postForm(CONSOLE + "/switch", Map.of("enabled", "false", "csrf", shopCsrf)),
                admin.postForm(CONSOLE + "/switch", Map.of("enabled", "false", "csrf", consoleCsrf + "x")),
                admin.postJson(CONSOLE + "/api/switch", "{\"enabled\":false}"),
                admin.postJson(CONSOLE + "/api/switch", "{\"enabled\":false}", "X-CSRF-Token", "wrong"),
                admin.postForm(CONSOLE + "/anomalies/" + anomaly + "/handled", Map.of()),
                admin.postJson(CONSOLE + "/api/anomalies/" + anomaly + "/handled", "{}", "X-CSRF-Token", shopCsrf));
        for (HttpResponse<String> r : refused) {
            assertEquals(403, r.statusCode(), r.uri() + " " + r.body());
            assertHeaders(r);
        }
        assertEquals(405, admin.get(CONSOLE + "/switch").statusCode(), "a change is never a GET");
        assertEquals(405, admin.get(CONSOLE + "/anomalies/" + anomaly + "/handled").statusCode());
        assertSwitchOn();
        assertFalse(anomalyHandled(admin, anomaly));
        assertEquals(auditBefore, count("SELECT COUNT(*) FROM wxpay_audit"));

        // The real token works, and is written down with who did it.
        HttpResponse<String> handled = admin.postForm(CONSOLE + "/anomalies/" + anomaly + "/handled",
                Map.of("csrf", consoleCsrf));
        assertEquals(303, handled.statusCode(), handled.body());
        assertTrue(anomalyHandled(admin, anomaly));
        assertEquals(auditBefore + 1, count("SELECT COUNT(*) FROM wxpay_audit WHERE actor = 'admin'"));
    }

    @Test
    void metricsNeedAnAdminOrTheScrapersToken() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> none = scrape(http, null);
        HttpResponse<String> wrong = scrape(http, "Bearer " + METRICS_TOKEN.substring(1) + "x");
        HttpResponse<String> right = scrape(http, "Bearer " + METRICS_TOKEN);
        assertEquals(403, none.statusCode());
        assertEquals(401, wrong.statusCode());
        assertFalse(wrong.body().contains("wxpay_"), wrong.body());
        assertEquals(200, right.statusCode());
        assertTrue(right.body().contains("wxpay_notify_total{outcome=\"ACCEPTED\",reason=\"none\"}"), right.body());
        assertTrue(right.body().contains("wxpay_notify_ack_seconds_bucket"), right.body());
        assertTrue(right.body().contains("wxpay_outbox_depth"), right.body());
        assertHeaders(right);
        HttpResponse<String> otherPage = http.send(HttpRequest.newBuilder(shop.baseUri().resolve(CONSOLE + "/api/status"))
                .header("Authorization", "Bearer " + METRICS_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, otherPage.statusCode(), "the token opens the metrics only");
    }

    @Test
    void theAdminSeesEveryPageAndNoneHoldsASecret() {
        ShopClient admin = new ShopClient(shop.baseUri());
        admin.loginForCsrfToken();
        List<String> pages = new ArrayList<>(PAGES);
        for (JsonNode entry : ShopClient.json(admin.get(CONSOLE + "/api/log")).get("items")) {
            pages.add("/log/" + entry.get("id").asLong());
            pages.add("/api/log/" + entry.get("id").asLong());
        }
        assertTrue(pages.size() >= PAGES.size() + 6, pages.toString());
        int scanned = 0;
        for (String page : pages) {
            HttpResponse<String> r = admin.get(CONSOLE + page);
            assertTrue(r.statusCode() == 200 || page.endsWith("/1") && r.statusCode() == 404, page + " " + r.statusCode());
            assertHeaders(r);
            for (String secret : secrets) {
                assertFalse(r.body().toLowerCase(Locale.ROOT).contains(secret.toLowerCase(Locale.ROOT)),
                        () -> "a secret in " + page);
            }
            scanned += r.body().length();
        }
        assertTrue(scanned > 10_000, "scanned " + scanned + " characters");
        String status = admin.get(CONSOLE).body();
        assertTrue(status.contains("1900000109"), "merchant ids are shown");
        assertTrue(status.contains("APIv2 key, sign type MD5"), status);
        assertTrue(status.contains("<h2>Reconciliation</h2>") && status.contains("id=\"reconcile-now\""),
                "reconciliation is shown with its Run now action");
        String payment = admin.get(CONSOLE + "/log?outcome=ACCEPTED").body();
        assertTrue(payment.contains("ACCEPTED"), payment);
    }

    // ---------------------------------------------------------------- helpers

    private static void assertRefused(HttpResponse<String> r, String what) {
        assertTrue(r.statusCode() == 401 || r.statusCode() == 403, what + " -> " + r.statusCode());
        assertHeaders(r);
        assertFalse(r.body().contains("1900000109"), what + " showed a merchant id");
        assertFalse(r.body().contains("wxpay_"), what + " showed metrics");
        assertFalse(r.body().contains("csrf"), what + " showed a token");
        assertTrue(r.body().length() < 300, what + " said too much: " + r.body());
    }

    static void assertHeaders(HttpResponse<String> r) {
        String where = r.request().method() + " " + r.uri();
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null), where);
        assertEquals("DENY", r.headers().firstValue("X-Frame-Options").orElse(null), where);
        assertEquals("nosniff", r.headers().firstValue("X-Content-Type-Options").orElse(null), where);
        assertTrue(r.headers().firstValue("Content-Security-Policy").orElse("").contains("frame-ancestors 'none'"), where);
    }

    private void assertSwitchOn() {
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_setting WHERE setting_value = 'false'"));
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_audit WHERE action = 'setting'"));
    }

    private HttpResponse<String> scrape(HttpClient http, String authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(shop.baseUri().resolve(CONSOLE + "/metrics"));
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static long openAnomalyId(ShopClient admin) {
        for (JsonNode a : ShopClient.json(admin.get(CONSOLE + "/api/anomalies")).get("items")) {
            return a.get("id").asLong();
        }
        throw new AssertionError("no open anomaly");
    }

    private static boolean anomalyHandled(ShopClient admin, long id) {
        for (JsonNode a : ShopClient.json(admin.get(CONSOLE + "/api/anomalies?show=all")).get("items")) {
            if (a.get("id").asLong() == id) {
                return a.get("handled").asBoolean();
            }
        }
        throw new AssertionError("anomaly " + id + " gone");
    }

    private static String placeOrder(ShopClient client) {
        HttpResponse<String> placed = client.postJson("/api/orders", "{\"memberId\":1,\"productId\":1,\"quantity\":1}");
        assertEquals(201, placed.statusCode(), placed.body());
        return ShopClient.json(placed).get("outTradeNo").asText();
    }

    private static long amount(ShopClient client, String no) {
        return ShopClient.json(client.get("/api/orders/" + no)).get("amountFen").asLong();
    }

    private long count(String sql) {
        try (Connection c = shop.dataSource().getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
