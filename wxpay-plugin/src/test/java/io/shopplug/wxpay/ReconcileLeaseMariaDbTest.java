package io.shopplug.wxpay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

/**
 * The reconciliation lease on a MariaDB server, in its own database {@code wxpay_reconcile_it}.
 * Server settings as for {@link NotifyStoreMariaDbTest}.
 */
@Tag("db-server")
final class ReconcileLeaseMariaDbTest extends ReconcileLeaseContract {
    private static final String SERVER = System.getProperty("wxpay.test.mariadb.url", "jdbc:mariadb://127.0.0.1:3306/");
    private static final String SCHEMA = "wxpay_reconcile_it";

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
}
