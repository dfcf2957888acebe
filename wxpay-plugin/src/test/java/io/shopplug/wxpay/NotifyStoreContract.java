package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TimeZone;
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
import org.junit.jupiter.api.function.Executable;

/**
 * The {@link NotifyStore} and {@link SchemaMigrator} contract, run against each supported
 * database by a subclass. Each class starts from dropped {@code wxpay_} tables in its own schema.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NotifyStoreContract {
    static final Instant T0 = Instant.parse("2024-06-18T04:05:06.789Z");
    private static final String[] TABLES = {
        "wxpay_reconcile_finding", "wxpay_reconcile_run", "wxpay_lease", "wxpay_setting", "wxpay_audit",
        "wxpay_outbox", "wxpay_transaction", "wxpay_anomaly", "wxpay_notify_log", "wxpay_schema_version"};
    private static final int RACERS = 20;
    static final String NODE_A = "node-a";
    static final String NODE_B = "node-b";

    final TestClock clock = new TestClock(T0);
    DataSource dataSource;
    Database database;
    NotifyStore store;
    private final List<List<Integer>> startupMigrations = Collections.synchronizedList(new ArrayList<>());

    /** Prepares the server side (own schema) and returns the JDBC URL of the test database. */
    abstract String jdbcUrl() throws SQLException;

    abstract String user();

    abstract String password();

    /** A URL for this database's driver pointing at {@code port}, where nothing listens. */
    abstract String unreachableUrl(int port);

    /** Called after the pool is closed. */
    void afterClose() throws SQLException {
    }

    @BeforeAll
    void openAndMigrate() throws Exception {
        dataSource = DataSources.open(Optional.empty(), null, jdbcUrl(), user(), password(), 10,
                Duration.ofSeconds(10));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (String table : TABLES) {
                st.execute("DROP TABLE IF EXISTS " + table);
            }
        }
        // Several nodes starting at once against an empty schema.
        for (Object result : race(4, () -> new SchemaMigrator(dataSource, clock).migrate())) {
            @SuppressWarnings("unchecked")
            List<Integer> applied = (List<Integer>) result;
            startupMigrations.add(applied);
        }
        database = new Database(dataSource, Duration.ofSeconds(10));
        store = new NotifyStore(database.sessionFactory(), clock);
    }

    @AfterAll
    void close() throws SQLException {
        if (database != null) {
            database.close();
        }
        afterClose();
    }

    @BeforeEach
    void emptyTables() throws SQLException {
        clock.set(T0);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            for (int i = 0; i < TABLES.length - 1; i++) {
                st.execute("DELETE FROM " + TABLES[i]);
            }
        }
    }

    // ---- schema

    @Test
    void schemaIsAppliedOnceWhenNodesStartTogether() throws SQLException {
        List<List<Integer>> results = new ArrayList<>(startupMigrations);
        assertEquals(4, results.size());
        // Each version applied by exactly one node (not necessarily the same node for all).
        List<Integer> applied = new ArrayList<>();
        for (List<Integer> r : results) {
            applied.addAll(r);
        }
        Collections.sort(applied);
        List<Integer> all = new ArrayList<>();
        SchemaMigrator.MIGRATIONS.forEach(m -> all.add(m.version));
        assertEquals(all, applied, results.toString());
        assertEquals(Collections.emptyList(), new SchemaMigrator(dataSource, clock).migrate());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT version, description, applied_at FROM wxpay_schema_version ORDER BY version")) {
            for (SchemaMigrator.Migration m : SchemaMigrator.MIGRATIONS) {
                assertTrue(rs.next());
                assertEquals(m.version, rs.getInt(1));
                assertEquals(m.description, rs.getString(2));
                assertEquals(UtcInstantTypeHandler.toUtc(T0), rs.getObject(3, LocalDateTime.class));
            }
            assertFalse(rs.next());
        }
    }

    // ---- record

    @Test
    void recordsOnceThenAnswersDuplicate() throws SQLException {
        Notification n = payment("4200000001");
        assertFalse(store.isRecorded(EventKind.PAYMENT, "4200000001"));

        RecordResult first = store.record(n, Arrays.asList("inventory", "points"));
        assertFalse(first.isDuplicate());
        assertEquals(2, first.outboxIds().size());
        assertNotEquals(first.outboxIds().get(0), first.outboxIds().get(1));
        assertTrue(store.isRecorded(EventKind.PAYMENT, "4200000001"));
        assertFalse(store.isRecorded(EventKind.REFUND, "4200000001"));

        RecordResult second = store.record(n, Arrays.asList("inventory", "points"));
        assertTrue(second.isDuplicate());
        assertSame(RecordResult.duplicate(), second);
        assertEquals(Collections.emptyList(), second.outboxIds());
        assertThrows(IllegalStateException.class, second::transactionRowId);

        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_outbox WHERE transaction_ref = "
                + first.transactionRowId() + " AND state = 'PENDING' AND attempts = 0"));
    }

    @Test
    void paymentAndRefundWithTheSameKeyAreDifferentEvents() throws SQLException {
        assertFalse(store.record(payment("K1"), Collections.singletonList("a")).isDuplicate());
        assertFalse(store.record(refund("K1"), Collections.singletonList("a")).isDuplicate());
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    @Test
    void recordWithoutListenersHasNoOutbox() throws SQLException {
        RecordResult r = store.record(payment("4200000002"), Collections.emptyList());
        assertFalse(r.isDuplicate());
        assertEquals(Collections.emptyList(), r.outboxIds());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_outbox"));
    }

    @Test
    void repeatedListenerIdsGetOneEntryAndBlankOnesAreRefused() throws SQLException {
        RecordResult r = store.record(payment("4200000003"), Arrays.asList("a", "b", "a"));
        assertEquals(2, r.outboxIds().size());
        assertThrows(IllegalArgumentException.class,
                () -> store.record(payment("4200000004"), Arrays.asList("a", " ")));
        assertFalse(store.isRecorded(EventKind.PAYMENT, "4200000004"));
    }

    @Test
    void concurrentCopiesAreRecordedExactlyOnce() throws Exception {
        Notification n = payment("4200000005");
        List<String> listeners = Arrays.asList("inventory", "points", "orders");
        List<Object> results = race(RACERS, () -> store.record(n, listeners));

        int recorded = 0;
        for (Object r : results) {
            if (!((RecordResult) r).isDuplicate()) {
                recorded++;
                assertEquals(3, ((RecordResult) r).outboxIds().size());
            }
        }
        assertEquals(1, recorded);
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(3, count("SELECT COUNT(*) FROM wxpay_outbox"));
    }

    @Test
    void valueLongerThanItsColumnIsRefusedAsInvalid() throws SQLException {
        String tooLong = "9".repeat(65);
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> store.record(payment(tooLong), Collections.singletonList("a")));
        assertEquals(Reason.MISSING_FIELD, e.reason());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    // ---- refunds

    @Test
    void aRefundIsRecordedOnlyAgainstARecordedPayment() throws SQLException {
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> store.recordRefund(refundOf("R-1", "T-1", 500), Collections.singletonList("a")));
        assertEquals(Reason.UNKNOWN_PAYMENT, e.reason());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_transaction"));

        store.record(payment("T-1"), Collections.singletonList("a"));
        Notification refund = Notification.refund().refundId("R-1").outRefundNo("OR-1").transactionId("T-1")
                .outTradeNo("order-T-1").amountFen(500).paymentFen(1999).currency("CNY")
                .merchantId("1900000109").spMerchantId("1900000001").appId("wxd930ea5d5a258f4f")
                .eventTime(T0).api("v2").payload("{}").build();
        RecordResult r = store.recordRefund(refund, Arrays.asList("a", "b"));
        assertFalse(r.isDuplicate());
        assertEquals(2, r.outboxIds().size());
        assertTrue(store.isRecorded(EventKind.REFUND, "R-1"));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT out_refund_no, payment_fen, sp_merchant_id, amount_fen"
                        + " FROM wxpay_transaction WHERE event_kind = 'REFUND'")) {
            assertTrue(rs.next());
            assertEquals("OR-1", rs.getString(1));
            assertEquals(1999, rs.getLong(2));
            assertEquals("1900000001", rs.getString(3));
            assertEquals(500, rs.getLong(4));
        }
        Delivery d = store.loadDelivery(r.outboxIds().get(0));
        assertEquals("OR-1", d.outRefundNo());
        assertEquals(Long.valueOf(1999), d.paymentFen());
        assertEquals("wxpay:refund:R-1", d.idempotencyKey());
        assertEquals(Dispatcher.refundEvent(d).toString(),
                "RefundEvent[wxpay:refund:R-1, order order-T-1, 500 of 1999 fen CNY, refunded " + T0 + "]");
        assertNull(store.loadDelivery(store.record(payment("T-2"), Collections.singletonList("a"))
                .outboxIds().get(0)).paymentFen());
        assertThrows(IllegalArgumentException.class,
                () -> store.recordRefund(payment("T-3"), Collections.singletonList("a")));
    }

    @Test
    void concurrentCopiesOfARefundAreRecordedExactlyOnce() throws Exception {
        store.record(payment("T-5"), Collections.singletonList("a"));
        Notification n = refundOf("R-5", "T-5", 700);
        int recorded = 0;
        for (Object r : race(RACERS, () -> store.recordRefund(n, Arrays.asList("a", "b")))) {
            if (!((RecordResult) r).isDuplicate()) {
                recorded++;
            }
        }
        assertEquals(1, recorded);
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(1 + 2, count("SELECT COUNT(*) FROM wxpay_outbox"));
    }

    @Test
    void partialPartialAndTheRestAddUpExactlyAndNoFenMore() throws SQLException {
        store.record(payment("T-6"), Collections.emptyList());
        assertFalse(store.recordRefund(refundOf("R-6a", "T-6", 333), Collections.emptyList()).isDuplicate());
        assertFalse(store.recordRefund(refundOf("R-6b", "T-6", 666), Collections.emptyList()).isDuplicate());
        assertFalse(store.recordRefund(refundOf("R-6c", "T-6", 1000), Collections.emptyList()).isDuplicate());
        assertEquals(1999, count("SELECT SUM(amount_fen) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        // A repeat of the last one is a duplicate, not an excess.
        assertTrue(store.recordRefund(refundOf("R-6c", "T-6", 1000), Collections.emptyList()).isDuplicate());
        assertRefused(Reason.REFUND_EXCEEDS_PAYMENT, refundOf("R-6d", "T-6", 1));
        assertEquals(3, count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    @Test
    void aRefundThatDoesNotFitItsPaymentIsRefusedAndWritesNothing() throws SQLException {
        store.record(payment("T-7"), Collections.emptyList());
        Notification.Builder base = Notification.refund().refundId("R-7").outRefundNo("OR-7")
                .transactionId("T-7").outTradeNo("order-T-7").amountFen(100).paymentFen(1999)
                .currency("CNY").merchantId("1900000109").appId("wxd930ea5d5a258f4f").eventTime(T0)
                .api("v2").payload("{}");
        assertRefused(Reason.UNKNOWN_PAYMENT, base.outTradeNo("order-other").build());
        assertRefused(Reason.UNKNOWN_PAYMENT, base.outTradeNo("order-T-7").merchantId("1900000999").build());
        assertRefused(Reason.CURRENCY_MISMATCH, base.merchantId("1900000109").currency("USD").build());
        assertRefused(Reason.AMOUNT_MISMATCH, base.currency("CNY").paymentFen(2000).build());
        assertRefused(Reason.REFUND_EXCEEDS_PAYMENT, base.paymentFen(1999).amountFen(2000).build());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertFalse(store.recordRefund(base.amountFen(1999).build(), Collections.emptyList()).isDuplicate());
    }

    @Test
    void twoDifferentRefundsRacingThatTogetherExceedThePaymentAreNotBothRecorded() throws Exception {
        store.record(payment("T-8"), Collections.emptyList());
        List<Notification> two = Arrays.asList(refundOf("R-8a", "T-8", 1200), refundOf("R-8b", "T-8", 1000));
        List<Object> results = raceEach(two);
        assertEquals(1, Collections.frequency(results, "recorded"), results.toString());
        assertEquals(1, Collections.frequency(results, Reason.REFUND_EXCEEDS_PAYMENT), results.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    @Test
    void twentyDifferentRefundsRacingNeverExceedThePayment() throws Exception {
        store.record(payment("T-9"), Collections.emptyList());
        List<Notification> refunds = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            refunds.add(refundOf("R-9-" + i, "T-9", 100));
        }
        List<Object> results = raceEach(refunds);
        assertEquals(19, Collections.frequency(results, "recorded"), results.toString());
        assertEquals(1, Collections.frequency(results, Reason.REFUND_EXCEEDS_PAYMENT), results.toString());
        assertEquals(1900, count("SELECT SUM(amount_fen) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    private void assertRefused(Reason reason, Notification refund) {
        NotifyRejected e = assertThrows(NotifyRejected.class,
                () -> store.recordRefund(refund, Collections.singletonList("a")));
        assertEquals(reason, e.reason());
    }

    /** Records each refund on its own thread, all released together: "recorded", "duplicate" or the reason. */
    private List<Object> raceEach(List<Notification> refunds) throws Exception {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        return race(refunds.size(), () -> {
            Notification n = refunds.get(next.getAndIncrement());
            try {
                return store.recordRefund(n, Collections.singletonList("a")).isDuplicate() ? "duplicate" : "recorded";
            } catch (NotifyRejected e) {
                return e.reason();
            }
        });
    }

    // ---- anomalies

    @Test
    void anomalyIsRecordedOnceThenCounted() throws SQLException {
        Notification n = payment("4200000006");
        assertTrue(store.recordAnomaly(n, Reason.AMOUNT_MISMATCH));
        clock.set(T0.plusSeconds(60));
        assertFalse(store.recordAnomaly(n, Reason.AMOUNT_MISMATCH));
        assertTrue(store.recordAnomaly(n, Reason.ORDER_CLOSED));

        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT occurrences, first_seen_at, last_seen_at, handled, out_trade_no, amount_fen"
                        + " FROM wxpay_anomaly WHERE business_key = ? AND reason = ?")) {
            ps.setString(1, "4200000006");
            ps.setString(2, "AMOUNT_MISMATCH");
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(2, rs.getInt(1));
                assertEquals(UtcInstantTypeHandler.toUtc(T0), rs.getObject(2, LocalDateTime.class));
                assertEquals(UtcInstantTypeHandler.toUtc(T0.plusSeconds(60)),
                        rs.getObject(3, LocalDateTime.class));
                assertFalse(rs.getBoolean(4));
                assertEquals("order-4200000006", rs.getString(5));
                assertEquals(1999, rs.getLong(6));
            }
        }
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_anomaly"));
    }

    @Test
    void concurrentAnomalyCopiesAreRecordedOnce() throws Exception {
        Notification n = payment("4200000007");
        List<Object> results = race(RACERS, () -> store.recordAnomaly(n, Reason.UNKNOWN_ORDER));
        assertEquals(1, Collections.frequency(results, Boolean.TRUE));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertEquals(RACERS, count("SELECT occurrences FROM wxpay_anomaly"));
    }

    // ---- outbox

    @Test
    void dueOutboxFollowsMarks() {
        List<Long> ids = store.record(payment("4200000008"), Arrays.asList("a", "b", "c")).outboxIds();
        assertEquals(ids, store.dueOutbox(10));
        assertEquals(ids.subList(0, 2), store.dueOutbox(2));

        assertTrue(store.claim(ids.get(0), NODE_A, T0.plusSeconds(60)));
        assertTrue(store.claim(ids.get(1), NODE_A, T0.plusSeconds(60)));
        assertEquals(Collections.singletonList(ids.get(2)), store.dueOutbox(10), "leased entries are not due");
        assertTrue(store.markDelivered(ids.get(0), NODE_A));
        assertTrue(store.markFailed(ids.get(1), NODE_A, "listener threw IllegalStateException", T0.plusSeconds(30), 12));
        assertEquals(Collections.singletonList(ids.get(2)), store.dueOutbox(10));

        clock.set(T0.plusSeconds(30));
        assertEquals(Arrays.asList(ids.get(2), ids.get(1)), store.dueOutbox(10));

        Delivery delivered = store.loadDelivery(ids.get(0));
        assertEquals(Delivery.State.DELIVERED, delivered.state());
        assertEquals(1, delivered.attempts());
        Delivery failed = store.loadDelivery(ids.get(1));
        assertEquals(Delivery.State.FAILED, failed.state());
        assertEquals(1, failed.attempts());

        // A delivered entry cannot be claimed, failed or delivered again.
        assertFalse(store.claim(ids.get(0), NODE_A, T0.plusSeconds(90)));
        assertFalse(store.markFailed(ids.get(0), NODE_A, "late", T0.plusSeconds(60), 12));
        assertFalse(store.markDelivered(ids.get(0), NODE_A));
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(ids.get(0)).state());
        assertEquals(1, store.loadDelivery(ids.get(0)).attempts());

        assertTrue(store.claim(ids.get(1), NODE_B, T0.plusSeconds(90)));
        assertTrue(store.markFailed(ids.get(1), NODE_B, "again", T0.plusSeconds(90), 12));
        assertEquals(2, store.loadDelivery(ids.get(1)).attempts());
        assertEquals(Collections.singletonList(ids.get(2)), store.dueOutbox(10));
        assertThrows(IllegalArgumentException.class, () -> store.dueOutbox(0));
    }

    @Test
    void exactlyOneOfManyNodesClaimsAnEntry() throws Exception {
        long id = store.record(payment("4200000020"), Collections.singletonList("a")).outboxIds().get(0);
        List<Object> won = race(RACERS, () -> store.claim(id, "node-" + Thread.currentThread().getId(),
                T0.plusSeconds(60)));
        assertEquals(1, Collections.frequency(won, Boolean.TRUE), won.toString());
    }

    @Test
    void onlyTheLeaseHolderMarksAndAnExpiredLeaseIsTakenOver() {
        long id = store.record(payment("4200000021"), Collections.singletonList("a")).outboxIds().get(0);
        assertTrue(store.claim(id, NODE_A, T0.plusSeconds(60)));
        assertFalse(store.claim(id, NODE_B, T0.plusSeconds(60)), "the lease holds");
        assertFalse(store.markDelivered(id, NODE_B), "not the holder");
        assertFalse(store.markFailed(id, NODE_B, "x", T0, 12), "not the holder");

        assertEquals(1, store.renewLeases(NODE_A, Collections.singletonList(id), T0.plusSeconds(120)));
        clock.set(T0.plusSeconds(61));
        assertFalse(store.claim(id, NODE_B, T0.plusSeconds(121)), "renewed");
        assertEquals(Collections.emptyList(), store.dueOutbox(10));

        clock.set(T0.plusSeconds(121));
        assertEquals(Collections.singletonList(id), store.dueOutbox(10), "expired: due again");
        assertTrue(store.claim(id, NODE_B, T0.plusSeconds(181)), "expired: taken over");
        assertFalse(store.markDelivered(id, NODE_A), "the dead node's late mark is refused");
        assertTrue(store.markDelivered(id, NODE_B));
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(id).state());
        assertEquals(1, store.loadDelivery(id).attempts());

        long other = store.record(payment("4200000022"), Collections.singletonList("a")).outboxIds().get(0);
        assertTrue(store.claim(other, NODE_A, T0.plusSeconds(999)));
        store.releaseLease(other, NODE_A);
        assertTrue(store.claim(other, NODE_B, T0.plusSeconds(999)), "released: free at once");
    }

    @Test
    void theLastAllowedFailureMakesADeadLetterThatCanBeReplayed() throws SQLException {
        long id = store.record(payment("4200000023"), Collections.singletonList("a")).outboxIds().get(0);
        long other = store.record(payment("4200000024"), Collections.singletonList("a")).outboxIds().get(0);
        for (int attempt = 1; attempt <= 3; attempt++) {
            clock.set(T0.plusSeconds(attempt * 100L));
            assertTrue(store.claim(id, NODE_A, T0.plusSeconds(attempt * 100L + 60)));
            assertTrue(store.markFailed(id, NODE_A, "boom " + attempt, T0.plusSeconds(attempt * 100L + 1), 3));
        }
        assertTrue(store.claim(other, NODE_A, T0.plusSeconds(9999)));
        assertTrue(store.markFailed(other, NODE_A, "once", T0, 1));
        Delivery dead = store.loadDelivery(id);
        assertEquals(Delivery.State.DEAD, dead.state());
        assertEquals(3, dead.attempts());
        clock.set(T0.plusSeconds(9999));
        assertEquals(Collections.emptyList(), store.dueOutbox(10), "a dead letter is never retried by itself");
        assertFalse(store.claim(id, NODE_A, T0.plusSeconds(99999)));

        List<DeadLetter> letters = store.deadLetters(10);
        assertEquals(Arrays.asList(id, other), Arrays.asList(letters.get(0).id(), letters.get(1).id()));
        assertEquals("boom 3", letters.get(0).lastError());
        assertEquals(3, letters.get(0).attempts());
        assertEquals("a", letters.get(0).listener());
        assertEquals("wxpay:payment:4200000023", letters.get(0).idempotencyKey());
        assertEquals("order-4200000023", letters.get(0).outTradeNo());
        assertEquals(T0, letters.get(0).createdAt());

        assertTrue(store.replay(id));
        assertFalse(store.replay(id), "no longer dead");
        Delivery replayed = store.loadDelivery(id);
        assertEquals(Delivery.State.PENDING, replayed.state());
        assertEquals(0, replayed.attempts());
        assertEquals(Collections.singletonList(id), store.dueOutbox(10));
        assertEquals(1, store.replayAll());
        assertEquals(0, store.replayAll());
        assertEquals(Collections.emptyList(), store.deadLetters(10));
        assertEquals(Arrays.asList(id, other), store.dueOutbox(10));
    }

    @Test
    void aTransactionalDeliveryCommitsItsWorkAndTheMarkTogether() throws SQLException {
        createEffectTable();
        long id = store.record(payment("4200000025"), Collections.singletonList("tx:a")).outboxIds().get(0);
        assertTrue(store.claim(id, NODE_A, T0.plusSeconds(60)));
        NotifyStore.WorkFailed failed = assertThrows(NotifyStore.WorkFailed.class,
                () -> store.deliverInTransaction(id, NODE_A, c -> {
                    insertEffect(c, "4200000025");
                    throw new IllegalStateException("listener broke after writing");
                }));
        assertEquals("listener broke after writing", failed.getCause().getMessage());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_it_effect"), "the effect was rolled back");
        assertEquals(Delivery.State.PENDING, store.loadDelivery(id).state(), "and so was the mark");

        assertFalse(store.deliverInTransaction(id, NODE_B, c -> insertEffect(c, "never")), "not the holder");
        assertTrue(store.deliverInTransaction(id, NODE_A, c -> insertEffect(c, "4200000025")));
        assertFalse(store.claim(id, NODE_A, T0.plusSeconds(60)));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(id).state());
        dropEffectTable();
    }

    @Test
    void aDeliveryWhoseTransactionEndedUnderTheWorkFailsAndCommitsNothing() throws SQLException {
        createEffectTable();
        long id = store.record(payment("4200000033"), Collections.singletonList("tx:a")).outboxIds().get(0);
        NotifyStore.WorkFailed failed = assertThrows(NotifyStore.WorkFailed.class,
                () -> store.deliverInTransaction(id, NODE_A, c -> {
                    insertEffect(c, "rolled back");
                    rollBackUnderTheWork(c);
                    insertEffect(c, "written after the rollback");
                }));
        assertTrue(failed.getCause().getMessage().startsWith("the delivery transaction was rolled back"),
                failed.getCause().getMessage());
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_it_effect"), "nothing the work wrote committed");
        Delivery d = store.loadDelivery(id);
        assertEquals(Delivery.State.PENDING, d.state(), "the mark is not there either");
        assertEquals(0, d.attempts());

        assertTrue(store.deliverInTransaction(id, NODE_A, c -> insertEffect(c, "4200000033")));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_outbox WHERE id = " + id
                + " AND state = 'DELIVERED' AND lease_owner IS NULL"), "delivered, and holds no lease");
        dropEffectTable();
    }

    @Test
    void aDeliveryWhoseTransactionEndedUnderTheWorkCommitsNothingWhenAnotherNodeDeliveredMeanwhile()
            throws SQLException {
        createEffectTable();
        long id = store.record(payment("4200000035"), Collections.singletonList("tx:a")).outboxIds().get(0);
        assertThrows(NotifyStore.WorkFailed.class, () -> store.deliverInTransaction(id, NODE_A, c -> {
            rollBackUnderTheWork(c);
            assertTrue(store.deliverInTransaction(id, NODE_B, other -> insertEffect(other, "by B")),
                    "the rollback freed the entry, and B delivered it");
            insertEffect(c, "by A, after its rollback");
        }));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect WHERE k = 'by B'"));
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(id).state());
        dropEffectTable();
    }

    @Test
    void aRecordedEntryIsDeliveredInItsTransactionWithoutAClaimUnlessAnotherNodeHoldsIt() throws SQLException {
        createEffectTable();
        long free = store.record(payment("4200000026"), Collections.singletonList("tx:a")).outboxIds().get(0);
        assertFalse(store.markDelivered(free, NODE_A), "a plain delivery's mark needs the lease");
        assertFalse(store.markFailed(free, NODE_A, "x", T0, 12), "a plain delivery's mark needs the lease");
        assertTrue(store.deliverInTransaction(free, NODE_A, c -> insertEffect(c, "4200000026")), "PENDING, unheld");
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(free).state());
        assertEquals(1, store.loadDelivery(free).attempts());
        assertFalse(store.deliverInTransaction(free, NODE_A, c -> insertEffect(c, "again")), "final");

        long held = store.record(payment("4200000027"), Collections.singletonList("tx:a")).outboxIds().get(0);
        assertTrue(store.claim(held, NODE_B, T0.plusSeconds(60)));
        assertFalse(store.deliverInTransaction(held, NODE_A, c -> insertEffect(c, "never")), "B holds it");
        assertFalse(store.markTransactionalFailed(held, NODE_A, "x", T0, 12), "B holds it");
        clock.set(T0.plusSeconds(61));
        assertTrue(store.deliverInTransaction(held, NODE_A, c -> insertEffect(c, "4200000027")), "B's lease expired");

        long failed = store.record(payment("4200000028"), Collections.singletonList("tx:a")).outboxIds().get(0);
        assertTrue(store.markTransactionalFailed(failed, NODE_A, "listener broke", T0, 12), "PENDING, unheld");
        assertEquals(Delivery.State.FAILED, store.loadDelivery(failed).state());
        assertFalse(store.deliverInTransaction(failed, NODE_A, c -> insertEffect(c, "never")),
                "a FAILED entry is claimed when due, never taken unclaimed");
        assertFalse(store.markTransactionalFailed(failed, NODE_A, "again", T0, 12));
        assertEquals(1, store.loadDelivery(failed).attempts());

        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_it_effect WHERE k = 'never' OR k = 'again'"));
        dropEffectTable();
    }

    @Test
    void ofManyNodesDeliveringOneUnclaimedEntryInTransactionExactlyOneDoes() throws Exception {
        createEffectTable();
        long id = store.record(payment("4200000029"), Collections.singletonList("tx:a")).outboxIds().get(0);
        List<Object> delivered = race(RACERS, () -> store.deliverInTransaction(id,
                "node-" + Thread.currentThread().getId(), c -> insertEffect(c, "4200000029")));
        assertEquals(1, Collections.frequency(delivered, Boolean.TRUE), delivered.toString());
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        dropEffectTable();
    }

    @Test
    void aClaimWhileAnUnclaimedDeliveryIsOpenWaitsForItThenFindsItDelivered() throws Exception {
        createEffectTable();
        long id = store.record(payment("4200000032"), Collections.singletonList("tx:a")).outboxIds().get(0);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Boolean> delivery = pool.submit(() -> store.deliverInTransaction(id, NODE_A, c -> {
                insertEffect(c, "4200000032");
                entered.countDown();
                release.await(10, TimeUnit.SECONDS);
            }));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            Future<Boolean> claim = pool.submit(() -> store.claim(id, NODE_B, T0.plusSeconds(60)));
            Thread.sleep(200);
            assertFalse(claim.isDone(), "the claim waits for the delivery's row lock");
            release.countDown();
            assertTrue(delivery.get(10, TimeUnit.SECONDS));
            assertFalse(claim.get(10, TimeUnit.SECONDS), "then finds the entry delivered");
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_it_effect"));
        assertEquals(Delivery.State.DELIVERED, store.loadDelivery(id).state());
        dropEffectTable();
    }

    @Test
    void theDeliveriesARecordReturnsAreWhatLoadDeliveryReadsBack() {
        Notification payment = Notification.payment().transactionId("4200000030").outTradeNo("order-30")
                .amountFen(1999).currency("USD").merchantId("1900000109").appId("wxd930ea5d5a258f4f")
                .eventTime(Instant.parse("2024-06-18T04:05:06.789654Z")).api("v3").payload("{}").build();
        RecordResult r = store.record(payment, Arrays.asList("a", "tx:b"));
        store.record(payment("4200000031"), Collections.singletonList("a"));
        RecordResult refund = store.recordRefund(refundOf("R-30", "4200000031", 500), Collections.singletonList("a"));
        List<Delivery> recorded = new ArrayList<>(r.deliveries());
        recorded.addAll(refund.deliveries());
        assertEquals(3, recorded.size());
        for (Delivery d : recorded) {
            assertEquals(fields(store.loadDelivery(d.id())), fields(d));
        }
        assertEquals(Instant.parse("2024-06-18T04:05:06.789Z"), recorded.get(0).eventTime());
    }

    private static List<Object> fields(Delivery d) {
        return Arrays.asList(d.id(), d.listener(), d.state(), d.attempts(), d.kind(), d.businessKey(),
                d.transactionId(), d.outTradeNo(), d.amountFen(), d.currency(), d.merchantId(), d.appId(),
                d.eventTime(), d.outRefundNo(), d.paymentFen());
    }

    /** A table of listener effects, written through the delivery's connection. */
    void createEffectTable() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS wxpay_it_effect");
            st.execute("CREATE TABLE wxpay_it_effect (k VARCHAR(64) NOT NULL)");
        }
    }

    void dropEffectTable() throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE wxpay_it_effect");
        }
    }

    /** Ends the transaction {@code c} is in, as a deadlock does to its victim on MariaDB, said in plain SQL. */
    static void rollBackUnderTheWork(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("ROLLBACK");
        }
    }

    static void insertEffect(Connection c, String key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO wxpay_it_effect (k) VALUES (?)")) {
            ps.setString(1, key);
            ps.executeUpdate();
        }
    }

    @Test
    void failureTextIsCutTo1000Characters() throws SQLException {
        long id = store.record(payment("4200000009"), Collections.singletonList("a")).outboxIds().get(0);
        assertTrue(store.claim(id, NODE_A, T0.plusSeconds(60)));
        store.markFailed(id, NODE_A, "x".repeat(999) + "\uD83D\uDE00" + "y".repeat(100), T0, 12);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT last_error FROM wxpay_outbox WHERE id = " + id)) {
            assertTrue(rs.next());
            assertEquals("x".repeat(999), rs.getString(1));
        }
    }

    @Test
    void deliveryCarriesWhatTheListenerNeeds() {
        Notification n = refund("5030000010");
        RecordResult r = store.record(n, Collections.singletonList("points"));
        Delivery d = store.loadDelivery(r.outboxIds().get(0));
        assertEquals(r.outboxIds().get(0).longValue(), d.id());
        assertEquals("points", d.listener());
        assertEquals(Delivery.State.PENDING, d.state());
        assertEquals(0, d.attempts());
        assertEquals(EventKind.REFUND, d.kind());
        assertEquals("5030000010", d.businessKey());
        assertEquals("tx-5030000010", d.transactionId());
        assertEquals("order-5030000010", d.outTradeNo());
        assertEquals(1999, d.amountFen());
        assertEquals("CNY", d.currency());
        assertEquals("1900000109", d.merchantId());
        assertEquals("wxd930ea5d5a258f4f", d.appId());
        assertEquals(T0, d.eventTime());
        assertEquals(n.idempotencyKey(), d.idempotencyKey());
        assertNull(store.loadDelivery(Long.MAX_VALUE));
    }

    // ---- time

    @Test
    void instantsAreStoredInUtcWhateverTheDefaultZone() throws SQLException {
        TimeZone original = TimeZone.getDefault();
        Instant eventTime = Instant.parse("2024-03-10T01:02:03.456789Z");
        Instant expected = Instant.parse("2024-03-10T01:02:03.456Z");
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati"));
            clock.set(Instant.parse("2024-11-03T09:30:00.001Z"));
            Notification n = Notification.payment().transactionId("4200000011").outTradeNo("order-11")
                    .amountFen(100).currency("CNY").merchantId("1900000109").appId("wxd930ea5d5a258f4f")
                    .eventTime(eventTime).api("v2").payload("{}").build();
            long id = store.record(n, Collections.singletonList("a")).outboxIds().get(0);

            TimeZone.setDefault(TimeZone.getTimeZone("America/Los_Angeles"));
            assertEquals(expected, store.loadDelivery(id).eventTime());
            try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT event_time, recorded_at FROM wxpay_transaction")) {
                assertTrue(rs.next());
                assertEquals(LocalDateTime.of(2024, 3, 10, 1, 2, 3, 456_000_000),
                        rs.getObject(1, LocalDateTime.class));
                assertEquals(LocalDateTime.of(2024, 11, 3, 9, 30, 0, 1_000_000),
                        rs.getObject(2, LocalDateTime.class));
            }
        } finally {
            TimeZone.setDefault(original);
        }
    }

    // ---- notify log

    @Test
    void notifyLogKeepsOneRowPerNotifyAndCutsLongValues() throws SQLException {
        store.logNotify(Arrays.asList(
                new NotifyLog.Row(T0, "v3", Outcome.ACCEPTED, null, "order-1", "4200000012", "203.0.113.9"),
                new NotifyLog.Row(T0, null, Outcome.REJECTED, Reason.BAD_SIGN, "o".repeat(300), null, "r".repeat(300))));
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_notify_log"));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE reason = 'BAD_SIGN'"
                + " AND api IS NULL AND business_key IS NULL"));
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT out_trade_no, remote_addr FROM wxpay_notify_log WHERE outcome = 'REJECTED'")) {
            assertTrue(rs.next());
            assertEquals("o".repeat(64), rs.getString(1));
            assertEquals("r".repeat(64), rs.getString(2));
        }
    }

    @Test
    void notifyLogPurgeDeletesTheOldestRowsABatchAtATimeAndNothingNewer() throws SQLException {
        List<NotifyLog.Row> rows = new ArrayList<>();
        for (int day = 10; day >= 1; day--) {
            rows.add(logRow(T0.minus(Duration.ofDays(day)), "old-" + day));
        }
        rows.add(logRow(T0.minus(Duration.ofDays(3)), "tie with old-3"));
        rows.add(logRow(T0, "at the cut-off"));
        rows.add(logRow(T0.plusMillis(1), "new"));
        store.logNotify(rows);

        NotifyStore.Purged first = store.purgeNotifyLog(null, T0, 4);
        assertEquals(4, first.rows, "the four oldest: days 10 to 7");
        assertEquals(T0.minus(Duration.ofDays(7)), first.upTo);
        assertEquals(0, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no IN"
                + " ('old-10', 'old-9', 'old-8', 'old-7')"));
        NotifyStore.Purged second = store.purgeNotifyLog(first.upTo, T0, 4);
        assertEquals(5, second.rows, "days 6 to 3, and the row tied with day 3");
        assertEquals(T0.minus(Duration.ofDays(3)), second.upTo);
        NotifyStore.Purged third = store.purgeNotifyLog(second.upTo, T0, 4);
        assertEquals(2, third.rows, "fewer than a batch: the rest before the cut-off");
        assertNull(third.upTo, "none left");
        assertEquals(0, store.purgeNotifyLog(null, T0, 4).rows);
        assertEquals(2, count("SELECT COUNT(*) FROM wxpay_notify_log"));
        assertEquals(1, count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = 'at the cut-off'"));
    }

    @Test
    void notifyLogPurgeStartsAfterWhereTheLastBatchEnded() throws SQLException {
        List<NotifyLog.Row> rows = new ArrayList<>();
        for (int day = 5; day >= 1; day--) {
            rows.add(logRow(T0.minus(Duration.ofDays(day)), "old-" + day));
        }
        store.logNotify(rows);
        NotifyStore.Purged purged = store.purgeNotifyLog(T0.minus(Duration.ofDays(3)), T0, 10);
        assertEquals(2, purged.rows);
        assertNull(purged.upTo);
        List<String> left = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT out_trade_no FROM wxpay_notify_log ORDER BY received_at")) {
            while (rs.next()) {
                left.add(rs.getString(1));
            }
        }
        assertEquals(Arrays.asList("old-5", "old-4", "old-3"), left);
    }

    private static NotifyLog.Row logRow(Instant receivedAt, String outTradeNo) {
        return new NotifyLog.Row(receivedAt, "v3", Outcome.DUPLICATE, null, outTradeNo, null, "203.0.113.9");
    }

    // ---- database down

    @Test
    void unreachableDatabaseIsDatabaseUnavailable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        DataSource down = DataSources.open(Optional.empty(), null, unreachableUrl(port), "shop",
                password, 1, DataSources.MIN_CONNECT_TIMEOUT);
        try (Database db = new Database(down, Duration.ofSeconds(1))) {
            NotifyStore s = new NotifyStore(db.sessionFactory(), clock);
            Notification n = payment("4200000013");
            assertUnavailable(() -> s.isRecorded(EventKind.PAYMENT, "4200000013"), password);
            assertUnavailable(() -> s.record(n, Collections.singletonList("a")), password);
            assertUnavailable(() -> s.recordAnomaly(n, Reason.AMOUNT_MISMATCH), password);
            assertUnavailable(() -> s.loadDelivery(1), password);
            assertUnavailable(() -> s.dueOutbox(10), password);
            assertUnavailable(() -> s.claim(1, NODE_A, T0), password);
            assertUnavailable(() -> s.renewLeases(NODE_A, Collections.singletonList(1L), T0), password);
            assertUnavailable(() -> s.markDelivered(1, NODE_A), password);
            assertUnavailable(() -> s.markFailed(1, NODE_A, "x", T0, 12), password);
            assertUnavailable(() -> s.deliverInTransaction(1, NODE_A, c -> { }), password);
            assertUnavailable(() -> s.deadLetters(10), password);
            assertUnavailable(() -> s.replayAll(), password);
            RuntimeException logFailure = assertThrows(RuntimeException.class, () -> s.logNotify(List.of(
                    new NotifyLog.Row(T0, "v3", Outcome.REJECTED, Reason.BAD_SIGN, "o", "k", "127.0.0.1"))));
            assertFalse(SqlErrors.describe(logFailure).contains(password));
        }
    }

    private static void assertUnavailable(Executable call, String password) {
        NotifyRejected e = assertThrows(NotifyRejected.class, call);
        assertEquals(Reason.DATABASE_UNAVAILABLE, e.reason());
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            assertFalse(m.contains(password), "password in exception text: " + m);
        }
    }

    // ---- helpers

    static Notification payment(String transactionId) {
        return Notification.payment().transactionId(transactionId).outTradeNo("order-" + transactionId)
                .amountFen(1999).currency("CNY").merchantId("1900000109").appId("wxd930ea5d5a258f4f")
                .eventTime(T0).api("v3").payload("{\"amount\":{\"total\":1999}}").build();
    }

    static Notification refund(String refundId) {
        return Notification.refund().refundId(refundId).outRefundNo("R-" + refundId).transactionId("tx-" + refundId)
                .outTradeNo("order-" + refundId).amountFen(1999).paymentFen(1999).currency("CNY")
                .merchantId("1900000109").appId("wxd930ea5d5a258f4f").eventTime(T0).api("v2").payload("<root/>").build();
    }

    /** A refund of {@link #payment(String) payment(transactionId)}. */
    static Notification refundOf(String refundId, String transactionId, long fen) {
        return Notification.refund().refundId(refundId).outRefundNo("OR-" + refundId).transactionId(transactionId)
                .outTradeNo("order-" + transactionId).amountFen(fen).paymentFen(1999).currency("CNY")
                .merchantId("1900000109").appId("wxd930ea5d5a258f4f").eventTime(T0).api("v2").payload("{}").build();
    }

    long count(String sql) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(sql)) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    /** Runs {@code task} on {@code threads} threads released together; returns their results. */
    static List<Object> race(int threads, Callable<?> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return task.call();
                }));
            }
            ready.await();
            go.countDown();
            List<Object> results = new ArrayList<>();
            for (Future<?> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** A clock the test sets; no test waits for real time. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
