package io.shopplug.simulator;

import static io.shopplug.simulator.DeliveryAttempt.Outcome.FAIL;
import static io.shopplug.simulator.DeliveryAttempt.Outcome.HTTP_ERROR;
import static io.shopplug.simulator.DeliveryAttempt.Outcome.NETWORK_ERROR;
import static io.shopplug.simulator.DeliveryAttempt.Outcome.SUCCESS;
import static io.shopplug.simulator.DeliveryAttempt.Outcome.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.simulator.DeliveryResult.Status;
import io.shopplug.simulator.ScriptedNotifyServer.Answer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NotifyDeliveryTest {

    private static final byte[] BODY =
            "<xml><out_trade_no><![CDATA[o-1]]></out_trade_no></xml>".getBytes(StandardCharsets.UTF_8);

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        toClose.add(c);
        return c;
    }

    private static DeliveryResult await(CompletableFuture<DeliveryResult> f) throws Exception {
        return f.get(20, TimeUnit.SECONDS);
    }

    private static List<String> summaries(DeliveryResult r) {
        return r.attempts().stream().map(DeliveryAttempt::summary).toList();
    }

    @Test
    void failTwiceThenSuccessMakesExactlyThreeAttemptsOnTheCompressedSchedule() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> n <= 2
                ? Answer.fail("plugin switched off") : Answer.ok()));
        List<DeliveryAttempt> heard = new CopyOnWriteArrayList<>();
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000)
                .listener(heard::add).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(Status.DELIVERED, r.status());
        assertEquals(List.of("attempt 1: FAIL plugin switched off",
                "attempt 2: FAIL plugin switched off", "attempt 3: SUCCESS OK"), summaries(r));
        assertEquals(r.attempts(), heard);
        assertEquals(3, server.received.size());
        for (ScriptedNotifyServer.Received req : server.received) {
            assertEquals("POST", req.method());
            assertEquals("text/xml", req.contentType());
            assertArrayEquals(BODY, req.body());
        }
        assertEquals("SUCCESS", r.lastAnswer().orElseThrow().returnCode());
        assertEquals(Duration.ofMillis(15), delivery.retryDelays().get(0));
    }

    @Test
    void alwaysFailGivesUpAfterTheWholeSchedule() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> Answer.fail("no")));
        // 24 h 4 min of WeChat's schedule compressed a million times: about 87 ms.
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1_000_000).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(Status.GAVE_UP, r.status());
        assertEquals(16, r.attemptCount());
        assertEquals(16, server.received.size());
        assertTrue(r.attempts().stream().allMatch(a -> a.outcome() == FAIL), summaries(r)::toString);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16),
                r.attempts().stream().map(DeliveryAttempt::number).toList());
    }

    @Test
    void waitsExactlyWeChatsDelaysBetweenAttempts() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> Answer.fail("no")));
        RecordingScheduler scheduler = new RecordingScheduler();
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().scheduler(scheduler).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(Status.GAVE_UP, r.status());
        List<Duration> expected = new ArrayList<>();
        expected.add(Duration.ZERO);
        expected.addAll(NotifyDelivery.WECHAT_RETRY_SCHEDULE);
        assertEquals(expected, scheduler.delays);
        assertEquals(Duration.ofHours(24).plusMinutes(4),
                NotifyDelivery.WECHAT_RETRY_SCHEDULE.stream().reduce(Duration.ZERO, Duration::plus));
    }

    @Test
    void compressionDividesEveryDelay() {
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000).build());
        assertEquals(Duration.ofMillis(15), delivery.retryDelays().get(0));
        assertEquals(Duration.ofMillis(180), delivery.retryDelays().get(3));
        assertEquals(Duration.ofMillis(21_600), delivery.retryDelays().get(14));
        assertEquals(15, delivery.retryDelays().size());
    }

    @Test
    void non200IsRetriedEvenWithASuccessBody() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> switch (n) {
            case 1 -> new Answer(500, "");
            case 2 -> new Answer(204, "");
            case 3 -> new Answer(503, ScriptedNotifyServer.SUCCESS);
            default -> Answer.ok();
        }));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(Status.DELIVERED, r.status());
        assertEquals(List.of("attempt 1: HTTP_ERROR HTTP 500", "attempt 2: HTTP_ERROR HTTP 204",
                "attempt 3: HTTP_ERROR HTTP 503", "attempt 4: SUCCESS OK"), summaries(r));
        assertEquals(503, r.attempts().get(2).answer().status());
    }

    @Test
    void twoHundredWithoutReturnCodeSuccessIsAFailure() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> switch (n) {
            case 1 -> new Answer(200, "OK");
            case 2 -> new Answer(200, "<xml><return_code>success</return_code></xml>");
            case 3 -> new Answer(200, "");
            default -> Answer.ok();
        }));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(List.of("attempt 1: FAIL no return_code in the answer",
                "attempt 2: FAIL", "attempt 3: FAIL no return_code in the answer",
                "attempt 4: SUCCESS OK"), summaries(r));
    }

    @Test
    void connectionRefusedIsRetried() throws Exception {
        int port;
        try (ScriptedNotifyServer probe = new ScriptedNotifyServer(n -> Answer.ok())) {
            port = probe.port(); // a port that was free a moment ago; nothing listens now
        }
        AtomicReference<ScriptedNotifyServer> late = new AtomicReference<>();
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder()
                .retrySchedule(List.of(Duration.ofMillis(10), Duration.ofMillis(10))).build());

        DeliveryResult r = await(delivery.deliver("http://127.0.0.1:" + port + "/notify", BODY,
                attempt -> {
                    if (attempt.number() == 1) { // the shop comes up before the retry
                        late.set(closeLater(new ScriptedNotifyServer(port, n -> Answer.ok())));
                    }
                }));

        assertEquals(Status.DELIVERED, r.status());
        assertEquals(NETWORK_ERROR, r.attempts().get(0).outcome());
        assertTrue(r.attempts().get(0).answerIfAny().isEmpty());
        assertTrue(r.attempts().get(0).detail().startsWith("connection failed"),
                r.attempts().get(0).detail());
        assertEquals(SUCCESS, r.attempts().get(1).outcome());
        assertEquals(1, late.get().received.size());
    }

    @Test
    void connectionRefusedEveryTimeGivesUp() throws Exception {
        int port;
        try (ScriptedNotifyServer probe = new ScriptedNotifyServer(n -> Answer.ok())) {
            port = probe.port();
        }
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder()
                .retrySchedule(List.of(Duration.ofMillis(5), Duration.ofMillis(5))).build());

        DeliveryResult r = await(delivery.deliver("http://127.0.0.1:" + port + "/notify", BODY));

        assertEquals(Status.GAVE_UP, r.status());
        assertEquals(3, r.attemptCount());
        assertTrue(r.attempts().stream().allMatch(a -> a.outcome() == NETWORK_ERROR));
        assertTrue(r.lastAnswer().isEmpty());
    }

    @Test
    void noAnswerWithinTheTimeoutIsRetried() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> n == 1
                ? ScriptedNotifyServer.HANG : Answer.ok()));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder()
                .timeout(Duration.ofMillis(300)).retrySchedule(List.of(Duration.ZERO)).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(List.of("attempt 1: TIMEOUT no answer within 300 ms", "attempt 2: SUCCESS OK"),
                summaries(r));
        assertEquals(TIMEOUT, r.attempts().get(0).outcome());
    }

    @Test
    void aThrowingListenerChangesNothing() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> n == 1
                ? Answer.fail("busy") : Answer.ok()));
        List<String> threads = new CopyOnWriteArrayList<>();
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000)
                .listener(a -> {
                    Thread t = Thread.currentThread();
                    threads.add(t.isDaemon() + " " + t.getName().replaceAll("\\d+$", "N"));
                    throw new IllegalStateException("listener bug");
                }).build());

        DeliveryResult r = await(delivery.deliver(server.url(), BODY));

        assertEquals(Status.DELIVERED, r.status());
        assertEquals(2, r.attemptCount());
        assertEquals(List.of("true wechatpay-sim-delivery-N", "true wechatpay-sim-delivery-N"),
                threads);
    }

    @Test
    void closeCancelsAPendingDelivery() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> Answer.fail("no")));
        NotifyDelivery delivery = NotifyDelivery.builder()
                .retrySchedule(List.of(Duration.ofHours(1))).build();
        CountDownLatch firstAttempt = new CountDownLatch(1);

        CompletableFuture<DeliveryResult> f = delivery.deliver(server.url(), BODY,
                a -> firstAttempt.countDown());
        assertTrue(firstAttempt.await(10, TimeUnit.SECONDS));
        assertFalse(f.isDone());
        delivery.close();

        DeliveryResult r = f.get(5, TimeUnit.SECONDS);
        assertEquals(Status.CANCELLED, r.status());
        assertEquals(1, r.attemptCount());
        assertThrows(IllegalStateException.class, () -> delivery.deliver(server.url(), BODY));
    }

    @Test
    void sendOnceReturnsStatusAndBodyAndCanRunConcurrently() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> n % 2 == 0
                ? Answer.ok() : Answer.fail("duplicate in flight")));
        NotifyDelivery delivery = closeLater(NotifyDelivery.create());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        toClose.add(pool::shutdownNow);

        List<Future<NotifyAnswer>> answers = new ArrayList<>();
        CountDownLatch start = new CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            answers.add(pool.submit(() -> {
                start.await();
                return delivery.sendOnce(server.url(), BODY);
            }));
        }
        start.countDown();
        int acknowledged = 0;
        for (Future<NotifyAnswer> a : answers) {
            NotifyAnswer answer = a.get(10, TimeUnit.SECONDS);
            assertEquals(200, answer.status());
            acknowledged += answer.acknowledged() ? 1 : 0;
        }
        assertEquals(4, acknowledged);
        assertEquals(8, server.received.size());
    }

    @Test
    void sendOnceThrowsWhenNobodyListens() {
        int port;
        try (ScriptedNotifyServer probe = new ScriptedNotifyServer(n -> Answer.ok())) {
            port = probe.port();
        }
        NotifyDelivery delivery = closeLater(NotifyDelivery.create());
        assertThrows(UncheckedIOException.class,
                () -> delivery.sendOnce("http://127.0.0.1:" + port + "/notify", BODY));
    }

    @Test
    void rejectsUrlsItCannotPostTo() {
        NotifyDelivery delivery = closeLater(NotifyDelivery.create());
        assertThrows(IllegalArgumentException.class, () -> delivery.deliver("ftp://127.0.0.1/x", BODY));
        assertThrows(IllegalArgumentException.class, () -> delivery.sendOnce("not a url", BODY));
    }

    private static final ApiV3Message V3 = new ApiV3Notifications(ApiV3NotificationsTest.MERCHANT,
            ApiV3NotificationsTest.RSA, ApiV3NotificationsTest.CLOCK).paid("SO-V3", 100);

    @Test
    void apiV3IsPostedAsJsonWithTheWechatpayHeadersAndJudgedByStatusAlone() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> switch (n) {
            case 1 -> new Answer(500, "{\"code\":\"FAIL\",\"message\":\"db down\"}");
            case 2 -> new Answer(200, "{\"code\":\"FAIL\"}"); // a 200 is received, whatever it says
            default -> new Answer(400, "");
        }));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1000).build());

        DeliveryResult r = await(delivery.deliver(server.url(), V3));

        assertEquals(Status.DELIVERED, r.status());
        assertEquals(List.of("attempt 1: HTTP_ERROR HTTP 500", "attempt 2: SUCCESS HTTP 200"),
                summaries(r));
        for (ScriptedNotifyServer.Received req : server.received) {
            assertEquals("POST", req.method());
            assertEquals("application/json", req.contentType());
            assertArrayEquals(V3.body(), req.body());
            V3.headers().forEach((name, value) -> assertEquals(value, req.headers().getFirst(name)));
        }
    }

    @Test
    void apiV3Takes204AndRetriesEveryOtherStatusAndTimeouts() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> switch (n) {
            case 1 -> ScriptedNotifyServer.HANG;
            case 2 -> new Answer(202, "");
            case 3 -> new Answer(302, "");
            case 4 -> Answer.fail("APIv2-style FAIL"); // under a 200: received, for APIv3
            default -> new Answer(204, "");
        }));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder()
                .timeout(Duration.ofMillis(300))
                .retrySchedule(List.of(Duration.ZERO, Duration.ZERO, Duration.ZERO)).build());

        DeliveryResult r = await(delivery.deliver(server.url(), V3));

        assertEquals(List.of("attempt 1: TIMEOUT no answer within 300 ms",
                "attempt 2: HTTP_ERROR HTTP 202", "attempt 3: HTTP_ERROR HTTP 302",
                "attempt 4: SUCCESS HTTP 200"), summaries(r));
    }

    @Test
    void apiV3GivesUpAfterTheScheduleAndSendOnceReturnsTheAnswer() throws Exception {
        ScriptedNotifyServer server = closeLater(new ScriptedNotifyServer(n -> new Answer(401, "")));
        NotifyDelivery delivery = closeLater(NotifyDelivery.builder().compress(1_000_000).build());

        DeliveryResult r = await(delivery.deliver(server.url(), V3));
        assertEquals(Status.GAVE_UP, r.status());
        assertEquals(16, r.attemptCount());
        assertEquals(401, delivery.sendOnce(server.url(), V3).status());
        assertEquals("application/json", server.received.get(16).contentType());
    }

    /** Records each requested delay and runs the task at once, on the calling thread. */
    static final class RecordingScheduler implements Scheduler {
        final List<Duration> delays = new CopyOnWriteArrayList<>();

        @Override
        public void schedule(Runnable task, Duration delay) {
            delays.add(delay);
            task.run();
        }

        @Override
        public void execute(Runnable task) {
            task.run();
        }

        @Override
        public void close() {
        }
    }
}
