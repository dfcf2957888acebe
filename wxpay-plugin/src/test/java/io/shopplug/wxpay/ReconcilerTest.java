package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.api.OrderState;
import io.shopplug.api.PendingOrders;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.SimulatedPayment;
import io.shopplug.simulator.Simulator;
import io.shopplug.simulator.SimulatorServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Reconciliation on embedded H2 with the simulator's API server: a payment whose notice was lost
 * is found and applied once; the late notice is then a DUPLICATE; a notice that came first leaves
 * the query nothing to do, also when it arrives while the query is under way; a failing query or
 * host never stops a run, and every run is recorded.
 */
class ReconcilerTest {
    private static final Instant T0 = Instant.parse("2026-11-24T02:30:00Z");
    private static final String REMOTE = "203.0.113.9";

    private final NotifyStoreContract.TestClock clock = new NotifyStoreContract.TestClock(T0);
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private final Pending pending = new Pending();
    private Tables tables;
    private Database database;
    private NotifyStore store;
    private ReconcileStore reconcileStore;
    private Dispatcher dispatcher;
    private NotifyProcessor processor;
    private ApiV2Endpoint endpoint;
    private NotifyLog notifyLog;
    private Merchants merchants;
    private ApiV2EndpointTest.RecordingListener listener;
    private NotifyDelivery delivery;
    private Simulator wechat;
    private SimulatorServer server;

    /** The host's pending orders: what the test says, and the questions it was asked. */
    static final class Pending implements PendingOrders {
        final List<String> orders = new CopyOnWriteArrayList<>();
        final List<Object[]> asked = new CopyOnWriteArrayList<>();
        volatile RuntimeException failure;

        @Override
        public List<String> awaitingPayment(Instant placedAfter, Instant placedBefore, int limit) {
            asked.add(new Object[] {placedAfter, placedBefore, limit});
            if (failure != null) {
                throw failure;
            }
            return List.copyOf(orders);
        }
    }

    @BeforeEach
    void wire() {
        tables = Tables.inMemory("reconcile");
        DataSource dataSource = DataSources.open(Optional.empty(), null, tables.url(), "sa", "", 10,
                Duration.ofSeconds(10));
        new SchemaMigrator(dataSource, clock).migrate();
        database = new Database(dataSource, Database.DEFAULT_STATEMENT_TIMEOUT);
        store = new NotifyStore(database.sessionFactory(), clock);
        reconcileStore = new ReconcileStore(database.sessionFactory(), clock);
        listener = new ApiV2EndpointTest.RecordingListener(tables);
        dispatcher = new Dispatcher(store, List.of(listener), clock, 2);
        processor = new NotifyProcessor(store, orders, dispatcher);
        notifyLog = new NotifyLog(store, clock);
        endpoint = new ApiV2Endpoint(processor, notifyLog);
        Map<String, String> settings = new HashMap<>();
        settings.put(Settings.MCH_ID, V2Bodies.MCH_ID);
        settings.put(Settings.APP_ID, V2Bodies.APP_ID);
        settings.put(Settings.API_V2_KEY, V2Bodies.KEY);
        WxPayConfig config = WxPayConfig.from(settings);
        delivery = NotifyDelivery.builder().build();
        wechat = new Simulator(Merchant.of(V2Bodies.APP_ID, V2Bodies.MCH_ID, V2Bodies.KEY, Merchant.MD5),
                Clock.systemUTC(), delivery);
        wechat.dropNotifications(true); // the test hands the notices over itself, when it wants
        server = SimulatorServer.start(Clock.systemUTC(), wechat);
        merchants = new Merchants(config.merchants(), clock, server.baseUrl());
    }

    @AfterEach
    void close() {
        server.close();
        delivery.close();
        dispatcher.close();
        notifyLog.close();
        tables.assertNoneContains(List.of(V2Bodies.KEY));
        database.close();
        tables.shutdown();
    }

    private Reconciler reconciler(List<OrderQuery> queries) {
        return new Reconciler(pending, queries, merchants, processor, reconcileStore, clock, () -> true, true,
                Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofHours(24), 100, "node-1");
    }

    private Reconciler reconciler() {
        return reconciler(ReconcileModule.queries(merchants, server.baseUrl(), QueryHttp.newClient()));
    }

    private SimulatedPayment paid(String outTradeNo, long fen) {
        orders.put(outTradeNo, fen, "CNY", OrderState.AWAITING_PAYMENT);
        pending.orders.add(outTradeNo);
        return wechat.pay("http://127.0.0.1:9/dropped", outTradeNo, fen);
    }

    private Answer notify(SimulatedPayment p) {
        return endpoint.handle(p.notice().body(), REMOTE, merchants.all());
    }

    @Test
    void aLostNoticeIsFoundAppliedOnceAndItsLateArrivalIsADuplicate() throws Exception {
        SimulatedPayment p = paid("RC-QUERY-FIRST", 1999);

        Reconciler.Result result = reconciler().runNow();

        assertEquals(Reconciler.Status.COMPLETED, result.status());
        ReconcileRun run = result.run().orElseThrow();
        assertEquals(1, run.ordersQueried());
        assertEquals(1, run.paymentsFound());
        assertEquals(1, run.paymentsApplied());
        assertEquals(0, run.errors());
        awaitEvents(1);
        Answer late = notify(p);
        assertTrue(new String(late.body(), java.nio.charset.StandardCharsets.UTF_8).contains("SUCCESS"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE outcome = 'DUPLICATE' AND out_trade_no = ?",
                "RC-QUERY-FIRST"));
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", "RC-QUERY-FIRST"));
        assertEquals("v2", tables.rows("SELECT api FROM wxpay_transaction WHERE out_trade_no = ?", "RC-QUERY-FIRST")
                .get(0).get("api"));
        List<ReconcileRun.Finding> found = reconcileStore.findings(run.id());
        assertEquals(1, found.size());
        assertEquals("ACCEPTED", found.get(0).outcome());
        assertEquals(p.transactionId(), found.get(0).transactionId());
        assertEquals(1, listener.events.size(), "applied exactly once");
        assertEquals(p.transactionId(), listener.events.get(0).transactionId());

        // A second run leaves the recorded payment alone: nothing to ask.
        assertEquals(0, reconciler().runNow().run().orElseThrow().ordersQueried());
    }

