package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class CryptoWarmupTest {

    @Test
    void runsTheWholeApiV3PathOnMadeUpDataAndChecksEachPayment() {
        assertEquals(200, CryptoWarmup.run(200, Duration.ofMinutes(1)));
    }

    @Test
    @Timeout(60)
    void stopsAtItsTimeLimit() {
        assertEquals(0, CryptoWarmup.run(Integer.MAX_VALUE, Duration.ZERO));
    }

    @Test
    void stopsWhenItsThreadIsInterrupted() throws InterruptedException {
        AtomicInteger done = new AtomicInteger(-1);
        Thread t = new Thread(() -> done.set(CryptoWarmup.run(Integer.MAX_VALUE, Duration.ofMinutes(5))));
        t.start();
        Thread.sleep(1_500);
        t.interrupt();
        t.join(30_000);
        assertFalse(t.isAlive(), "still warming up");
        assertTrue(done.get() >= 0 && done.get() < Integer.MAX_VALUE, "ran " + done.get());
    }
}
