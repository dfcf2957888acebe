package io.shopplug.wxpay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Tag;

/**
 * The reconciliation lease on a PostgreSQL server, in its own schema {@code wxpay_reconcile_it}.
 * Server settings as for {@link NotifyStorePostgreSqlTest}.
 */
@Tag("db-server")
final class ReconcileLeasePostgreSqlTest extends ReconcileLeaseContract {
    private static final String DATABASE = System.getProperty("wxpay.test.postgresql.url",
            "jdbc:postgresql://127.0.0.1:5432/test");
    private static final String SCHEMA = "wxpay_reconcile_it";

    @Override
    String jdbcUrl() throws SQLException {
        try (Connection c = DriverManager.getConnection(DATABASE, user(), password());
                Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + SCHEMA);
        }
        return DATABASE + (DATABASE.contains("?") ? "&" : "?") + "currentSchema=" + SCHEMA;
    }

    @Override
    String user() {
        return System.getProperty("wxpay.test.postgresql.user", "postgres");
    }

    @Override
    String password() {
        return System.getProperty("wxpay.test.postgresql.password", "");
    }
}
