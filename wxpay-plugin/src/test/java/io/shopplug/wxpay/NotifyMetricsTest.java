package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The plugin's own Prometheus registry: outcome counts, answer latency, outbox and switch gauges. */
class NotifyMetricsTest {
    private final ConsoleFixture db = new ConsoleFixture();
    private final NotifyMetrics metrics = new NotifyMetrics();

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void countsByOutcomeAndReasonAndTimesAnswers() {
        metrics.counted(Outcome.ACCEPTED, null);
        metrics.counted(Outcome.DUPLICATE, null);
        metrics.counted(Outcome.REJECTED, Reason.BAD_SIGN);
        metrics.counted(Outcome.REJECTED, Reason.BAD_SIGN);
        metrics.answered(System.nanoTime() - 3_000_000, true);

        assertEquals(Map.of("ACCEPTED", 1L, "DUPLICATE", 1L, "REJECTED/BAD_SIGN", 2L), metrics.counts());
        assertEquals(1, metrics.latency(true).count);
        assertTrue(metrics.latency(true).p50Ms >= 2.5, String.valueOf(metrics.latency(true).p50Ms));
        assertEquals(0, metrics.latency(false).count);

        String text = metrics.scrape();
        assertTrue(text.contains("wxpay_notify_total{outcome=\"REJECTED\",reason=\"BAD_SIGN\"} 2"), text);
        assertTrue(text.contains("wxpay_notify_total{outcome=\"ACCEPTED\",reason=\"none\"} 1"), text);
        assertTrue(text.contains("wxpay_notify_ack_seconds_bucket{acknowledged=\"true\""), text);
        assertTrue(text.contains("wxpay_notify_ack_seconds_count{acknowledged=\"true\"} 1"), text);
    }

    @Test
    void gaugesReadTheOutboxAndTheSwitchFromTheDatabase() {
        RecordResult r = db.notifyStore.record(ApiV2PaymentNotify.toNotification(
                V2Bodies.paid("4200005", "ORDER-5", 1999)), List.of("a", "b"));
        db.sql("UPDATE wxpay_outbox SET state = 'DEAD' WHERE id = " + r.outboxIds().get(1));
        metrics.bind(db.store, () -> false, db.clock, db.ticker());
        System.gc(); // a gauge whose state only the registry holds must survive a collection

        String text = metrics.scrape();
        assertTrue(text.contains("wxpay_outbox_depth 1"), text);
        assertTrue(text.contains("wxpay_outbox_dead 1"), text);
        assertTrue(text.contains("wxpay_outbox_lag_seconds 0"), text);
        assertTrue(text.contains("wxpay_anomalies_open 0"), text);
        assertTrue(text.contains("wxpay_enabled 0"), text);

        db.sql("DROP TABLE wxpay_outbox");
        db.advance(NotifyMetrics.GAUGE_CACHE.plusMillis(1));
        assertTrue(metrics.scrape().contains("wxpay_outbox_depth NaN"), "an unreadable database is NaN, not 0");
    }
}
