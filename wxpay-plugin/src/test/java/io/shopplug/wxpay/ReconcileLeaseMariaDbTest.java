package io.shopplug.wxpay;

import java.sql.SQLException;
import org.junit.jupiter.api.Tag;

/**
 * The reconciliation lease on a MariaDB server, in its own database {@code wxpay_reconcile_it}.
 */
@Tag("db-server")
final class ReconcileLeaseMariaDbTest extends ReconcileLeaseContract {
    private static final String SCHEMA = "wxpay_reconcile_it";

    @Override
    String jdbcUrl() throws SQLException {
        return DbServers.MARIADB.url(SCHEMA);
    }

    @Override
    String user() {
        return DbServers.MARIADB.user();
    }

    @Override
    String password() {
        return DbServers.MARIADB.password();
    }
}
