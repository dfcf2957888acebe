package io.shopplug.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * The shop's database: a HikariCP pool, the {@code shop_} schema of the dialect, and seed data.
 * Instants are stored as UTC wall-clock times in columns without a zone, which reads the same on
 * H2, MariaDB and PostgreSQL.
 */
final class ShopDatabase implements AutoCloseable {

    /** Seed products: id, name, price in fen, stock. */
    private static final Object[][] PRODUCTS = {
        {1L, "Green tea", 1999L, 100},
        {2L, "Oolong tea", 2999L, 50},
        {3L, "Celadon tea cup", 4500L, 20},
        {4L, "Mooncake gift box", 12800L, 10},
    };
    /** Seed members: id, name, points. */
    private static final Object[][] MEMBERS = {
        {1L, "Alice", 0L},
        {2L, "Bo", 120L},
        {3L, "Chen Wei", 0L},
    };

    private final HikariDataSource dataSource;
    private final Dialect dialect;

    private ShopDatabase(HikariDataSource dataSource, Dialect dialect) {
        this.dataSource = dataSource;
        this.dialect = dialect;
    }

    /** Opens the pool, creates the schema if missing and seeds an empty shop. */
    static ShopDatabase open(ShopSettings settings) {
        Dialect dialect = Dialect.fromJdbcUrl(settings.dbUrl());
        HikariConfig config = new HikariConfig();
        config.setPoolName("shop");
        config.setJdbcUrl(settings.dbUrl());
        config.setUsername(settings.dbUser());
        config.setPassword(settings.dbPassword());
        config.setMaximumPoolSize(16);
        // READ COMMITTED on every database, as PostgreSQL and H2 default to and as the plugin runs
        // its delivery transactions: with MariaDB's REPEATABLE READ as the pool's level, each
        // delivery would cost two more statements (setting the level, and the pool's reset).
        config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource pool = new HikariDataSource(config);
        ShopDatabase db = new ShopDatabase(pool, dialect);
        try {
            db.createSchema();
            db.seed();
        } catch (SQLException | RuntimeException e) {
            pool.close();
            throw new IllegalStateException("Cannot prepare the shop database "
                    + settings.redactedDbUrl() + ": " + e.getMessage(), e);
        }
        return db;
    }

    DataSource dataSource() {
        return dataSource;
    }

    Dialect dialect() {
        return dialect;
    }

    private void createSchema() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (String sql : statements(readScript(dialect.schemaResource()))) {
                st.execute(sql);
            }
        }
    }

    private void seed() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            for (Object[] p : PRODUCTS) {
                insertIfMissing(c, "shop_product", (Long) p[0],
                        "INSERT INTO shop_product (id, name, price_fen, stock) VALUES (?, ?, ?, ?)", p);
            }
            for (Object[] m : MEMBERS) {
                insertIfMissing(c, "shop_member", (Long) m[0],
                        "INSERT INTO shop_member (id, name, points) VALUES (?, ?, ?)", m);
            }
            c.commit();
        }
    }

    private static void insertIfMissing(Connection c, String table, long id, String insert,
            Object[] values) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
        }
        try (PreparedStatement ps = c.prepareStatement(insert)) {
            for (int i = 0; i < values.length; i++) {
                ps.setObject(i + 1, values[i]);
            }
            ps.executeUpdate();
        }
    }

    private static String readScript(String resource) {
        try (InputStream in = ShopDatabase.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Missing schema script " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Splits a script into statements: comment lines dropped, split on a {@code ;} ending a line. */
    static List<String> statements(String script) {
        List<String> result = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            if (trimmed.endsWith(";")) {
                current.append(trimmed, 0, trimmed.length() - 1);
                result.add(current.toString().strip());
                current.setLength(0);
            } else {
                current.append(trimmed).append('\n');
            }
        }
        if (!current.toString().isBlank()) {
            result.add(current.toString().strip());
        }
        return result;
    }

    /** An instant as a zone-less UTC timestamp, for {@code PreparedStatement.setObject}. */
    static LocalDateTime utc(Instant instant) {
        return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /** A zone-less UTC timestamp column as an instant, or null. */
    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime value = rs.getObject(column, LocalDateTime.class);
        return value == null ? null : value.toInstant(ZoneOffset.UTC);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
