package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Optional;
import java.util.UUID;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.spi.InitialContextFactory;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Where {@link DataSources} finds the database, and what it closes. */
final class DataSourcesTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    @AfterEach
    void clearJndi() {
        System.clearProperty(Context.INITIAL_CONTEXT_FACTORY);
        FakeJndi.bound = null;
    }

    @Test
    void hostDataSourceWinsAndIsNeverClosed() throws SQLException {
        HikariDataSource host = new HikariDataSource();
        host.setJdbcUrl("jdbc:h2:mem:host-" + UUID.randomUUID());
        try {
            FakeJndi.install(new JdbcDataSource());
            DataSource ds = DataSources.open(Optional.of(host), "java:comp/env/jdbc/shop",
                    "jdbc:h2:mem:unused", "sa", "", 2, TIMEOUT);
            assertSame(host, ds);
            assertFalse(DataSources.isOwned(ds));
            DataSources.close(ds);
            new Database(ds, Database.DEFAULT_STATEMENT_TIMEOUT).close();
            assertFalse(host.isClosed());
            try (Connection c = ds.getConnection()) {
                assertTrue(c.isValid(1));
            }
        } finally {
            host.close();
        }
    }

    @Test
    void jndiNameComesBeforeAUrl() {
        JdbcDataSource bound = new JdbcDataSource();
        FakeJndi.install(bound);
        DataSource ds = DataSources.open(Optional.empty(), " java:comp/env/jdbc/shop ",
                "jdbc:h2:mem:unused", "sa", "", 2, TIMEOUT);
        assertSame(bound, ds);
        DataSources.close(ds); // not ours: nothing happens
    }

    @Test
    void jndiFailuresAreClear() {
        FakeJndi.install("not a data source");
        IllegalStateException wrongType = assertThrows(IllegalStateException.class,
                () -> DataSources.open(Optional.empty(), "jdbc/shop", null, null, null, 2, TIMEOUT));
        assertTrue(wrongType.getMessage().contains("java.lang.String"), wrongType.getMessage());

        FakeJndi.install(null);
        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> DataSources.open(Optional.empty(), "jdbc/shop", null, null, null, 2, TIMEOUT));
        assertTrue(missing.getMessage().contains("'jdbc/shop'"), missing.getMessage());
    }

    @Test
    void urlGetsABoundedWxpayPoolThatCloseCloses() throws SQLException {
        DataSource ds = DataSources.open(Optional.empty(), "", "jdbc:h2:mem:pool-" + UUID.randomUUID(),
                "sa", "", 3, Duration.ofSeconds(5));
        assertTrue(DataSources.isOwned(ds));
        HikariDataSource pool = (HikariDataSource) ds;
        assertEquals("wxpay", pool.getPoolName());
        assertEquals(3, pool.getMaximumPoolSize());
        assertEquals(5000, pool.getConnectionTimeout());
        try (Connection c = ds.getConnection()) {
            assertTrue(c.isValid(1));
        }
        new Database(ds, Database.DEFAULT_STATEMENT_TIMEOUT).close();
        assertTrue(pool.isClosed());
        DataSources.close(ds); // twice is harmless
    }

    @Test
    void nothingConfiguredIsAClearError() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataSources.open(Optional.empty(), " ", "", null, null, 2, TIMEOUT));
        assertTrue(e.getMessage().contains("no database configured"), e.getMessage());
    }

    @Test
    void poolSizeAndTimeoutAreChecked() {
        assertThrows(IllegalArgumentException.class,
                () -> DataSources.open(Optional.empty(), null, "jdbc:h2:mem:x", null, null, 0, TIMEOUT));
        assertThrows(IllegalArgumentException.class, () -> DataSources.open(Optional.empty(), null,
                "jdbc:h2:mem:x", null, null, 2, Duration.ofMillis(100)));
    }

    @Test
    void poolFailureNamesNoCredentials() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DataSources.open(Optional.empty(), null,
                        "jdbc:nosuchdb://alice:s3cret@db.example/shop?password=s3cret&ssl=true",
                        "alice", "s3cret", 2, TIMEOUT));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertFalse(e.getMessage().contains("alice"), e.getMessage());
        assertTrue(e.getMessage().contains("db.example/shop"), e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void redactRemovesUserInfoAndSecretParameters() {
        assertEquals("jdbc:mariadb://***@db:3306/shop?ssl=true&password=***",
                DataSources.redact("jdbc:mariadb://bob:pw@db:3306/shop?ssl=true&password=pw"));
        assertEquals("jdbc:postgresql://db/shop?user=***&password=***",
                DataSources.redact("jdbc:postgresql://db/shop?user=bob&password=pw"));
        assertEquals("jdbc:h2:file:./data/wxpay;USER=***;PASSWORD=***;DB_CLOSE_ON_EXIT=FALSE",
                DataSources.redact("jdbc:h2:file:./data/wxpay;USER=sa;PASSWORD=pw;DB_CLOSE_ON_EXIT=FALSE"));
        assertEquals("jdbc:h2:file:./data/wxpay;DB_CLOSE_ON_EXIT=FALSE",
                DataSources.redact("jdbc:h2:file:./data/wxpay;DB_CLOSE_ON_EXIT=FALSE"));
    }

    /** A JNDI provider with one binding, chosen by the standard system property. */
    public static final class FakeJndi implements InitialContextFactory {
        static volatile Object bound;

        static void install(Object value) {
            bound = value;
            System.setProperty(Context.INITIAL_CONTEXT_FACTORY, FakeJndi.class.getName());
        }

        @Override
        public Context getInitialContext(Hashtable<?, ?> environment) {
            return (Context) Proxy.newProxyInstance(FakeJndi.class.getClassLoader(),
                    new Class<?>[] {Context.class}, (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "lookup":
                                if (bound == null) {
                                    throw new NameNotFoundException(String.valueOf(args[0]));
                                }
                                return bound;
                            case "close":
                                return null;
                            default:
                                throw new UnsupportedOperationException(method.getName());
                        }
                    });
        }
    }
}
