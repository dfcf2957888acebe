package io.shopplug.wxpay;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The database servers the {@code db-server} tests run on, each suite in a schema (PostgreSQL) or
 * database (MariaDB) of its own so that suites cannot interfere. Settings (system properties):
 * {@code wxpay.test.mariadb.url} (default {@code jdbc:mariadb://127.0.0.1:3306/}),
 * {@code wxpay.test.mariadb.user} (root), {@code wxpay.test.mariadb.password} (empty);
 * {@code wxpay.test.postgresql.url} (default {@code jdbc:postgresql://127.0.0.1:5432/test}),
 * {@code wxpay.test.postgresql.user} (postgres), {@code wxpay.test.postgresql.password} (empty).
 */
enum DbServers {
    MARIADB("mariadb", "jdbc:mariadb://127.0.0.1:3306/", "root") {
        @Override
        String create(Statement st, String schema) throws SQLException {
            st.execute("CREATE DATABASE IF NOT EXISTS " + schema + " CHARACTER SET utf8mb4");
            return server() + schema;
        }
    },
    POSTGRESQL("postgresql", "jdbc:postgresql://127.0.0.1:5432/test", "postgres") {
        @Override
        String create(Statement st, String schema) throws SQLException {
            st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
            return server() + (server().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        }
    };

    private final String name;
    private final String defaultUrl;
    private final String defaultUser;

    DbServers(String name, String defaultUrl, String defaultUser) {
        this.name = name;
        this.defaultUrl = defaultUrl;
        this.defaultUser = defaultUser;
    }

    /** Makes {@code schema} if it is missing and returns the JDBC URL that works in it. */
    String url(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(server(), user(), password());
                Statement st = c.createStatement()) {
            return create(st, schema);
        }
    }

    abstract String create(Statement st, String schema) throws SQLException;

    String server() {
        return System.getProperty("wxpay.test." + name + ".url", defaultUrl);
    }

    String user() {
        return System.getProperty("wxpay.test." + name + ".user", defaultUser);
    }

    String password() {
        return System.getProperty("wxpay.test." + name + ".password", "");
    }
}
