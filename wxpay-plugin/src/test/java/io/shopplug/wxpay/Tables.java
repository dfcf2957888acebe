package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Reads the plugin's tables in an embedded H2 database through plain JDBC connections of its own,
 * outside the plugin's pool and transactions: what it sees is committed.
 */
final class Tables {
    static final String[] ALL = {
        "wxpay_transaction", "wxpay_outbox", "wxpay_anomaly", "wxpay_notify_log", "wxpay_setting", "wxpay_audit",
        "wxpay_schema_version", "wxpay_lease", "wxpay_reconcile_run", "wxpay_reconcile_finding"};

    private final String url;

    private Tables(String url) {
        this.url = url;
    }

    /** A fresh in-memory database of its own; {@link #shutdown()} drops it. */
    static Tables inMemory(String prefix) {
        return new Tables("jdbc:h2:mem:" + prefix + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    String url() {
        return url;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(url, "sa", "");
    }

    long count(String sql, Object... args) {
        List<Map<String, Object>> rows = rows(sql, args);
        return ((Number) rows.get(0).values().iterator().next()).longValue();
    }

    /** The first column of each row, in order. */
    List<Object> column(String sql, Object... args) {
        List<Object> values = new ArrayList<>();
        for (Map<String, Object> row : rows(sql, args)) {
            values.add(row.values().iterator().next());
        }
        return values;
    }

    /** Rows as column (lower case) to value; timestamps come back as UTC {@link Instant}s. */
    List<Map<String, Object>> rows(String sql, Object... args) {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData md = rs.getMetaData();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = rs.getObject(i);
                        if (v instanceof java.sql.Timestamp || v instanceof LocalDateTime) {
                            v = rs.getObject(i, LocalDateTime.class).toInstant(ZoneOffset.UTC);
                        } else if (v instanceof java.sql.Clob) {
                            v = rs.getString(i);
                        }
                        row.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), v);
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new AssertionError("query failed: " + sql, e);
        }
    }

    /** Every value of every column of every plugin table: none may contain one of {@code secrets}. */
    void assertNoneContains(Iterable<String> secrets) {
        int values = 0;
        for (String table : ALL) {
            for (Map<String, Object> row : rows("SELECT * FROM " + table)) {
                for (Map.Entry<String, Object> e : row.entrySet()) {
                    String v = String.valueOf(e.getValue());
                    values++;
                    for (String secret : secrets) {
                        assertFalse(v.toUpperCase(Locale.ROOT).contains(secret.toUpperCase(Locale.ROOT)),
                                () -> "secret stored in " + table + "." + e.getKey());
                    }
                }
            }
        }
        assertTrue(values > 0, "no values to check");
    }

    /** Drops the in-memory database. */
    void shutdown() {
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already gone
        }
    }
}
