package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The console's queries and changes on embedded H2. */
class ConsoleStoreTest {
    private final ConsoleFixture db = new ConsoleFixture();

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void searchesTheLogByEachFieldNewestFirstAndPagesById() {
        for (int i = 0; i < 5; i++) {
            db.notifyStore.logNotify(List.of(new NotifyLog.Row(ConsoleFixture.T0, "v2",
                    i % 2 == 0 ? Outcome.ACCEPTED : Outcome.REJECTED, i % 2 == 0 ? null : Reason.BAD_SIGN,
                    "ORDER-" + i, "42000" + i, "203.0.113.7")));
        }
        assertEquals(5, search(new ConsoleRows.LogQuery()).size());
        ConsoleRows.LogQuery byOrder = new ConsoleRows.LogQuery();
        byOrder.outTradeNo = "ORDER-3";
        List<ConsoleRows.LogEntry> one = search(byOrder);
        assertEquals(1, one.size());
        assertEquals("420003", one.get(0).businessKey());
        assertEquals("BAD_SIGN", one.get(0).reason());
        ConsoleRows.LogQuery byKey = new ConsoleRows.LogQuery();
        byKey.businessKey = "420002";
        assertEquals("ORDER-2", search(byKey).get(0).outTradeNo());
        ConsoleRows.LogQuery rejected = new ConsoleRows.LogQuery();
        rejected.outcome = "REJECTED";
        rejected.reason = "BAD_SIGN";
        assertEquals(2, search(rejected).size());
        ConsoleRows.LogQuery window = new ConsoleRows.LogQuery();
        window.from = ConsoleFixture.T0;
        window.to = ConsoleFixture.T0.plusSeconds(1);
        assertEquals(5, search(window).size());
        window.from = ConsoleFixture.T0.plusSeconds(1);
        window.to = null;
        assertEquals(0, search(window).size());

        ConsoleRows.LogQuery page = new ConsoleRows.LogQuery();
        page.limit = 2;
        List<ConsoleRows.LogEntry> first = db.store.searchLog(page);
        assertEquals(2, first.size());
        assertTrue(first.get(0).id() > first.get(1).id(), "newest first");
        page.beforeId = first.get(1).id();
        List<ConsoleRows.LogEntry> second = db.store.searchLog(page);
        assertEquals(first.get(1).id() - 1, second.get(0).id());

        ConsoleRows.LogQuery huge = new ConsoleRows.LogQuery();
        huge.limit = 1_000_000;
        db.store.searchLog(huge);
        assertEquals(ConsoleStore.MAX_PAGE, huge.limit, "pages are bounded");
    }

    @Test
    void anAnomalyIsMarkedHandledOnceWithWhoAndWhen() {
        Notification n = ApiV2PaymentNotify.toNotification(V2Bodies.paid("4200009", "ORDER-9", 1999));
        db.notifyStore.recordAnomaly(n, Reason.AMOUNT_MISMATCH);
        long id = db.store.anomalies(Boolean.FALSE, null, 10).get(0).id();
        assertEquals(1, db.store.openAnomalies());

        assertTrue(db.store.markHandled(id, "admin"));
        assertFalse(db.store.markHandled(id, "someone else"), "already handled");
        assertFalse(db.store.markHandled(id + 1000, "admin"), "no such anomaly");

        ConsoleRows.AnomalyRow a = db.store.anomaly(id).orElseThrow();
        assertTrue(a.handled());
        assertEquals("admin", a.handledBy());
        assertEquals(ConsoleFixture.T0, a.handledAt());
        assertEquals(0, db.store.openAnomalies());
        assertEquals(1, db.tables.count("SELECT COUNT(*) FROM wxpay_audit WHERE action = 'anomaly-handled'"));
        assertEquals(1, db.store.anomalies(Boolean.TRUE, null, 10).size());
        assertEquals(0, db.store.anomalies(Boolean.FALSE, null, 10).size());
    }

    @Test
    void outboxStatsCountByStateAndFindTheOldestUndelivered() {
        Notification n = ApiV2PaymentNotify.toNotification(V2Bodies.paid("4200007", "ORDER-7", 1999));
        RecordResult r = db.notifyStore.record(n, List.of("a", "b", "c", "d"));
        db.sql("UPDATE wxpay_outbox SET state = 'DELIVERED' WHERE id = " + r.outboxIds().get(0));
        db.sql("UPDATE wxpay_outbox SET state = 'FAILED' WHERE id = " + r.outboxIds().get(1));
        db.sql("UPDATE wxpay_outbox SET state = 'DEAD' WHERE id = " + r.outboxIds().get(2));

        ConsoleRows.OutboxStats stats = db.store.outboxStats();
        assertEquals(1, stats.pending());
        assertEquals(1, stats.failed());
        assertEquals(1, stats.dead());
        assertEquals(2, stats.depth());
        assertEquals(ConsoleFixture.T0, stats.oldestUndeliveredAt());
    }

    @Test
    void aDatabaseFailureIsUnavailableWithoutSqlOrValues() {
        db.sql("DROP TABLE wxpay_audit");
        ConsoleStore.Unavailable e = assertThrows(ConsoleStore.Unavailable.class, () -> db.store.recentAudit(5));
        assertFalse(e.getMessage().contains("SELECT"), e.getMessage());
        assertTrue(db.store.ping());
    }

    private List<ConsoleRows.LogEntry> search(ConsoleRows.LogQuery q) {
        q.limit = q.limit == 0 ? 50 : q.limit;
        return db.store.searchLog(q);
    }
}
