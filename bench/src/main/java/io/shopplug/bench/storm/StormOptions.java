package io.shopplug.bench.storm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * What one storm does. Every option is {@code --name value} on the command line, or the system
 * property {@code storm.name}; the command line wins.
 *
 * @param db {@code --db h2|mariadb}: the shop's database (default {@code h2}); MariaDB is
 *     {@code 127.0.0.1:3306}, user {@code root} with an empty password, and the storm drops and
 *     makes its database anew each run
 * @param orders {@code --orders}: genuine orders paid (default 20000)
 * @param copies {@code --copies}: deliveries of each order's notification (default 10, at least
 *     2): copies 0 and 1 byte-identical and at the same moment, the others WeChat Pay's retries
 * @param signatures {@code --signatures}: how many times each order's notification is signed
 *     (default 3, at most {@code copies - 2}): copies 0 and 1 share the first signature, the
 *     retries are shared out over all of them, so some retries are byte-identical and some are
 *     signed anew with a fresh nonce and timestamp
 * @param forgedPercent {@code --forged-percent}: forged requests on top, as a percentage of the
 *     genuine ones (default 10)
 * @param baitOrders {@code --bait}: orders that are never genuinely paid, only forged at
 *     (default 1 % of the orders, at least 1)
 * @param concurrency {@code --concurrency}: senders in the closed loop (default 16); a sender
 *     sending copies 0 and 1 has two requests in flight
 * @param seed {@code --seed}: the plan (members, products, quantities, order of sending, forgeries)
 *     is the same for the same seed (default 1)
 * @param out {@code --out}: where the report, the CSV, the chart and the shop's log go (default
 *     {@code bench/target/storm-<db>}); emptied first if it holds an earlier storm
 * @param timeLimit {@code --time-limit}: seconds the whole storm may take, set-up and checks
 *     included (default 600); after that it stops by itself and fails
 * @param drainLimit {@code --drain-limit}: seconds to wait after the last answer for the outbox
 *     to drain (default 420), at most what is left of the time limit but 30 s for the checks
 * @param shopHeap {@code --shop-heap}: the child shop's {@code -Xms}/{@code -Xmx} (default
 *     {@code 1g})
 * @param database {@code --database}: the MariaDB database the storm owns (default {@code storm})
 * @param shopJfr {@code --shop-jfr true}: the child shop records a Java Flight Recording of the
 *     whole run ({@code shop.jfr} in the output directory) to see where its time goes; default
 *     {@code false}
 * @param warmupOrders {@code --warmup-orders}: orders of their own paid by a storm of the same shape
 *     before the measured one, unmeasured, so that the storm meets a shop that has served
 *     notifications before, as a running shop has (default 5000; 0: the storm meets a shop that
 *     has just started); the count check covers them too
 */
