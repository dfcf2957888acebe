package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.spy;
import static org.mockito.Mockito.verify;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.TransactionalPaymentListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retries, dead letters, replay, leases between nodes and transactional listeners, on embedded H2
 * through the real store. Time is a {@link NotifyStoreContract.TestClock} the test moves; each
 * delivery is driven on the test's thread with {@link Dispatcher#deliver}, so nothing sleeps.
 */
class DispatcherTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:30:05.123Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final Duration SWEEP = Duration.ofSeconds(5);

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private final List<Dispatcher> dispatchers = new ArrayList<>();
    private Tables tables;
    private Database database;
    private NotifyStore store;

    @BeforeEach
    void open() throws SQLException {
        tables = Tables.inMemory("dispatcher");
        DataSource ds = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 10, Duration.ofSeconds(10));
        new SchemaMigrator(ds, clock).migrate();
        database = new Database(ds, Database.DEFAULT_STATEMENT_TIMEOUT);
        store = new NotifyStore(database.sessionFactory(), clock);
        try (Connection c = tables.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE host_effect (idempotency_key VARCHAR(100) NOT NULL, node VARCHAR(64))");
        }
    }

    @AfterEach
    void close() {
        dispatchers.forEach(Dispatcher::close);
        database.close();
        tables.shutdown();
    }

    private Dispatcher node(List<PaymentListener> plain, List<TransactionalPaymentListener> tx, int maxAttempts) {
        Dispatcher d = new Dispatcher(store, plain, tx, clock, 2, maxAttempts, LEASE, SWEEP);
        dispatchers.add(d);
        return d;
    }

    private long record(String transactionId, Dispatcher d) {
        return recorded(transactionId, d).id();
    }

    private Delivery recorded(String transactionId, Dispatcher d) {
        RecordResult r = store.record(NotifyStoreContract.payment(transactionId), d.listenerIds());
        assertEquals(1, r.deliveries().size());
        return r.deliveries().get(0);
    }

    private Map<String, Object> row(long id) {
        return tables.rows("SELECT state, attempts, last_error, next_attempt_at, lease_owner FROM wxpay_outbox"
                + " WHERE id = ?", id).get(0);
    }

    /** Moves the clock to the entry's next attempt, as the sweeper would wait for it. */
    private void untilDue(long id) {
        Instant due = (Instant) row(id).get("next_attempt_at");
        if (due.isAfter(clock.instant())) {
            clock.set(due);
        }
    }

    @Test
    void entriesThePoolCouldNotTakeAreSweptAsSoonAsItsQueueEmptiesNotAtTheNextTick() throws InterruptedException {
        FlakyListener listener = new FlakyListener(0);
        // Never started: no periodic sweep; only the backlog sweep can deliver what the queue refused.
        Dispatcher d = node(List.of(listener), List.of(), Dispatcher.DEFAULT_MAX_ATTEMPTS);
        int entries = Dispatcher.QUEUE_CAPACITY + 1_500;
        List<Delivery> recorded = new ArrayList<>();
        for (int i = 0; i < entries; i++) {
            recorded.add(recorded(String.format("42%08d", i), d));
        }

        d.submit(recorded);

        // The listener's call comes before its entry is marked: wait for the marks too.
        String delivered = "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while ((listener.successes.get() < entries || tables.count(delivered) < entries)
                && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(entries, listener.successes.get());
        assertEquals(entries, listener.byKey.size(), "each entry once");
        assertEquals(entries, tables.count(delivered));
    }

    @Test
    void aTransactionalEntryThisNodeRecordedIsDeliveredWithoutAClaimOrAReadAPlainOneAsAnySweepDoes() {
        FlakyListener plain = new FlakyListener(0);
        RecordingTxListener tx = new RecordingTxListener("a", 0);
        NotifyStore spied = spy(store);
        Dispatcher d = new Dispatcher(spied, List.of(plain), List.of(tx), clock, 2, 12, LEASE, SWEEP);
        dispatchers.add(d);
        List<Delivery> recorded = store.record(NotifyStoreContract.payment("4200000107"), d.listenerIds()).deliveries();
        assertEquals(2, recorded.size());

        d.submit(recorded);
        awaitState(recorded.get(0).id(), "DELIVERED");
        awaitState(recorded.get(1).id(), "DELIVERED");

        assertEquals(1, plain.byKey.get("wxpay:payment:4200000107"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM host_effect WHERE idempotency_key = ?",
                "wxpay:payment:4200000107"));
        verify(spied).claim(eq(recorded.get(0).id()), eq(d.nodeId()), any());
        verify(spied).loadDelivery(recorded.get(0).id());
        verify(spied, never()).claim(eq(recorded.get(1).id()), any(), any());
        verify(spied, never()).loadDelivery(recorded.get(1).id());
    }

    @Test
    void aListenerThatFailsThreeTimesIsDeliveredOnceOnTheFourthAttempt() {
        FlakyListener flaky = new FlakyListener(3);
        Dispatcher d = node(List.of(flaky), List.of(), Dispatcher.DEFAULT_MAX_ATTEMPTS);
        long id = record("4200000101", d);

        Instant previousDue = clock.instant();
        for (int attempt = 1; attempt <= 3; attempt++) {
            d.deliver(id);
            Map<String, Object> r = row(id);
            assertEquals("FAILED", r.get("state"));
            assertEquals(attempt, r.get("attempts"));
            assertEquals("java.lang.IllegalStateException: flaky failure " + attempt, r.get("last_error"));
            Instant due = (Instant) r.get("next_attempt_at");
            long backoffMs = Duration.between(clock.instant(), due).toMillis();
            long base = 1000L << (attempt - 1);
            assertTrue(backoffMs >= base && backoffMs <= base * 3 / 2, "back-off " + backoffMs + " for attempt " + attempt);
            assertTrue(due.isAfter(previousDue));
            previousDue = due;

            d.deliver(id); // not due yet: nothing happens
            assertEquals(attempt, flaky.calls.get());
            untilDue(id);
        }
        d.deliver(id);
        assertEquals("DELIVERED", row(id).get("state"));
        assertEquals(4, row(id).get("attempts"));
        assertEquals(4, flaky.calls.get());
        assertEquals(1, flaky.successes.get());
        d.deliver(id);
        assertEquals(4, flaky.calls.get(), "a delivered entry is never delivered again");
    }

    @Test
    void aListenerThatAlwaysFailsIsDeadAfterMaxAttemptsThenReplayedOnceFixed() {
        FlakyListener broken = new FlakyListener(Integer.MAX_VALUE);
        Dispatcher d = node(List.of(broken), List.of(), Dispatcher.DEFAULT_MAX_ATTEMPTS);
        long id = record("4200000102", d);

        for (int attempt = 1; attempt <= Dispatcher.DEFAULT_MAX_ATTEMPTS; attempt++) {
            untilDue(id);
            d.deliver(id);
        }
        Map<String, Object> r = row(id);
        assertEquals("DEAD", r.get("state"));
        assertEquals(12, r.get("attempts"));
        assertEquals("java.lang.IllegalStateException: flaky failure 12", r.get("last_error"));
        clock.set(clock.instant().plus(Duration.ofDays(1)));
        assertEquals(Collections.emptyList(), store.dueOutbox(10));
        d.deliver(id);
        assertEquals(12, broken.calls.get(), "a dead letter is not attempted again by itself");

        List<DeadLetter> dead = store.deadLetters(10);
        assertEquals(1, dead.size());
        assertEquals(id, dead.get(0).id());
        assertEquals(FlakyListener.class.getName(), dead.get(0).listener());

        broken.failuresLeft.set(0); // the shop fixed its listener
        assertTrue(d.replay(id));
        awaitState(id, "DELIVERED");
        assertEquals(1, broken.successes.get());
        assertEquals(1, row(id).get("attempts"), "attempts start again at a replay");
        assertFalse(d.replay(id));
    }

    @Test
    void anEntryClaimedByANodeThatDiedIsDeliveredByAnotherOnceTheLeaseExpires() {
        FlakyListener onA = new FlakyListener(0);
        FlakyListener onB = new FlakyListener(0);
        RecordingTxListener txOnA = new RecordingTxListener("a", 0);
        RecordingTxListener txOnB = new RecordingTxListener("b", 0);
        Dispatcher a = node(List.of(onA), List.of(txOnA), 12);
        Dispatcher b = node(List.of(onB), List.of(txOnB), 12);
        List<Long> ids = store.record(NotifyStoreContract.payment("4200000103"), a.listenerIds()).outboxIds();
        assertEquals(2, ids.size());
        // Node A claims both entries, as its workers do first, then dies before delivering.
        for (long id : ids) {
            assertTrue(store.claim(id, a.nodeId(), clock.instant().plus(LEASE)));
        }

        clock.set(T0.plus(LEASE).minusMillis(1));
        b.sweep();
        for (long id : ids) {
            b.deliver(id);
            assertEquals(a.nodeId(), row(id).get("lease_owner"));
            assertEquals("PENDING", row(id).get("state"));
        }
        assertEquals(0, onB.calls.get() + txOnB.calls.get(), "B waits while A's lease holds");

        clock.set(T0.plus(LEASE).plusMillis(1));
        for (long id : ids) {
            b.deliver(id);
            b.deliver(id);
            assertEquals("DELIVERED", row(id).get("state"));
        }
        assertEquals(1, onB.successes.get());
        assertEquals(1, txOnB.calls.get());
        assertEquals(0, onA.calls.get() + txOnA.calls.get());
        assertEquals(1, tables.count("SELECT COUNT(*) FROM host_effect WHERE idempotency_key = ?",
                "wxpay:payment:4200000103"));
        // Node A comes back (or its late worker wakes up): nothing more happens.
        a.deliver(ids.get(0));
        a.deliver(ids.get(1));
        assertEquals(0, onA.calls.get() + txOnA.calls.get());
    }

    @Test
    void aRunningDeliveryKeepsItsLeaseWhileItsNodeRenewsIt() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger callsOnA = new AtomicInteger();
        PaymentListener slow = new PaymentListener() {
            @Override
            public void onPaid(PaymentEvent event) {
                callsOnA.incrementAndGet();
                entered.countDown();
                await(release);
            }
        };
        FlakyListener onB = new FlakyListener(0);
        Dispatcher a = node(List.of(slow), List.of(), 12);
        Dispatcher b = node(List.of(onB), List.of(), 12);
        Delivery recorded = store.record(NotifyStoreContract.payment("4200000104"), a.listenerIds()).deliveries().get(0);
        long id = recorded.id();
        a.submit(List.of(recorded));
        assertTrue(entered.await(10, TimeUnit.SECONDS));

        for (int minute = 1; minute <= 3; minute++) {
            clock.set(T0.plus(Duration.ofSeconds(50L * minute)));
            a.renewLeases();
            b.deliver(id);
        }
        assertEquals(0, onB.calls.get(), "the lease was renewed: B never delivered concurrently");
        release.countDown();
        awaitState(id, "DELIVERED");
        assertEquals(1, callsOnA.get());
    }

    @Test
    void aTransactionalListenersEffectAndTheDeliveryMarkCommitTogether() {
        RecordingTxListener tx = new RecordingTxListener("a", 1); // writes, then throws, once
        Dispatcher d = node(List.of(), List.of(tx), 12);
        long id = record("4200000105", d);
        assertEquals(Dispatcher.TRANSACTIONAL_PREFIX + RecordingTxListener.class.getName(),
                d.listenerIds().get(0));

        d.deliver(id);
        assertEquals(1, tx.calls.get());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM host_effect"), "the row written before the throw is gone");
        Map<String, Object> r = row(id);
        assertEquals("FAILED", r.get("state"));
        assertEquals("java.lang.IllegalStateException: failed after writing", r.get("last_error"));

        untilDue(id);
        d.deliver(id);
        assertEquals(2, tx.calls.get());
        assertEquals("DELIVERED", row(id).get("state"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM host_effect WHERE idempotency_key = ?",
                "wxpay:payment:4200000105"));
        d.deliver(id);
        assertEquals(2, tx.calls.get());
    }

    @Test
    void aTransactionalListenerCannotEndThePluginsTransaction() {
        List<String> refused = Collections.synchronizedList(new ArrayList<>());
        TransactionalPaymentListener sneaky = new TransactionalPaymentListener() {
            @Override
            public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
                insert(connection, event.idempotencyKey(), "sneaky");
                for (String call : List.of("commit", "rollback", "close", "setAutoCommit")) {
                    SQLException e = assertThrows(SQLException.class, () -> {
                        switch (call) {
                            case "commit": connection.commit(); break;
                            case "rollback": connection.rollback(); break;
                            case "close": connection.close(); break;
                            default: connection.setAutoCommit(true); break;
                        }
                    });
                    refused.add(call + ": " + e.getMessage());
                }
                throw new SQLException("the listener changed its mind");
            }
        };
        Dispatcher d = node(List.of(), List.of(sneaky), 12);
        long id = record("4200000106", d);
        d.deliver(id);
        assertEquals(4, refused.size(), refused.toString());
        assertTrue(refused.get(0).contains("must not call Connection.commit"), refused.get(0));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM host_effect"));
        assertEquals("FAILED", row(id).get("state"));
        assertEquals("java.sql.SQLException: the listener changed its mind", row(id).get("last_error"));
    }

    @Test
    void aListenerWhoseTransactionWasRolledBackUnderItIsRetriedNotCommittedHalfDone() {
        AtomicInteger calls = new AtomicInteger();
        TransactionalPaymentListener careless = new TransactionalPaymentListener() {
            @Override
            public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
                if (calls.incrementAndGet() == 1) {
                    NotifyStoreContract.rollBackUnderTheWork(connection); // a deadlock it swallowed
                }
                insert(connection, event.idempotencyKey(), "careless");
            }
        };
        Dispatcher d = node(List.of(), List.of(careless), 12);
        long id = record("4200000107", d);

        d.deliver(id);
        assertEquals(0, tables.count("SELECT COUNT(*) FROM host_effect"), "the write after the rollback is gone");
        Map<String, Object> r = row(id);
        assertEquals("FAILED", r.get("state"));
        assertTrue(((String) r.get("last_error")).startsWith(
                "java.lang.IllegalStateException: the delivery transaction was rolled back"), r.toString());

        untilDue(id);
        d.deliver(id);
        assertEquals("DELIVERED", row(id).get("state"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM host_effect"));
    }

    private void awaitState(long id, String state) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!state.equals(row(id).get("state"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("entry " + id + " not " + state + ": " + row(id));
            }
            Thread.onSpinWait();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void insert(Connection c, String key, String node) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO host_effect (idempotency_key, node) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, node);
            ps.executeUpdate();
        }
    }

    /** Fails its first {@code failures} calls, then succeeds; counts both. */
    static final class FlakyListener implements PaymentListener {
        final AtomicInteger failuresLeft;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger successes = new AtomicInteger();
        final Map<String, Integer> byKey = new ConcurrentHashMap<>();

        FlakyListener(int failures) {
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public void onPaid(PaymentEvent event) {
            int call = calls.incrementAndGet();
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("flaky failure " + call);
            }
            successes.incrementAndGet();
            byKey.merge(event.idempotencyKey(), 1, Integer::sum);
        }
    }

    /** Writes one host_effect row through the plugin's transaction; throws after writing its first {@code failures} times. */
    static final class RecordingTxListener implements TransactionalPaymentListener {
        final String node;
        final AtomicInteger failuresLeft;
        final AtomicInteger calls = new AtomicInteger();

        RecordingTxListener(String node, int failures) {
            this.node = node;
            this.failuresLeft = new AtomicInteger(failures);
        }

        @Override
        public void onPaid(PaymentEvent event, Connection connection) throws SQLException {
            calls.incrementAndGet();
            insert(connection, event.idempotencyKey(), node);
            if (failuresLeft.getAndDecrement() > 0) {
                throw new IllegalStateException("failed after writing");
            }
        }
    }
}
