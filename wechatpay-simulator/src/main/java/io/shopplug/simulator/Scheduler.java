package io.shopplug.simulator;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs a task after a delay; tests swap in one that records delays instead of waiting. */
interface Scheduler {

    /**
     * @throws RejectedExecutionException once closed
     */
    void schedule(Runnable task, Duration delay);

    /**
     * Runs a task as soon as a thread is free.
     *
     * @throws RejectedExecutionException once closed
     */
    void execute(Runnable task);

    void close();

    /** A small pool of daemon threads. */
    static Scheduler daemonThreads(int threads, String name) {
        AtomicInteger count = new AtomicInteger();
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, r -> {
            Thread t = new Thread(r, name + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return new Scheduler() {
            private final ScheduledExecutorService ses = executor;

            @Override
            public void schedule(Runnable task, Duration delay) {
                ses.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            }

            @Override
            public void execute(Runnable task) {
                ses.execute(task);
            }

            @Override
            public void close() {
                ses.shutdownNow();
            }
        };
    }
}
