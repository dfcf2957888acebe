package io.shopplug.wxpay;

import io.shopplug.api.PendingOrders;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Step 9 of the design: orders still awaiting payment some time after they were placed are queried
 * at WeChat Pay, and a payment found that way goes through the same {@link NotifyProcessor} as a
 * notification, so it is recorded once and dispatched once whichever comes first; the other is a
 * DUPLICATE.
 *
 * <p>Runs every {@link Settings#RECONCILE_INTERVAL_SECONDS} on one node at a time: the node that
 * holds the {@code reconcile} lease in the database (see {@link ReconcileStore}). A run asks the
 * host's {@link PendingOrders} for at most {@link Settings#RECONCILE_MAX_PER_RUN} orders placed
 * between {@link Settings#RECONCILE_MAX_AGE_SECONDS} and {@link Settings#RECONCILE_DELAY_SECONDS}
 * ago, skips those with a payment already recorded, and asks each merchant able to answer. Each run
 * and each payment it found is recorded. A failure for one order is counted, logged without
 * secrets, and the run goes on. Thread-safe.
 */
final class Reconciler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    /** Runs older than this are forgotten. */
    static final Duration RETENTION = Duration.ofDays(7);
    private static final Duration CLEANUP_EVERY = Duration.ofHours(1);
    private static final Duration MIN_LEASE = Duration.ofSeconds(60);
    private static final long CLOSE_WAIT_SECONDS = 10;

    /** What {@link #runNow()} did. */
    enum Status {
        /** The run went through (it may still have counted errors). */
        COMPLETED,
        /** Another node holds the lease: it reconciles. */
        LEASE_HELD_ELSEWHERE,
        /** A run is already going on on this node. */
        ALREADY_RUNNING,
        /** Reconciliation is off (see {@link #offReason()}), or the plugin is switched off. */
        OFF,
        /** The database failed before the run could start; nothing was recorded. */
        FAILED
    }

    /** The answer of {@link #runNow()}: the status, and the recorded run when there was one. */
    static final class Result {
        private final Status status;
        private final ReconcileRun run;

        Result(Status status, ReconcileRun run) {
            this.status = status;
            this.run = run;
        }

        Status status() { return status; }
        Optional<ReconcileRun> run() { return Optional.ofNullable(run); }

        @Override
        public String toString() {
            return "Result[" + status + (run == null ? "" : ", " + run) + "]";
        }
    }

    private final PendingOrders pending;
    private final List<OrderQuery> queries;
    private final Merchants merchants;
    private final NotifyProcessor processor;
    private final ReconcileStore store;
    private final Clock clock;
    private final BooleanSupplier enabled;
    private final Duration interval;
    private final Duration delay;
    private final Duration maxAge;
    private final int maxPerRun;
    private final Duration leaseDuration;
    private final String node;
    private final String offReason;
    private final ReentrantLock running = new ReentrantLock();
    private volatile ScheduledExecutorService scheduler;
    private volatile boolean closed;
    private Instant lastCleanup = Instant.MIN;

    /**
     * @param pending the host's pending orders; null means reconciliation is off
     * @param queries one per merchant that can be queried; empty means reconciliation is off
     * @param enabled whether the plugin is switched on now (a plugin that is off changes nothing)
     * @param configuredOn {@link Settings#RECONCILE_ENABLED}, false to switch reconciliation off
     */
    Reconciler(PendingOrders pending, List<OrderQuery> queries, Merchants merchants, NotifyProcessor processor,
            ReconcileStore store, Clock clock, BooleanSupplier enabled, boolean configuredOn, Duration interval,
            Duration delay, Duration maxAge, int maxPerRun, String node) {
        this.pending = pending;
        this.queries = List.copyOf(queries);
        this.merchants = Objects.requireNonNull(merchants, "merchants");
        this.processor = Objects.requireNonNull(processor, "processor");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.enabled = Objects.requireNonNull(enabled, "enabled");
        this.interval = Objects.requireNonNull(interval, "interval");
        this.delay = Objects.requireNonNull(delay, "delay");
        this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
        this.maxPerRun = maxPerRun;
        Duration twice = interval.multipliedBy(2);
        this.leaseDuration = twice.compareTo(MIN_LEASE) > 0 ? twice : MIN_LEASE;
        this.node = Objects.requireNonNull(node, "node");
        if (!configuredOn) {
            offReason = Settings.RECONCILE_ENABLED + "=false";
        } else if (pending == null) {
            offReason = "the host provides no io.shopplug.api.PendingOrders";
        } else if (this.queries.isEmpty()) {
            offReason = "no merchant can be queried (APIv2 key, or APIv3 key with private-key-file and cert-serial)";
        } else {
            offReason = null;
        }
    }

    /** A name for this node in the lease and the run records: host, process id and a random tag. */
    static String defaultNode() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isEmpty()) {
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "unknown-host";
            }
        }
        String tag = Long.toString(new SecureRandom().nextInt(Integer.MAX_VALUE), 36);
        return NotifyStore.cut(Logs.safe(host), 120) + "/" + ProcessHandle.current().pid() + "/" + tag;
    }

    /** Whether runs happen at all (a host's {@code PendingOrders}, a queryable merchant, not switched off). */
    boolean isActive() {
        return offReason == null;
    }

    /** Why reconciliation is off, or null when it is on. */
    String offReason() {
        return offReason;
    }

    /** This node's name in the lease and the run records. */
    String node() {
        return node;
    }

    /** Schedules the runs; logs once whether reconciliation is on, and why not when it is off. */
    synchronized void start() {
        if (!isActive()) {
            LOG.info("wxpay reconciliation off: {}", offReason);
            return;
        }
        if (scheduler != null || closed) {
            return;
        }
        scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "wxpay-reconciler");
            t.setDaemon(true);
            return t;
        });
        long ms = interval.toMillis();
        scheduler.scheduleWithFixedDelay(this::scheduledRun, ms, ms, TimeUnit.MILLISECONDS);
        LOG.info("wxpay reconciliation on: every {} s, orders placed {} s to {} s ago, at most {} per run,"
                + " {} merchant quer{}, node {}", interval.getSeconds(), delay.getSeconds(), maxAge.getSeconds(),
                maxPerRun, queries.size(), queries.size() == 1 ? "y" : "ies", node);
    }

    private void scheduledRun() {
        try {
            runNow();
        } catch (RuntimeException e) {
            // Never let an exception cancel the schedule.
            LOG.warn("wxpay reconciliation run failed ({})", e.getClass().getSimpleName());
        }
    }

    /**
     * Runs once now, on the calling thread, if this node holds (or can take) the lease and no run
     * is going on here; for the schedule and for the console's "run now".
     */
    Result runNow() {
        if (!running.tryLock()) {
            return new Result(Status.ALREADY_RUNNING, null);
        }
        try {
            if (!isActive() || closed || !enabled.getAsBoolean()) {
                return new Result(Status.OFF, null);
            }
            boolean held;
            try {
                held = store.claimLease(node, leaseDuration);
            } catch (RuntimeException e) {
                LOG.warn("wxpay reconciliation: cannot claim the lease ({})", SqlErrors.describe(e));
                return new Result(Status.FAILED, null);
            }
            if (!held) {
                LOG.debug("wxpay reconciliation: another node holds the lease");
                return new Result(Status.LEASE_HELD_ELSEWHERE, null);
            }
            return run();
        } finally {
            running.unlock();
        }
    }

    /** One run under the lease. */
    private Result run() {
        Instant started = clock.instant();
        Instant leaseUntil = started.plus(leaseDuration);
        long runId;
        try {
            runId = store.startRun(node, started);
        } catch (RuntimeException e) {
            LOG.warn("wxpay reconciliation: cannot record the run ({})", SqlErrors.describe(e));
            return new Result(Status.FAILED, null);
        }
        Counts counts = new Counts();
        List<String> orders = pendingOrders(started, counts);
        for (String outTradeNo : orders) {
            if (counts.queried >= maxPerRun || closed || !enabled.getAsBoolean()) {
                break;
            }
            Instant now = clock.instant();
            if (now.isAfter(leaseUntil.minus(leaseDuration.dividedBy(2)))) {
                if (!renewLease(counts)) {
                    break;
                }
                leaseUntil = now.plus(leaseDuration);
            }
            try {
                reconcile(runId, outTradeNo, counts);
            } catch (RuntimeException e) {
                counts.error(outTradeNo, "unexpected " + e.getClass().getSimpleName());
            }
        }
        Instant finished = clock.instant();
        ReconcileRun run = new ReconcileRun(runId, node, started, finished, counts.queried, counts.found,
                counts.applied, counts.errors, counts.lastError);
        try {
            store.finishRun(runId, finished, counts.queried, counts.found, counts.applied, counts.errors,
                    counts.lastError);
        } catch (RuntimeException e) {
            LOG.warn("wxpay reconciliation: cannot record the end of run {} ({})", runId, SqlErrors.describe(e));
        }
        cleanUp(finished);
        if (counts.queried > 0 || counts.errors > 0) {
            LOG.info("wxpay reconciliation run {}: {} order(s) queried, {} paid, {} applied, {} error(s){}", runId,
                    counts.queried, counts.found, counts.applied, counts.errors,
                    counts.lastError == null ? "" : "; last: " + counts.lastError);
        } else {
            LOG.debug("wxpay reconciliation run {}: nothing to query", runId);
        }
        return new Result(Status.COMPLETED, run);
    }

    private List<String> pendingOrders(Instant now, Counts counts) {
        try {
            List<String> orders = pending.awaitingPayment(now.minus(maxAge), now.minus(delay), maxPerRun);
            if (orders == null) {
                counts.error(null, "PendingOrders answered null");
                return List.of();
            }
            return orders;
        } catch (RuntimeException e) {
            // The host's exception message may say anything: only its type is recorded.
            counts.error(null, "PendingOrders failed (" + e.getClass().getSimpleName() + ")");
            return List.of();
        }
    }

    private boolean renewLease(Counts counts) {
        try {
            if (store.claimLease(node, leaseDuration)) {
                return true;
            }
            counts.error(null, "lease lost to another node");
        } catch (RuntimeException e) {
            counts.error(null, "cannot renew the lease (" + SqlErrors.describe(e) + ")");
        }
        return false;
    }

    /** One order: already recorded? ask each merchant; a payment found goes through the processor. */
    private void reconcile(long runId, String outTradeNo, Counts counts) {
        if (outTradeNo == null || outTradeNo.isEmpty()) {
            return;
        }
        try {
            if (store.hasPayment(outTradeNo)) {
                return; // its notification came; the host's listeners may still be at work
            }
        } catch (RuntimeException e) {
            counts.error(outTradeNo, "database (" + SqlErrors.describe(e) + ")");
            return;
        }
        counts.queried++;
        Optional<Notification> paid = Optional.empty();
        String failure = null;
        for (OrderQuery query : queries) {
            try {
                paid = query.paymentOf(outTradeNo);
            } catch (OrderQuery.Failed e) {
                failure = e.getMessage();
            } catch (RuntimeException e) {
                failure = query.api() + " order query failed (" + e.getClass().getSimpleName() + ")";
            }
            if (paid.isPresent()) {
                break;
            }
        }
        if (paid.isEmpty()) {
            if (failure != null) {
                counts.error(outTradeNo, failure);
            }
            return;
        }
        counts.found++;
        Notification n = paid.get();
        Outcome outcome;
        Reason reason = null;
        try {
            merchants.check(n);
            outcome = processor.process(n);
        } catch (NotifyRejected e) {
            outcome = Outcome.REJECTED;
            reason = e.reason();
            if (!reason.isAnomaly()) {
                counts.error(outTradeNo, reason.message());
            }
        }
        if (outcome == Outcome.ACCEPTED) {
            counts.applied++;
        }
        LOG.info("wxpay reconcile api={} outcome={} reason={} order={} transaction={}", n.api(), outcome, reason,
                Logs.safe(n.outTradeNo()), Logs.safe(n.transactionId()));
        try {
            store.recordFinding(runId, n, outcome, reason);
        } catch (RuntimeException e) {
            counts.error(outTradeNo, "cannot record the finding (" + SqlErrors.describe(e) + ")");
        }
    }

    private void cleanUp(Instant now) {
        if (Duration.between(lastCleanup, now).compareTo(CLEANUP_EVERY) < 0) {
            return;
        }
        lastCleanup = now;
        try {
            store.deleteRunsBefore(now.minus(RETENTION));
        } catch (RuntimeException e) {
            LOG.warn("wxpay reconciliation: cannot forget old runs ({})", SqlErrors.describe(e));
        }
    }

    /** The latest recorded runs of every node, newest first. */
    List<ReconcileRun> recentRuns(int limit) {
        return store.recentRuns(limit);
    }

    /** The paid orders one run found. */
    List<ReconcileRun.Finding> findings(long runId) {
        return store.findings(runId);
    }

    /** Stops the schedule, waits briefly for a run going on, and gives the lease up. Idempotent. */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            s = scheduler;
        }
        if (s != null) {
            s.shutdown();
            try {
                if (!s.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        if (!isActive()) {
            return;
        }
        try {
            store.releaseLease(node);
        } catch (RuntimeException e) {
            LOG.warn("wxpay reconciliation: cannot give the lease up ({}); it runs out by itself",
                    SqlErrors.describe(e));
        }
    }

    @Override
    public String toString() {
        return "Reconciler[" + (isActive() ? "on" : "off: " + offReason) + ", node " + node + "]";
    }

    /** The counts of one run. */
    private static final class Counts {
        int queried;
        int found;
        int applied;
        int errors;
        String lastError;

        void error(String outTradeNo, String message) {
            errors++;
            lastError = outTradeNo == null ? message : "order " + Logs.safe(outTradeNo) + ": " + message;
            LOG.warn("wxpay reconciliation: {}", lastError);
        }
    }
}
