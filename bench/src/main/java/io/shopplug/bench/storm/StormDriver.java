package io.shopplug.bench.storm;

import io.shopplug.bench.storm.StormPlan.Shot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Sends the plan's shots in order with a fixed number of senders (a closed loop: each sender
 * sends its next shot when the answer to its last one has come), each with a {@link WireClient}
 * of its own, and records every request: when it was answered, how long it took (from just
 * before sending to the end of the answer, by {@link System#nanoTime()}), and the HTTP status.
 * Copies 0 and 1 of an order go out at the same moment on two connections. A request that gets no
 * answer (time-out, connection closed) is recorded with status 0; one never sent because the time
 * limit passed, with status -1.
 */
final class StormDriver {
    /** How long a request may wait for its answer (WeChat Pay waits 5 s). */
    static final long TIMEOUT_NANOS = 10_000_000_000L;

    /** What happened to each request, by its index in the plan. */
    static final class Recording {
        final long[] answeredNanos;
        final int[] latencyMicros;
        final short[] status;
        long startNanos;
        long endNanos;
        final Map<String, LongAdder> failures = new ConcurrentHashMap<>();

        Recording(int requests) {
            answeredNanos = new long[requests];
            latencyMicros = new int[requests];
            status = new short[requests];
            java.util.Arrays.fill(status, (short) -1);
        }

        void record(int request, long sent, long answered, int httpStatus) {
            answeredNanos[request] = answered - startNanos;
            latencyMicros[request] = (int) Math.min(Integer.MAX_VALUE, (answered - sent) / 1000);
            status[request] = (short) httpStatus;
        }

        int requests() {
            return status.length;
        }

        /** Seconds from the first request sent to the last answer. */
        double seconds() {
            return (endNanos - startNanos) / 1e9;
        }
    }

    private final StormPlan plan;
    private final StormMessages messages;
    private final java.net.URI shop;
    private final int senders;

    StormDriver(StormPlan plan, StormMessages messages, java.net.URI shop, int senders) {
        this.plan = plan;
        this.messages = messages;
        this.shop = shop;
        this.senders = senders;
    }

    /**
     * Sends every shot, or as many as fit before {@code deadline}.
     *
     * @param started called once, with {@link System#nanoTime()}, just before the first request
     */
    Recording run(Deadline deadline, java.util.function.LongConsumer started) throws InterruptedException {
        Recording rec = new Recording(plan.requests());
        AtomicInteger next = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < senders; t++) {
            Thread thread = new Thread(() -> {
                try (WireClient client = new WireClient(shop.getHost(), shop.getPort(), TIMEOUT_NANOS)) {
                    go.await();
                    long[][] answers = new long[2][2];
                    for (int s = next.getAndIncrement(); s < plan.shots(); s = next.getAndIncrement()) {
                        if (deadline.passed()) {
                            return;
                        }
                        Shot shot = plan.shot(s);
                        byte[] request = messages.request(s);
                        long sent = System.nanoTime();
                        // Copies 0 and 1: two WeChat Pay servers sending the same bytes at once.
                        client.send(request, shot.pair(), answers);
                        for (int i = 0; i < shot.requests(); i++) {
                            rec.record(shot.firstRequest() + i, sent, answers[i][1], (int) answers[i][0]);
                            if (answers[i][0] == WireClient.NO_ANSWER) {
                                rec.failures.computeIfAbsent(String.valueOf(client.failure(i)), k -> new LongAdder())
                                        .increment();
                            }
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (java.io.IOException e) {
                    rec.failures.computeIfAbsent("cannot open a selector: " + e, k -> new LongAdder()).increment();
                }
            }, "storm-sender-" + t);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
        rec.startNanos = System.nanoTime();
        started.accept(rec.startNanos);
        go.countDown();
        for (Thread t : threads) {
            t.join(deadline.remainingMillis() + 15_000);
        }
        long last = 0;
        for (int i = 0; i < rec.requests(); i++) {
            if (rec.status[i] != -1) {
                last = Math.max(last, rec.answeredNanos[i]);
            }
        }
        rec.endNanos = rec.startNanos + last;
        return rec;
    }
}
