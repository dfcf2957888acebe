package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.shopplug.sample.plugins.FailingPlugin;
import io.shopplug.sample.plugins.ProbePlugin;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plugin host, seen through the test plugins of META-INF/services in the test resources. */
class PluginHostTest {
    private SampleShop shop;
    private ShopClient client;

    @BeforeEach
    void start() {
        shop = SampleShop.start(TestShops.settings(), new RecordingGateway().factory());
        client = new ShopClient(shop.baseUri());
    }

    @AfterEach
    void stop() {
        shop.close();
    }

    private Map<String, String> probe() {
        HttpResponse<String> r = client.get("/probe/info");
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> report = new java.util.HashMap<>();
        for (String line : r.body().split("\n")) {
            String[] kv = line.split("=", 2);
            report.put(kv[0], kv[1]);
        }
        return report;
    }

    @Test
    void aPluginStartedDuringContextInitialisationCanAddAFilterThatRunsAheadOfTheShops() {
        Map<String, String> report = probe();
        assertEquals("true", report.get("probeFilterRan"), "addFilter worked: " + report);
        assertEquals("false", report.get("probeFilterSawShopFilter"), "ahead of the shop's filter");
        assertEquals("true", report.get("servletSawShopFilter"), "the shop's filter still ran");
        // The shop's filter runs on the shop's own pages too.
        assertTrue(client.get("/").headers().firstValue("X-Request-Id").isPresent());
    }

    @Test
    void theContextOffersTheShopsHooksAndDatabase() {
        Map<String, String> report = probe();
        assertEquals("", report.get("listeners"));
        assertEquals("OrderStatusListener,InventoryListener,PointsListener", report.get("transactional"));
        assertEquals("ShopOrderLookup", report.get("lookups"));
        assertEquals("0", report.get("strings"));
        assertEquals("true", report.get("dataSource"));
    }

    @Test
    void theAdminSwitchTurnsAPluginOffAtOnce() {
        assertEquals("true", probe().get("enabled"));
        String csrf = client.loginForCsrfToken();

        HttpResponse<String> off = client.postJson("/api/admin/plugins/probe/enabled",
                "{\"enabled\":false}", AdminAuth.CSRF_HEADER, csrf);
        assertEquals(200, off.statusCode(), off.body());
        assertFalse(ShopClient.json(off).get("enabled").asBoolean());
        assertEquals("false", probe().get("enabled"));
        assertFalse(plugin("probe").get("enabled").asBoolean());

        HttpResponse<String> on = client.postJson("/api/admin/plugins/probe/enabled",
                "{\"enabled\":true}", AdminAuth.CSRF_HEADER, csrf);
        assertEquals(200, on.statusCode(), on.body());
        assertEquals("true", probe().get("enabled"));
    }

    @Test
    void theAdminPageFormSwitchesAPluginToo() {
        String csrf = client.loginForCsrfToken();
        HttpResponse<String> page = client.get("/admin");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("Probe &lt;test&gt; plugin"), "names are escaped");
        assertTrue(page.body().contains("value=\"" + csrf + "\""), "forms carry the CSRF token");

        HttpResponse<String> forged = client.postForm("/admin/plugins/probe/enabled",
                Map.of("enabled", "false", "csrf", "forged"));
        assertEquals(403, forged.statusCode());
        assertEquals("true", probe().get("enabled"));

        HttpResponse<String> off = client.postForm("/admin/plugins/probe/enabled",
                Map.of("enabled", "false", "csrf", csrf));
        assertEquals(303, off.statusCode());
        assertEquals("false", probe().get("enabled"));
    }

    @Test
    void switchingNeedsAnAdminSessionAndTheCsrfToken() {
        HttpResponse<String> anonymous = client.postJson("/api/admin/plugins/probe/enabled",
                "{\"enabled\":false}");
        assertEquals(401, anonymous.statusCode());

        client.loginForCsrfToken();
        HttpResponse<String> noToken = client.postJson("/api/admin/plugins/probe/enabled",
                "{\"enabled\":false}");
        assertEquals(403, noToken.statusCode());
        HttpResponse<String> wrongToken = client.postJson("/api/admin/plugins/probe/enabled",
                "{\"enabled\":false}", AdminAuth.CSRF_HEADER, "nope");
        assertEquals(403, wrongToken.statusCode());
        assertEquals("true", probe().get("enabled"));

        ShopClient stranger = new ShopClient(shop.baseUri());
        HttpResponse<String> admin = stranger.get("/admin");
        assertEquals(303, admin.statusCode());
        assertEquals("/login", admin.headers().firstValue("Location").orElse(""));
        HttpResponse<String> badLogin = stranger.postForm("/login",
                Map.of("user", "admin", "password", "wrong"), "Accept", "application/json");
        assertEquals(401, badLogin.statusCode());
    }

    @Test
    void brokenPluginsAreListedAsFailedAndTheShopCarriesOn() {
        JsonNode failing = plugin("failing");
        assertEquals("failed", failing.get("state").asText());
        assertEquals(FailingPlugin.MESSAGE, failing.get("message").asText());
        assertFalse(failing.get("enabled").asBoolean(), "a failed plugin is off");
        String csrf = client.loginForCsrfToken();
        HttpResponse<String> on = client.postJson("/api/admin/plugins/failing/enabled",
                "{\"enabled\":true}", AdminAuth.CSRF_HEADER, csrf);
        assertEquals(409, on.statusCode(), "and stays off: " + on.body());

        JsonNode unloadable = null;
        for (JsonNode p : ShopClient.json(client.get("/api/plugins"))) {
            if (p.get("message").asText("").contains("NoSuchPlugin")) {
                unloadable = p;
            }
        }
        assertTrue(unloadable != null, "the registration of a missing class is listed");
        assertEquals("failed", unloadable.get("state").asText());
        assertTrue(unloadable.get("id").asText().startsWith("unloadable-"));

        assertEquals("started", plugin("probe").get("state").asText());
        assertEquals(200, client.get("/").statusCode());
    }

    @Test
    void closingTheShopStopsItsStartedPlugins() {
        int before = ProbePlugin.STOPS.get();
        shop.close();
        assertEquals(before + 1, ProbePlugin.STOPS.get());
    }

    private JsonNode plugin(String id) {
        HttpResponse<String> r = client.get("/api/plugins");
        assertEquals(200, r.statusCode());
        for (JsonNode p : ShopClient.json(r)) {
            if (p.get("id").asText().equals(id)) {
                return p;
            }
        }
        throw new AssertionError("no plugin " + id + " in " + r.body());
    }
}
