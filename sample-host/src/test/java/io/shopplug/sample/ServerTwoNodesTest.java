package io.shopplug.sample;

import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * {@link TwoNodesTest} with both shops on one real MariaDB or PostgreSQL database of the test's
 * own ({@code wxpay_outbox_it}: a database on MariaDB, a schema of database {@code test} on
 * PostgreSQL), dropped and made anew each run. Tagged {@code db-server}: run with {@code -Pdb-servers}.
 */
@Tag("db-server")
class ServerTwoNodesTest {
    static final String NAME = "wxpay_outbox_it";

    @Nested
    class OnMariaDb extends TwoNodesTest {
        @Override
        ShopSettings freshDatabase() throws java.sql.SQLException {
            admin("jdbc:mariadb://127.0.0.1:3306/", "root", "DROP DATABASE IF EXISTS " + NAME,
                    "CREATE DATABASE " + NAME + " CHARACTER SET utf8mb4");
            return ShopSettings.fromMap(Map.of(ShopSettings.PORT, "0",
                    ShopSettings.DB_URL, "jdbc:mariadb://127.0.0.1:3306/" + NAME,
                    ShopSettings.DB_USER, "root", ShopSettings.DB_PASSWORD, ""));
        }
    }

    @Nested
    class OnPostgreSql extends TwoNodesTest {
        @Override
        ShopSettings freshDatabase() throws java.sql.SQLException {
            admin("jdbc:postgresql://127.0.0.1:5432/test", "postgres", "DROP SCHEMA IF EXISTS " + NAME + " CASCADE",
                    "CREATE SCHEMA " + NAME);
            return ShopSettings.fromMap(Map.of(ShopSettings.PORT, "0",
                    ShopSettings.DB_URL, "jdbc:postgresql://127.0.0.1:5432/test?currentSchema=" + NAME,
                    ShopSettings.DB_USER, "postgres", ShopSettings.DB_PASSWORD, ""));
        }
    }
}
