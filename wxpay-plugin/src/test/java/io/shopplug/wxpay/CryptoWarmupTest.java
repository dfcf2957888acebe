package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CryptoWarmupTest {

    @Test
    void runsTheWholeApiV3PathOnMadeUpDataAndChecksEachPayment() {
        assertEquals(200, CryptoWarmup.run(200, Duration.ofMinutes(1)));
    }

    @Test
    void stopsAtItsTimeLimit() {
        assertEquals(0, CryptoWarmup.run(Integer.MAX_VALUE, Duration.ZERO));
    }
}
