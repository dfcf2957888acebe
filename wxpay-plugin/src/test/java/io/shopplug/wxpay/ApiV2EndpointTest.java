package io.shopplug.wxpay;

import static io.shopplug.wxpay.V2Bodies.FIXTURE_ORDER;
import static io.shopplug.wxpay.V2Bodies.FIXTURE_TRANSACTION;
import static io.shopplug.wxpay.V2Bodies.fixture;
import static io.shopplug.wxpay.V2Bodies.paid;
import static io.shopplug.wxpay.V2Bodies.signed;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderSnapshot;
import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.h2.tools.Server;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The APIv2 notify path from raw body to answer, wired by hand as {@link NotifyModule} wires it:
 * {@link ApiV2Endpoint} → {@link NotifyProcessor} → {@link NotifyStore} (MyBatis on an in-memory
 * H2 database of its own, schema applied by {@link SchemaMigrator}) → {@link Dispatcher} → the
 * host's listeners. The host's order lookup and listeners are small in-memory implementations.
 *
 * <p>The JVM time zone is set to New York for each test, so that an instant stored or read with
 * the JVM's zone (instead of UTC, or Beijing for {@code time_end}) would show. Everything logged
 * during a test is captured and checked, with every table, for the APIv2 key and the signs sent.
 */
