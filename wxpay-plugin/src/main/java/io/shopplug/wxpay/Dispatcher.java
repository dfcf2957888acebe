package io.shopplug.wxpay;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.RefundEvent;
import io.shopplug.api.TransactionalPaymentListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers recorded events to the host's listeners, after the commit and off the notify thread.
 *
 * <p>Each listener has its own outbox entry, so one listener's failure never affects another's
 * delivery. A {@link PaymentListener} is called only by the node holding its entry's lease: a
 * worker first claims the entry with one conditional UPDATE (of nodes racing for it, the database
 * lets exactly one win), then calls the listener, then marks the entry delivered or failed, which
 * frees the lease. A node renews the leases of the deliveries it is running at every sweep; a node
 * that dies stops renewing, and once its leases expire any node takes the entries over. At least
 * once, never concurrently for the same entry while leases hold.
 *
 * <p>A {@link TransactionalPaymentListener} is called inside the transaction that marks its entry
 * delivered (the entry's row stays locked until the commit): exactly once. A PENDING entry that no
 * node holds needs no claim first: the mark is the claim.
 *
 * <p>A bounded pool delivers the entries this node has just recorded, handed over by
 * {@link #submit} with their data (a transactional listener's entry is delivered from it, without
 * reading it back). Entries it could not take (pool full, failure, crash before delivery) stay in
 * the outbox and the sweeper of any node picks them up when they are due (after a storm filled the
 * pool's queue, as soon as the queue is empty), with exponential back-off and jitter, until
 * {@code maxAttempts} failures park the entry as {@code DEAD} for a person to replay.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofSeconds(5);
    static final Duration DEFAULT_LEASE = Duration.ofSeconds(60);
    static final int DEFAULT_MAX_ATTEMPTS = 12;
    /** The prefix of a transactional listener's id, so it never collides with a plain one. */
    static final String TRANSACTIONAL_PREFIX = "tx:";
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
    private static final int SWEEP_BATCH = 500;
    /** Entries queued for the pool at most; an entry costs about 100 bytes there. */
    static final int QUEUE_CAPACITY = 10_000;

    private final NotifyStore store;
    private final Map<String, PaymentListener> listeners;
    private final Map<String, TransactionalPaymentListener> transactional;
    private final Clock clock;
    private final String nodeId;
    private final int maxAttempts;
    private final Duration lease;
    private final Duration sweepInterval;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService sweeper;
    /** Entries queued or running on this node. */
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    /** Entries whose plain listener is running now: their leases are renewed at each sweep. */
    private final Set<Long> holding = ConcurrentHashMap.newKeySet();
    /**
     * More entries may be due than the pool took (its queue was full, or a sweep filled a whole
     * batch): the worker that empties the queue sweeps again at once instead of waiting.
     */
    private final AtomicBoolean backlog = new AtomicBoolean();

    /** With the default attempts, lease and sweep interval, and no transactional listeners. */
    Dispatcher(NotifyStore store, List<PaymentListener> hostListeners, Clock clock, int threads) {
        this(store, hostListeners, Collections.emptyList(), clock, threads, DEFAULT_MAX_ATTEMPTS,
                DEFAULT_LEASE, DEFAULT_SWEEP_INTERVAL);
    }

    /**
     * @param maxAttempts failures after which an entry is DEAD
     * @param lease how long a claim lasts unless renewed; at least three sweep intervals
     * @param sweepInterval how often due entries are looked for and leases renewed
     */
    Dispatcher(NotifyStore store, List<PaymentListener> hostListeners,
            List<TransactionalPaymentListener> transactionalListeners, Clock clock, int threads,
            int maxAttempts, Duration lease, Duration sweepInterval) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        if (sweepInterval.multipliedBy(3).compareTo(lease) > 0) {
            throw new IllegalArgumentException("the lease must last at least three sweep intervals");
        }
        this.store = store;
        this.listeners = Collections.unmodifiableMap(byId(hostListeners, ""));
        this.transactional = Collections.unmodifiableMap(byId(transactionalListeners, TRANSACTIONAL_PREFIX));
        this.clock = clock;
        this.nodeId = newNodeId();
        this.maxAttempts = maxAttempts;
        this.lease = lease;
        this.sweepInterval = sweepInterval;
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(QUEUE_CAPACITY), daemon("wxpay-dispatch"));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("wxpay-outbox-sweeper"));
    }

    /** Stable ids for the host's listeners: class name, with {@code #2}, {@code #3} for repeats. */
    static Map<String, PaymentListener> byId(List<PaymentListener> hostListeners) {
        return byId(hostListeners, "");
    }

    private static <T> Map<String, T> byId(List<T> hostListeners, String prefix) {
        Map<String, T> byId = new LinkedHashMap<>();
        for (T l : hostListeners) {
            String base = prefix + l.getClass().getName();
            String id = base;
            for (int i = 2; byId.containsKey(id); i++) {
                id = base + "#" + i;
            }
            byId.put(id, l);
        }
        return byId;
    }

    /** This node's id, random at each start: the owner written on its leases. */
    private static String newNodeId() {
        String random = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return "pid" + ProcessHandle.current().pid() + "-" + random;
    }

    /** The ids an outbox entry is written for, one per listener: plain ones, then transactional ones. */
    List<String> listenerIds() {
        List<String> ids = new ArrayList<>(listeners.keySet());
        ids.addAll(transactional.keySet());
        return ids;
    }

    /** The owner this node writes on its leases. */
    String nodeId() {
        return nodeId;
    }

    /** Starts the sweeper that renews this node's leases and delivers due entries of any node. */
    void start() {
        long ms = sweepInterval.toMillis();
        sweeper.scheduleWithFixedDelay(this::tick, 0, ms, TimeUnit.MILLISECONDS);
        LOG.info("wxpay dispatcher started: node {}, lease {} ms, sweep every {} ms, {} attempts at most",
                nodeId, lease.toMillis(), ms, maxAttempts);
    }

    /**
     * Queues the entries of a transaction this node has just committed, as {@link NotifyStore#record}
     * returned them; never blocks. Entries not taken wait for a sweeper.
     */
    void submit(List<Delivery> recorded) {
        for (Delivery d : recorded) {
            enqueue(d.id(), () -> deliverRecorded(d));
        }
    }

    private void enqueue(long id) {
        enqueue(id, () -> deliver(id));
    }

    private void enqueue(long id, Runnable delivery) {
        if (!inFlight.add(id)) {
            return;
        }
        if (workers.getQueue().remainingCapacity() == 0) {
            // Full: no need to build the pool's RejectedExecutionException for each entry.
            inFlight.remove(id);
            backlog.set(true);
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    delivery.run();
                } finally {
                    inFlight.remove(id);
                    sweepIfBacklogged();
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(id);
            backlog.set(true);
        }
    }

    private void sweepIfBacklogged() {
        if (backlog.get() && workers.getQueue().isEmpty() && backlog.compareAndSet(true, false)) {
            try {
                sweeper.execute(this::sweep);
            } catch (RejectedExecutionException closed) {
                // closing
            }
        }
    }

    private void tick() {
        renewLeases();
        sweep();
    }

    /** Extends the leases of the deliveries this node is running. */
    void renewLeases() {
        if (holding.isEmpty()) {
            return;
        }
        try {
            store.renewLeases(nodeId, new ArrayList<>(holding), clock.instant().plus(lease));
        } catch (RuntimeException e) {
            LOG.warn("wxpay could not renew this node's leases ({}); will try again", SqlErrors.describe(e));
        }
    }

    /** Queues the due entries of every node whose lease is free or expired. */
    void sweep() {
        try {
            List<Long> due = store.dueOutbox(SWEEP_BATCH);
            for (Long id : due) {
                enqueue(id);
            }
            if (due.size() == SWEEP_BATCH) {
                backlog.set(true);
            }
        } catch (RuntimeException e) {
            LOG.warn("wxpay outbox sweep failed ({}); will try again", SqlErrors.describe(e));
        }
    }

    /**
     * Claims one entry and, if this node got it, delivers it to its listener and records the
     * result; never throws. Does nothing when the entry is not due, final, or leased elsewhere.
     */
    void deliver(long outboxId) {
        Delivery d;
        try {
            if (!store.claim(outboxId, nodeId, clock.instant().plus(lease))) {
                return;
            }
            d = store.loadDelivery(outboxId);
        } catch (RuntimeException e) {
            LOG.warn("wxpay outbox entry {} could not be claimed ({}); will retry", outboxId,
                    SqlErrors.describe(e));
            return;
        }
        if (d == null) {
            return;
        }
        TransactionalPaymentListener tx = transactional.get(d.listener());
        if (tx != null) {
            deliverInTransaction(d, tx);
        } else {
            deliverPlain(d, listeners.get(d.listener()));
        }
    }

    /**
     * Delivers an entry this node has just recorded; never throws. A transactional listener's
     * from the data it was recorded with and without a claim (the transaction's mark is the
     * claim); a plain one as {@link #deliver} does.
     */
    private void deliverRecorded(Delivery d) {
        TransactionalPaymentListener tx = transactional.get(d.listener());
        if (tx != null) {
            deliverInTransaction(d, tx);
        } else {
            deliver(d.id());
        }
    }

    private void deliverPlain(Delivery d, PaymentListener listener) {
        holding.add(d.id());
        try {
            try {
                if (listener == null) {
                    throw new IllegalStateException("listener " + d.listener() + " is not loaded");
                }
                if (d.kind() == EventKind.PAYMENT) {
                    listener.onPaid(paymentEvent(d));
                } else if (d.kind() == EventKind.REFUND) {
                    listener.onRefunded(refundEvent(d));
                }
            } catch (RuntimeException | LinkageError e) {
                failed(d, e.toString());
                return;
            }
            try {
                if (!store.markDelivered(d.id(), nodeId)) {
                    LOG.warn("wxpay outbox entry {} delivered after its lease was lost; another node"
                            + " may deliver it too", d.id());
                }
            } catch (RuntimeException storeDown) {
                LOG.warn("wxpay outbox entry {} delivered but not marked ({}); it will be delivered again",
                        d.id(), SqlErrors.describe(storeDown));
            }
        } finally {
            holding.remove(d.id());
        }
    }

    private void deliverInTransaction(Delivery d, TransactionalPaymentListener listener) {
        try {
            boolean held = store.deliverInTransaction(d.id(), nodeId, connection -> {
                if (d.kind() == EventKind.PAYMENT) {
                    listener.onPaid(paymentEvent(d), GuardedConnection.wrap(connection));
                } else if (d.kind() == EventKind.REFUND) {
                    listener.onRefunded(refundEvent(d), GuardedConnection.wrap(connection));
                }
            });
            if (!held) {
                LOG.debug("wxpay outbox entry {} is held by another node or already final", d.id());
            }
        } catch (NotifyStore.WorkFailed e) {
            failed(d, e.getCause().toString());
        } catch (RuntimeException e) {
            // The database failed around the listener (mark, commit, connection): rolled back, or
            // committed without our knowing; markFailed changes nothing in the second case.
            failed(d, "delivery transaction failed: " + SqlErrors.describe(e));
        }
    }

    /** Counts a failed attempt: due again after a back-off, or DEAD after the last one. */
    private void failed(Delivery d, String error) {
        int attempt = d.attempts() + 1;
        boolean last = attempt >= maxAttempts;
        Instant next = clock.instant().plus(backoff(attempt));
        LOG.warn("wxpay listener {} failed on {} (attempt {} of {}): {}", d.listener(),
                d.idempotencyKey(), attempt, maxAttempts, error);
        try {
            boolean marked = transactional.containsKey(d.listener())
                    ? store.markTransactionalFailed(d.id(), nodeId, error, next, maxAttempts)
                    : store.markFailed(d.id(), nodeId, error, next, maxAttempts);
            if (marked && last) {
                LOG.error("wxpay listener {} gave up on {} after {} attempts: outbox entry {} is DEAD;"
                        + " replay it once the cause is fixed", d.listener(), d.idempotencyKey(), attempt, d.id());
            }
        } catch (RuntimeException storeDown) {
            LOG.warn("wxpay outbox entry {} failure not recorded ({}); a later sweep retries it"
                    + " (once the lease, if any, expires)", d.id(), SqlErrors.describe(storeDown));
        }
    }

    /** Puts a dead entry back and queues it here; false if it was not DEAD. */
    boolean replay(long outboxId) {
        boolean replayed = store.replay(outboxId);
        if (replayed) {
            enqueue(outboxId);
        }
        return replayed;
    }

    /** Puts every dead entry back; the sweepers deliver them. Returns how many. */
    int replayAll() {
        int n = store.replayAll();
        if (n > 0) {
            try {
                sweeper.execute(this::sweep);
            } catch (RejectedExecutionException closed) {
                // another node's sweeper delivers them
            }
        }
        return n;
    }

    static PaymentEvent paymentEvent(Delivery d) {
        return PaymentEvent.builder()
                .idempotencyKey(d.idempotencyKey())
                .transactionId(d.transactionId())
                .outTradeNo(d.outTradeNo())
                .amountFen(d.amountFen())
                .currency(d.currency())
                .paidAt(d.eventTime())
                .merchantId(d.merchantId())
                .appId(d.appId())
                .build();
    }

    static RefundEvent refundEvent(Delivery d) {
        if (d.outRefundNo() == null || d.paymentFen() == null) {
            throw new IllegalStateException("refund " + d.idempotencyKey() + " lacks out_refund_no or payment_fen");
        }
        return RefundEvent.builder()
                .idempotencyKey(d.idempotencyKey())
                .refundId(d.businessKey())
                .outRefundNo(d.outRefundNo())
                .transactionId(d.transactionId())
                .outTradeNo(d.outTradeNo())
                .refundFen(d.amountFen())
                .paymentFen(d.paymentFen())
                .currency(d.currency())
                .refundedAt(d.eventTime())
                .build();
    }

    /** 2^(attempt-1) seconds, capped at ten minutes, with up to 50% random jitter added. */
    static Duration backoff(int attempt) {
        long base = Math.min(MAX_BACKOFF.toMillis(), 1000L << Math.min(attempt - 1, 20));
        return Duration.ofMillis(base + ThreadLocalRandom.current().nextLong(base / 2 + 1));
    }

    /**
     * Stops sweeping and delivering; waits up to five seconds for running deliveries. Leases of
     * deliveries still running then expire, and another node (or this one restarted) takes over.
     */
    @Override
    public void close() {
        sweeper.shutdownNow();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
