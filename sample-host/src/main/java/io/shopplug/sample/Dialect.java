package io.shopplug.sample;

import java.util.Locale;

/** The databases the shop runs on, told apart by the JDBC URL. */
enum Dialect {
    H2("h2"),
    MARIADB("mariadb"),
    POSTGRESQL("postgresql");

    private final String scriptName;

    Dialect(String scriptName) {
        this.scriptName = scriptName;
    }

    static Dialect fromJdbcUrl(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:h2:")) {
            return H2;
        }
        if (lower.startsWith("jdbc:mariadb:") || lower.startsWith("jdbc:mysql:")) {
            return MARIADB;
        }
        if (lower.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        throw new IllegalArgumentException(
                ShopSettings.DB_URL + " must be an H2, MariaDB/MySQL or PostgreSQL JDBC URL");
    }

    /** The class-path resource holding this dialect's schema script. */
    String schemaResource() {
        return "schema/" + scriptName + ".sql";
    }
}