    @Test
    void aNoticeThatCameFirstLeavesTheQueryNothingToDo() throws Exception {
        SimulatedPayment p = paid("RC-NOTIFY-FIRST", 4500);
        notify(p);
        awaitEvents(1);

        ReconcileRun run = reconciler().runNow().run().orElseThrow();

        assertEquals(0, run.ordersQueried());
        assertEquals(0, run.paymentsFound());
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", "RC-NOTIFY-FIRST"));
        assertEquals(1, listener.events.size());
    }

    @Test
    void aNoticeArrivingWhileTheQueryIsUnderWayWinsAndTheQueryIsADuplicate() throws Exception {
        SimulatedPayment p = paid("RC-RACE", 2999);
        OrderQuery real = ReconcileModule.queries(merchants, server.baseUrl(), QueryHttp.newClient()).get(0);
        OrderQuery noticeMeanwhile = new ReconcileLeaseContract.StubQuery(no -> {
            notify(p); // the notice is recorded after the "already recorded?" check, before the answer
            return real.paymentOf(no);
        });

        ReconcileRun run = reconciler(List.of(noticeMeanwhile)).runNow().run().orElseThrow();

        assertEquals(1, run.paymentsFound());
        assertEquals(0, run.paymentsApplied());
        assertEquals("DUPLICATE", reconcileStore.findings(run.id()).get(0).outcome());
        awaitEvents(1);
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction WHERE out_trade_no = ?", "RC-RACE"));
        assertEquals(1, listener.events.size());
    }

    @Test
    void aFailingQueryIsCountedAndTheRunGoesOn() throws Exception {
        pending.orders.add("RC-BROKEN");
        SimulatedPayment p = paid("RC-AFTER-BROKEN", 1999);
        OrderQuery real = ReconcileModule.queries(merchants, server.baseUrl(), QueryHttp.newClient()).get(0);
        OrderQuery flaky = new ReconcileLeaseContract.StubQuery(no -> {
            if (no.equals("RC-BROKEN")) {
                throw new OrderQuery.Failed("APIv2 order query answered HTTP 502");
            }
            return real.paymentOf(no);
        });

        ReconcileRun run = reconciler(List.of(flaky)).runNow().run().orElseThrow();

        assertEquals(2, run.ordersQueried());
        assertEquals(1, run.paymentsApplied());
        assertEquals(1, run.errors());
        assertEquals("order RC-BROKEN: APIv2 order query answered HTTP 502", run.lastError());
        List<Map<String, Object>> rows = tables.rows("SELECT * FROM wxpay_reconcile_run");
        assertEquals(1, rows.size());
        assertEquals("order RC-BROKEN: APIv2 order query answered HTTP 502", rows.get(0).get("last_error"));
        assertNotNull(rows.get(0).get("finished_at"));
        awaitEvents(1);
        assertEquals(p.transactionId(), listener.events.get(0).transactionId());
    }

    @Test
    void asksTheHostForOrdersPlacedBetweenMaxAgeAndDelayAgoAndRecordsItsFailure() {
        pending.failure = new IllegalStateException("jdbc:secret://host/db?password=hunter2");

        ReconcileRun run = reconciler().runNow().run().orElseThrow();

        Object[] asked = pending.asked.get(0);
        assertEquals(T0.minus(Duration.ofHours(24)), asked[0]);
        assertEquals(T0.minusSeconds(300), asked[1]);
        assertEquals(100, asked[2]);
        assertEquals(1, run.errors());
        assertEquals("PendingOrders failed (IllegalStateException)", run.lastError());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_reconcile_run WHERE last_error LIKE '%hunter2%'"));
    }

    @Test
    void withoutPendingOrdersItIsOffAndSaysWhy() {
        Reconciler off = new Reconciler(null, List.of(), merchants, processor, reconcileStore, clock, () -> true, true,
                Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofHours(24), 100, "node-1");
        assertEquals(Reconciler.Status.OFF, off.runNow().status());
        assertEquals("the host provides no io.shopplug.api.PendingOrders", off.offReason());
        assertNull(reconciler().offReason());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_reconcile_run"));
    }

    @Test
    void aPluginSwitchedOffReconcilesNothing() {
        paid("RC-OFF", 1999);
        Reconciler switchedOff = new Reconciler(pending,
                ReconcileModule.queries(merchants, server.baseUrl(), QueryHttp.newClient()), merchants, processor,
                reconcileStore, clock, () -> false, true, Duration.ofSeconds(60), Duration.ofSeconds(300),
                Duration.ofHours(24), 100, "node-1");
        assertEquals(Reconciler.Status.OFF, switchedOff.runNow().status());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    private void awaitEvents(int n) throws InterruptedException {
        Instant deadline = Instant.now().plusSeconds(20);
        while (listener.events.size() < n) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("listener saw " + listener.events.size() + " events, expected " + n);
            }
            Thread.sleep(10);
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
