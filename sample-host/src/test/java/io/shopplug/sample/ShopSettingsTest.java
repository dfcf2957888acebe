package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ShopSettingsTest {

    @Test
    void defaults() {
        ShopSettings s = ShopSettings.fromMap(Map.of());
        assertEquals("127.0.0.1", s.host());
        assertEquals(8080, s.port());
        assertEquals(ShopSettings.DEFAULT_DB_URL, s.dbUrl());
        assertEquals("sa", s.dbUser());
        assertEquals("admin", s.adminUser());
        assertEquals("admin", s.adminPassword());
        assertEquals(1, s.simulatorCompress());
        assertTrue(s.demoAdmin());
        assertEquals(Dialect.H2, Dialect.fromJdbcUrl(s.dbUrl()));
    }

    @Test
    void weChatPayModes() {
        ShopSettings v2 = ShopSettings.fromMap(Map.of());
        assertEquals(ShopSettings.WxPayApi.V2, v2.wxpayApi());
        assertEquals(ShopSettings.KeyMode.CERTIFICATE, v2.wxpayKeyMode());
        assertFalse(v2.wxpaySecondMerchant());
        assertEquals("./data", v2.dataDir());

        ShopSettings v3 = ShopSettings.fromMap(Map.of(ShopSettings.WXPAY_API, "V3",
                ShopSettings.WXPAY_KEY_MODE, "migration", ShopSettings.WXPAY_SECOND_MERCHANT, "true",
                ShopSettings.DATA_DIR, "/tmp/shop"));
        assertEquals(ShopSettings.WxPayApi.V3, v3.wxpayApi());
        assertEquals(ShopSettings.KeyMode.MIGRATION, v3.wxpayKeyMode());
        assertTrue(v3.wxpaySecondMerchant());
        assertEquals("/tmp/shop", v3.dataDir());
        assertTrue(v3.toString().contains("WeChat Pay v3 migration + second merchant"), v3.toString());
        assertEquals(v3.wxpayApi(), v3.withPort(0).wxpayApi());
        assertEquals(ShopSettings.WxPayApi.V3_SM,
                ShopSettings.fromMap(Map.of(ShopSettings.WXPAY_API, "v3-sm")).wxpayApi());
    }

    @Test
    void weChatPayModeProblemsAreReportedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(Map.of(
                ShopSettings.WXPAY_API, "v4", ShopSettings.WXPAY_KEY_MODE, "cert",
                ShopSettings.WXPAY_SECOND_MERCHANT, "yes")));
        assertTrue(e.getMessage().contains(ShopSettings.WXPAY_API + " must be v2 | v3 | v3-sm"), e.getMessage());
        assertTrue(e.getMessage().contains(ShopSettings.WXPAY_KEY_MODE + " must be certificate | public-key | migration"),
                e.getMessage());
        assertTrue(e.getMessage().contains(ShopSettings.WXPAY_SECOND_MERCHANT + " must be false | true"), e.getMessage());
        IllegalArgumentException sm = assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(Map.of(
                ShopSettings.WXPAY_API, "v3-sm", ShopSettings.WXPAY_KEY_MODE, "public-key")));
        assertTrue(sm.getMessage().contains("must be certificate with shop.wxpay.api=v3-sm"), sm.getMessage());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                ShopSettings.fromMap(Map.of(ShopSettings.PORT, "http", ShopSettings.SIMULATOR_COMPRESS, "fast")));
        assertTrue(e.getMessage().contains(ShopSettings.PORT), e.getMessage());
        assertTrue(e.getMessage().contains(ShopSettings.SIMULATOR_COMPRESS), e.getMessage());
    }

    @Test
    void passwordsNeverPrinted() {
        ShopSettings s = ShopSettings.fromMap(Map.of(
                ShopSettings.DB_URL, "jdbc:postgresql://db/shop?password=hunter2",
                ShopSettings.DB_PASSWORD, "hunter3",
                ShopSettings.ADMIN_PASSWORD, "hunter4"));
        assertFalse(s.toString().contains("hunter"), s.toString());
        assertEquals("", s.dbUser());
        assertFalse(s.demoAdmin());
    }

    @Test
    void thePlatformKeyFileIsUnsetByDefaultAndTakenInApiV3PublicKeyMode() {
        assertEquals("", ShopSettings.fromMap(Map.of()).wxpayPlatformKeyFile());
        ShopSettings s = ShopSettings.fromMap(Map.of(ShopSettings.WXPAY_API, "v3",
                ShopSettings.WXPAY_KEY_MODE, "public-key", ShopSettings.WXPAY_PLATFORM_KEY_FILE, " /tmp/k.pem "));
        assertEquals("/tmp/k.pem", s.wxpayPlatformKeyFile());
        assertEquals("/tmp/k.pem", s.withPort(0).wxpayPlatformKeyFile());
        assertTrue(s.toString().contains("WeChat Pay v3 public-key key file /tmp/k.pem"), s.toString());
        assertEquals("shop.wxpay.platform-key-file", ShopSettings.WXPAY_PLATFORM_KEY_FILE);
    }

    @Test
    void aPlatformKeyFileOutsideApiV3PublicKeyModeWithOneMerchantIsRefused() {
        String needs = "shop.wxpay.platform-key-file needs shop.wxpay.api=v3 and shop.wxpay.key-mode=public-key"
                + " with one merchant (the file holds one RSA public-key identity), not ";
        Map<String, String> file = Map.of(ShopSettings.WXPAY_PLATFORM_KEY_FILE, "/tmp/k.pem");
        assertEquals("Invalid shop settings:\n  " + needs + "shop.wxpay.api=v2 shop.wxpay.key-mode=certificate",
                assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(file)).getMessage());
        for (String mode : new String[] {"certificate", "migration"}) {
            Map<String, String> values = new java.util.HashMap<>(file);
            values.put(ShopSettings.WXPAY_API, "v3");
            values.put(ShopSettings.WXPAY_KEY_MODE, mode);
            assertTrue(assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(values))
                    .getMessage().endsWith(needs + "shop.wxpay.api=v3 shop.wxpay.key-mode=" + mode), mode);
        }
        Map<String, String> sm = new java.util.HashMap<>(file);
        sm.put(ShopSettings.WXPAY_API, "v3-sm");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(sm))
                .getMessage().endsWith(needs + "shop.wxpay.api=v3-sm shop.wxpay.key-mode=certificate"));
        Map<String, String> two = new java.util.HashMap<>(file);
        two.put(ShopSettings.WXPAY_API, "v3");
        two.put(ShopSettings.WXPAY_KEY_MODE, "public-key");
        two.put(ShopSettings.WXPAY_SECOND_MERCHANT, "true");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> ShopSettings.fromMap(two))
                .getMessage().endsWith(needs + "shop.wxpay.api=v3 shop.wxpay.key-mode=public-key with a second merchant"));
        // The record itself holds to the same rule.
        ShopSettings v2 = ShopSettings.fromMap(Map.of());
        assertThrows(IllegalArgumentException.class, () -> new ShopSettings(v2.host(), v2.port(), v2.dbUrl(),
                v2.dbUser(), v2.dbPassword(), v2.adminUser(), v2.adminPassword(), v2.simulatorCompress(),
                v2.simulatorDropNotifications(), v2.reconcileDelaySeconds(), v2.reconcileIntervalSeconds(),
                v2.wxpayApi(), v2.wxpayKeyMode(), v2.wxpaySecondMerchant(), v2.dataDir(), "/tmp/k.pem"));
    }

    @Test
    void dialects() {
        assertEquals(Dialect.MARIADB, Dialect.fromJdbcUrl("jdbc:mariadb://127.0.0.1/shop"));
        assertEquals(Dialect.MARIADB, Dialect.fromJdbcUrl("jdbc:mysql://127.0.0.1/shop"));
        assertEquals(Dialect.POSTGRESQL, Dialect.fromJdbcUrl("jdbc:postgresql://127.0.0.1/shop"));
        assertThrows(IllegalArgumentException.class, () -> Dialect.fromJdbcUrl("jdbc:oracle:thin:@x"));
    }

    @Test
    void everyDialectsScriptCreatesTheShopTablesAndCanRunAgain() throws Exception {
        for (Dialect d : Dialect.values()) {
            try (var in = ShopDatabase.class.getResourceAsStream(d.schemaResource())) {
                var statements = ShopDatabase.statements(new String(in.readAllBytes(),
                        java.nio.charset.StandardCharsets.UTF_8));
                var tables = new java.util.ArrayList<String>();
                for (String sql : statements) {
                    // Every start runs the whole script, also on a database from an older shop.
                    assertTrue(sql.startsWith("CREATE TABLE IF NOT EXISTS shop_")
                            || sql.startsWith("CREATE INDEX IF NOT EXISTS shop_")
                            || sql.startsWith("ALTER TABLE shop_order ADD COLUMN IF NOT EXISTS "), d + ": " + sql);
                    if (sql.startsWith("CREATE TABLE")) {
                        tables.add(sql.split("\\s+")[5]);
                    }
                }
                assertEquals(java.util.List.of("shop_product", "shop_member", "shop_order",
                        "shop_applied_event", "shop_refund"), tables, d + ": " + statements);
            }
        }
    }
}
