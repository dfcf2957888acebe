package io.shopplug.bench.storm;

import java.time.Duration;

/** The storm's overall time limit: every phase checks it, and stops once it has passed. */
final class Deadline {
    private final Duration limit;
    private final long endNanos;

    private Deadline(Duration limit) {
        this.limit = limit;
        this.endNanos = System.nanoTime() + limit.toNanos();
    }

    /** A deadline {@code limit} from now. */
    static Deadline in(Duration limit) {
        return new Deadline(limit);
    }

    boolean passed() {
        return System.nanoTime() - endNanos >= 0;
    }

    /** Milliseconds left, at least 1. */
    long remainingMillis() {
        return Math.max(1, (endNanos - System.nanoTime()) / 1_000_000);
    }

    /** The whole limit. */
    Duration limit() {
        return limit;
    }

    /**
     * @throws Exceeded if the deadline has passed
     */
    void check(String during) {
        if (passed()) {
            throw new Exceeded("the storm's time limit of " + limit.toSeconds() + " s passed while " + during);
        }
    }

    /** The time limit passed. */
    static final class Exceeded extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Exceeded(String message) {
            super(message, null, false, false);
        }
    }
}
