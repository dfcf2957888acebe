package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.wxpay.SchemaMigrator.Dialect;
import io.shopplug.wxpay.SchemaMigrator.Migration;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link SchemaMigrator} on embedded H2; the server dialects run in {@link NotifyStoreContract}. */
final class SchemaMigratorTest {
    private static final Instant T0 = Instant.parse("2024-06-18T04:05:06.789Z");
    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    private JdbcDataSource dataSource;

    @BeforeEach
    void freshDatabase() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:migrator-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
    }

    @Test
    void appliesOnceThenIsANoOp() throws SQLException {
        SchemaMigrator migrator = new SchemaMigrator(dataSource, clock);
        assertEquals(versions(), migrator.migrate());
        assertEquals(Collections.emptyList(), migrator.migrate());
        assertEquals(Collections.emptyList(), new SchemaMigrator(dataSource, clock).migrate());

        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT version, description, applied_at FROM wxpay_schema_version ORDER BY version")) {
            for (Migration m : SchemaMigrator.MIGRATIONS) {
                assertTrue(rs.next());
                assertEquals(m.version, rs.getInt(1));
                assertEquals(m.description, rs.getString(2));
                assertEquals(LocalDateTime.of(2024, 6, 18, 4, 5, 6, 789_000_000), rs.getObject(3, LocalDateTime.class));
            }
            assertFalse(rs.next());
        }
        for (String table : Arrays.asList("WXPAY_TRANSACTION", "WXPAY_OUTBOX", "WXPAY_ANOMALY", "WXPAY_NOTIFY_LOG",
                "WXPAY_LEASE", "WXPAY_RECONCILE_RUN", "WXPAY_RECONCILE_FINDING", "WXPAY_SETTING", "WXPAY_AUDIT")) {
            try (Connection c = dataSource.getConnection();
                    ResultSet rs = c.getMetaData().getTables(null, null, table, null)) {
                assertTrue(rs.next(), table);
            }
        }
    }

    @Test
    void recordedVersionIsNotAppliedAgain() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE wxpay_schema_version (version INT PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP(3) NOT NULL)");
            for (Migration m : SchemaMigrator.MIGRATIONS) {
                st.execute("INSERT INTO wxpay_schema_version VALUES (" + m.version + ", '" + m.description
                        + "', TIMESTAMP '2020-01-01 00:00:00')");
            }
        }
        assertEquals(Collections.emptyList(), new SchemaMigrator(dataSource, clock).migrate());
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getTables(null, null, "WXPAY_TRANSACTION", null)) {
            assertFalse(rs.next(), "V1 ran although it was recorded");
        }
    }

    @Test
    void aDatabaseFromBeforeRefundsIsUpgradedKeepingItsRows() throws SQLException {
        // A plugin that only knew V1 ran here and recorded a payment.
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (String sql : SchemaMigrator.statements(SchemaMigrator.readScript(
                    SchemaMigrator.MIGRATIONS.get(0).script(Dialect.H2)))) {
                st.execute(sql);
            }
            st.execute("CREATE TABLE wxpay_schema_version (version INT PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP(3) NOT NULL)");
            st.execute("INSERT INTO wxpay_schema_version VALUES (1, 'init', TIMESTAMP '2020-01-01 00:00:00')");
            st.execute("INSERT INTO wxpay_transaction (event_kind, business_key, api, transaction_id,"
                    + " out_trade_no, merchant_id, app_id, amount_fen, currency, event_time, recorded_at, payload)"
                    + " VALUES ('PAYMENT', '4200', 'v2', '4200', 'O-1', '1900000109', 'wx1', 1999, 'CNY',"
                    + " TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-01 00:00:00', '{}')");
        }
        List<Integer> later = new java.util.ArrayList<>(versions());
        later.remove(Integer.valueOf(1));
        assertEquals(later, new SchemaMigrator(dataSource, clock).migrate());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT business_key, amount_fen, out_refund_no, payment_fen,"
                        + " sp_merchant_id FROM wxpay_transaction")) {
            assertTrue(rs.next());
            assertEquals("4200", rs.getString(1));
            assertEquals(1999, rs.getLong(2));
            assertEquals(null, rs.getString(3));
            assertEquals(null, rs.getObject(4));
            assertEquals(null, rs.getString(5));
            assertFalse(rs.next());
        }
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getIndexInfo(null, null, "WXPAY_TRANSACTION", false, false)) {
            boolean found = false;
            while (rs.next()) {
                found |= "WXPAY_TRANSACTION_IX_TRANSACTION".equalsIgnoreCase(rs.getString("INDEX_NAME"));
            }
            assertTrue(found, "index on transaction_id");
        }
    }

    @Test
    void aDatabaseAtV1TakesV5WhateverCameBetween() throws SQLException {
        // A database of V1 alone (V2 to V4 belong to other features and may or may not exist).
        assertEquals(Collections.singletonList(1), new SchemaMigrator(dataSource, clock,
                Collections.singletonList(new Migration(1, "init"))).migrate());
        List<Integer> later = new java.util.ArrayList<>(versions());
        later.remove(Integer.valueOf(1));
        assertEquals(later, new SchemaMigrator(dataSource, clock).migrate());
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getTables(null, null, "WXPAY_LEASE", null)) {
            assertTrue(rs.next());
        }
    }

    @Test
    void consoleVersionAppliesOnTopOfAnExistingV1WithItsRows() throws SQLException {
        // A database where only V1 ran (an older plugin), with an anomaly in it; V4 needs only V1
        // (V2 may come from another branch later).
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (String sql : SchemaMigrator.statements(SchemaMigrator.readScript("db/h2/V1__init.sql"))) {
                st.execute(sql);
            }
            st.execute("CREATE TABLE wxpay_schema_version (version INT PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, applied_at TIMESTAMP(3) NOT NULL)");
            st.execute("INSERT INTO wxpay_schema_version VALUES (1, 'init', TIMESTAMP '2020-01-01 00:00:00')");
            st.execute("INSERT INTO wxpay_anomaly (event_kind, business_key, reason, out_trade_no, amount_fen,"
                    + " currency, first_seen_at, last_seen_at, occurrences) VALUES ('PAYMENT', '42', 'UNKNOWN_ORDER',"
                    + " 'X', 1, 'CNY', TIMESTAMP '2020-01-01 00:00:00', TIMESTAMP '2020-01-01 00:00:00', 1)");
        }
        List<Integer> afterV1 = new java.util.ArrayList<>(versions());
        afterV1.remove(Integer.valueOf(1));
        assertEquals(afterV1, new SchemaMigrator(dataSource, clock).migrate());
        assertTrue(afterV1.contains(4));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT handled, handled_at, handled_by FROM wxpay_anomaly")) {
            assertTrue(rs.next());
            assertFalse(rs.getBoolean(1));
            assertEquals(null, rs.getObject(2));
            assertEquals(null, rs.getObject(3));
        }
    }

    @Test
    void everyVersionHasAScriptForEveryDialect() {
        for (Migration m : SchemaMigrator.MIGRATIONS) {
            for (Dialect d : Dialect.values()) {
                List<String> statements = SchemaMigrator.statements(SchemaMigrator.readScript(m.script(d)));
                assertFalse(statements.isEmpty(), m.script(d));
                for (String sql : statements) {
                    assertFalse(sql.contains(";"), sql);
                    assertTrue(sql.startsWith("CREATE ") || sql.startsWith("ALTER TABLE "), sql);
                    // H2 and MariaDB commit DDL at once: a script must survive running twice.
                    if (d != Dialect.POSTGRESQL) {
                        assertTrue(sql.contains(" IF NOT EXISTS "), sql);
                    }
                }
            }
        }
    }

    private static List<Integer> versions() {
        List<Integer> versions = new java.util.ArrayList<>();
        for (Migration m : SchemaMigrator.MIGRATIONS) {
            versions.add(m.version);
        }
        return versions;
    }

    @Test
    void aGapInTheVersionsIsFilledLaterAndNothingRunsTwice() throws SQLException {
        // V1 and V3 alone (V2 is another team's and not released yet), then V2 appears.
        Migration init = new Migration(1, "init");
        Migration outbox = new Migration(3, "outbox");
        Migration between = new Migration(2, "gap_probe");
        assertEquals(Arrays.asList(1, 3), new SchemaMigrator(dataSource, clock,
                Arrays.asList(outbox, init)).migrate());
        assertEquals(Collections.singletonList(2), new SchemaMigrator(dataSource, clock,
                Arrays.asList(init, between, outbox)).migrate());
        assertEquals(Collections.emptyList(), new SchemaMigrator(dataSource, clock,
                Arrays.asList(init, between, outbox)).migrate());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM wxpay_schema_version")) {
            assertTrue(rs.next());
            assertEquals(3, rs.getInt(1));
        }
        try (Connection c = dataSource.getConnection();
                ResultSet rs = c.getMetaData().getColumns(null, null, "WXPAY_OUTBOX", "LEASE_UNTIL")) {
            assertTrue(rs.next(), "V3 added the lease columns");
        }
    }

    @Test
    void splitsStatementsAtLineEndSemicolonsAndDropsComments() {
        assertEquals(Arrays.asList("CREATE TABLE a (\nx INT\n)", "CREATE INDEX b ON a (x)"),
                SchemaMigrator.statements("-- comment\nCREATE TABLE a (\n  x INT\n);\n\nCREATE INDEX b ON a (x);\n"));
    }

    @Test
    void dialectComesFromTheProductName() {
        assertEquals(Dialect.H2, Dialect.of("H2"));
        assertEquals(Dialect.MARIADB, Dialect.of("MariaDB"));
        assertEquals(Dialect.MARIADB, Dialect.of("MySQL"));
        assertEquals(Dialect.POSTGRESQL, Dialect.of("PostgreSQL"));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Dialect.of("Oracle"));
        assertTrue(e.getMessage().contains("'Oracle'"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Dialect.of(null));
    }
}
