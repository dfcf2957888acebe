package io.shopplug.bench.storm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.bench.storm.StormPlan.Forgery;
import io.shopplug.bench.storm.StormPlan.Shot;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The storm's plan and options: what is sent, how often, in which order. */
class StormPlanTest {

    private static StormOptions options(String... args) {
        return StormOptions.parse(args, key -> null);
    }

    @Test
    void everyCopyOfEveryOrderOnceWithTheFirstTwoTogetherAndTenPercentForged() {
        StormPlan plan = new StormPlan(options("--orders", "1000"));
        assertEquals(1000 * 10 + 1000, plan.requests());
        int[][] copies = new int[1000][10];
        Map<Forgery, Integer> forged = new EnumMap<>(Forgery.class);
        int request = 0;
        for (int s = 0; s < plan.shots(); s++) {
            Shot shot = plan.shot(s);
            assertEquals(request, shot.firstRequest());
            request += shot.requests();
            if (shot.forged()) {
                forged.merge(shot.forgery(), 1, Integer::sum);
                int bound = shot.forgery() == Forgery.UNTRUSTED_KEY ? plan.baitOrders()
                        : shot.forgery() == Forgery.STALE_TIMESTAMP ? plan.staleOrders().length : plan.orders();
                assertTrue(shot.order() >= 0 && shot.order() < bound, shot.toString());
            } else {
                copies[shot.order()][shot.copy()]++;
                if (shot.pair()) {
                    copies[shot.order()][1]++;
                    assertEquals(2, shot.requests());
                }
                assertEquals(StormPlan.signatureOf(shot.copy(), 10, 3), shot.signature());
            }
        }
        assertEquals(plan.requests(), request);
        for (int[] c : copies) {
            for (int n : c) {
                assertEquals(1, n);
            }
        }
        for (Forgery f : Forgery.values()) {
            assertEquals(200, forged.get(f), f.name());
        }
        assertEquals(10, plan.baitOrders(), "1 % of the orders");
    }

    @Test
    void retriesShareOutTheSignaturesSoSomeRepeatTheFirstByteForByte() {
        List<Integer> signatures = new ArrayList<>();
        for (int k = 0; k < 10; k++) {
            signatures.add(StormPlan.signatureOf(k, 10, 3));
        }
        assertEquals(List.of(0, 0, 0, 0, 0, 1, 1, 1, 2, 2), signatures);
        assertEquals(0, StormPlan.signatureOf(1, 2, 1));
        assertEquals(1, StormPlan.signatureOf(3, 4, 2));
    }

    @Test
    void firstDeliveriesAndRetriesInterleave() {
        StormPlan plan = new StormPlan(options("--orders", "2000"));
        // Well into the storm, a stretch of shots holds first deliveries and retries.
        int retries = 0;
        int firsts = 0;
        for (int s = plan.shots() / 3; s < plan.shots() / 3 + 1000; s++) {
            Shot shot = plan.shot(s);
            if (!shot.forged()) {
                if (shot.copy() == 0) {
                    firsts++;
                } else {
                    retries++;
                }
            }
        }
        assertTrue(firsts > 50 && retries > 500, firsts + " first deliveries, " + retries + " retries");
        // Every order's first delivery comes before its retries.
        int[] first = new int[2000];
        java.util.Arrays.fill(first, -1);
        for (int s = 0; s < plan.shots(); s++) {
            Shot shot = plan.shot(s);
            if (!shot.forged() && shot.copy() == 0) {
                first[shot.order()] = s;
            } else if (!shot.forged()) {
                assertTrue(first[shot.order()] >= 0 && first[shot.order()] < s, "order " + shot.order());
            }
        }
    }

    @Test
    void theSameSeedMakesTheSamePlan() {
        StormPlan a = new StormPlan(options("--orders", "300", "--seed", "7"));
        StormPlan b = new StormPlan(options("--orders", "300", "--seed", "7"));
        StormPlan c = new StormPlan(options("--orders", "300", "--seed", "8"));
        boolean differs = false;
        for (int s = 0; s < a.shots(); s++) {
            assertEquals(a.shot(s), b.shot(s));
            differs |= !a.shot(s).equals(c.shot(s));
        }
        for (int i = 0; i < 300; i++) {
            assertEquals(a.order(i), b.order(i));
        }
        assertTrue(differs);
    }

    @Test
    void optionsFromTheCommandLineThenSystemPropertiesThenDefaults() {
        StormOptions d = options();
        assertEquals(StormOptions.Db.H2, d.db());
        assertEquals(20_000, d.orders());
        assertEquals(10, d.copies());
        assertEquals(3, d.signatures());
        assertEquals(10, d.forgedPercent());
        assertEquals(200, d.baitOrders());
        assertEquals(Path.of("bench/target/storm-h2"), d.out());
        assertEquals(Duration.ofMinutes(10), d.timeLimit());
        assertEquals(Duration.ofMinutes(7), d.drainLimit());
        assertEquals(220_000, d.genuineRequests() + d.forgedRequests());
        assertEquals(5_000, d.warmupOrders());
        StormOptions w = d.warmup();
        assertEquals(5_000, w.orders(), "the warm-up's own storm");
        assertEquals(50, w.baitOrders());
        assertEquals(d.seed() + 1, w.seed(), "other members, products and transaction ids");
        assertEquals(0, w.warmupOrders(), "no warm-up of its own");
        assertEquals(d.copies(), w.copies());
        assertEquals(d.forgedPercent(), w.forgedPercent());
        assertNull(options("--warmup-orders", "0").warmup(), "0: no warm-up");
        assertEquals(2, options("--warmup-orders", "200").warmup().baitOrders(), "1 % bait");
        assertEquals(300, StormOptions.parse(new String[0], key -> key.equals("warmup-orders") ? "300" : null)
                .warmupOrders(), "or the system property");

        StormOptions m = StormOptions.parse(new String[] {"--db", "mariadb", "--orders=500", "--concurrency", "8"},
                key -> key.equals("orders") ? "9" : key.equals("seed") ? "42" : null);
        assertEquals(StormOptions.Db.MARIADB, m.db());
        assertEquals(500, m.orders(), "the command line wins");
        assertEquals(42, m.seed(), "then the system property");
        assertEquals(8, m.concurrency());
        assertEquals(5, m.baitOrders());
        assertEquals(Path.of("bench/target/storm-mariadb"), m.out());

        assertEquals("unknown option --order; known: [bait, concurrency, copies, database, db, drain-limit, forged-percent,"
                + " orders, out, seed, shop-heap, shop-jfr, signatures, time-limit, warmup-orders]",
                assertThrows(IllegalArgumentException.class, () -> options("--order", "5")).getMessage());
        assertEquals("--db must be h2 or mariadb, not postgres",
                assertThrows(IllegalArgumentException.class, () -> options("--db", "postgres")).getMessage());
        assertEquals("--signatures must be 1 to copies - 2 (each signature carries at least one copy)",
                assertThrows(IllegalArgumentException.class, () -> options("--copies", "4", "--signatures", "3"))
                        .getMessage());
        assertNotEquals(d, options("--shop-jfr", "true"));
        assertThrows(IllegalArgumentException.class, () -> options("--shop-jfr", "yes"));
        assertEquals("--warmup-orders must be 0 to 1000000",
                assertThrows(IllegalArgumentException.class, () -> options("--warmup-orders", "-1")).getMessage());
    }
}
