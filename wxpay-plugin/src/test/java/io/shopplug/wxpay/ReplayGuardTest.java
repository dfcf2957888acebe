package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.github.benmanes.caffeine.cache.Ticker;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    private static final String TS = "1795487400";
    private static final String NONCE = "5K8264ILTKCH16CQ2502SI8ZNMTM67VS";
    private static final String MCH_ID = "1900000109";
    private static final String SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
    private static final byte[] BODY = "{\"id\":\"EV-2018022511223320873\"}".getBytes(StandardCharsets.UTF_8);
    private static final String SIG = "cm9tIFdlQ2hhdCBQYXkgd2l0aCBsb3ZlIGFuZCBub3QgcmVhbGx5IGEgc2lnbmF0dXJl";

    /** Caffeine time under the test's control. */
    static final class FakeTicker implements Ticker {
        private final AtomicLong nanos = new AtomicLong();

        @Override
        public long read() {
            return nanos.get();
        }

        void advance(Duration d) {
            nanos.addAndGet(d.toNanos());
        }
    }

    /** The key of a request with these headers (the rest fixed). */
    private static ReplayGuard.Key key(String timestamp, String nonce, String signature) {
        return ReplayGuard.key(MCH_ID, new ApiV3Headers(timestamp, nonce, signature, SERIAL, null), BODY);
    }

    private final FakeTicker ticker = new FakeTicker();
    private final ReplayGuard guard = new ReplayGuard(ReplayGuard.DEFAULT_WINDOW, 1_000, ticker);

    @Test
    void theFirstCopyIsNew() {
        assertEquals(ReplayGuard.State.NEW, guard.begin(key(TS, NONCE, SIG)).state());
        assertEquals(ReplayGuard.State.NEW, guard.begin(key(TS, NONCE, SIG + "x")).state(), "another signature");
        assertEquals(ReplayGuard.State.NEW, guard.begin(key(TS, NONCE + "x", SIG)).state(), "another nonce");
        assertEquals(ReplayGuard.State.NEW, guard.begin(key("1795487401", NONCE, SIG)).state(), "another timestamp");
    }

    @Test
    void theKeyCannotBeShiftedBetweenParts() {
        assertEquals(ReplayGuard.State.NEW, guard.begin(key("12", "34", SIG)).state());
        assertEquals(ReplayGuard.State.NEW, guard.begin(key("123", "4", SIG)).state());
    }

    @Test
    void theKeyCoversTheMerchantsTheSerialTheSignatureTypeAndTheBody() {
        ApiV3Headers headers = new ApiV3Headers(TS, NONCE, SIG, SERIAL, null);
        guard.begin(ReplayGuard.key(MCH_ID, headers, BODY)).committed();
        byte[] otherBody = BODY.clone();
        otherBody[3] ^= 1;

        assertNull(guard.peek(ReplayGuard.key("1900000110", headers, BODY)), "another merchant's path");
        assertNull(guard.peek(ReplayGuard.key(MCH_ID, new ApiV3Headers(TS, NONCE, SIG, SERIAL + "0", null), BODY)),
                "another serial");
        assertNull(guard.peek(ReplayGuard.key(MCH_ID,
                new ApiV3Headers(TS, NONCE, SIG, SERIAL, "WECHATPAY2-SM2-WITH-SM3"), BODY)), "another signature type");
        assertNull(guard.peek(ReplayGuard.key(MCH_ID, new ApiV3Headers(TS, NONCE, SIG, SERIAL, ""), BODY)),
                "an empty signature type, which the verifier refuses");
        assertEquals(ReplayGuard.State.DONE, guard.peek(ReplayGuard.key(MCH_ID,
                new ApiV3Headers(TS, NONCE, SIG, SERIAL, "WECHATPAY2-SHA256-RSA2048"), BODY)),
                "RSA named, as the verifier reads an absent type");
        assertNull(guard.peek(ReplayGuard.key(MCH_ID, headers, otherBody)), "another body");
        assertEquals(ReplayGuard.State.DONE, guard.peek(ReplayGuard.key(MCH_ID,
                new ApiV3Headers(TS, NONCE, SIG, SERIAL, null), BODY.clone())), "the same request");
    }

    @Test
    void peekingAnswersWithoutClaiming() {
        assertNull(guard.peek(key(TS, NONCE, SIG)));
        assertNull(guard.peek(key(TS, NONCE, SIG)), "a peek claims nothing");
        ReplayGuard.Ticket first = guard.begin(key(TS, NONCE, SIG));
        assertEquals(ReplayGuard.State.NEW, first.state());
        assertEquals(ReplayGuard.State.IN_FLIGHT, guard.peek(key(TS, NONCE, SIG)));
        first.committed();
        assertEquals(ReplayGuard.State.DONE, guard.peek(key(TS, NONCE, SIG)));
        first.failed(); // ended already: the committed key stays
        assertEquals(ReplayGuard.State.DONE, guard.peek(key(TS, NONCE, SIG)));

        assertEquals(1, guard.count(ReplayGuard.State.NEW));
        assertEquals(1, guard.count(ReplayGuard.State.IN_FLIGHT));
        assertEquals(2, guard.count(ReplayGuard.State.DONE));
    }

    @Test
    void aCopyWhileTheFirstIsProcessedIsInFlight() {
        ReplayGuard.Ticket first = guard.begin(key(TS, NONCE, SIG));
        ReplayGuard.Ticket copy = guard.begin(key(TS, NONCE, SIG));
        assertEquals(ReplayGuard.State.IN_FLIGHT, copy.state());
        copy.failed(); // a non-NEW ticket changes nothing
        assertEquals(ReplayGuard.State.IN_FLIGHT, guard.begin(key(TS, NONCE, SIG)).state());
        first.committed();
        assertEquals(ReplayGuard.State.DONE, guard.begin(key(TS, NONCE, SIG)).state());
    }

    @Test
    void aCopyAfterACommitIsDone() {
        guard.begin(key(TS, NONCE, SIG)).committed();
        ReplayGuard.Ticket copy = guard.begin(key(TS, NONCE, SIG));
        assertEquals(ReplayGuard.State.DONE, copy.state());
        copy.failed();
        assertEquals(ReplayGuard.State.DONE, guard.begin(key(TS, NONCE, SIG)).state());
    }

    @Test
    void aCopyAfterAFailureIsNewAgain() {
        ReplayGuard.Ticket first = guard.begin(key(TS, NONCE, SIG));
        first.failed();
        ReplayGuard.Ticket retry = guard.begin(key(TS, NONCE, SIG));
        assertEquals(ReplayGuard.State.NEW, retry.state());
        first.committed(); // too late: the first ticket already ended and must not touch the retry
        assertEquals(ReplayGuard.State.IN_FLIGHT, guard.begin(key(TS, NONCE, SIG)).state());
        retry.committed();
        assertEquals(ReplayGuard.State.DONE, guard.begin(key(TS, NONCE, SIG)).state());
    }

    @Test
    void aTicketEndsOnce() {
        ReplayGuard.Ticket first = guard.begin(key(TS, NONCE, SIG));
        first.committed();
        first.failed();
        assertEquals(ReplayGuard.State.DONE, guard.begin(key(TS, NONCE, SIG)).state());
    }

    @Test
    void entriesExpireAfterTheWindow() {
        guard.begin(key(TS, NONCE, SIG)).committed();
        ticker.advance(Duration.ofSeconds(299));
        assertEquals(ReplayGuard.State.DONE, guard.begin(key(TS, NONCE, SIG)).state());
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(ReplayGuard.State.NEW, guard.begin(key(TS, NONCE, SIG)).state());
    }

    @Test
    void aStuckInFlightEntryExpiresToo() {
        guard.begin(key(TS, NONCE, SIG)); // never ended: a thread died
        ticker.advance(Duration.ofSeconds(300));
        ReplayGuard.Ticket retry = guard.begin(key(TS, NONCE, SIG));
        assertEquals(ReplayGuard.State.NEW, retry.state());
    }

    @Test
    void countsWhatItSaw() {
        ReplayGuard.Ticket first = guard.begin(key(TS, NONCE, SIG));
        guard.begin(key(TS, NONCE, SIG));
        guard.begin(key(TS, NONCE, SIG));
        first.committed();
        guard.begin(key(TS, NONCE, SIG));
        assertEquals(1, guard.count(ReplayGuard.State.NEW));
        assertEquals(2, guard.count(ReplayGuard.State.IN_FLIGHT));
        assertEquals(1, guard.count(ReplayGuard.State.DONE));
        assertEquals(1, guard.size());
    }

    @Test
    void simultaneousCopiesGetExactlyOneNew() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 50; round++) {
                String nonce = NONCE + round;
                CountDownLatch start = new CountDownLatch(1);
                List<Future<ReplayGuard.State>> states = new ArrayList<>();
                for (int i = 0; i < threads; i++) {
                    states.add(pool.submit(() -> {
                        start.await();
                        return guard.begin(key(TS, nonce, SIG)).state();
                    }));
                }
                start.countDown();
                int fresh = 0;
                for (Future<ReplayGuard.State> s : states) {
                    if (s.get(10, TimeUnit.SECONDS) == ReplayGuard.State.NEW) {
                        fresh++;
                    }
                }
                assertEquals(1, fresh, "round " + round);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
