package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.SignatureException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CryptoPoolTest {
    /** A pooled thing that knows whether someone holds it. */
    private static final class Thing {
        final AtomicBoolean held = new AtomicBoolean();
    }

    private final AtomicInteger made = new AtomicInteger();

    private CryptoPool<Thing> pool(int capacity) {
        return new CryptoPool<>(capacity, () -> {
            made.incrementAndGet();
            return new Thing();
        });
    }

    private static Thing identity(CryptoPool<Thing> pool) throws GeneralSecurityException {
        return pool.use(t -> t);
    }

    @Test
    void anObjectIsMadeOnFirstNeedAndReusedAfterACleanUse() throws GeneralSecurityException {
        CryptoPool<Thing> pool = pool(4);
        assertEquals(0, made.get(), "nothing is made up front");
        Thing first = identity(pool);
        assertSame(first, identity(pool));
        assertEquals(1, made.get());
        assertEquals(1, pool.idleCount());
    }

    @Test
    void anObjectWhoseUseThrewIsDroppedAndTheExceptionPassesOn() throws GeneralSecurityException {
        CryptoPool<Thing> pool = pool(4);
        Thing first = identity(pool);
        SignatureException thrown = new SignatureException("broken");
        assertSame(thrown, assertThrows(SignatureException.class, () -> pool.use(t -> {
            assertSame(first, t);
            throw thrown;
        })));
        assertEquals(0, pool.idleCount());
        assertThrows(IllegalStateException.class, () -> pool.use(t -> {
            throw new IllegalStateException("unchecked too");
        }));
        assertEquals(0, pool.idleCount());
        assertNotSame(first, identity(pool), "the broken object never comes back");
        assertEquals(3, made.get());
    }

    @Test
    void atMostCapacityIdleObjectsAreKept() throws Exception {
        CryptoPool<Thing> pool = pool(2);
        // Three nested uses hold three objects at once; all three are given back, one is dropped.
        pool.use(a -> pool.use(b -> pool.use(c -> null)));
        assertEquals(3, made.get());
        assertEquals(2, pool.idleCount());
        pool.use(a -> pool.use(b -> pool.use(c -> null)));
        assertEquals(4, made.get(), "two came from the pool, one was made");
        assertThrows(IllegalArgumentException.class, () -> pool(0));
    }

    @Test
    void noObjectIsEverHeldByTwoThreadsAtOnce() throws Exception {
        CryptoPool<Thing> pool = pool(3);
        AtomicInteger overlaps = new AtomicInteger();
        int threads = 8;
        int usesPerThread = 20_000;
        inThreads(threads, thread -> {
            for (int n = 0; n < usesPerThread; n++) {
                pool.use(t -> {
                    if (!t.held.compareAndSet(false, true)) {
                        overlaps.incrementAndGet();
                    }
                    Thread.onSpinWait();
                    t.held.set(false);
                    return null;
                });
            }
        });
        assertEquals(0, overlaps.get());
        assertTrue(pool.idleCount() <= 3);
        assertTrue(made.get() < threads * usesPerThread / 4, "objects are reused: " + made.get() + " made");
    }

    /** The body of one test thread; {@code thread} is its number, from 0. */
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /** Runs {@code body} in {@code threads} threads started together; fails with the first failure. */
    static void inThreads(int threads, ThreadBody body) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int thread = i;
                done.add(executor.submit((Callable<Void>) () -> {
                    start.await();
                    body.run(thread);
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                try {
                    f.get(120, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Error) {
                        throw (Error) e.getCause();
                    }
                    throw e;
                }
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
