package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * The plugin's metrics, in a Prometheus registry owned by the running plugin (never Micrometer's
 * global registry, which other webapps in the JVM share):
 * <ul>
 *   <li>{@value #NOTIFY} (Prometheus {@code wxpay_notify_total}): notifications by
 *       {@code outcome} and {@code reason} ({@code none} when accepted or a duplicate);</li>
 *   <li>{@value #ACK} ({@code wxpay_notify_ack_seconds}): time from the request reaching the
 *       notify filter to the answer, by {@code acknowledged} (true for SUCCESS), as a Prometheus
 *       histogram ({@code histogram_quantile} over {@code _bucket}); the console page shows the
 *       50th, 95th and 99th percentiles computed in the plugin;</li>
 *   <li>{@value #OUTBOX_DEPTH}, {@value #OUTBOX_DEAD}, {@value #OUTBOX_LAG} (seconds the oldest
 *       undelivered entry has waited) and {@value #ANOMALIES_OPEN}, read from the database at
 *       most every {@link #GAUGE_CACHE}; {@code NaN} while it cannot be read;</li>
 *   <li>{@value #ENABLED}: 1 while this node handles notifications, 0 while it refuses them.</li>
 * </ul>
 * Thread-safe.
 */
final class NotifyMetrics {
    static final String NOTIFY = "wxpay.notify";
    static final String ACK = "wxpay.notify.ack";
    static final String OUTBOX_DEPTH = "wxpay.outbox.depth";
    static final String OUTBOX_DEAD = "wxpay.outbox.dead";
    static final String OUTBOX_LAG = "wxpay.outbox.lag";
    static final String ANOMALIES_OPEN = "wxpay.anomalies.open";
    static final String ENABLED = "wxpay.enabled";
    static final Duration GAUGE_CACHE = Duration.ofSeconds(5);

    /** What the database gauges read, at one moment. */
    private static final class DbSnapshot {
        final ConsoleRows.OutboxStats outbox;
        final long openAnomalies;

        DbSnapshot(ConsoleRows.OutboxStats outbox, long openAnomalies) {
            this.outbox = outbox;
            this.openAnomalies = openAnomalies;
        }
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Timer acknowledged;
    private final Timer refused;

    /** Counters and timers only; no gauge reads a database. */
    NotifyMetrics() {
        acknowledged = ackTimer(true);
        refused = ackTimer(false);
    }

    private Timer ackTimer(boolean success) {
        return Timer.builder(ACK)
                .description("Time from a notification reaching the plugin to its answer")
                .tag("acknowledged", Boolean.toString(success))
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Adds the database gauges and the switch gauge. */
    void bind(ConsoleStore store, EnabledCheck enabled, Clock clock, Ticker ticker) {
        LoadingCache<String, DbSnapshot> db = Caffeine.newBuilder()
                .expireAfterWrite(GAUGE_CACHE).ticker(ticker).executor(Runnable::run)
                .build(k -> {
                    try {
                        return new DbSnapshot(store.outboxStats(), store.openAnomalies());
                    } catch (RuntimeException e) {
                        return new DbSnapshot(null, -1);
                    }
                });
        gauge(OUTBOX_DEPTH, "Outbox entries still to deliver", db,
                s -> s.outbox == null ? Double.NaN : s.outbox.depth(), null);
        gauge(OUTBOX_DEAD, "Dead letters waiting for a human", db,
                s -> s.outbox == null ? Double.NaN : s.outbox.dead(), null);
        gauge(OUTBOX_LAG, "How long the oldest undelivered outbox entry has waited", db, s -> {
            if (s.outbox == null) {
                return Double.NaN;
            }
            Instant oldest = s.outbox.oldestUndeliveredAt();
            return oldest == null ? 0 : Math.max(0, Duration.between(oldest, clock.instant()).toMillis() / 1000.0);
        }, "seconds");
        gauge(ANOMALIES_OPEN, "Anomalies not yet marked handled", db,
                s -> s.openAnomalies < 0 ? Double.NaN : s.openAnomalies, null);
        Gauge.builder(ENABLED, enabled, e -> e.isEnabled() ? 1 : 0).strongReference(true)
                .description("1 while this node handles notifications").register(registry);
    }

    /** What {@link #ENABLED} reports. */
    interface EnabledCheck {
        boolean isEnabled();
    }

    private void gauge(String name, String description, LoadingCache<String, DbSnapshot> db,
            ToDoubleFunction<DbSnapshot> value, String unit) {
        // Strong: a gauge holds its state weakly by default, and nothing else holds this cache.
        Gauge.builder(name, db, c -> value.applyAsDouble(c.get("db"))).strongReference(true)
                .description(description).baseUnit(unit).register(registry);
    }

    /** Counts one notification's outcome. */
    void counted(Outcome outcome, Reason reasonOrNull) {
        Counter.builder(NOTIFY)
                .description("Notifications by outcome and reason")
                .tag("outcome", outcome.name())
                .tag("reason", reasonOrNull == null ? "none" : reasonOrNull.name())
                .register(registry).increment();
    }

    /** Times one answer, from the request reaching the filter. */
    void answered(long startNanos, boolean success) {
        (success ? acknowledged : refused).record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
    }

    /** Everything in the Prometheus text format (0.0.4). */
    String scrape() {
        return registry.scrape();
    }

    /** Counts so far, keyed {@code OUTCOME} or {@code OUTCOME/REASON}, sorted. */
    Map<String, Long> counts() {
        Map<String, Long> counts = new TreeMap<>();
        for (Meter m : registry.find(NOTIFY).meters()) {
            if (m instanceof Counter) {
                String reason = m.getId().getTag("reason");
                String key = m.getId().getTag("outcome") + ("none".equals(reason) ? "" : "/" + reason);
                counts.merge(key, (long) ((Counter) m).count(), Long::sum);
            }
        }
        return counts;
    }

    /** Answers so far and their 50th/95th/99th percentiles in milliseconds (NaN with no answer). */
    Latency latency(boolean success) {
        HistogramSnapshot s = (success ? acknowledged : refused).takeSnapshot();
        double[] p = {Double.NaN, Double.NaN, Double.NaN};
        if (s.count() > 0) {
            ValueAtPercentile[] values = s.percentileValues();
            for (int i = 0; i < values.length && i < 3; i++) {
                p[i] = values[i].value(TimeUnit.MILLISECONDS);
            }
        }
        return new Latency(s.count(), p[0], p[1], p[2]);
    }

    /** A summary of the acknowledgement latency. */
    static final class Latency {
        final long count;
        final double p50Ms;
        final double p95Ms;
        final double p99Ms;

        Latency(long count, double p50Ms, double p95Ms, double p99Ms) {
            this.count = count;
            this.p50Ms = p50Ms;
            this.p95Ms = p95Ms;
            this.p99Ms = p99Ms;
        }
    }

    /** The registry itself, for tests. */
    PrometheusMeterRegistry registry() {
        return registry;
    }
}
