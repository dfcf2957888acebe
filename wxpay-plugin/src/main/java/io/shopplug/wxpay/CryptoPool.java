package io.shopplug.wxpay;

import java.security.GeneralSecurityException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A small, bounded, lock-free pool of reusable JCA objects that are not thread-safe, such as a
 * {@link java.security.Signature} or a {@link javax.crypto.Cipher} for one algorithm.
 *
 * <p>{@link #use} lends an object to one thread at a time. The work must initialise it fully
 * before using it ({@code initVerify}, or {@code init} with the key and a fresh IV), since the
 * previous user left it in whatever state its last use did. The object goes back to the pool only
 * when the work returns normally; after an exception it is dropped. At most {@code capacity} idle
 * objects are kept; the pool makes a new one when none is idle and drops one given back to a full
 * pool. It holds nothing per thread (no {@code ThreadLocal}), so it is collected with its owner
 * and never ties the plugin's class loader to a container's threads. Thread-safe.
 */
final class CryptoPool<T> {
    /** Idle objects kept per pool: enough for every core to be in the middle of a use, twice. */
    static final int DEFAULT_CAPACITY = Math.max(4, Math.min(32, 2 * Runtime.getRuntime().availableProcessors()));

    /** One use of a pooled object. */
    interface Work<T, R> {
        R apply(T pooled) throws GeneralSecurityException;
    }

    private final Supplier<T> factory;
    /** Idle objects; null slots are free. */
    private final AtomicReferenceArray<T> idle;

    /**
     * @param capacity the most idle objects kept, at least 1
     * @param factory makes a new object; it may throw an unchecked exception, which {@link #use}
     *     passes on
     */
    CryptoPool(int capacity, Supplier<T> factory) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1");
        }
        this.idle = new AtomicReferenceArray<>(capacity);
        this.factory = Objects.requireNonNull(factory, "factory");
    }

    /**
     * Runs {@code work} on an idle or new object that no other thread holds meanwhile.
     *
     * @return what {@code work} returned; the object is then back in the pool (if there is room)
     * @throws GeneralSecurityException what {@code work} threw; the object is then dropped
     */
    <R> R use(Work<T, R> work) throws GeneralSecurityException {
        T pooled = borrow();
        R result = work.apply(pooled);
        giveBack(pooled);
        return result;
    }

    private T borrow() {
        for (int i = 0; i < idle.length(); i++) {
            T pooled = idle.get(i);
            if (pooled != null && idle.compareAndSet(i, pooled, null)) {
                return pooled;
            }
        }
        return Objects.requireNonNull(factory.get(), "pooled object");
    }

    private void giveBack(T pooled) {
        for (int i = 0; i < idle.length(); i++) {
            if (idle.get(i) == null && idle.compareAndSet(i, null, pooled)) {
                return;
            }
        }
        // Full: leave it to the garbage collector.
    }

    /** How many objects are idle now; for tests. */
    int idleCount() {
        int n = 0;
        for (int i = 0; i < idle.length(); i++) {
            if (idle.get(i) != null) {
                n++;
            }
        }
        return n;
    }
}
