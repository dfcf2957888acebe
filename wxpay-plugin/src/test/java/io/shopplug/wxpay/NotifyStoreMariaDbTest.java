package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Collections;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The store contract on a MariaDB server, in its own database {@code wxpay_store_it}; the server
 * as {@link DbServers#MARIADB} says.
 */
@Tag("db-server")
final class NotifyStoreMariaDbTest extends NotifyStoreContract {
    private static final String SCHEMA = "wxpay_store_it";

    @Override
    String jdbcUrl() throws SQLException {
        return DbServers.MARIADB.url(SCHEMA);
    }

    @Override
    String user() {
        return DbServers.MARIADB.user();
    }

    @Override
    String password() {
        return DbServers.MARIADB.password();
    }

    @Override
    String unreachableUrl(int port) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + SCHEMA;
    }

    /**
     * InnoDB rolls back the whole transaction of a deadlock's victim, the delivery mark with it;
     * a listener that catches the error and writes on must not commit those writes alone.
     */
    @Test
    void aDeadlockTheWorkCatchesFailsTheDeliveryInsteadOfCommittingTheRestAlone() throws Exception {
        createEffectTable();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS wxpay_it_stock");
            st.execute("CREATE TABLE wxpay_it_stock (k INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
            st.execute("INSERT INTO wxpay_it_stock VALUES (1, 0), (2, 0)");
        }
        long id = store.record(payment("4200000034"), Collections.singletonList("tx:a")).outboxIds().get(0);
        CountDownLatch workHasRow1 = new CountDownLatch(1);
        CountDownLatch rivalHasRow2 = new CountDownLatch(1);
        AtomicReference<SQLException> caught = new AtomicReference<>();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> rival = pool.submit(() -> {
                try (Connection c = dataSource.getConnection()) {
                    c.setAutoCommit(false);
                    // Many more rows than the delivery's two, so InnoDB picks the delivery as victim.
                    insertEffects(c, 200);
                    update(c, 2);
                    rivalHasRow2.countDown();
                    assertTrue(workHasRow1.await(10, TimeUnit.SECONDS));
                    update(c, 1);
                    c.rollback();
                }
                return null;
            });
            NotifyStore.WorkFailed failed = assertThrows(NotifyStore.WorkFailed.class,
                    () -> store.deliverInTransaction(id, NODE_A, c -> {
                        update(c, 1);
                        workHasRow1.countDown();
                        assertTrue(rivalHasRow2.await(10, TimeUnit.SECONDS));
                        try {
                            update(c, 2);
                        } catch (SQLException e) {
                            caught.set(e); // the listener's mistake: it carries on
                        }
                        insertEffect(c, "written after the deadlock");
                    }));
            rival.get(10, TimeUnit.SECONDS);
            assertNotNull(caught.get(), "the work was the deadlock's victim");
            assertEquals("40001", caught.get().getSQLState());
            assertTrue(failed.getCause().getMessage().startsWith("the delivery transaction was rolled back"));
            assertEquals(0, count("SELECT COUNT(*) FROM wxpay_it_effect"), "nothing the work wrote committed");
            assertEquals(Delivery.State.PENDING, store.loadDelivery(id).state());
        } finally {
            pool.shutdownNow();
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP TABLE wxpay_it_stock");
            }
            dropEffectTable();
        }
    }

    private static void update(Connection c, int row) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE wxpay_it_stock SET v = v + 1 WHERE k = ?")) {
            ps.setInt(1, row);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private static void insertEffects(Connection c, int rows) throws SQLException {
        for (int i = 0; i < rows; i++) {
            insertEffect(c, "rival " + i);
        }
    }
}
