package io.shopplug.wxpay;

import static io.shopplug.wxpay.V2Bodies.FIXTURE_ORDER;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_OUT_REFUND;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_REFUND;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_TRANSACTION;
import static io.shopplug.wxpay.V2Bodies.fixture;
import static io.shopplug.wxpay.V2Bodies.paid;
import static io.shopplug.wxpay.V2Bodies.refund;
import static io.shopplug.wxpay.V2Bodies.refundOuter;
import static io.shopplug.wxpay.V2Bodies.refunded;
import static io.shopplug.wxpay.V2Bodies.signed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.RefundEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * APIv2 refunds through the whole pipeline on an in-memory H2 database, wired by hand as
 * {@link NotifyModule} wires it: {@link ApiV2Endpoint} → {@link NotifyProcessor} (refunds checked
 * against the recorded payment, in the transaction that records them) → {@link NotifyStore} →
 * {@link Dispatcher} → {@code onRefunded}. Everything logged and every table is checked for the
 * APIv2 key and the refund key.
 */
class RefundPipelineTest {
    private static final Instant T0 = Instant.parse("2026-11-25T01:20:00.250Z");
    private static final Instant SUCCESS_TIME = Instant.parse("2026-11-25T01:15:30Z");
    private static final String REMOTE = "175.24.214.208";
    private static final int RACERS = 20;

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private final RefundRecorder refunds = new RefundRecorder();
    private Tables tables;
    private Database database;
    private NotifyStore store;
    private Dispatcher dispatcher;
    private ApiV2Endpoint endpoint;
    private NotifyLog notifyLog;
    private List<Merchants.Merchant> merchants;
    private CapturedStderr logged;

