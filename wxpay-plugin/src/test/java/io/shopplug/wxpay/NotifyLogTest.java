package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notify log on a real database: every appended row is written with its append time, from
 * any number of threads; a full queue and a failing database drop rows and count them, and the
 * log recovers when the database does; closing writes what is queued.
 */
class NotifyLogTest {
    private static final Instant T0 = Instant.parse("2026-11-24T03:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
    /** While closed, the writer's connection request waits; see {@link #gatedDataSource}. */
    private final AtomicBoolean gateOpen = new AtomicBoolean(true);
    private final AtomicBoolean databaseDown = new AtomicBoolean();
    private final CountDownLatch writerWaiting = new CountDownLatch(1);
    private Tables tables;
    private Database database;
    private NotifyLog log;

    @BeforeEach
    void open() {
        tables = Tables.inMemory("notifylog");
        DataSource real = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 4, Duration.ofSeconds(10));
        new SchemaMigrator(real, clock).migrate();
        database = new Database(gatedDataSource(real), Database.DEFAULT_STATEMENT_TIMEOUT);
    }

    @AfterEach
    void close() {
        gateOpen.set(true);
        if (log != null) {
            log.close();
        }
        database.close();
        tables.shutdown();
    }

    @Test
    void everyRowAppendedFromManyThreadsIsWrittenWithItsAppendTime() throws Exception {
        log = new NotifyLog(new NotifyStore(database.sessionFactory(), clock), clock);
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int thread = t;
            done.add(threads.submit(() -> {
                for (int i = 0; i < 500; i++) {
                    log.append("v3", Outcome.DUPLICATE, null, "ORDER-" + thread, "42" + i, "203.0.113.9");
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS);
        }
        threads.shutdown();
        assertTrue(log.flush(WAIT));

        assertEquals(4000, tables.count("SELECT COUNT(*) FROM wxpay_notify_log"));
        assertEquals(500, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = 'ORDER-7'"));
        assertEquals(4000, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'DUPLICATE'"
                + " AND api = 'v3' AND remote_addr = '203.0.113.9'"));
        Map<String, Object> row = tables.rows("SELECT * FROM wxpay_notify_log ORDER BY id").get(0);
        assertEquals(T0, row.get("received_at"));
        assertEquals(0, log.dropped());
    }

    @Test
    void aFullQueueDropsAndCountsTheRowsItCannotHold() throws Exception {
        log = new NotifyLog(new NotifyStore(database.sessionFactory(), clock), clock, 2, Duration.ZERO, Duration.ZERO);
        gateOpen.set(false);
        log.append("v2", Outcome.ACCEPTED, null, "ORDER-1", "4201", "198.51.100.1");
        assertTrue(writerWaiting.await(10, TimeUnit.SECONDS), "the writer took the first row");
        for (int i = 2; i <= 6; i++) {
            log.append("v2", Outcome.REJECTED, Reason.BAD_SIGN, "ORDER-" + i, null, "198.51.100.1");
        }
        assertEquals(3, log.dropped(), "two rows fit in the queue, three do not");

        gateOpen.set(true);
        assertTrue(log.flush(WAIT));
        assertEquals(List.of("ORDER-1", "ORDER-2", "ORDER-3"),
                tables.column("SELECT out_trade_no FROM wxpay_notify_log ORDER BY id"));
    }

    @Test
    void aFailingDatabaseDropsItsBatchAndTheLogRecoversWithIt() throws Exception {
        log = new NotifyLog(new NotifyStore(database.sessionFactory(), clock), clock);
        databaseDown.set(true);
        log.append("v3", Outcome.ACCEPTED, null, "ORDER-LOST", "4201", "198.51.100.1");
        assertTrue(log.flush(WAIT));
        assertEquals(1, log.dropped());

        databaseDown.set(false);
        log.append("v3", Outcome.ACCEPTED, null, "ORDER-KEPT", "4202", "198.51.100.1");
        assertTrue(log.flush(WAIT));
        assertEquals(List.of("ORDER-KEPT"), tables.column("SELECT out_trade_no FROM wxpay_notify_log"));
        assertEquals(1, log.dropped());
    }

    @Test
    void closingWritesWhatIsQueuedAndLaterRowsAreDropped() throws Exception {
        log = new NotifyLog(new NotifyStore(database.sessionFactory(), clock), clock);
        gateOpen.set(false);
        for (int i = 0; i < 50; i++) {
            log.append("v2", Outcome.ACCEPTED, null, "ORDER-" + i, "42" + i, "198.51.100.1");
        }
        gateOpen.set(true);
        log.close();
        assertEquals(50, tables.count("SELECT COUNT(*) FROM wxpay_notify_log"));

        log.append("v2", Outcome.ACCEPTED, null, "ORDER-LATE", "4299", "198.51.100.1");
        assertEquals(1, log.dropped());
    }

    @Test
    void rowsOlderThanTheRetentionAreDeletedInBatchesAndNewerOnesKept() throws Exception {
        NotifyStore store = new NotifyStore(database.sessionFactory(), clock);
        Instant cutOff = T0.minus(Duration.ofDays(30));
        List<NotifyLog.Row> old = new ArrayList<>();
        for (int i = 0; i < 2 * NotifyLog.PURGE_BATCH + 10; i++) {
            old.add(new NotifyLog.Row(cutOff.minusMillis(1 + i), "v3", Outcome.DUPLICATE, null, "ORDER-OLD", null, "198.51.100.1"));
        }
        store.logNotify(old);
        store.logNotify(List.of(new NotifyLog.Row(cutOff.plusMillis(1), "v3", Outcome.ACCEPTED, null, "ORDER-29-DAYS", "4201",
                "198.51.100.1")));

        log = new NotifyLog(store, clock, NotifyLog.DEFAULT_CAPACITY, Duration.ofDays(30), Duration.ZERO);
        log.append("v3", Outcome.ACCEPTED, null, "ORDER-NOW", "4202", "198.51.100.1");
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE out_trade_no = 'ORDER-OLD'") > 0) {
            assertTrue(System.nanoTime() < deadline, "old rows still there after " + WAIT);
            Thread.sleep(20);
        }
        assertTrue(log.flush(WAIT));
        assertEquals(List.of("ORDER-29-DAYS", "ORDER-NOW"),
                tables.column("SELECT out_trade_no FROM wxpay_notify_log ORDER BY received_at"));
    }

    @Test
    void aPurgeTheDatabaseRefusesIsRetriedInAnHourAndTheLogGoesOnWriting() throws Exception {
        NotifyStore store = new NotifyStore(database.sessionFactory(), clock);
        store.logNotify(List.of(new NotifyLog.Row(T0.minus(Duration.ofDays(31)), "v2", Outcome.ACCEPTED, null,
                "ORDER-OLD", "4201", "198.51.100.1")));
        try (CapturedStderr logged = CapturedStderr.start()) {
            databaseDown.set(true);
            log = new NotifyLog(store, clock, NotifyLog.DEFAULT_CAPACITY, Duration.ofDays(30), Duration.ZERO);
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (!logged.text().contains("could not delete old notify log rows")) {
                assertTrue(System.nanoTime() < deadline, "no purge failure logged");
                Thread.sleep(10);
            }
        }
        databaseDown.set(false);
        log.append("v3", Outcome.ACCEPTED, null, "ORDER-NOW", "4202", "198.51.100.1");
        assertTrue(log.flush(WAIT));
        assertEquals(List.of("ORDER-OLD", "ORDER-NOW"), tables.column("SELECT out_trade_no FROM wxpay_notify_log ORDER BY id"));
    }

    @Test
    void withoutARetentionNoRowIsDeleted() throws Exception {
        NotifyStore store = new NotifyStore(database.sessionFactory(), clock);
        store.logNotify(List.of(new NotifyLog.Row(T0.minus(Duration.ofDays(3650)), "v2", Outcome.ACCEPTED, null,
                "ORDER-OLD", "4201", "198.51.100.1")));
        log = new NotifyLog(store, clock, NotifyLog.DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO);
        log.append("v3", Outcome.ACCEPTED, null, "ORDER-NOW", "4202", "198.51.100.1");
        assertTrue(log.flush(WAIT));
        assertEquals(List.of("ORDER-OLD", "ORDER-NOW"), tables.column("SELECT out_trade_no FROM wxpay_notify_log ORDER BY id"));
    }


    /**
     * The real data source, except that a connection request waits while the gate is closed and
     * fails while the database is "down".
     */
    private DataSource gatedDataSource(DataSource real) {
        return (DataSource) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        writerWaiting.countDown();
                        while (!gateOpen.get()) {
                            Thread.sleep(5);
                        }
                        if (databaseDown.get()) {
                            throw new SQLException("Connection refused", "08001");
                        }
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
