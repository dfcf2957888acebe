package io.shopplug.wxpay;

import java.sql.SQLException;
import org.junit.jupiter.api.Tag;

/**
 * The store contract on a MariaDB server, in its own database {@code wxpay_store_it}; the server
 * as {@link DbServers#MARIADB} says.
 */
@Tag("db-server")
final class NotifyStoreMariaDbTest extends NotifyStoreContract {
    private static final String SCHEMA = "wxpay_store_it";

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

    @Override
    String unreachableUrl(int port) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + SCHEMA;
    }
}
