package io.shopplug.wxpay;

import java.util.UUID;

/** The store contract on embedded H2, in an in-memory database of its own. */
final class NotifyStoreTest extends NotifyStoreContract {
    private final String name = "notifystore-" + UUID.randomUUID();

    @Override
    String jdbcUrl() {
        return "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
    }

    @Override
    String user() {
        return "sa";
    }

    @Override
    String password() {
        return "";
    }

    @Override
    String unreachableUrl(int port) {
        return "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:nothing";
    }

    @Override
    void afterClose() throws java.sql.SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(jdbcUrl(), "sa", "");
                java.sql.Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        }
    }
}
