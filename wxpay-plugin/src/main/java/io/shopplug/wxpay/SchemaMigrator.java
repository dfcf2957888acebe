package io.shopplug.wxpay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades the plugin's tables from the versioned scripts
 * {@code db/<dialect>/V<n>__<description>.sql} beside this class, recording each applied version
 * in {@code wxpay_schema_version}. Safe when several nodes start at once: they serialise on a
 * database lock (PostgreSQL advisory lock, MariaDB/MySQL {@code GET_LOCK}), scripts are
 * idempotent where DDL cannot be rolled back (H2, MariaDB/MySQL), and a node that finds a
 * version already recorded carries on.
 */
final class SchemaMigrator {
    private static final Logger log = LoggerFactory.getLogger(SchemaMigrator.class);

    /**
     * The versions; each has one script per dialect. Every version not yet recorded is applied,
     * in ascending order, so a gap is harmless: a database at V1 and V3 takes V2 when it appears.
     * Scripts of different features therefore must not depend on each other.
     */
    static final List<Migration> MIGRATIONS = Collections.unmodifiableList(Arrays.asList(
            new Migration(1, "init"),
            new Migration(2, "refunds"),
            new Migration(3, "outbox"),
            new Migration(4, "console"),
            new Migration(5, "reconciliation")));

    /** How long a node waits for another node's migration, in seconds. */
    private static final int LOCK_WAIT_SECONDS = 60;
    private static final long PG_LOCK_KEY = 0x7778_7061_795FL; // "wxpay_"

    /** The SQL dialects the plugin supports. */
    enum Dialect {
        H2("h2", "TIMESTAMP(3)"),
        MARIADB("mariadb", "DATETIME(3)"),
        POSTGRESQL("postgresql", "TIMESTAMP(3)");

        private final String directory;
        private final String timestampType;

        Dialect(String directory, String timestampType) {
            this.directory = directory;
            this.timestampType = timestampType;
        }

        /** The script directory under {@code db/}. */
        String directory() {
            return directory;
        }

        /**
         * The dialect of {@code DatabaseMetaData.getDatabaseProductName()}.
         *
         * @throws IllegalStateException for a database the plugin does not support
         */
        static Dialect of(String productName) {
            String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
            if (p.equals("h2")) {
                return H2;
            }
            if (p.contains("mariadb") || p.contains("mysql")) {
                return MARIADB;
            }
            if (p.contains("postgresql")) {
                return POSTGRESQL;
            }
            throw new IllegalStateException("wxpay: unsupported database '" + productName
                    + "'; supported are H2, MariaDB/MySQL and PostgreSQL");
        }
    }

    /** One schema version. */
    static final class Migration {
        final int version;
        final String description;

        Migration(int version, String description) {
            this.version = version;
            this.description = description;
        }

        String script(Dialect dialect) {
            return "db/" + dialect.directory() + "/V" + version + "__" + description + ".sql";
        }
    }

    private final DataSource dataSource;
    private final Clock clock;
    private final List<Migration> migrations;

    /** @param clock the time written to {@code applied_at} */
    SchemaMigrator(DataSource dataSource, Clock clock) {
        this(dataSource, clock, MIGRATIONS);
    }