    @BeforeEach
    void wire() {
        logged = CapturedStderr.start();
        tables = Tables.inMemory("refunds");
        DataSource dataSource = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", RACERS + 5,
                Duration.ofSeconds(10));
        new SchemaMigrator(dataSource, clock).migrate();
        database = new Database(dataSource, Database.DEFAULT_STATEMENT_TIMEOUT);
        store = new NotifyStore(database.sessionFactory(), clock);
        Map<String, String> settings = new HashMap<>();
        settings.put(Settings.MCH_ID, V2Bodies.MCH_ID);
        settings.put(Settings.APP_ID, V2Bodies.APP_ID);
        settings.put(Settings.API_V2_KEY, V2Bodies.KEY);
        settings.put(Settings.DB_URL, tables.url());
        WxPayConfig config = WxPayConfig.from(settings);
        merchants = new Merchants(config.merchants(), clock, config.apiBaseUrl()).all();
        dispatcher = new Dispatcher(store, List.of(refunds, new ApiV2EndpointTest.OrderStatusListener(orders)),
                clock, 4);
        notifyLog = new NotifyLog(store, clock);
        endpoint = new ApiV2Endpoint(new NotifyProcessor(store, orders, dispatcher), notifyLog);
    }

    @AfterEach
    void checkSecretsAndClose() {
        try {
            dispatcher.close();
            notifyLog.close();
            List<String> secrets = List.of(V2Bodies.KEY, V2Bodies.REFUND_AES_KEY);
            tables.assertNoneContains(secrets);
            String log = logged.text();
            for (String secret : secrets) {
                assertFalse(log.contains(secret), "a secret was logged");
            }
        } finally {
            logged.close();
            database.close();
            tables.shutdown();
        }
    }

    private Answer handle(byte[] body) {
        return endpoint.handle(body, REMOTE, merchants);
    }

    /** Pays {@code outTradeNo} with {@code transactionId} through the pipeline. */
    private void pay(String transactionId, String outTradeNo, long fen) {
        orders.put(outTradeNo, fen, "CNY", OrderState.AWAITING_PAYMENT);
        assertSuccess(handle(signed(paid(transactionId, outTradeNo, fen))));
    }

    // ---- accepted

    @Test
    void aRefundOfARecordedPaymentIsRecordedAndToldToTheListeners() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        assertSuccess(handle(fixture("paid.xml")));
        clock.set(T0.plusSeconds(1));

        assertSuccess(handle(fixture("refund.xml")));

        List<Map<String, Object>> rows = tables.rows(
                "SELECT * FROM wxpay_transaction WHERE event_kind = 'REFUND'");
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals(FIXTURE_REFUND, row.get("business_key"));
        assertEquals(FIXTURE_TRANSACTION, row.get("transaction_id"));
        assertEquals(FIXTURE_ORDER, row.get("out_trade_no"));
        assertEquals(FIXTURE_OUT_REFUND, row.get("out_refund_no"));
        assertEquals(500L, row.get("amount_fen"));
        assertEquals(1999L, row.get("payment_fen"));
        assertNull(row.get("sp_merchant_id"));
        assertEquals(SUCCESS_TIME, row.get("event_time"));
        assertEquals(T0.plusSeconds(1), row.get("recorded_at"));
        assertNull(tables.rows("SELECT payment_fen FROM wxpay_transaction WHERE event_kind = 'PAYMENT'")
                .get(0).get("payment_fen"));

        awaitDelivered(4);
        assertEquals(1, refunds.events.size());
        RefundEvent e = refunds.events.get(0);
        assertEquals("wxpay:refund:" + FIXTURE_REFUND, e.idempotencyKey());
        assertEquals(FIXTURE_REFUND, e.refundId());
        assertEquals(FIXTURE_OUT_REFUND, e.outRefundNo());
        assertEquals(FIXTURE_TRANSACTION, e.transactionId());
        assertEquals(FIXTURE_ORDER, e.outTradeNo());
        assertEquals(500, e.refundFen());
        assertEquals(1999, e.paymentFen());
        assertEquals("CNY", e.currency());
        assertEquals(SUCCESS_TIME, e.refundedAt());

        Map<String, Object> log = lastLog();
        assertEquals("ACCEPTED", log.get("outcome"));
        assertEquals(FIXTURE_REFUND, log.get("business_key"));
        assertEquals(FIXTURE_ORDER, log.get("out_trade_no"));
        assertEquals(REMOTE, log.get("remote_addr"));
        assertTrue(logged.text().contains(
                "outcome=ACCEPTED reason=null order=" + FIXTURE_ORDER + " refund=" + FIXTURE_REFUND));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
    }

    @Test
    void theSameRefundAgainIsADuplicateWithNoSecondEffect() {
        pay("4201", "O-1", 1000);
        assertSuccess(handle(refund(refunded("5001", "4201", "O-1", 1000, 1000))));
        awaitDelivered(4);
        // Also after the refund took the whole payment: a duplicate, not "exceeds".
        assertSuccess(handle(refund(refunded("5001", "4201", "O-1", 1000, 1000))));
        assertEquals("DUPLICATE", lastLog().get("outcome"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(1, refunds.events.size());
    }

    @Test
    void twentyConcurrentCopiesOfARefundAreRecordedOnce() throws Exception {
        pay("4202", "O-2", 1999);
        byte[] body = refund(refunded("5002", "4202", "O-2", 700, 1999));
        for (Object a : NotifyStoreContract.race(RACERS, () -> handle(body))) {
            assertSuccess((Answer) a);
        }
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'ACCEPTED'"
                + " AND business_key = '5002'"));
        flushLog();
        assertEquals(RACERS - 1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'DUPLICATE'"));
        awaitDelivered(4);
        assertEquals(1, refunds.events.size());
    }

    @Test
    void partialPartialAndTheRestAreThreeRefundsAddingUpExactly() {
        pay("4203", "O-3", 1999);
        assertSuccess(handle(refund(refunded("5003-1", "4203", "O-3", 333, 1999))));
        assertSuccess(handle(refund(refunded("5003-2", "4203", "O-3", 666, 1999))));
        assertSuccess(handle(refund(refunded("5003-3", "4203", "O-3", 1000, 1999))));
        assertEquals(3, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(1999, tables.count("SELECT SUM(amount_fen) FROM wxpay_transaction"
                + " WHERE event_kind = 'REFUND' AND transaction_id = '4203'"));
        awaitDelivered(2 + 3 * 2);
        long total = 0;
        for (RefundEvent e : refunds.events) {
            total += e.refundFen();
            assertEquals(1999, e.paymentFen());
        }
        assertEquals(1999, total);
        assertEquals(3, refunds.events.size());

        // One fen more is an anomaly, recorded once however often WeChat Pay retries it.
        byte[] more = refund(refunded("5003-4", "4203", "O-3", 1, 1999));
        assertFail(handle(more), Reason.REFUND_EXCEEDS_PAYMENT);
        assertFail(handle(more), Reason.REFUND_EXCEEDS_PAYMENT);
        assertAnomalyOnce("5003-4", Reason.REFUND_EXCEEDS_PAYMENT, 2);
        assertEquals(3, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    @Test
    void aRefundAboveWhatIsLeftIsOneAnomaly() {
        pay("4204", "O-4", 1000);
        assertSuccess(handle(refund(refunded("5004-1", "4204", "O-4", 600, 1000))));
        byte[] tooMuch = refund(refunded("5004-2", "4204", "O-4", 401, 1000));
        for (int i = 0; i < 3; i++) {
            assertFail(handle(tooMuch), Reason.REFUND_EXCEEDS_PAYMENT);
        }
        assertAnomalyOnce("5004-2", Reason.REFUND_EXCEEDS_PAYMENT, 3);
        flushLog();
        assertEquals(3, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'REJECTED'"
                + " AND reason = 'REFUND_EXCEEDS_PAYMENT' AND business_key = '5004-2'"));
        // The rest is still refundable.
        assertSuccess(handle(refund(refunded("5004-3", "4204", "O-4", 400, 1000))));
    }

    @Test
    void aRefundOfAnUnknownPaymentIsOneAnomalyAndAppliesNothingUntilThePaymentIsRecorded() {
        byte[] body = refund(refunded("5005", "4205", "O-5", 100, 1000));
        for (int i = 0; i < 3; i++) {
            assertFail(handle(body), Reason.UNKNOWN_PAYMENT);
        }
        assertAnomalyOnce("5005", Reason.UNKNOWN_PAYMENT, 3);
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_outbox"));
        assertEquals(0, refunds.events.size());

        // The payment's notice arrives late; WeChat Pay's next retry of the refund goes through.
        pay("4205", "O-5", 1000);
        assertSuccess(handle(body));
        awaitDelivered(4);
        assertEquals(1, refunds.events.size());
    }

    @Test
    void aRefundThatDoesNotFitItsPaymentIsAnAnomaly() {
        pay("4206", "O-6", 1000);
        assertFail(handle(refund(refunded("5006-1", "4206", "O-OTHER", 100, 1000))), Reason.UNKNOWN_PAYMENT);
        assertFail(handle(refund(refunded("5006-2", "4206", "O-6", 100, 999))), Reason.AMOUNT_MISMATCH);
        assertAnomalyOnce("5006-1", Reason.UNKNOWN_PAYMENT, 1);
        assertAnomalyOnce("5006-2", Reason.AMOUNT_MISMATCH, 1);
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    @Test
    void twoDifferentRefundsRacingThatTogetherExceedThePaymentAreNotBothAccepted() throws Exception {
        pay("4207", "O-7", 1999);
        List<byte[]> bodies = List.of(refund(refunded("5007-A", "4207", "O-7", 1200, 1999)),
                refund(refunded("5007-B", "4207", "O-7", 1000, 1999)));
        List<Answer> answers = raceEach(bodies);
        assertEquals(1, successes(answers));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_anomaly WHERE reason = 'REFUND_EXCEEDS_PAYMENT'"));
    }

    @Test
    void twentyDifferentRefundsRacingNeverExceedThePayment() throws Exception {
        pay("4208", "O-8", 1999);
        List<byte[]> bodies = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            bodies.add(refund(refunded("5008-" + i, "4208", "O-8", 100, 1999)));
        }
        List<Answer> answers = raceEach(bodies);
        assertEquals(19, successes(answers));
        assertEquals(1900, tables.count("SELECT SUM(amount_fen) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_anomaly WHERE reason = 'REFUND_EXCEEDS_PAYMENT'"));
    }

    // ---- refused or ignored

    @Test
    void aRefundThatWasClosedIsAcknowledgedAndLoggedAsIgnoredWithNoEffect() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        assertSuccess(handle(fixture("paid.xml")));
        awaitDelivered(2);

        assertSuccess(handle(fixture("refund-closed.xml")));
        Map<String, String> abnormal = refunded("5009", FIXTURE_TRANSACTION, FIXTURE_ORDER, 100, 1999);
        abnormal.put("refund_status", "CHANGE");
        assertSuccess(handle(refund(abnormal)));

        flushLog();
        assertEquals(2, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'IGNORED'"
                + " AND reason IS NULL"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'IGNORED'"
                + " AND business_key = ? AND out_trade_no = ?", FIXTURE_REFUND, FIXTURE_ORDER));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertEquals(0, refunds.events.size());
    }

    @Test
    void aReqInfoThatDoesNotDecryptIsRefusedAndLogged() {
        pay("4210", "O-10", 1000);
        Map<String, String> outer = refundOuter();
        outer.put("req_info", "bm90IGEgcmVmdW5k");
        assertFail(handle(V2Bodies.xml(outer)), Reason.REQ_INFO_DECRYPT_FAILED);
        assertFail(handle(refund(refundOuter(), refunded("5010", "4210", "O-10", 1, 1000),
                "11111111111111111111111111111111")), Reason.REQ_INFO_DECRYPT_FAILED);
        flushLog();
        assertEquals(2, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'REJECTED'"
                + " AND reason = 'REQ_INFO_DECRYPT_FAILED' AND business_key IS NULL"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
    }

    @Test
    void theMerchantAndAppAreCheckedAsForAPayment() {
        pay("4211", "O-11", 1000);
        Map<String, String> plain = refunded("5011", "4211", "O-11", 1, 1000);

        Map<String, String> otherMerchant = refundOuter();
        otherMerchant.put("mch_id", "1900000999");
        assertFail(handle(refund(otherMerchant, plain, V2Bodies.REFUND_AES_KEY)), Reason.MERCHANT_MISMATCH);

        Map<String, String> otherApp = refundOuter();
        otherApp.put("appid", "wx0000000000000000");
        assertFail(handle(refund(otherApp, plain, V2Bodies.REFUND_AES_KEY)), Reason.APP_MISMATCH);

        Map<String, String> sub = refundOuter();
        sub.put("sub_mch_id", "1900000201");
        assertFail(handle(refund(sub, plain, V2Bodies.REFUND_AES_KEY)), Reason.MERCHANT_MISMATCH);

        Map<String, String> failed = refundOuter();
        failed.put("return_code", "FAIL");
        assertFail(handle(refund(failed, plain, V2Bodies.REFUND_AES_KEY)), Reason.TRANSPORT_FAIL);
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE event_kind = 'REFUND'"));
    }

    // ---- helpers

    private List<Answer> raceEach(List<byte[]> bodies) throws Exception {
        List<Object> results = NotifyStoreContract.race(bodies.size(), new java.util.concurrent.Callable<Object>() {
            private final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public Object call() {
                return handle(bodies.get(next.getAndIncrement()));
            }
        });
        List<Answer> answers = new ArrayList<>();
        for (Object r : results) {
            answers.add((Answer) r);
        }
        return answers;
    }

    private static int successes(List<Answer> answers) {
        int ok = 0;
        for (Answer a : answers) {
            String body = new String(a.body(), StandardCharsets.UTF_8);
            if (body.equals(V2Bodies.successXml())) {
                ok++;
            } else if (!body.equals(V2Bodies.failXml(Reason.REFUND_EXCEEDS_PAYMENT.message()))) {
                fail("unexpected answer " + body);
            }
        }
        return ok;
    }

    private void assertAnomalyOnce(String refundId, Reason reason, int occurrences) {
        List<Map<String, Object>> rows = tables.rows(
                "SELECT event_kind, reason, occurrences FROM wxpay_anomaly WHERE business_key = ?", refundId);
        assertEquals(1, rows.size(), rows.toString());
        assertEquals("REFUND", rows.get(0).get("event_kind"));
        assertEquals(reason.name(), rows.get(0).get("reason"));
        assertEquals(occurrences, ((Number) rows.get(0).get("occurrences")).intValue());
    }

    private Map<String, Object> lastLog() {
        flushLog();
        List<Map<String, Object>> rows = tables.rows("SELECT * FROM wxpay_notify_log ORDER BY id DESC");
        return rows.get(0);
    }

    private static void assertSuccess(Answer a) {
        assertEquals(200, a.status());
        assertEquals(V2Bodies.successXml(), new String(a.body(), StandardCharsets.UTF_8));
    }

    private static void assertFail(Answer a, Reason reason) {
        assertEquals(200, a.status());
        assertEquals(V2Bodies.failXml(reason.message()), new String(a.body(), StandardCharsets.UTF_8));
    }

    private void awaitDelivered(int entries) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        BooleanSupplier done = () -> tables.count(
                "SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") == entries;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + entries + " deliveries");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Records the refunds it is told about. */
    static final class RefundRecorder implements PaymentListener {
        final List<RefundEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void onRefunded(RefundEvent event) {
            events.add(event);
        }
    }
    /** Waits until the notify log has written every row appended so far. */
    private void flushLog() {
        try {
            assertTrue(notifyLog.flush(Duration.ofSeconds(10)), "the notify log was written");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
