package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.api.OrderState;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The reconciliation lease on each supported database (a subclass per database): of nodes racing
 * for it one wins, the holder keeps it, another takes over only when it runs out or is given up,
 * and two reconcilers on one database never run at the same time.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ReconcileLeaseContract {
    static final Instant T0 = Instant.parse("2026-11-24T02:30:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final int RACERS = 12;

    final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private Database database;
    private ReconcileStore store;
    private NotifyStore notifyStore;

    /** Prepares the server side (own schema) and returns the JDBC URL of the test database. */
    abstract String jdbcUrl() throws SQLException;

    abstract String user();

    abstract String password();

    @BeforeAll
    void open() throws Exception {
        DataSource dataSource = DataSources.open(Optional.empty(), null, jdbcUrl(), user(), password(), RACERS + 4,
                Duration.ofSeconds(10));
        new SchemaMigrator(dataSource, clock).migrate();
        database = new Database(dataSource, Duration.ofSeconds(10));
        store = new ReconcileStore(database.sessionFactory(), clock);
        notifyStore = new NotifyStore(database.sessionFactory(), clock);
    }

    @AfterAll
    void close() {
        if (database != null) {
            database.close();
        }
    }

    @BeforeEach
    void empty() throws SQLException {
        clock.set(T0);
        try (Connection c = database.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("DELETE FROM wxpay_lease");
            st.execute("DELETE FROM wxpay_reconcile_finding");
            st.execute("DELETE FROM wxpay_reconcile_run");
        }
    }

    @Test
    void ofNodesRacingForAFreeLeaseOneWinsAndAgainWhenItRunsOut() throws Exception {
        assertEquals(1, winners("first-"));
        clock.set(T0.plus(LEASE).plusMillis(1));
        assertEquals(1, winners("second-"));
    }

    @Test
    void theHolderKeepsItOthersWaitUntilItRunsOutOrIsGivenUp() {
        assertTrue(store.claimLease("a", LEASE));
        assertFalse(store.claimLease("b", LEASE));
        clock.set(T0.plusSeconds(59));
        assertTrue(store.claimLease("a", LEASE), "the holder extends its lease");
        clock.set(T0.plusSeconds(59 + 60));
        assertFalse(store.claimLease("b", LEASE), "extended until T0+119 s");
        clock.set(T0.plusSeconds(59 + 60).plusMillis(1));
        assertTrue(store.claimLease("b", LEASE), "ran out: b takes over");
        assertFalse(store.claimLease("a", LEASE));
        store.releaseLease("a"); // not a's: no effect
        assertFalse(store.claimLease("a", LEASE));
        store.releaseLease("b");
        assertTrue(store.claimLease("a", LEASE), "given up: a takes it at once");
    }

    @Test
    void twoReconcilersOnOneDatabaseNeverRunAtTheSameTime() throws Exception {
        CountDownLatch inQuery = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        OrderQuery blocking = new StubQuery(no -> {
            inQuery.countDown();
            release.await(20, TimeUnit.SECONDS);
            return Optional.empty();
        });
        Reconciler a = reconciler("node-a", blocking);
        Reconciler b = reconciler("node-b", new StubQuery(no -> Optional.empty()));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Reconciler.Result> running = pool.submit(a::runNow);
            assertTrue(inQuery.await(20, TimeUnit.SECONDS));
            assertEquals(Reconciler.Status.LEASE_HELD_ELSEWHERE, b.runNow().status());
            assertEquals(Reconciler.Status.ALREADY_RUNNING, a.runNow().status());
            release.countDown();
            assertEquals(Reconciler.Status.COMPLETED, running.get(20, TimeUnit.SECONDS).status());
            assertEquals(Reconciler.Status.LEASE_HELD_ELSEWHERE, b.runNow().status(), "a holds it between runs too");
            a.close(); // gives the lease up
            assertEquals(Reconciler.Status.COMPLETED, b.runNow().status());
        } finally {
            release.countDown();
            pool.shutdownNow();
            b.close();
        }
        List<ReconcileRun> runs = store.recentRuns(10);
        assertEquals(2, runs.size(), runs.toString());
        assertEquals("node-b", runs.get(0).node());
        assertEquals("node-a", runs.get(1).node());
        assertFalse(runs.get(0).startedAt().isBefore(runs.get(1).finishedAt()), "the runs overlap: " + runs);
        assertEquals(1, runs.get(1).ordersQueried());
    }

    private Reconciler reconciler(String node, OrderQuery query) {
        ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
        orders.put("LEASE-1", 100, "CNY", OrderState.AWAITING_PAYMENT);
        Dispatcher dispatcher = new Dispatcher(notifyStore, List.of(), clock, 1);
        Merchants merchants = new Merchants(List.of(), clock, "http://127.0.0.1:9");
        return new Reconciler((after, before, limit) -> List.of("LEASE-1"), List.of(query), merchants,
                new NotifyProcessor(notifyStore, orders, dispatcher), store, clock, () -> true, true,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofHours(1), 10, node);
    }

    private int winners(String prefix) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(RACERS);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Boolean>> claims = new ArrayList<>();
            for (int i = 0; i < RACERS; i++) {
                String owner = prefix + i;
                Callable<Boolean> claim = () -> {
                    go.await();
                    return store.claimLease(owner, LEASE);
                };
                claims.add(pool.submit(claim));
            }
            go.countDown();
            List<Boolean> won = new ArrayList<>();
            for (Future<Boolean> f : claims) {
                won.add(f.get(30, TimeUnit.SECONDS));
            }
            return Collections.frequency(won, Boolean.TRUE);
        } finally {
            pool.shutdownNow();
        }
    }

    /** An order query answering from a function. */
    static final class StubQuery implements OrderQuery {
        interface Answer {
            Optional<Notification> answer(String outTradeNo) throws Exception;
        }

        private final Answer answer;

        StubQuery(Answer answer) {
            this.answer = answer;
        }

        @Override
        public Optional<Notification> paymentOf(String outTradeNo) {
            try {
                return answer.answer(outTradeNo);
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String api() {
            return "v2";
        }
    }
}
