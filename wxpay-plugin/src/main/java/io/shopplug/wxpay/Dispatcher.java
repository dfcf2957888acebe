package io.shopplug.wxpay;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.RefundEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers recorded events to the host's listeners, after the commit and off the notify thread.
 *
 * <p>Each listener has its own outbox entry, so one listener's failure never affects another's
 * delivery. A bounded pool delivers entries handed over by {@link #submit}; entries it could not
 * take (pool full, failure, crash before delivery) stay in the outbox and a sweeper picks them up
 * again when they are due, with exponential back-off and jitter. Delivery is at least once.
 */
final class Dispatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    static final Duration SWEEP_INTERVAL = Duration.ofSeconds(5);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    private final NotifyStore store;
    private final Map<String, PaymentListener> listeners;
    private final Clock clock;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService sweeper;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();

    Dispatcher(NotifyStore store, List<PaymentListener> hostListeners, Clock clock, int threads) {
        this.store = store;
        this.listeners = Collections.unmodifiableMap(byId(hostListeners));
        this.clock = clock;
        this.workers = new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(10_000), daemon("wxpay-dispatch"));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(daemon("wxpay-outbox-sweeper"));
    }

    /** Stable ids for the host's listeners: class name, with {@code #2}, {@code #3} for repeats. */
    static Map<String, PaymentListener> byId(List<PaymentListener> hostListeners) {
        Map<String, PaymentListener> byId = new LinkedHashMap<>();
        for (PaymentListener l : hostListeners) {
            String base = l.getClass().getName();
            String id = base;
            for (int i = 2; byId.containsKey(id); i++) {
                id = base + "#" + i;
            }
            byId.put(id, l);
        }
        return byId;
    }

    /** The ids an outbox entry is written for, one per listener, in the host's order. */
    List<String> listenerIds() {
        return new ArrayList<>(listeners.keySet());
    }

    /** Starts the sweeper that redelivers due entries, including those left by a crash. */
    void start() {
        long ms = SWEEP_INTERVAL.toMillis();
        sweeper.scheduleWithFixedDelay(this::sweep, 0, ms, TimeUnit.MILLISECONDS);
    }

    /** Queues freshly committed entries; never blocks. Entries not taken wait for the sweeper. */
    void submit(List<Long> outboxIds) {
        for (Long id : outboxIds) {
            enqueue(id);
        }
    }

    private void enqueue(long id) {
        if (!inFlight.add(id)) {
            return;
        }
        try {
            workers.execute(() -> {
                try {
                    deliver(id);
                } finally {
                    inFlight.remove(id);
                }
            });
        } catch (RejectedExecutionException e) {
            inFlight.remove(id);
        }
    }

    void sweep() {
        try {
            for (Long id : store.dueOutbox(500)) {
                enqueue(id);
            }
        } catch (RuntimeException e) {
            LOG.warn("wxpay outbox sweep failed ({}); will try again", e.getMessage());
        }
    }

    /** Delivers one entry to its listener and records the result; never throws. */
    void deliver(long outboxId) {
        Delivery d;
        try {
            d = store.loadDelivery(outboxId);
        } catch (RuntimeException e) {
            LOG.warn("wxpay outbox entry {} could not be loaded ({}); will retry", outboxId, e.getMessage());
            return;
        }
        if (d == null || d.state() == Delivery.State.DELIVERED || d.state() == Delivery.State.DEAD) {
            return;
        }
        PaymentListener listener = listeners.get(d.listener());
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
            Instant next = clock.instant().plus(backoff(d.attempts() + 1));
            LOG.warn("wxpay listener {} failed on {} (attempt {}): {}", d.listener(),
                    d.idempotencyKey(), d.attempts() + 1, e.toString());
            try {
                store.markFailed(outboxId, e.toString(), next);
            } catch (RuntimeException storeDown) {
                LOG.warn("wxpay outbox entry {} failure not recorded ({}); the sweeper retries it",
                        outboxId, storeDown.getMessage());
            }
            return;
        }
        try {
            store.markDelivered(outboxId);
        } catch (RuntimeException storeDown) {
            LOG.warn("wxpay outbox entry {} delivered but not marked ({}); it will be delivered again",
                    outboxId, storeDown.getMessage());
        }
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
