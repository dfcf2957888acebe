package io.shopplug.wxpay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.h2.jdbcx.JdbcDataSource;

/** The console's store on a fresh embedded H2 database with the plugin's schema, and a fake ticker. */
final class ConsoleFixture implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-11-24T02:30:00Z");

    final Tables tables = Tables.inMemory("console");
    final AtomicLong nanos = new AtomicLong();
    final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    final Database database;
    final ConsoleStore store;
    final NotifyStore notifyStore;

    ConsoleFixture() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL(tables.url());
        ds.setUser("sa");
        new SchemaMigrator(ds, clock).migrate();
        database = new Database(ds, Duration.ofSeconds(5));
        store = new ConsoleStore(database.sessionFactory(), clock);
        notifyStore = new NotifyStore(database.sessionFactory(), clock);
    }

    /** A Caffeine ticker that moves only when told. */
    com.github.benmanes.caffeine.cache.Ticker ticker() {
        return nanos::get;
    }

    void advance(Duration d) {
        nanos.addAndGet(d.toNanos());
    }

    void sql(String sql) {
        try (java.sql.Connection c = tables.connect(); java.sql.Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(sql, e);
        }
    }

    @Override
    public void close() {
        tables.shutdown();
    }
}
