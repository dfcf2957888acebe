package io.shopplug.wxpay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

/**
 * The store contract on a MariaDB server, in its own database {@code wxpay_store_it} (so runs of
 * other suites on the same server cannot interfere). Server: {@code wxpay.test.mariadb.url}
 * (default {@code jdbc:mariadb://127.0.0.1:3306/}), {@code wxpay.test.mariadb.user} (root),
 * {@code wxpay.test.mariadb.password} (empty).
 */
@Tag("db-server")
final class NotifyStoreMariaDbTest extends NotifyStoreContract {
    private static final String SERVER = System.getProperty("wxpay.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/");
    private static final String SCHEMA = "wxpay_store_it";

    @Override
    String jdbcUrl() throws SQLException {
        try (Connection c = DriverManager.getConnection(SERVER, user(), password());
                Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE IF NOT EXISTS " + SCHEMA + " CHARACTER SET utf8mb4");
        }
        return SERVER + SCHEMA;
    }

    @Override
    String user() {
        return System.getProperty("wxpay.test.mariadb.user", "root");
    }

    @Override
    String password() {
        return System.getProperty("wxpay.test.mariadb.password", "");
    }

    @Override
    String unreachableUrl(int port) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + SCHEMA;
    }
}