class ApiV2EndpointTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:30:05.123Z");
    /** {@code time_end=20261124103000} in Beijing. */
    private static final Instant TIME_END = Instant.parse("2026-11-24T02:30:00Z");
    private static final String REMOTE = "203.0.113.7";
    private static final String CONTENT_TYPE = "text/xml;charset=UTF-8";

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private final Orders orders = new Orders();
    private final Set<String> secrets = ConcurrentHashMap.newKeySet();
    private Tables tables;
    private Database database;
    private NotifyStore store;
    private WxPayConfig config;
    private Dispatcher dispatcher;
    private ApiV2Endpoint endpoint;
    private NotifyLog notifyLog;
    private TimeZone zone;
    private CapturedStderr logged;

    @BeforeEach
    void openDatabase() {
        zone = TimeZone.getDefault();
        TimeZone.setDefault(TimeZone.getTimeZone("America/New_York"));
        logged = CapturedStderr.start();
        secrets.add(V2Bodies.KEY);

        tables = Tables.inMemory("endpoint");
        DataSource dataSource = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 25,
                Duration.ofSeconds(10));
        new SchemaMigrator(dataSource, clock).migrate();
        database = new Database(dataSource, Database.DEFAULT_STATEMENT_TIMEOUT);
        store = new NotifyStore(database.sessionFactory(), clock);
        Map<String, String> settings = new HashMap<>();
        settings.put(Settings.MCH_ID, V2Bodies.MCH_ID);
        settings.put(Settings.APP_ID, V2Bodies.APP_ID);
        settings.put(Settings.API_V2_KEY, V2Bodies.KEY);
        settings.put(Settings.DB_URL, tables.url());
        config = WxPayConfig.from(settings);
    }

    @AfterEach
    void checkSecretsAndClose() {
        try {
            if (dispatcher != null) {
                dispatcher.close();
            }
            if (notifyLog != null) {
                notifyLog.close();
            }
            tables.assertNoneContains(secrets);
            String log = logged.text();
            for (String secret : secrets) {
                assertFalse(log.contains(secret), "a secret was logged");
            }
        } finally {
            logged.close();
            TimeZone.setDefault(zone);
            database.close();
            tables.shutdown();
        }
    }

    /** Builds the pipeline with these listeners, in this order. The sweeper is not started. */
    private void wire(PaymentListener... listeners) {
        dispatcher = new Dispatcher(store, Arrays.asList(listeners), clock, 4);
        notifyLog = new NotifyLog(store, clock);
        endpoint = new ApiV2Endpoint(new NotifyProcessor(store, orders, dispatcher), notifyLog);
    }

    private Answer handle(byte[] body) {
        String sign = V2Bodies.signOf(body);
        if (sign != null) {
            secrets.add(sign);
        }
        return endpoint.handle(body, REMOTE, new Merchants(config.merchants(), clock, config.apiBaseUrl()).all());
    }

    // ---- paid

    @Test
    void paidIsAcknowledgedRecordedOnceAndToldToEveryListenerAfterTheCommit() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        RecordingListener points = new RecordingListener(tables);
        wire(inventory, points, new OrderStatusListener(orders));

        assertSuccess(handle(fixture("paid.xml")));

        List<Map<String, Object>> rows = tables.rows("SELECT * FROM wxpay_transaction");
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals("PAYMENT", row.get("event_kind"));
        assertEquals(FIXTURE_TRANSACTION, row.get("business_key"));
        assertEquals(FIXTURE_TRANSACTION, row.get("transaction_id"));
        assertEquals(FIXTURE_ORDER, row.get("out_trade_no"));
        assertEquals("v2", row.get("api"));
        assertEquals(V2Bodies.MCH_ID, row.get("merchant_id"));
        assertEquals(V2Bodies.APP_ID, row.get("app_id"));
        assertEquals(1999L, row.get("amount_fen"));
        assertEquals("CNY", row.get("currency"));
        assertEquals(TIME_END, row.get("event_time"));
        assertEquals(T0, row.get("recorded_at"));
        String payload = (String) row.get("payload");
        assertTrue(payload.contains("oUpF****eS6o"), payload);
        assertFalse(payload.contains("oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"), payload);

        awaitDelivered(3);
        for (RecordingListener l : Arrays.asList(inventory, points)) {
            assertEquals(1, l.events.size());
            assertFixturePayment(l.events.get(0));
            assertEquals(Collections.singletonList(1L), l.rowsSeen, "the row was committed before the call");
            assertNotEquals(Thread.currentThread().getName(), l.threads.get(0));
        }
        assertEquals(OrderState.PAID, orders.find(FIXTURE_ORDER).get().state());

        flushLog();
        List<Map<String, Object>> log = tables.rows("SELECT * FROM wxpay_notify_log");
        assertEquals(1, log.size());
        assertEquals("v2", log.get(0).get("api"));
        assertEquals("ACCEPTED", log.get(0).get("outcome"));
        assertNull(log.get(0).get("reason"));
        assertEquals(FIXTURE_ORDER, log.get(0).get("out_trade_no"));
        assertEquals(FIXTURE_TRANSACTION, log.get(0).get("business_key"));
        assertEquals(REMOTE, log.get(0).get("remote_addr"));
        assertEquals(T0, log.get(0).get("received_at"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertTrue(logged.text().contains("wxpay notify api=v2 outcome=ACCEPTED"),
                "the log is captured (so the secret check on it means something)");
    }

    @Test
    void theSameNotifyAgainIsAcknowledgedWithNoSecondEffect() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        wire(inventory, new OrderStatusListener(orders));
        assertSuccess(handle(fixture("paid.xml")));
        awaitDelivered(2);

        // WeChat Pay did not get our answer and sends it again; the shop has marked the order paid.
        clock.set(T0.plusSeconds(15));
        assertSuccess(handle(fixture("paid.xml")));
        // The same payment signed with HMAC-SHA256 is the same payment.
        assertSuccess(handle(fixture("hmac-sha256.xml")));
        dispatcher.sweep();
        dispatcher.close(); // waits for anything the sweep handed to the workers

        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(2, tables.count("SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED' AND attempts = 1"));
        assertEquals(1, inventory.events.size());
        flushLog();
        assertEquals(Arrays.asList("ACCEPTED", "DUPLICATE", "DUPLICATE"), tables.column(
                "SELECT outcome FROM wxpay_notify_log ORDER BY id"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
    }

    @Test
    void twentyConcurrentCopiesAreAllAcknowledgedAndRecordedOnce() throws Exception {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        RecordingListener points = new RecordingListener(tables);
        wire(inventory, points, new OrderStatusListener(orders));
        byte[] body = fixture("paid.xml");

        List<Object> answers = NotifyStoreContract.race(20, () -> handle(body));

        assertEquals(20, answers.size());
        for (Object a : answers) {
            assertSuccess((Answer) a);
        }
        awaitDelivered(3);
        dispatcher.close();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(3, tables.count("SELECT COUNT(*) FROM wxpay_outbox"));
        for (RecordingListener l : Arrays.asList(inventory, points)) {
            assertEquals(1, l.events.size());
            assertFixturePayment(l.events.get(0));
        }
        // A copy that saw the order already PAID found its own commit: never an anomaly.
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'ACCEPTED'"));
        flushLog();
        assertEquals(19, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'DUPLICATE'"));
    }

    // ---- refused before the business checks

    static Stream<Arguments> rejected() {
        Map<String, String> wrongApp = paid("4200000001202611240000000002", FIXTURE_ORDER, 1999);
        wrongApp.put("appid", "wx0000000000000000");
        Map<String, String> transportFail = paid("4200000001202611240000000003", FIXTURE_ORDER, 1999);
        transportFail.put("return_code", "FAIL");
        transportFail.put("return_msg", "SYSTEMERROR");
        Map<String, String> unsigned = paid("4200000001202611240000000004", FIXTURE_ORDER, 1999);
        Map<String, String> badFee = paid("4200000001202611240000000005", FIXTURE_ORDER, 1999);
        badFee.put("total_fee", "19.99");
        Map<String, String> forged = paid("4200000001202611240000000006", FIXTURE_ORDER, 1999);
        forged.put("sign", "0123456789ABCDEF0123456789ABCDEF");
        return Stream.of(
                Arguments.of("bad-sign.xml", fixture("bad-sign.xml"), Reason.BAD_SIGN),
                Arguments.of("forged sign", V2Bodies.xml(forged), Reason.BAD_SIGN),
                Arguments.of("missing-sign.xml", fixture("missing-sign.xml"), Reason.MISSING_SIGN),
                Arguments.of("no sign at all", V2Bodies.xml(unsigned), Reason.MISSING_SIGN),
                Arguments.of("wrong-mch-id.xml", fixture("wrong-mch-id.xml"), Reason.MERCHANT_MISMATCH),
                Arguments.of("wrong appid", signed(wrongApp), Reason.APP_MISMATCH),
                Arguments.of("return_code FAIL", signed(transportFail), Reason.TRANSPORT_FAIL),
                Arguments.of("result-fail.xml", fixture("result-fail.xml"), Reason.PAYMENT_NOT_SUCCESS),
                Arguments.of("total_fee in yuan", signed(badFee), Reason.MISSING_FIELD),
                Arguments.of("truncated XML", bytes("<xml><return_code>SUCCESS</return_code>"), Reason.MALFORMED),
                Arguments.of("not XML", bytes("return_code=SUCCESS&sign=ABC"), Reason.MALFORMED),
                Arguments.of("empty body", new byte[0], Reason.MALFORMED),
                Arguments.of("nested.xml", fixture("nested.xml"), Reason.MALFORMED),
                Arguments.of("xxe.xml", fixture("xxe.xml"), Reason.DTD_NOT_ALLOWED),
                Arguments.of("billion-laughs.xml", fixture("billion-laughs.xml"), Reason.DTD_NOT_ALLOWED));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("rejected")
    void refusedNotifyIsAnsweredWithItsReasonAndLoggedButNotRecorded(String name, byte[] body, Reason reason) {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        wire(inventory);

        assertFail(handle(body), reason);

        dispatcher.sweep();
        dispatcher.close();
        assertNothingRecorded();
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertEquals(Collections.emptyList(), inventory.events);
        assertRejectionsLogged(reason, 1);
    }

    // ---- genuine but not applicable: one anomaly, however often WeChat Pay retries

    @Test
    void unknownOrderIsOneAnomaly() {
        wire(new RecordingListener(tables));
        assertAnomalyOnRetries(fixture("paid.xml"), Reason.UNKNOWN_ORDER, FIXTURE_TRANSACTION, FIXTURE_ORDER, 1999, "CNY");
        assertNothingRecorded();
    }

    @Test
    void amountMismatchIsOneAnomaly() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        wire(new RecordingListener(tables));
        assertAnomalyOnRetries(fixture("amount-mismatch.xml"), Reason.AMOUNT_MISMATCH, FIXTURE_TRANSACTION,
                FIXTURE_ORDER, 1, "CNY");
        assertNothingRecorded();
    }

    @Test
    void currencyMismatchIsOneAnomaly() {
        orders.put("ORDER-2002", 1999, "CNY", OrderState.AWAITING_PAYMENT);
        Map<String, String> hkd = paid("4200000001202611240000002002", "ORDER-2002", 1999);
        hkd.put("fee_type", "HKD");
        wire(new RecordingListener(tables));
        assertAnomalyOnRetries(signed(hkd), Reason.CURRENCY_MISMATCH, "4200000001202611240000002002",
                "ORDER-2002", 1999, "HKD");
        assertNothingRecorded();
    }

    @Test
    void paymentForAClosedOrderIsOneAnomaly() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.CLOSED);
        wire(new RecordingListener(tables));
        assertAnomalyOnRetries(fixture("paid.xml"), Reason.ORDER_CLOSED, FIXTURE_TRANSACTION, FIXTURE_ORDER, 1999, "CNY");
        assertNothingRecorded();
    }

    @Test
    void secondPaymentOfAPaidOrderIsOneAnomaly() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        wire(inventory, new OrderStatusListener(orders));
        assertSuccess(handle(fixture("paid.xml")));
        awaitDelivered(2);
        assertEquals(OrderState.PAID, orders.find(FIXTURE_ORDER).get().state());

        String other = "4200000001202611240000009999";
        assertAnomalyOnRetries(signed(paid(other, FIXTURE_ORDER, 1999)), Reason.ORDER_PAID_BY_OTHER, other,
                FIXTURE_ORDER, 1999, "CNY");

        dispatcher.close();
        assertEquals(Collections.singletonList(FIXTURE_TRANSACTION), tables.column("SELECT business_key FROM wxpay_transaction"));
        assertEquals(1, inventory.events.size());
        assertEquals(FIXTURE_TRANSACTION, inventory.events.get(0).transactionId());
    }

    /** Sends {@code body} three times, a minute apart; each is refused; one anomaly counts them. */
    private void assertAnomalyOnRetries(byte[] body, Reason reason, String transactionId, String outTradeNo,
            long amountFen, String currency) {
        for (int i = 0; i < 3; i++) {
            clock.set(T0.plus(Duration.ofMinutes(i)));
            assertFail(handle(body), reason);
        }
        List<Map<String, Object>> anomalies = tables.rows("SELECT * FROM wxpay_anomaly");
        assertEquals(1, anomalies.size(), anomalies.toString());
        Map<String, Object> a = anomalies.get(0);
        assertEquals("PAYMENT", a.get("event_kind"));
        assertEquals(transactionId, a.get("business_key"));
        assertEquals(reason.name(), a.get("reason"));
        assertEquals(outTradeNo, a.get("out_trade_no"));
        assertEquals(amountFen, a.get("amount_fen"));
        assertEquals(currency, a.get("currency"));
        assertEquals(3, a.get("occurrences"));
        assertEquals(T0, a.get("first_seen_at"));
        assertEquals(T0.plus(Duration.ofMinutes(2)), a.get("last_seen_at"));
        assertEquals(false, a.get("handled"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE business_key = ?", transactionId));
        assertRejectionsLogged(reason, 3);
    }

    // ---- the host's failures

    @Test
    void aThrowingListenerChangesNeitherTheAnswerNorTheOthersAndIsRetriedBySweep() {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        RecordingListener inventory = new RecordingListener(tables);
        FlakyListener points = new FlakyListener();
        RecordingListener audit = new RecordingListener(tables);
        wire(inventory, points, audit);

        assertSuccess(handle(fixture("paid.xml")));

        String flaky = FlakyListener.class.getName();
        await("the flaky listener's entry to fail", () -> tables.count(
                "SELECT COUNT(*) FROM wxpay_outbox WHERE listener = ? AND state = 'FAILED'", flaky) == 1);
        awaitDelivered(2);
        assertEquals(1, inventory.events.size());
        assertEquals(1, audit.events.size());
        assertEquals(Collections.emptyList(), points.events);

        Map<String, Object> entry = tables.rows("SELECT * FROM wxpay_outbox WHERE listener = ?", flaky).get(0);
        assertEquals(1, entry.get("attempts"));
        assertEquals("java.lang.IllegalStateException: points service down", entry.get("last_error"));
        Instant next = (Instant) entry.get("next_attempt_at");
        assertTrue(!next.isBefore(T0.plusSeconds(1)) && !next.isAfter(T0.plusMillis(1500)), next::toString);
        assertNull(entry.get("delivered_at"));
        assertEquals(Collections.emptyList(), store.dueOutbox(10), "not due before its back-off");

        points.broken = false;
        clock.set(next);
        assertEquals(Collections.singletonList(((Number) entry.get("id")).longValue()), store.dueOutbox(10));
        dispatcher.sweep();
        awaitDelivered(3);
        dispatcher.sweep(); // nothing is due any more
        dispatcher.close();

        assertEquals(1, points.events.size());
        assertFixturePayment(points.events.get(0));
        assertEquals(1, inventory.events.size());
        assertEquals(1, audit.events.size());
        Map<String, Object> delivered = tables.rows("SELECT * FROM wxpay_outbox WHERE listener = ?", flaky).get(0);
        assertEquals(2, delivered.get("attempts"));
        assertEquals(next, delivered.get("delivered_at"));
    }

    @Test
    void aFailingOrderLookupIsARetryableRefusal() {
        orders.failure = new IllegalStateException("shop database down");
        RecordingListener inventory = new RecordingListener(tables);
        wire(inventory);

        assertFail(handle(fixture("paid.xml")), Reason.ORDER_LOOKUP_FAILED);

        dispatcher.close();
        assertNothingRecorded();
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_anomaly"));
        assertEquals(Collections.emptyList(), inventory.events);
        assertRejectionsLogged(Reason.ORDER_LOOKUP_FAILED, 1);
    }

    @Test
    void anUnreachableDatabaseIsARetryableRefusalAndNothingEscapes() throws Exception {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        DataSource down = DataSources.open(Optional.empty(), null, "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:gone",
                "sa", "", 2, DataSources.MIN_CONNECT_TIMEOUT);
        RecordingListener inventory = new RecordingListener(tables);
        try (Database db = new Database(down, Duration.ofSeconds(1))) {
            NotifyStore downStore = new NotifyStore(db.sessionFactory(), clock);
            dispatcher = new Dispatcher(downStore, Collections.singletonList(inventory), clock, 1);
            notifyLog = new NotifyLog(downStore, clock);
            endpoint = new ApiV2Endpoint(new NotifyProcessor(downStore, orders, dispatcher), notifyLog);

            Answer answer = assertDoesNotThrow(() -> handle(fixture("paid.xml")));
            assertFail(answer, Reason.DATABASE_UNAVAILABLE);
            dispatcher.sweep(); // fails quietly
            dispatcher.close();
        }
        assertEquals(Collections.emptyList(), inventory.events);
        assertFalse(logged.text().contains("could not write the notify log"),
                "no notify-log write is attempted for database-unavailable");
    }

    @Test
    void aStoppedDatabaseServerIsARetryableRefusalAndNothingEscapes() throws Exception {
        orders.put(FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        orders.put("ORDER-3003", 500, "CNY", OrderState.AWAITING_PAYMENT);
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        String name = "stopped-" + java.util.UUID.randomUUID();
        Server server = Server.createTcpServer("-tcpPort", Integer.toString(port), "-ifNotExists").start();
        DataSource remote = DataSources.open(Optional.empty(), null,
                "jdbc:h2:tcp://127.0.0.1:" + port + "/mem:" + name + ";DB_CLOSE_DELAY=-1", "sa", "", 2,
                DataSources.MIN_CONNECT_TIMEOUT);
        RecordingListener inventory = new RecordingListener(tables);
        try (Database db = new Database(remote, Duration.ofSeconds(1))) {
            new SchemaMigrator(remote, clock).migrate();
            NotifyStore remoteStore = new NotifyStore(db.sessionFactory(), clock);
            dispatcher = new Dispatcher(remoteStore, Collections.singletonList(inventory), clock, 1);
            notifyLog = new NotifyLog(remoteStore, clock);
            endpoint = new ApiV2Endpoint(new NotifyProcessor(remoteStore, orders, dispatcher), notifyLog);
            assertSuccess(handle(fixture("paid.xml")));
            // Not due is not delivered (a claimed entry is not due either): ask for DELIVERED.
            long entry;
            try (java.sql.Connection c = remote.getConnection(); java.sql.Statement st = c.createStatement();
                    java.sql.ResultSet rs = st.executeQuery("SELECT MAX(id) FROM wxpay_outbox")) {
                assertTrue(rs.next());
                entry = rs.getLong(1);
            }
            await("the first payment's delivery", () -> remoteStore.loadDelivery(entry).state() == Delivery.State.DELIVERED);
            assertEquals(1, inventory.events.size());

            server.stop();
            byte[] second = signed(paid("4200000001202611240000003003", "ORDER-3003", 500));
            Answer answer = assertTimeout(Duration.ofSeconds(10), () -> assertDoesNotThrow(() -> handle(second)));
            assertFail(answer, Reason.DATABASE_UNAVAILABLE);
            dispatcher.close();
            assertEquals(1, inventory.events.size());
        } finally {
            server.stop();
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:h2:mem:" + name, "sa", "");
                    java.sql.Statement st = c.createStatement()) {
                st.execute("SHUTDOWN");
            }
        }
    }

    // ---- assertions

    private static void assertSuccess(Answer a) {
        assertEquals(200, a.status());
        assertEquals(CONTENT_TYPE, a.contentType());
        assertEquals(V2Bodies.successXml(), text(a));
    }

    private static void assertFail(Answer a, Reason reason) {
        assertEquals(200, a.status());
        assertEquals(CONTENT_TYPE, a.contentType());
        assertEquals(V2Bodies.failXml(expectedMessage(reason)), text(a));
    }

    /** The messages written out here, not read from {@link Reason}, so a changed text shows. */
    private static String expectedMessage(Reason reason) {
        switch (reason) {
            case BAD_SIGN: return "sign does not verify";
            case MISSING_SIGN: return "sign is missing";
            case MERCHANT_MISMATCH: return "mch_id does not match the configured merchant";
            case APP_MISMATCH: return "appid does not match the configured app";
            case TRANSPORT_FAIL: return "return_code is not SUCCESS";
            case PAYMENT_NOT_SUCCESS: return "result_code is not SUCCESS";
            case MISSING_FIELD: return "a required field is missing or invalid";
            case MALFORMED: return "malformed body";
            case DTD_NOT_ALLOWED: return "DTD or entity declarations are not allowed";
            case UNKNOWN_ORDER: return "unknown out_trade_no";
            case AMOUNT_MISMATCH: return "amount does not match the order";
            case CURRENCY_MISMATCH: return "currency does not match the order";
            case ORDER_CLOSED: return "order is closed or cancelled";
            case ORDER_PAID_BY_OTHER: return "order already paid by another transaction";
            case ORDER_LOOKUP_FAILED: return "order lookup failed, retry later";
            case DATABASE_UNAVAILABLE: return "database unavailable, retry later";
            default: throw new AssertionError("no expected message for " + reason);
        }
    }

    private static void assertFixturePayment(PaymentEvent e) {
        assertEquals("wxpay:payment:" + FIXTURE_TRANSACTION, e.idempotencyKey());
        assertEquals(FIXTURE_TRANSACTION, e.transactionId());
        assertEquals(FIXTURE_ORDER, e.outTradeNo());
        assertEquals(1999, e.amountFen());
        assertEquals("CNY", e.currency());
        assertEquals(TIME_END, e.paidAt());
        assertEquals(V2Bodies.MCH_ID, e.merchantId());
        assertEquals(V2Bodies.APP_ID, e.appId());
    }

    private void assertNothingRecorded() {
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_outbox"));
    }

    /** Exactly {@code times} notify-log rows, each REJECTED with {@code reason}, and no other row. */
    private void assertRejectionsLogged(Reason reason, int times) {
        List<String> expected = new ArrayList<>(Collections.nCopies(times, "v2 REJECTED " + reason.name()));
        List<String> actual = new ArrayList<>();
        flushLog();
        for (Map<String, Object> row : tables.rows("SELECT api, outcome, reason FROM wxpay_notify_log "
                + "WHERE outcome = 'REJECTED' ORDER BY id")) {
            actual.add(row.get("api") + " " + row.get("outcome") + " " + row.get("reason"));
        }
        assertEquals(expected, actual);
    }

    private void awaitDelivered(int entries) {
        await(entries + " delivered outbox entries",
                () -> tables.count("SELECT COUNT(*) FROM wxpay_outbox WHERE state = 'DELIVERED'") == entries);
    }

    /** Polls {@code done} until it holds, for at most ten seconds. */
    static void await(String what, BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }


    private static String text(Answer a) {
        return new String(a.body(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- the host, in memory

    /** The shop's orders. */
    static final class Orders implements OrderLookup {
        private final Map<String, OrderSnapshot> byNumber = new ConcurrentHashMap<>();
        volatile RuntimeException failure;

        void put(String outTradeNo, long amountFen, String currency, OrderState state) {
            byNumber.put(outTradeNo, new OrderSnapshot(outTradeNo, amountFen, currency, state));
        }

        void markPaid(String outTradeNo) {
            byNumber.computeIfPresent(outTradeNo,
                    (k, o) -> new OrderSnapshot(k, o.amountFen(), o.currency(), OrderState.PAID));
        }

        @Override
        public Optional<OrderSnapshot> find(String outTradeNo) {
            if (failure != null) {
                throw failure;
            }
            return Optional.ofNullable(byNumber.get(outTradeNo));
        }
    }

    /** Records its events, the thread, and how many rows of the payment it could see committed. */
    static final class RecordingListener implements PaymentListener {
        final List<PaymentEvent> events = new CopyOnWriteArrayList<>();
        final List<Long> rowsSeen = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();
        private final Tables tables;

        RecordingListener(Tables tables) {
            this.tables = tables;
        }

        @Override
        public void onPaid(PaymentEvent event) {
            rowsSeen.add(tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE transaction_id = ?",
                    event.transactionId()));
            threads.add(Thread.currentThread().getName());
            events.add(event);
        }
    }

    /** Throws until it is fixed. */
    static final class FlakyListener implements PaymentListener {
        final List<PaymentEvent> events = new CopyOnWriteArrayList<>();
        volatile boolean broken = true;

        @Override
        public void onPaid(PaymentEvent event) {
            if (broken) {
                throw new IllegalStateException("points service down");
            }
            events.add(event);
        }
    }

    /** What a shop does first: marks the order paid. */
    static final class OrderStatusListener implements PaymentListener {
        private final Orders orders;

        OrderStatusListener(Orders orders) {
            this.orders = orders;
        }

        @Override
        public void onPaid(PaymentEvent event) {
            orders.markPaid(event.outTradeNo());
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
