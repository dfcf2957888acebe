package io.shopplug.bench.storm;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Watches the shop once a second from the storm's start: its CPU time and resident memory
 * ({@code /proc}), its heap, the machine's CPU, the driver's and the database server's CPU, and
 * the outbox (entries not yet delivered, and the age of the oldest). Runs on a daemon thread of
 * its own with a database connection of its own.
 */
final class Monitor implements AutoCloseable {
    /** The entries still waiting for a delivery: PENDING or FAILED (an index range, no table scan). */
    private static final String OUTBOX_SQL =
            "SELECT COUNT(*), MIN(created_at) FROM wxpay_outbox WHERE state IN ('PENDING', 'FAILED')";

    /**
     * One reading; cumulative counters as read, -1 where unknown.
     *
     * @param atNanos when, from the storm's start
     * @param outboxWaiting entries PENDING or FAILED
     * @param oldestWaitingSeconds age of the oldest of them (0 when none)
     */
    record Sample(long atNanos, long shopCpuTicks, long shopRssBytes, long heapUsed, long heapCommitted,
            long gcMillis, long machineBusyTicks, long machineTotalTicks, long driverCpuTicks, long dbCpuTicks,
            long outboxWaiting, double oldestWaitingSeconds) {}

    private final StormTarget target;
    private final long startNanos;
    private final OptionalLong dbPid;
    private final long driverPid = ProcessHandle.current().pid();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();
    private final Thread thread;
    private volatile boolean stop;
    private volatile String dbProblem;

    Monitor(StormTarget target, long startNanos, OptionalLong dbPid) {
        this.target = target;
        this.startNanos = startNanos;
        this.dbPid = dbPid;
        this.thread = new Thread(this::loop, "storm-monitor");
        thread.setDaemon(true);
    }

    /** Takes a first reading at once, then one a second. */
    Monitor start() {
        thread.start();
        return this;
    }

    private void loop() {
        Connection db = null;
        try {
            long tick = 0;
            while (!stop) {
                if (db == null) {
                    try {
                        db = target.connect();
                    } catch (SQLException e) {
                        dbProblem = e.getMessage();
                    }
                }
                samples.add(sample(db));
                tick++;
                long wait = startNanos + tick * 1_000_000_000L - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (db != null) {
                try {
                    db.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
    }

    private Sample sample(Connection db) {
        long at = System.nanoTime() - startNanos;
        long[] machine = Proc.machineTicks();
        long shopCpu = Proc.cpuTicks(target.pid());
        long rss = Proc.rssBytes(target.pid());
        long driverCpu = target.sharesTheDriversJvm() ? -1 : Proc.cpuTicks(driverPid);
        long dbCpu = dbPid.isPresent() ? Proc.cpuTicks(dbPid.getAsLong()) : -1;
        StormTarget.Heap heap = target.heap().orElse(null);
        long waiting = -1;
        double oldest = -1;
        if (db != null) {
            try (PreparedStatement ps = db.prepareStatement(OUTBOX_SQL)) {
                ps.setQueryTimeout(5);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    waiting = rs.getLong(1);
                    LocalDateTime oldestCreated = rs.getObject(2, LocalDateTime.class);
                    // The plugin stores instants as UTC wall-clock times.
                    oldest = oldestCreated == null ? 0 : Math.max(0,
                            Duration.between(oldestCreated, LocalDateTime.now(ZoneOffset.UTC)).toMillis() / 1000.0);
                }
            } catch (SQLException e) {
                dbProblem = e.getMessage();
            }
        }
        return new Sample(at, shopCpu, rss, heap == null ? -1 : heap.usedBytes(),
                heap == null ? -1 : heap.committedBytes(), heap == null ? -1 : heap.gcMillis(),
                machine[0], machine[1], driverCpu, dbCpu, waiting, oldest);
    }

    /** The readings so far, oldest first. */
    List<Sample> samples() {
        return new ArrayList<>(samples);
    }

    /** The latest reading, or null before the first. */
    Sample latest() {
        int n = samples.size();
        return n == 0 ? null : samples.get(n - 1);
    }

    /** The last database error the monitor met, or null. */
    String dbProblem() {
        return dbProblem;
    }

    @Override
    public void close() throws InterruptedException {
        // No interrupt: an interrupted query could upset an embedded database in this JVM.
        stop = true;
        thread.join(10_000);
    }
}
