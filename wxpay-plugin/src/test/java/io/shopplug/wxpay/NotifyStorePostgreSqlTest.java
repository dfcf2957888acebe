package io.shopplug.wxpay;

import java.sql.SQLException;
import org.junit.jupiter.api.Tag;

/**
 * The store contract on a PostgreSQL server, in its own schema {@code wxpay_store_it}; the server
 * as {@link DbServers#POSTGRESQL} says.
 */
@Tag("db-server")
final class NotifyStorePostgreSqlTest extends NotifyStoreContract {
    private static final String SCHEMA = "wxpay_store_it";

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

    @Override
    String unreachableUrl(int port) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/test";
    }
}
