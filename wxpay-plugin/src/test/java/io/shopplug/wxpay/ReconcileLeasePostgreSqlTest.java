package io.shopplug.wxpay;

import java.sql.SQLException;
import org.junit.jupiter.api.Tag;

/**
 * The reconciliation lease on a PostgreSQL server, in its own schema {@code wxpay_reconcile_it}.
 */
@Tag("db-server")
final class ReconcileLeasePostgreSqlTest extends ReconcileLeaseContract {
    private static final String SCHEMA = "wxpay_reconcile_it";

    @Override
    String jdbcUrl() throws SQLException {
        return DbServers.POSTGRESQL.url(SCHEMA);
    }

    @Override
    String user() {
        return DbServers.POSTGRESQL.user();
    }

    @Override
    String password() {
        return DbServers.POSTGRESQL.password();
    }
}
