package io.shopplug.bench.storm;

import io.shopplug.bench.storm.StormPlan.Shot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a storm measured and whether its checks passed: the summary figures, one row per second
 * (requests answered, latency percentiles of that second, the shop's CPU and memory, the outbox),
 * and the count check. {@link #write(Path)} puts it in a directory as {@code report.md},
 * {@code timeline.csv} and {@code chart.png}. Immutable.
 */
public final class StormReport {

    /** One verdict of the count check. */
    public record Check(String name, boolean passed, String detail) {}

    /**
     * One second of the storm, counted from the first request; requests are counted in the second
     * their answer came. CPU is in percent (of one core for processes, of all cores for the
     * machine), memory in MiB; -1 where unknown.
     */
    public record Second(int second, int requests, int acknowledged, int retryLater, int refused, int noAnswer,
            double p50Millis, double p99Millis, double maxMillis, double shopCpu, double machineCpu,
            double driverCpu, double dbCpu, double shopRssMib, double heapUsedMib, double heapCommittedMib,
            double gcMillis, long outboxWaiting, double oldestWaitingSeconds) {}

    private final StormOptions options;
    private final String environment;
    private final Map<String, String> phases;
    private final int requests;
    private final int answered;
    private final int forgedAcknowledged;
    private final double seconds;
    private final double p50;
    private final double p99;
    private final double p999;
    private final double max;
    private final double genuineAckP99;
    private final Map<String, Integer> genuineAnswers;
    private final Map<String, Map<String, Integer>> forgedAnswers;
    private final List<Second> timeline;
    private final int stormSeconds;
    private final Double drainSeconds;
    private final List<Check> checks;
    private final Map<String, String> notes;

    StormReport(StormOptions options, String environment, Map<String, String> phases, StormPlan plan,
            StormDriver.Recording rec, List<Monitor.Sample> samples, Double drainSeconds, List<Check> checks,
            Map<String, String> notes) {
        this.options = options;
        this.environment = environment;
        this.phases = new LinkedHashMap<>(phases);
        this.checks = List.copyOf(checks);
        this.notes = new LinkedHashMap<>(notes);
        this.drainSeconds = drainSeconds;
        this.requests = rec.requests();
        int[] all = new int[requests];
        int n = 0;
        int[] ack = new int[requests];
        int a = 0;
        int forgedOk = 0;
        genuineAnswers = new TreeMap<>();
        forgedAnswers = new TreeMap<>();
        for (int s = 0; s < plan.shots(); s++) {
            Shot shot = plan.shot(s);
            for (int r = shot.firstRequest(); r < shot.firstRequest() + shot.requests(); r++) {
                int status = rec.status[r];
                String kind = kind(status);
                if (shot.forged() && status >= 200 && status < 300) {
                    forgedOk++;
                }
                if (shot.forged()) {
                    forgedAnswers.computeIfAbsent(shot.forgery().name(), k -> new TreeMap<>()).merge(kind, 1, Integer::sum);
                } else {
                    genuineAnswers.merge(kind, 1, Integer::sum);
                }
                if (status == -1) {
                    continue;
                }
                all[n++] = rec.latencyMicros[r];
                if (!shot.forged() && status >= 200 && status < 300) {
                    ack[a++] = rec.latencyMicros[r];
                }
            }
        }
        answered = n;
        forgedAcknowledged = forgedOk;
        int[] sorted = Arrays.copyOf(all, n);
        Arrays.sort(sorted);
        p50 = percentile(sorted, 0.50);
        p99 = percentile(sorted, 0.99);
        p999 = percentile(sorted, 0.999);
        max = n == 0 ? Double.NaN : sorted[n - 1] / 1000.0;
        int[] acks = Arrays.copyOf(ack, a);
        Arrays.sort(acks);
        genuineAckP99 = percentile(acks, 0.99);
        seconds = rec.seconds();
        stormSeconds = (int) Math.ceil(seconds);
        timeline = timeline(rec, samples);
    }

    private static String kind(int status) {
        if (status == -1) {
            return "not sent (time limit)";
        }
        if (status == 0) {
            return "no answer";
        }
        if (status >= 200 && status < 300) {
            return "2xx acknowledged";
        }
        if (status == 429 || status == 503) {
            return status + " retry later";
        }
        return status + (status >= 500 ? " server error" : " refused");
    }

    /** The p-th percentile (nearest rank) of sorted microseconds, in milliseconds. */
    static double percentile(int[] sortedMicros, double p) {
        if (sortedMicros.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sortedMicros.length);
        return sortedMicros[Math.max(0, Math.min(sortedMicros.length - 1, rank - 1))] / 1000.0;
    }

    private static List<Second> timeline(StormDriver.Recording rec, List<Monitor.Sample> samples) {
        int fromRequests = 0;
        for (int r = 0; r < rec.requests(); r++) {
            if (rec.status[r] != -1) {
                fromRequests = Math.max(fromRequests, (int) (rec.answeredNanos[r] / 1_000_000_000L) + 1);
            }
        }
        int count = Math.max(fromRequests, Math.max(0, samples.size() - 1));
        int[] perSecond = new int[count];
        for (int r = 0; r < rec.requests(); r++) {
            if (rec.status[r] != -1) {
                perSecond[(int) (rec.answeredNanos[r] / 1_000_000_000L)]++;
            }
        }
        int[][] latencies = new int[count][];
        for (int s = 0; s < count; s++) {
            latencies[s] = new int[perSecond[s]];
        }
        int[] fill = new int[count];
        int[] ok = new int[count];
        int[] retry = new int[count];
        int[] refused = new int[count];
        int[] none = new int[count];
        for (int r = 0; r < rec.requests(); r++) {
            int status = rec.status[r];
            if (status == -1) {
                continue;
            }
            int s = (int) (rec.answeredNanos[r] / 1_000_000_000L);
            latencies[s][fill[s]++] = rec.latencyMicros[r];
            if (status == 0) {
                none[s]++;
            } else if (status >= 200 && status < 300) {
                ok[s]++;
            } else if (status == 429 || status == 503) {
                retry[s]++;
            } else {
                refused[s]++;
            }
        }
        List<Second> rows = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            int[] l = latencies[s];
            Arrays.sort(l);
            Monitor.Sample from = s < samples.size() ? samples.get(s) : null;
            Monitor.Sample to = s + 1 < samples.size() ? samples.get(s + 1) : null;
            double dt = from != null && to != null ? (to.atNanos() - from.atNanos()) / 1e9 : Double.NaN;
            rows.add(new Second(s, l.length, ok[s], retry[s], refused[s], none[s],
                    percentile(l, 0.50), percentile(l, 0.99), l.length == 0 ? Double.NaN : l[l.length - 1] / 1000.0,
                    cpu(from, to, dt, Monitor.Sample::shopCpuTicks),
                    machine(from, to),
                    cpu(from, to, dt, Monitor.Sample::driverCpuTicks),
                    cpu(from, to, dt, Monitor.Sample::dbCpuTicks),
                    mib(to == null ? -1 : to.shopRssBytes()),
                    mib(to == null ? -1 : to.heapUsed()),
                    mib(to == null ? -1 : to.heapCommitted()),
                    from == null || to == null || from.gcMillis() < 0 ? -1 : to.gcMillis() - from.gcMillis(),
                    to == null ? -1 : to.outboxWaiting(),
                    to == null ? -1 : to.oldestWaitingSeconds()));
        }
        return rows;
    }

    private static double cpu(Monitor.Sample from, Monitor.Sample to, double dt,
            java.util.function.ToLongFunction<Monitor.Sample> ticks) {
        if (from == null || to == null || ticks.applyAsLong(from) < 0 || ticks.applyAsLong(to) < 0 || !(dt > 0)) {
            return -1;
        }
        return 100.0 * (ticks.applyAsLong(to) - ticks.applyAsLong(from)) / Proc.TICKS_PER_SECOND / dt;
    }

    private static double machine(Monitor.Sample from, Monitor.Sample to) {
        if (from == null || to == null || from.machineTotalTicks() < 0) {
            return -1;
        }
        long total = to.machineTotalTicks() - from.machineTotalTicks();
        return total <= 0 ? -1 : 100.0 * (to.machineBusyTicks() - from.machineBusyTicks()) / total;
    }

    private static double mib(long bytes) {
        return bytes < 0 ? -1 : bytes / (1024.0 * 1024.0);
    }

    // ---- the figures

    public StormOptions options() {
        return options;
    }

    /** Whether every check passed. */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }

    public List<Check> checks() {
        return checks;
    }

    /** The requests of the plan, sent or not. */
    public int requests() {
        return requests;
    }

    /** Requests answered, or failed without an answer (not those never sent). */
    public int answered() {
        return answered;
    }

    /** Forged requests that got a 2xx: must be 0. */
    public int forgedAcknowledged() {
        return forgedAcknowledged;
    }

    /** Requests answered (or failed without an answer), per second from the first sent to the last answer. */
    public double requestsPerSecond() {
        return seconds > 0 ? answered / seconds : Double.NaN;
    }

    /** Seconds from the first request sent to the last answer. */
    public double seconds() {
        return seconds;
    }

    public double p50Millis() {
        return p50;
    }

    public double p99Millis() {
        return p99;
    }

    public double p999Millis() {
        return p999;
    }

    public double maxMillis() {
        return max;
    }

    /** One row per second, the storm and then the drain. */
    public List<Second> timeline() {
        return timeline;
    }

    /** Seconds from the last answer until no outbox entry waited; null if it did not drain in time. */
    public Double drainSeconds() {
        return drainSeconds;
    }

    /** The seconds of the storm itself (the rest of the timeline is the drain). */
    int stormSeconds() {
        return stormSeconds;
    }

    /** A one-line summary, for the chart's title and the console. */
    public String headline() {
        return String.format(Locale.ROOT, "%s: %,d requests in %.1f s = %,.0f req/s, p50 %.1f ms, p99 %.1f ms,"
                + " p99.9 %.1f ms; checks %s", options.db().value(), answered, seconds, requestsPerSecond(), p50, p99,
                p999, passed() ? "PASS" : "FAIL");
    }

    /** The report as Markdown. */
    public String markdown() {
        StringBuilder md = new StringBuilder();
        md.append("# Notify storm: ").append(options.db().value()).append(passed() ? " (PASS)" : " (FAIL)").append("\n\n");
        md.append(options.summary()).append(".\n\n").append(environment).append("\n\n");
        md.append("## Summary\n\n| figure | value |\n| --- | ---: |\n");
        row(md, "requests (genuine + forged)", String.format(Locale.ROOT, "%,d", requests));
        row(md, "answered", String.format(Locale.ROOT, "%,d", answered));
        row(md, "duration, first request to last answer", f1(seconds) + " s");
        row(md, "requests per second, sustained over the storm", String.format(Locale.ROOT, "%,.0f", requestsPerSecond()));
        row(md, "requests per second, median of the whole seconds", String.format(Locale.ROOT, "%,.0f", medianRate()));
        row(md, "acknowledgement latency p50", f1(p50) + " ms");
        row(md, "acknowledgement latency p99", f1(p99) + " ms");
        row(md, "acknowledgement latency p99.9", f1(p999) + " ms");
        row(md, "latency max", f1(max) + " ms");
        row(md, "genuine copies acknowledged (2xx), p99", f1(genuineAckP99) + " ms");
        List<Second> storm = timeline.subList(0, Math.min(stormSeconds, timeline.size()));
        row(md, "shop CPU, mean / max (% of one core)", mean(storm, Second::shopCpu) + " / " + max(storm, Second::shopCpu));
        row(md, "machine CPU, mean (% of all cores)", mean(storm, Second::machineCpu));
        row(md, "driver CPU, mean (% of one core)", mean(storm, Second::driverCpu));
        row(md, "database server CPU, mean (% of one core)", mean(storm, Second::dbCpu));
        row(md, "shop heap used, max (MiB)", max(timeline, Second::heapUsedMib));
        row(md, "shop heap committed, max (MiB)", max(timeline, Second::heapCommittedMib));
        row(md, "shop resident memory, max (MiB)", max(timeline, Second::shopRssMib));
        row(md, "shop GC time during the storm (ms)", sum(storm, Second::gcMillis));
        row(md, "outbox entries waiting, max", max(timeline, s -> s.outboxWaiting()));
        row(md, "oldest waiting outbox entry, max (s)", max(timeline, Second::oldestWaitingSeconds));
        row(md, "outbox drained after the last answer (s)", drainSeconds == null ? "not within the limit" : f1(drainSeconds));
        md.append("\n## Checks\n\n| check | verdict | detail |\n| --- | --- | --- |\n");
        for (Check c : checks) {
            md.append("| ").append(c.name()).append(" | ").append(c.passed() ? "PASS" : "**FAIL**").append(" | ")
                    .append(c.detail().replace("|", "/")).append(" |\n");
        }
        md.append("\n## Answers\n\n| requests | answer | count |\n| --- | --- | ---: |\n");
        genuineAnswers.forEach((k, v) -> md.append("| genuine | ").append(k).append(" | ").append(v).append(" |\n"));
        forgedAnswers.forEach((kind, answers) -> answers.forEach((k, v) ->
                md.append("| forged ").append(kind).append(" | ").append(k).append(" | ").append(v).append(" |\n")));
        md.append("\n## Phases\n\n| phase | |\n| --- | --- |\n");
        phases.forEach((k, v) -> row(md, k, v));
        notes.forEach((k, v) -> row(md, k, v));
        md.append("\nPer second: `timeline.csv`; chart: `chart.png`; the shop's log: `shop.log` (child JVM only).\n");
        return md.toString();
    }

    private double medianRate() {
        int full = (int) Math.floor(seconds);
        if (full < 1) {
            return requestsPerSecond();
        }
        int[] rates = new int[full];
        for (int s = 0; s < full && s < timeline.size(); s++) {
            rates[s] = timeline.get(s).requests();
        }
        Arrays.sort(rates);
        return rates[full / 2];
    }

    private static void row(StringBuilder md, String name, String value) {
        md.append("| ").append(name).append(" | ").append(value).append(" |\n");
    }

    private static String f1(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static String mean(List<Second> rows, java.util.function.ToDoubleFunction<Second> f) {
        double sum = 0;
        int n = 0;
        for (Second s : rows) {
            double v = f.applyAsDouble(s);
            if (v >= 0) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? "n/a" : f1(sum / n);
    }

    private static String max(List<Second> rows, java.util.function.ToDoubleFunction<Second> f) {
        double m = -1;
        for (Second s : rows) {
            m = Math.max(m, f.applyAsDouble(s));
        }
        return m < 0 ? "n/a" : f1(m);
    }

    private static String sum(List<Second> rows, java.util.function.ToDoubleFunction<Second> f) {
        double total = 0;
        boolean any = false;
        for (Second s : rows) {
            double v = f.applyAsDouble(s);
            if (v >= 0) {
                total += v;
                any = true;
            }
        }
        return any ? String.format(Locale.ROOT, "%.0f", total) : "n/a";
    }

    /** The timeline as CSV, one row per second. */
    public String csv() {
        StringBuilder csv = new StringBuilder("second,requests,acknowledged,retry_later,refused,no_answer,p50_ms,p99_ms,"
                + "max_ms,shop_cpu_pct_of_core,machine_cpu_pct,driver_cpu_pct_of_core,db_cpu_pct_of_core,shop_rss_mib,"
                + "heap_used_mib,heap_committed_mib,gc_ms,outbox_waiting,oldest_waiting_s\n");
        for (Second s : timeline) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%d,%s%n",
                    s.second(), s.requests(), s.acknowledged(), s.retryLater(), s.refused(), s.noAnswer(),
                    num(s.p50Millis()), num(s.p99Millis()), num(s.maxMillis()), num(s.shopCpu()), num(s.machineCpu()),
                    num(s.driverCpu()), num(s.dbCpu()), num(s.shopRssMib()), num(s.heapUsedMib()),
                    num(s.heapCommittedMib()), num(s.gcMillis()), s.outboxWaiting(), num(s.oldestWaitingSeconds())));
        }
        return csv.toString();
    }

    private static String num(double v) {
        return Double.isNaN(v) || v < 0 ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Writes {@code report.md}, {@code timeline.csv} and {@code chart.png} into {@code dir}. */
    public void write(Path dir) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("report.md"), markdown(), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("timeline.csv"), csv(), StandardCharsets.UTF_8);
        StormChart.write(this, dir.resolve("chart.png"));
    }
}