    /** With another list of versions (tests of gaps and upgrades). */
    SchemaMigrator(DataSource dataSource, Clock clock, List<Migration> migrations) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.clock = Objects.requireNonNull(clock, "clock");
        List<Migration> sorted = new ArrayList<>(migrations);
        sorted.sort((a, b) -> Integer.compare(a.version, b.version));
        this.migrations = Collections.unmodifiableList(sorted);
    }

    /**
     * Applies every missing version in order, each in one transaction where the database allows.
     * Does nothing (and takes no lock) when the schema is up to date.
     *
     * @return the versions this call applied; empty if none (up to date, or another node did it)
     * @throws IllegalStateException if the database is unsupported or a script fails
     */
    List<Integer> migrate() {
        try (Connection c = dataSource.getConnection()) {
            Dialect dialect = Dialect.of(c.getMetaData().getDatabaseProductName());
            boolean autoCommit = c.getAutoCommit();
            try {
                c.setAutoCommit(true);
                if (pending(readApplied(c)).isEmpty()) {
                    return Collections.emptyList();
                }
                return migrateLocked(c, dialect);
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("wxpay: schema migration failed ("
                    + SqlErrors.describe(e) + ")", e);
        }
    }

    private List<Integer> migrateLocked(Connection c, Dialect dialect) throws SQLException {
        if (dialect == Dialect.H2) {
            // An embedded H2 database belongs to one JVM: a JVM lock serialises its migrators.
            synchronized (SchemaMigrator.class) {
                return applyPending(c, dialect);
            }
        }
        if (dialect == Dialect.MARIADB) {
            acquireMariaDbLock(c);
            try {
                return applyPending(c, dialect);
            } finally {
                releaseMariaDbLock(c);
            }
        }
        // PostgreSQL: a transaction-scoped advisory lock taken in each version's transaction.
        return applyPending(c, dialect);
    }

    private List<Integer> applyPending(Connection c, Dialect dialect) throws SQLException {
        ensureVersionTable(c, dialect);
        List<Integer> done = new ArrayList<>();
        for (Migration m : pending(readApplied(c))) {
            if (apply(c, dialect, m)) {
                done.add(m.version);
            }
        }
        return done;
    }

    /** Runs one version's script and records it in one transaction; false if already recorded. */
    private boolean apply(Connection c, Dialect dialect, Migration m) throws SQLException {
        List<String> statements = statements(readScript(m.script(dialect)));
        c.setAutoCommit(false);
        try {
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement st = c.createStatement()) {
                    lockPostgreSql(st);
                }
            }
            if (readApplied(c).contains(m.version)) {
                c.rollback();
                return false;
            }
            try (Statement st = c.createStatement()) {
                for (String sql : statements) {
                    st.execute(sql);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO wxpay_schema_version (version, description, applied_at) VALUES (?, ?, ?)")) {
                ps.setInt(1, m.version);
                ps.setString(2, m.description);
                ps.setObject(3, UtcInstantTypeHandler.toUtc(clock.instant()));
                ps.executeUpdate();
            } catch (SQLException e) {
                if (!SqlErrors.isConstraintViolation(e)) {
                    throw e;
                }
                c.rollback();
                log.info("wxpay: schema version {} was applied by another node", m.version);
                return false;
            }
            c.commit();
            log.info("wxpay: applied schema version {} ({}) on {}", m.version, m.description, dialect);
            return true;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static void ensureVersionTable(Connection c, Dialect dialect) throws SQLException {
        String ddl = "CREATE TABLE IF NOT EXISTS wxpay_schema_version ("
                + "version INT NOT NULL PRIMARY KEY, "
                + "description VARCHAR(200) NOT NULL, "
                + "applied_at " + dialect.timestampType + " NOT NULL)";
        if (dialect != Dialect.POSTGRESQL) {
            try (Statement st = c.createStatement()) {
                st.execute(ddl);
            }
            return;
        }
        // Two concurrent CREATE TABLE IF NOT EXISTS can collide on PostgreSQL: lock first.
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            lockPostgreSql(st);
            st.execute(ddl);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /** Waits for the transaction-scoped advisory lock that serialises migrators. */
    private static void lockPostgreSql(Statement st) throws SQLException {
        st.setQueryTimeout(LOCK_WAIT_SECONDS);
        st.execute("SELECT pg_advisory_xact_lock(" + PG_LOCK_KEY + ")");
    }

    /** The recorded versions; empty if the version table does not exist yet. */
    private static Set<Integer> readApplied(Connection c) throws SQLException {
        if (!versionTableExists(c)) {
            return Collections.emptySet();
        }
        Set<Integer> applied = new HashSet<>();
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT version FROM wxpay_schema_version")) {
            while (rs.next()) {
                applied.add(rs.getInt(1));
            }
        }
        return applied;
    }

    private static boolean versionTableExists(Connection c) throws SQLException {
        String schema = c.getSchema();
        for (String name : new String[] {"wxpay_schema_version", "WXPAY_SCHEMA_VERSION"}) {
            try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), schema, name, null)) {
                if (rs.next()) {
                    return true;
                }
            }
        }
        return false;
    }

    private List<Migration> pending(Set<Integer> applied) {
        List<Migration> pending = new ArrayList<>();
        for (Migration m : migrations) {
            if (!applied.contains(m.version)) {
                pending.add(m);
            }
        }
        return pending;
    }

    private static void acquireMariaDbLock(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT GET_LOCK(CONCAT('wxpay_schema.', DATABASE()), ?)")) {
            ps.setInt(1, LOCK_WAIT_SECONDS);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getInt(1) != 1) {
                    throw new IllegalStateException("wxpay: timed out waiting " + LOCK_WAIT_SECONDS
                            + " s for another node's schema migration");
                }
            }
        }
    }

    private static void releaseMariaDbLock(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT RELEASE_LOCK(CONCAT('wxpay_schema.', DATABASE()))");
        } catch (SQLException e) {
            // The server frees the lock when this connection ends; make sure it does end.
            log.warn("wxpay: could not release the schema lock ({}); dropping the connection",
                    SqlErrors.describe(e));
            try {
                c.abort(Runnable::run);
            } catch (SQLException | RuntimeException ignored) {
                // nothing more to do
            }
        }
    }

    /** The script's text, from this class's resources. */
    static String readScript(String resource) {
        try (InputStream in = SchemaMigrator.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("wxpay: schema script missing: " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("wxpay: cannot read schema script " + resource, e);
        }
    }

    /**
     * The statements of a script: {@code --} comment lines dropped, split where a line ends with
     * {@code ;}. Scripts keep semicolons out of statements.
     */
    static List<String> statements(String script) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\r?\n")) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                out.add(current.toString().trim());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (current.toString().trim().length() > 0) {
            out.add(current.toString().trim());
        }
        return out;
    }
}
