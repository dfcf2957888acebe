package io.shopplug.sample;

import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * The end-to-end notify tests with the shop and the plugin sharing a real MariaDB or PostgreSQL
 * database (database {@code test} on 127.0.0.1, as {@code .ci/run} sets up). Tagged
 * {@code db-server}: run with {@code -Pdb-servers}.
 */
@Tag("db-server")
class ServerNotifyEndToEndTest {

    private static ShopSettings on(String url, String user) {
        return ShopSettings.fromMap(Map.of(ShopSettings.PORT, "0", ShopSettings.DB_URL, url,
                ShopSettings.DB_USER, user, ShopSettings.DB_PASSWORD, "",
                ShopSettings.SIMULATOR_COMPRESS, "100"));
    }

    @Nested
    class OnMariaDb extends NotifyEndToEndTest {
        @Override
        ShopSettings settings() {
            return on("jdbc:mariadb://127.0.0.1:3306/test", "root");
        }
    }

    /** APIv3, two merchants, each mid-migration: the plugin's tables and the shop's on MariaDB. */
    @Nested
    class ApiV3OnMariaDb extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return apiV3Mode();
        }

        @Override
        ShopSettings settings(Map<String, String> values) {
            return withDb(values, "jdbc:mariadb://127.0.0.1:3306/test", "root");
        }
    }

    /** APIv3, two merchants, each mid-migration, on PostgreSQL. */
    @Nested
    class ApiV3OnPostgreSql extends ApiV3ShopScenarios {
        @Override
        Map<String, String> mode() {
            return apiV3Mode();
        }

        @Override
        ShopSettings settings(Map<String, String> values) {
            return withDb(values, "jdbc:postgresql://127.0.0.1:5432/test", "postgres");
        }
    }

    private static Map<String, String> apiV3Mode() {
        return Map.of(ShopSettings.WXPAY_API, "v3", ShopSettings.WXPAY_KEY_MODE, "migration",
                ShopSettings.WXPAY_SECOND_MERCHANT, "true");
    }

    private static ShopSettings withDb(Map<String, String> values, String url, String user) {
        Map<String, String> all = new java.util.HashMap<>(values);
        all.putAll(Map.of(ShopSettings.PORT, "0", ShopSettings.DB_URL, url, ShopSettings.DB_USER, user,
                ShopSettings.DB_PASSWORD, "", ShopSettings.SIMULATOR_COMPRESS, "100"));
        return ShopSettings.fromMap(all);
    }

    @Nested
    class OnPostgreSql extends NotifyEndToEndTest {
        @Override
        ShopSettings settings() {
            return on("jdbc:postgresql://127.0.0.1:5432/test", "postgres");
        }
    }
}