public record StormOptions(
        Db db,
        int orders,
        int copies,
        int signatures,
        int forgedPercent,
        int baitOrders,
        int concurrency,
        long seed,
        Path out,
        Duration timeLimit,
        Duration drainLimit,
        String shopHeap,
        String database,
        boolean shopJfr,
        int warmupOrders) {

    /** The databases the storm runs the shop on. */
    public enum Db {
        /** Embedded H2, a file of the storm's own (the shop serves it to the driver too). */
        H2,
        /** MariaDB on 127.0.0.1:3306. */
        MARIADB;

        /** The option's value: the name in lower case. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Db of(String value) {
            for (Db d : values()) {
                if (d.name().equalsIgnoreCase(value.trim())) {
                    return d;
                }
            }
            throw new IllegalArgumentException("--db must be h2 or mariadb, not " + value);
        }
    }

    public StormOptions {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(timeLimit, "timeLimit");
        Objects.requireNonNull(drainLimit, "drainLimit");
        Objects.requireNonNull(shopHeap, "shopHeap");
        Objects.requireNonNull(database, "database");
        require(orders >= 1 && orders <= 1_000_000, "--orders must be 1 to 1000000");
        require(copies >= 2 && copies <= 100, "--copies must be 2 to 100");
        require(signatures >= 1 && signatures <= Math.max(1, copies - 2),
                "--signatures must be 1 to copies - 2 (each signature carries at least one copy)");
        require(forgedPercent >= 0 && forgedPercent <= 100, "--forged-percent must be 0 to 100");
        require(baitOrders >= 1 && baitOrders <= orders, "--bait must be 1 to the number of orders");
        require(concurrency >= 1 && concurrency <= 512, "--concurrency must be 1 to 512");
        require(!timeLimit.isNegative() && !timeLimit.isZero(), "--time-limit must be positive");
        require(!drainLimit.isNegative(), "--drain-limit must not be negative");
        require(shopHeap.matches("[0-9]+[kKmMgG]?"), "--shop-heap must be a JVM size such as 1g");
        require(database.matches("[A-Za-z0-9_]{1,64}"), "--database must be a plain name");
        require(warmupOrders >= 0 && warmupOrders <= 1_000_000, "--warmup-orders must be 0 to 1000000");
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** The defaults: the full storm on H2. */
    public static StormOptions defaults() {
        return parse(new String[0], key -> null);
    }

    /** A copy with {@code orders} orders, and the bait scaled to it (1 %, at least 1); the warm-up stays. */
    public StormOptions withOrders(int newOrders) {
        return new StormOptions(db, newOrders, copies, signatures, forgedPercent, Math.max(1, newOrders / 100),
                concurrency, seed, out, timeLimit, drainLimit, shopHeap, database, shopJfr, warmupOrders);
    }

    /** A copy on another database. */
    public StormOptions withDb(Db newDb, String newDatabase) {
        return new StormOptions(newDb, orders, copies, signatures, forgedPercent, baitOrders, concurrency, seed,
                out, timeLimit, drainLimit, shopHeap, newDatabase, shopJfr, warmupOrders);
    }

    /** A copy writing to {@code newOut}. */
    public StormOptions withOut(Path newOut) {
        return new StormOptions(db, orders, copies, signatures, forgedPercent, baitOrders, concurrency, seed,
                newOut, timeLimit, drainLimit, shopHeap, database, shopJfr, warmupOrders);
    }

    /** A copy with other time limits. */
    public StormOptions withLimits(Duration newTimeLimit, Duration newDrainLimit) {
        return new StormOptions(db, orders, copies, signatures, forgedPercent, baitOrders, concurrency, seed,
                out, newTimeLimit, newDrainLimit, shopHeap, database, shopJfr, warmupOrders);
    }

    /** A copy with {@code newWarmupOrders} orders paid before the measured storm. */
    public StormOptions withWarmupOrders(int newWarmupOrders) {
        return new StormOptions(db, orders, copies, signatures, forgedPercent, baitOrders, concurrency, seed,
                out, timeLimit, drainLimit, shopHeap, database, shopJfr, newWarmupOrders);
    }

    /**
     * The warm-up's own storm, or null without one: {@link #warmupOrders()} orders with their bait
     * (1 %, at least 1), the seed plus one (other draws of members, products and quantities, and
     * other transaction ids), and no warm-up of its own; the rest as in this storm.
     */
    StormOptions warmup() {
        return warmupOrders == 0 ? null : new StormOptions(db, warmupOrders, copies, signatures, forgedPercent,
                Math.max(1, warmupOrders / 100), concurrency, seed + 1, out, timeLimit, drainLimit, shopHeap,
                database, shopJfr, 0);
    }

    /** Genuine requests: every copy of every order. */
    public long genuineRequests() {
        return (long) orders * copies;
    }

    /** Forged requests: {@code forgedPercent} % of the genuine ones, rounded. */
    public long forgedRequests() {
        return Math.round(genuineRequests() * forgedPercent / 100.0);
    }

    /**
     * Options from the command line and then the {@code storm.*} system properties.
     *
     * @throws IllegalArgumentException naming the option that is unknown or out of range
     */
    public static StormOptions parse(String[] args) {
        return parse(args, key -> System.getProperty("storm." + key));
    }

    static StormOptions parse(String[] args, Function<String, String> properties) {
        Map<String, String> given = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || a.length() == 2) {
                throw new IllegalArgumentException("expected --option value, got " + a);
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new IllegalArgumentException("--" + name + " needs a value");
            }
            if (!KNOWN.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: " + KNOWN);
            }
            given.put(name, value);
        }
        Function<String, String> value = key -> given.containsKey(key) ? given.get(key) : properties.apply(key);
        Db db = Db.of(orDefault(value.apply("db"), "h2"));
        int orders = number(value, "orders", 20_000);
        return new StormOptions(db, orders,
                number(value, "copies", 10),
                number(value, "signatures", 3),
                number(value, "forged-percent", 10),
                number(value, "bait", Math.max(1, orders / 100)),
                number(value, "concurrency", 16),
                number(value, "seed", 1),
                Path.of(orDefault(value.apply("out"), "bench/target/storm-" + db.value())),
                Duration.ofSeconds(number(value, "time-limit", 600)),
                Duration.ofSeconds(number(value, "drain-limit", 420)),
                orDefault(value.apply("shop-heap"), "1g").toLowerCase(Locale.ROOT),
                orDefault(value.apply("database"), "storm"),
                bool(value, "shop-jfr"),
                number(value, "warmup-orders", 5_000));
    }

    private static final java.util.Set<String> KNOWN = new java.util.TreeSet<>(java.util.List.of("db", "orders",
            "copies", "signatures", "forged-percent", "bait", "concurrency", "seed", "out", "time-limit",
            "drain-limit", "shop-heap", "database", "shop-jfr", "warmup-orders"));

    private static int number(Function<String, String> value, String key, int fallback) {
        String raw = value.apply(key);
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            return Integer.parseInt(raw.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a whole number, not " + raw);
        }
    }

    private static boolean bool(Function<String, String> value, String key) {
        String raw = orDefault(value.apply(key), "false");
        if (!raw.equalsIgnoreCase("true") && !raw.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("--" + key + " must be true or false, not " + raw);
        }
        return Boolean.parseBoolean(raw);
    }

    private static String orDefault(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    /** One line for the report. */
    public String summary() {
        return db.value() + ", " + orders + " orders x " + copies + " copies (" + signatures
                + " signatures each), " + forgedPercent + " % forged, " + baitOrders + " bait orders, "
                + concurrency + " senders, seed " + seed + (warmupOrders == 0
                        ? ", no warm-up" : ", after an unmeasured warm-up of " + warmupOrders + " orders");
    }
}
