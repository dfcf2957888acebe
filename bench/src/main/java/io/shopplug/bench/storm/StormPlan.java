package io.shopplug.bench.storm;

import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;

/**
 * What the storm will do, fixed by the options and the seed before anything is sent: each order's
 * member, product and quantity, and the order in which every genuine copy and every forgery goes
 * out. Immutable.
 *
 * <p>Copy {@code k} of order {@code i} sits at position {@code i + k * gap} (plus a random
 * fraction), with {@code gap = orders / (2 * copies)}: first deliveries of new orders and retries
 * of earlier ones interleave, as in a storm, rather than ten passes one after another; after the
 * last first delivery, the retries of the last orders trail off. Copies 0 and 1 are one shot of
 * two simultaneous requests. Forgeries sit at random positions.
 */
final class StormPlan {

    /** The seed shop's products and members (sample-host ShopDatabase): ids 1-4 and 1-3. */
    static final int PRODUCTS = 4;
    static final int MEMBERS = 3;
    /** How many distinct stale notices are signed; the stale forgeries reuse them. */
    static final int STALE_POOL = 64;

    /** How a forged request is made. */
    enum Forgery {
        /** A genuine body with one character of the ciphertext changed, under its genuine headers. */
        TAMPERED_BODY,
        /** A genuine body and headers with the (valid) signature of another notification. */
        SPLICED_SIGNATURE,
        /** A genuine notification naming a {@code Wechatpay-Serial} the shop does not know. */
        UNKNOWN_SERIAL,
        /** A genuine notification, signed with the genuine key, ten minutes old. */
        STALE_TIMESTAMP,
        /** A payment of a bait order, signed with a key the shop does not trust under the genuine serial. */
        UNTRUSTED_KEY
    }

    /**
     * One thing to send: a genuine copy (or copies 0 and 1 together) of order {@code order}, or a
     * forgery aimed at order {@code order} (a bait order for {@link Forgery#UNTRUSTED_KEY}).
     *
     * @param firstRequest the index of its first request among all requests of the storm
     */
    record Shot(int order, int copy, int signature, Forgery forgery, int firstRequest) {
        boolean pair() {
            return forgery == null && copy == 0;
        }

        int requests() {
            return pair() ? 2 : 1;
        }

        boolean forged() {
            return forgery != null;
        }
    }

    /** An order to place: who buys what. */
    record Line(long memberId, long productId, int quantity) {}

    private final Line[] orders;
    private final Line[] bait;
    private final Shot[] shots;
    private final int requests;
    private final int[] staleOrders;

    StormPlan(StormOptions options) {
        Random random = new Random(options.seed());
        orders = lines(random, options.orders());
        bait = lines(random, options.baitOrders());
        int n = options.orders();
        int copies = options.copies();
        double gap = Math.max(1.0, n / (2.0 * copies));
        long forged = options.forgedRequests();
        int count = Math.toIntExact((long) n * (copies - 1) + forged);
        Shot[] unsorted = new Shot[count];
        double[] position = new double[count];
        int s = 0;
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < copies; k++) {
                if (k == 1) {
                    continue; // sent with copy 0
                }
                position[s] = i + k * gap + random.nextDouble();
                unsorted[s++] = new Shot(i, k, signatureOf(k, copies, options.signatures()), null, -1);
            }
        }
        double span = n + (copies - 1) * gap;
        staleOrders = new int[Math.min(STALE_POOL, n)];
        for (int i = 0; i < staleOrders.length; i++) {
            staleOrders[i] = random.nextInt(n);
        }
        Forgery[] kinds = Forgery.values();
        for (long f = 0; f < forged; f++) {
            Forgery kind = kinds[(int) (f % kinds.length)];
            int target = switch (kind) {
                case UNTRUSTED_KEY -> random.nextInt(bait.length);
                case STALE_TIMESTAMP -> random.nextInt(staleOrders.length); // an index into the pool
                default -> random.nextInt(n);
            };
            position[s] = random.nextDouble() * span;
            unsorted[s++] = new Shot(target, -1, -1, kind, -1);
        }
        Integer[] order = new Integer[count];
        for (int i = 0; i < count; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble(i -> position[i]));
        shots = new Shot[count];
        int request = 0;
        for (int i = 0; i < count; i++) {
            Shot u = unsorted[order[i]];
            shots[i] = new Shot(u.order(), u.copy(), u.signature(), u.forgery(), request);
            request += shots[i].requests();
        }
        requests = request;
    }

    /**
     * Which signature copy {@code k} carries: copies 0 and 1 the first; the retries 2 ..
     * {@code copies - 1} shared out in runs over all {@code signatures}, so the first run repeats
     * the first signature byte for byte.
     */
    static int signatureOf(int k, int copies, int signatures) {
        if (k < 2 || copies <= 2) {
            return 0;
        }
        return (k - 2) * signatures / (copies - 2);
    }

    private static Line[] lines(Random random, int count) {
        Line[] lines = new Line[count];
        for (int i = 0; i < count; i++) {
            lines[i] = new Line(1 + random.nextInt(MEMBERS), 1 + random.nextInt(PRODUCTS), 1 + random.nextInt(3));
        }
        return lines;
    }

    Line order(int i) {
        return orders[i];
    }

    int orders() {
        return orders.length;
    }

    Line bait(int i) {
        return bait[i];
    }

    int baitOrders() {
        return bait.length;
    }

    /** The shots in sending order. */
    Shot shot(int i) {
        return shots[i];
    }

    int shots() {
        return shots.length;
    }

    /** Every request of the storm (a pair counts two). */
    int requests() {
        return requests;
    }

    /** The genuine orders the stale forgeries replay; {@link Shot#order()} of one indexes this. */
    int[] staleOrders() {
        return staleOrders.clone();
    }
}
