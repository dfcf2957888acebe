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
