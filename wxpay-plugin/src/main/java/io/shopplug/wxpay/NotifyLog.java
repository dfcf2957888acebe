package io.shopplug.wxpay;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The notify log ({@code wxpay_notify_log}), written off the request path: {@link #append} only
 * queues a row, and one writer thread inserts what is queued in batches, one transaction per
 * batch, so a storm of notifications costs the database a few commits a second instead of one per
 * request. The log is a record for people, not the payment record: when the database is down or
 * the queue is full ({@link #DEFAULT_CAPACITY} rows), rows are dropped, counted in
 * {@link #dropped()} and warned about (at most once a minute), and nothing else changes. A row's {@code received_at} is the
 * time of {@link #append}. With a retention, the same thread deletes the rows older than it,
 * {@link #PURGE_BATCH} at a time between batches of new rows (and not while more than
 * {@link #MAX_BATCH} new ones wait), a few minutes after start and then every hour. Thread-safe.
 */
final class NotifyLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyLog.class);
    static final int DEFAULT_CAPACITY = 50_000;
    static final int MAX_BATCH = 500;
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);
    private static final Duration DROP_WARNING_EVERY = Duration.ofMinutes(1);
    static final int PURGE_BATCH = 5_000;
    private static final Duration PURGE_EVERY = Duration.ofHours(1);
    /** Between two batches of one purge, so new rows are written and other work gets the database. */
    private static final Duration PURGE_PAUSE = Duration.ofMillis(200);

    /** One row of the log. */
    static final class Row {
        final Instant receivedAt;
        final String api;
        final String outcome;
        final String reason;
        final String outTradeNo;
        final String businessKey;
        final String remoteAddr;

        Row(Instant receivedAt, String api, Outcome outcome, Reason reasonOrNull, String outTradeNo,
                String businessKey, String remoteAddr) {
            this.receivedAt = receivedAt;
            this.api = NotifyStore.cut(api, 8);
            this.outcome = outcome.name();
            this.reason = reasonOrNull == null ? null : reasonOrNull.name();
            this.outTradeNo = NotifyStore.cut(outTradeNo, 64);
            this.businessKey = NotifyStore.cut(businessKey, 64);
            this.remoteAddr = NotifyStore.cut(remoteAddr, 64);
        }
    }

    private static final Row STOP = new Row(Instant.EPOCH, "", Outcome.IGNORED, null, null, null, null);

    private final NotifyStore store;
    private final Clock clock;
    private final BlockingQueue<Row> queue;
    private final Thread writer;
    /** Zero: keep every row. */
    private final Duration retention;
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong lastDropWarning = new AtomicLong(System.nanoTime() - DROP_WARNING_EVERY.toNanos());
    /** Rows taken off the queue and settled (written or dropped); guarded by {@code this}. */
    private long settled;
    private volatile boolean closed;
    /** Writer thread only: when the next purge batch is due, and the purge run under way. */
    private long nextPurge;
    private Instant purgeBefore;
    private Instant purgedUpTo;
    private long purged;

    /** A log that keeps every row. */
    NotifyLog(NotifyStore store, Clock clock) {
        this(store, clock, DEFAULT_CAPACITY, Duration.ZERO, Duration.ZERO);
    }

    /** A log that keeps rows for {@code retention} (zero: for ever); its first purge is 1 to 10 minutes after start. */
    NotifyLog(NotifyStore store, Clock clock, Duration retention) {
        this(store, clock, DEFAULT_CAPACITY, retention,
                Duration.ofSeconds(ThreadLocalRandom.current().nextLong(60, 600)));
    }

    NotifyLog(NotifyStore store, Clock clock, int capacity, Duration retention, Duration firstPurge) {
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.nextPurge = System.nanoTime() + firstPurge.toNanos();
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::writeLoop, "wxpay-notify-log");
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues one row; never blocks, never throws for a database problem. */
    void append(String api, Outcome outcome, Reason reasonOrNull, String outTradeNoOrNull,
            String businessKeyOrNull, String remoteAddr) {
        Row row = new Row(clock.instant(), api, outcome, reasonOrNull, outTradeNoOrNull, businessKeyOrNull,
                remoteAddr);
        if (closed || !queue.offer(row)) {
            long total = dropped.incrementAndGet();
            long now = System.nanoTime();
            long last = lastDropWarning.get();
            if (now - last >= DROP_WARNING_EVERY.toNanos() && lastDropWarning.compareAndSet(last, now)) {
                LOG.warn("wxpay: the notify log is {}; {} rows dropped since start (the payments are not affected)",
                        closed ? "closed" : "full", total);
            }
            return;
        }
        appended.incrementAndGet();
    }

    /** Rows not written since start: queue full, log closed, or the database refused a batch. */
    long dropped() {
        return dropped.get();
    }

    /**
     * Waits until every row appended before this call is written (or dropped).
     *
     * @return false if that took longer than {@code timeout}
     */
    boolean flush(Duration timeout) throws InterruptedException {
        long target = appended.get();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (this) {
            while (settled < target) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
        return true;
    }

    /** Writes what is queued (waiting up to 5 s), then stops the writer. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!queue.offer(STOP, CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                writer.interrupt();
            }
            writer.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }

    private void writeLoop() {
        List<Row> batch = new ArrayList<>(MAX_BATCH);
        boolean failing = false;
        while (true) {
            try {
                Row first = retention.isZero() ? queue.take()
                        : queue.poll(Math.max(0, nextPurge - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (first != null) {
                    batch.add(first);
                }
            } catch (InterruptedException e) {
                return;
            }
            if (!retention.isZero() && !closed && System.nanoTime() - nextPurge >= 0) {
                // New rows first: while more than a batch of them waits, the purge waits too.
                boolean more = queue.size() > MAX_BATCH || purgeBatch();
                nextPurge = System.nanoTime() + (more ? PURGE_PAUSE : PURGE_EVERY).toNanos();
            }
            queue.drainTo(batch, MAX_BATCH - 1);
            boolean stop = batch.remove(STOP);
            if (!batch.isEmpty()) {
                try {
                    store.logNotify(batch);
                    if (failing) {
                        LOG.info("wxpay: the notify log is written again");
                    }
                    failing = false;
                } catch (RuntimeException e) {
                    dropped.addAndGet(batch.size());
                    if (!failing) {
                        LOG.warn("wxpay: could not write {} notify log rows ({}); dropping rows until it works again",
                                batch.size(), SqlErrors.describe(e));
                    }
                    failing = true;
                }
                synchronized (this) {
                    settled += batch.size();
                    notifyAll();
                }
                batch.clear();
            }
            if (stop) {
                return;
            }
        }
    }

    /** Deletes one batch of rows older than the retention; true if more may be left. */
    private boolean purgeBatch() {
        if (purgeBefore == null) {
            purgeBefore = clock.instant().minus(retention);
        }
        try {
            NotifyStore.Purged batch = store.purgeNotifyLog(purgedUpTo, purgeBefore, PURGE_BATCH);
            purged += batch.rows;
            if (batch.upTo != null) {
                purgedUpTo = batch.upTo;
                return true;
            }
            if (purged > 0) {
                LOG.info("wxpay: deleted {} notify log rows received before {}", purged, purgeBefore);
            }
        } catch (RuntimeException e) {
            LOG.warn("wxpay: could not delete old notify log rows ({}; {} deleted before that); trying"
                    + " again in an hour", SqlErrors.describe(e), purged);
        }
        purgeBefore = null;
        purgedUpTo = null;
        purged = 0;
        return false;
    }
}
