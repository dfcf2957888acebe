package io.shopplug.bench.storm;

import io.shopplug.simulator.PlatformIdentity;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * The notify storm. {@link #main} runs it against the sample shop in a child JVM and exits 0 when
 * every check passed, 1 when one failed, 2 when the storm could not run:
 *
 * <pre>{@code
 * mvn -q -Pbench -pl bench -am -DskipTests package
 * java -cp bench/target/benchmarks.jar io.shopplug.bench.storm.Storm --db mariadb
 * }</pre>
 *
 * {@link #run} runs it against any {@link StormTarget}. See {@link StormOptions} for the options
 * and {@code docs/performance.md} for what is reported.
 */
public final class Storm {
    /** Marks a directory as a storm's output, so that the next storm may empty it. */
    static final String MARKER = ".storm-output";
    private static final String MARIADB = "jdbc:mariadb://127.0.0.1:3306/";
    /** Time kept for the count check when the drain would run to the time limit. */
    private static final Duration CHECKS_RESERVE = Duration.ofSeconds(30);

    private Storm() {}

    public static void main(String[] args) {
        StormOptions options;
        try {
            options = StormOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("storm: " + e.getMessage());
            System.exit(2);
            return;
        }
        Deadline deadline = Deadline.in(options.timeLimit());
        ShopProcess[] shop = new ShopProcess[1];
        // The hard stop: whatever hangs, the storm ends a minute after its time limit.
        Thread watchdog = new Thread(() -> {
            try {
                Thread.sleep(options.timeLimit().plusMinutes(1).toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("storm: time limit passed long ago, stopping");
            if (shop[0] != null) {
                shop[0].close();
            }
            Runtime.getRuntime().halt(2);
        }, "storm-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        int exit;
        try {
            Path out = prepare(options.out());
            Path keyFile = out.resolve("platform-key.pem");
            PlatformIdentity.rsaPublicKeyFile(keyFile);
            String dbUrl;
            String dbUser;
            if (options.db() == StormOptions.Db.MARIADB) {
                try (Connection c = DriverManager.getConnection(MARIADB, "root", "");
                        Statement st = c.createStatement()) {
                    st.execute("DROP DATABASE IF EXISTS " + options.database());
                    st.execute("CREATE DATABASE " + options.database() + " CHARACTER SET utf8mb4");
                }
                dbUrl = MARIADB + options.database();
                dbUser = "root";
            } else {
                dbUrl = "jdbc:h2:file:" + out.resolve("db/shop").toAbsolutePath() + ";AUTO_SERVER=TRUE";
                dbUser = "sa";
            }
            long started = System.nanoTime();
            System.out.println("storm: starting the shop (" + options.db().value() + ", heap " + options.shopHeap() + ")");
            shop[0] = ShopProcess.start(options.shopHeap(), dbUrl, dbUser, keyFile, out, options.shopJfr(), deadline);
            Map<String, String> phases = new LinkedHashMap<>();
            phases.put("shop started (child JVM, pid " + shop[0].pid() + ")",
                    seconds(System.nanoTime() - started) + " s, " + shop[0].baseUri());
            StormReport report = run(options, shop[0], deadline, phases);
            report.write(out);
            System.out.println(report.markdown());
            System.out.println("storm: " + report.headline());
            System.out.println("storm: report, timeline.csv and chart.png in " + out.toAbsolutePath());
            exit = report.passed() ? 0 : 1;
        } catch (Exception e) {
            System.err.println("storm: could not run: " + e);
            e.printStackTrace();
            exit = 2;
        } finally {
            if (shop[0] != null) {
                shop[0].close();
            }
            watchdog.interrupt();
        }
        System.exit(exit);
    }

    /**
     * Runs the storm against {@code target} within {@link StormOptions#timeLimit()}: places the
     * orders, plays the warm-up (unmeasured), signs, sends, waits for the outbox to drain and checks
     * the counts of both. Writes nothing; see {@link StormReport#write}.
     *
     * @throws Exception if the storm could not be set up (the shop refused an order, the time limit
     *     passed before the storm's first request); once the storm's requests are sent, every
     *     problem is a failed check
     */
    public static StormReport run(StormOptions options, StormTarget target) throws Exception {
        return run(options, target, Deadline.in(options.timeLimit()), new LinkedHashMap<>());
    }

    static StormReport run(StormOptions options, StormTarget target, Deadline deadline, Map<String, String> phases)
            throws Exception {
        StormPlan plan = new StormPlan(options);
        StormOptions warmup = options.warmup();
        StormPlan warmupPlan = warmup == null ? null : new StormPlan(warmup);
        PlatformIdentity platform = PlatformIdentity.rsaPublicKeyFile(target.platformKeyFile());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER).build();

        StormOrders.stock(target, warmupPlan == null ? List.of(plan) : List.of(warmupPlan, plan));
        StormOrders warmupOrders = warmupPlan == null ? null : place("warm-up", warmupPlan, options, target, http,
                deadline, phases);
        StormOrders orders = place("storm", plan, options, target, http, deadline, phases);
        Map<Long, Long> stockBefore = StormOrders.column(target, "SELECT id, stock FROM shop_product");
        Map<Long, Long> pointsBefore = StormOrders.column(target, "SELECT id, points FROM shop_member");

        List<StormChecks.Round> rounds = new ArrayList<>();
        Drain warmupDrain = null;
        if (warmupPlan != null) {
            // The shop's business before the storm, so that the storm meets a running shop.
            StormMessages messages = sign("warm-up", warmupPlan, warmupOrders, platform, warmup, target,
                    deadline, phases);
            System.out.printf(Locale.ROOT, "storm: warm-up, not measured: sending %,d requests%n",
                    warmupPlan.requests());
            StormDriver.Recording rec = new StormDriver(warmupPlan, messages, target.baseUri(), warmup.concurrency())
                    .run(deadline, start -> { });
            warmupDrain = awaitDrain(target, rec, drainLimit(options, deadline), deadline);
            phases.put("warm-up, not measured", String.format(Locale.ROOT, "%,d requests in %s s = %,.0f / s; outbox %s",
                    warmupPlan.requests(), seconds(rec.endNanos - rec.startNanos),
                    warmupPlan.requests() / Math.max(rec.seconds(), 1e-3), warmupDrain));
            progress(phases);
            rounds.add(new StormChecks.Round(warmupPlan, warmupOrders, messages, rec));
        }
        StormMessages messages = sign("storm", plan, orders, platform, options, target, deadline, phases);

        String load = loadAverage();
        OptionalLong dbPid = options.db() == StormOptions.Db.MARIADB
                ? Proc.find(List.of("mariadbd", "mysqld")) : OptionalLong.empty();
        Monitor[] monitor = new Monitor[1];
        System.out.printf(Locale.ROOT, "storm: sending %,d requests with %d senders%n", plan.requests(), options.concurrency());
        StormDriver.Recording rec = new StormDriver(plan, messages, target.baseUri(), options.concurrency())
                .run(deadline, start -> monitor[0] = new Monitor(target, start, dbPid).start());
        phases.put("storm", String.format(Locale.ROOT, "%,d requests in %s s; %d copies signed again when their turn"
                + " came (timestamp older than %d s)", plan.requests(), seconds(rec.endNanos - rec.startNanos),
                messages.resigned(), StormMessages.RESIGN_AFTER_SECONDS));
        progress(phases);

        Drain drain = awaitDrain(target, rec, drainLimit(options, deadline), deadline);
        phases.put("outbox drain", drain.toString());
        progress(phases);
        Thread.sleep(1100); // one more reading of the drained outbox
        monitor[0].close();

        long t = System.nanoTime();
        rounds.add(new StormChecks.Round(plan, orders, messages, rec));
        StormChecks checks = new StormChecks(rounds);
        checks.answers();
        if (warmupDrain != null) {
            checks.add("warm-up's outbox drained before the storm", warmupDrain.drained(),
                    warmupDrain + (warmupDrain.drained() ? "" : "; the storm met that backlog"));
        }
        checks.add("outbox drained within the drain limit", drain.drained(), drain + (drain.drained() ? ""
                : "; the checks below see the shop as it stood then, with those entries' effects not applied yet"));
        checks.database(target, stockBefore, pointsBefore);
        checks.add("within the time limit", !deadline.passed(), "limit " + deadline.limit().toSeconds() + " s");
        phases.put("count check", seconds(System.nanoTime() - t) + " s");
        if (monitor[0].dbProblem() != null) {
            phases.put("monitor's last database problem", monitor[0].dbProblem());
        }
        String environment = String.format(Locale.ROOT, "Machine: %s, %d cores, %s %s; load average before the storm %s;"
                + " the driver runs on the same machine%s. %s.", Proc.cpuModel(), Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name"), System.getProperty("java.runtime.version"), load,
                target.sharesTheDriversJvm() ? ", in the shop's own JVM (CPU and heap are the two together)"
                        : ", the shop in a JVM of its own", Instant.now());
        return new StormReport(options, environment, phases, plan, rec, monitor[0].samples(), drain.seconds(), checks.checks(),
                checks.notes());
    }

    /** Places the plan's orders and reports it as the {@code round}'s phase. */
    private static StormOrders place(String round, StormPlan plan, StormOptions options, StormTarget target,
            HttpClient http, Deadline deadline, Map<String, String> phases) throws Exception {
        long t = System.nanoTime();
        StormOrders orders = StormOrders.place(plan, target, http, Math.min(options.concurrency(), 16), deadline);
        int placed = plan.orders() + plan.baitOrders();
        long took = System.nanoTime() - t;
        phases.put("orders placed through POST /api/orders, for the " + round, String.format(Locale.ROOT, "%,d (%,d genuine,"
                + " %,d bait) in %s s = %,.0f / s", placed, plan.orders(), plan.baitOrders(), seconds(took),
                placed / (took / 1e9)));
        progress(phases);
        return orders;
    }

    /**
     * Signs the plan's notifications, before its clock starts, and reports it as the {@code round}'s
     * phase; {@code options} are the round's own (its seed makes its transaction ids).
     */
    private static StormMessages sign(String round, StormPlan plan, StormOrders orders, PlatformIdentity platform,
            StormOptions options, StormTarget target, Deadline deadline, Map<String, String> phases) throws Exception {
        long t = System.nanoTime();
        StormMessages messages = new StormMessages(plan, orders, platform,
                StormMessages.demoMerchant(Storm.class.getClassLoader()), target.baseUri().resolve("/wxpay/notify"),
                options, Clock.systemUTC());
        messages.signAll(Runtime.getRuntime().availableProcessors(), deadline);
        phases.put("notifications signed before the clock starts, for the " + round, String.format(Locale.ROOT,
                "%,d in %s s (%,d genuine: %d per order; the stale and the bait ones)", messages.signed(),
                seconds(System.nanoTime() - t), plan.orders() * options.signatures(), options.signatures()));
        progress(phases);
        return messages;
    }

    /** How long to wait for the outbox to drain: what is left of the time limit, but 30 s for the checks. */
    private static Duration drainLimit(StormOptions options, Deadline deadline) {
        return Duration.ofMillis(Math.max(0, Math.min(options.drainLimit().toMillis(),
                deadline.remainingMillis() - CHECKS_RESERVE.toMillis())));
    }

    /**
     * How a round's outbox drained: the seconds from its last answer until no entry waited, or
     * (seconds null) the entries still waiting when {@code limit} ran out.
     */
    record Drain(Double seconds, long waiting, Duration limit) {
        boolean drained() {
            return seconds != null;
        }

        @Override
        public String toString() {
            return drained() ? String.format(Locale.ROOT, "drained %.1f s after the last answer", seconds)
                    : waiting + " entries still waiting " + limit.toSeconds() + " s after the last answer";
        }
    }

    /** Waits, up to {@code limit}, until no outbox entry waits. */
    private static Drain awaitDrain(StormTarget target, StormDriver.Recording rec, Duration limit, Deadline deadline)
            throws SQLException, InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        try (Connection c = target.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM wxpay_outbox WHERE state IN ('PENDING', 'FAILED')")) {
            while (true) {
                long waiting;
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    waiting = rs.getLong(1);
                }
                if (waiting == 0) {
                    return new Drain(Math.max(0, (System.nanoTime() - rec.endNanos) / 1e9), 0, limit);
                }
                if (System.nanoTime() > end || deadline.passed()) {
                    return new Drain(null, waiting, limit);
                }
                Thread.sleep(100);
            }
        }
    }

    private static void progress(Map<String, String> phases) {
        Map.Entry<String, String> last = null;
        for (Map.Entry<String, String> e : phases.entrySet()) {
            last = e;
        }
        if (last != null) {
            System.out.println("storm: " + last.getKey() + ": " + last.getValue());
        }
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "n/a";
        }
    }

    /** Makes {@code out} empty: new, empty, or an earlier storm's output (removed). */
    static Path prepare(Path out) throws IOException {
        if (Files.isDirectory(out)) {
            boolean empty;
            try (Stream<Path> entries = Files.list(out)) {
                empty = entries.findAny().isEmpty();
            }
            if (!empty && !Files.exists(out.resolve(MARKER))) {
                throw new IllegalArgumentException("--out " + out + " is neither empty nor an earlier storm's output");
            }
            try (Stream<Path> files = Files.walk(out)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(out)) {
                        Files.delete(p);
                    }
                }
            }
        }
        Files.createDirectories(out);
        Files.writeString(out.resolve(MARKER), "written by io.shopplug.bench.storm.Storm; emptied by the next storm\n");
        return out;
    }
}
