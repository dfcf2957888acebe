package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransactionRollbackException;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The reconciliation lease on embedded H2; and, at the JDBC seam, a first claim that the database
 * rolls back (as MariaDB does to a deadlock's victim among racing inserts) or fails otherwise.
 */
final class ReconcileLeaseH2Test extends ReconcileLeaseContract {
    private static final Duration LEASE = Duration.ofSeconds(60);
    private final Tables tables = Tables.inMemory("lease");

    @Override
    String jdbcUrl() {
        return tables.url();
    }

    @Override
    String user() {
        return "sa";
    }

    @Override
    String password() {
        return "";
    }

    @Test
    void aFirstClaimRolledBackByTheDatabaseLosesTheRace() {
        SQLException deadlock = new SQLTransactionRollbackException("Deadlock found when trying to get lock", "40001");
        assertFalse(claimWhileTheLeaseInsertFails(deadlock));
        assertTrue(claimWhileTheLeaseInsertFails(null),
                "the same claim with nothing failing wins: the lease was free and the lost claim wrote nothing");
    }

    @Test
    void aFirstClaimTheDatabaseRefusesOtherwiseFails() {
        SQLException broken = new SQLException("Connection reset", "08006");
        assertThrows(RuntimeException.class, () -> claimWhileTheLeaseInsertFails(broken));
    }

    /**
     * Node "a" claims the lease through connections that fail the lease's INSERT with
     * {@code failure} (none if null).
     */
    private boolean claimWhileTheLeaseInsertFails(SQLException failure) {
        DataSource real = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 2, Duration.ofSeconds(5));
        try {
            new SchemaMigrator(real, clock).migrate();
            DataSource failing = (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                        Object result = invoke(real, method, args);
                        return method.getName().equals("getConnection")
                                ? failingLeaseInsert((Connection) result, failure) : result;
                    });
            return new ReconcileStore(new Database(failing, Duration.ofSeconds(5)).sessionFactory(), clock)
                    .claimLease("a", LEASE);
        } finally {
            DataSources.close(real);
        }
    }

    private static Connection failingLeaseInsert(Connection real, SQLException failure) {
        return (Connection) Proxy.newProxyInstance(ReconcileLeaseH2Test.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                    if (failure != null && method.getName().equals("prepareStatement")
                            && String.valueOf(args[0]).contains("INSERT INTO wxpay_lease")) {
                        throw failure;
                    }
                    return invoke(real, method, args);
                });
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
