package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ListenersTest {
    private static final Instant PAID_AT = Instant.parse("2025-11-24T03:15:30Z");

    private ShopDatabase db;
    private ShopStore store;
    private List<PaymentListener> listeners;

    @BeforeEach
    void open() {
        db = ShopDatabase.open(TestShops.settings());
        Clock clock = Clock.fixed(Instant.parse("2025-11-24T03:00:00Z"), ZoneOffset.UTC);
        store = new ShopStore(db.dataSource(), clock);
        AppliedEvents applied = new AppliedEvents(db.dataSource(), clock);
        listeners = List.of(new OrderStatusListener(applied), new InventoryListener(applied),
                new PointsListener(applied));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static PaymentEvent paid(ShopStore.OrderView order, String key) {
        return PaymentEvent.builder().idempotencyKey(key).transactionId("4200000001" + key.hashCode())
                .outTradeNo(order.outTradeNo()).amountFen(order.amountFen()).currency("CNY")
                .paidAt(PAID_AT).merchantId("1900000109").appId("wx2421b1c4370ec43b").build();
    }

    private void deliver(PaymentEvent event) {
        for (PaymentListener l : listeners) {
            l.onPaid(event);
        }
    }

    @Test
    void onePaymentMarksPaidDeductsStockAndAwardsPoints() {
        // 3 × Green tea at 19.99 = 59.97 yuan → 59 points.
        ShopStore.OrderView order = store.placeOrder(1, 1, 3);
        assertEquals(5997, order.amountFen());
        assertEquals("AWAITING_PAYMENT", order.state());

        deliver(paid(order, "pay:4200000001"));

        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PAID", after.state());
        assertEquals(PAID_AT, after.paidAt());
        assertEquals(order.stock() - 3, after.stock());
        assertEquals(order.points() + 59, after.points());
        assertEquals(3, appliedRows());
    }

    @Test
    void theSameEventDeliveredTwiceHasOneEffect() {
        ShopStore.OrderView order = store.placeOrder(1, 2, 2);
        PaymentEvent event = paid(order, "pay:twice");

        deliver(event);
        deliver(event);
        // A fresh, equal event object (as after a restart) is the same event.
        deliver(paid(order, "pay:twice"));

        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PAID", after.state());
        assertEquals(order.stock() - 2, after.stock());
        assertEquals(order.points() + PointsListener.pointsFor(order.amountFen()), after.points());
        assertEquals(3, appliedRows());
    }

    @Test
    void concurrentDeliveriesOfOneEventHaveOneEffect() throws Exception {
        ShopStore.OrderView order = store.placeOrder(2, 1, 1);
        PaymentEvent event = paid(order, "pay:concurrent");
        int copies = 8;
        ExecutorService pool = Executors.newFixedThreadPool(copies * listeners.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                for (PaymentListener l : listeners) {
                    Callable<Void> delivery = () -> {
                        go.await();
                        l.onPaid(event);
                        return null;
                    };
                    results.add(pool.submit(delivery));
                }
            }
            go.countDown();
            for (Future<Void> f : results) {
                f.get(30, TimeUnit.SECONDS); // no copy fails: the losers see a duplicate
            }
        } finally {
            pool.shutdownNow();
        }
        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PAID", after.state());
        assertEquals(order.stock() - 1, after.stock());
        assertEquals(order.points() + 19, after.points());
        assertEquals(3, appliedRows());
    }

    @Test
    void twoPaymentsAreTwoEvents() {
        ShopStore.OrderView first = store.placeOrder(3, 1, 1);
        ShopStore.OrderView second = store.placeOrder(3, 1, 2);
        deliver(paid(first, "pay:first"));
        deliver(paid(second, "pay:second"));
        ShopStore.OrderView after = store.order(second.outTradeNo()).orElseThrow();
        assertEquals(first.stock() - 3, after.stock());
        assertEquals(first.points() + 19 + 39, after.points());
    }

    @Test
    void aStateNeverMovesBack() throws SQLException {
        ShopStore.OrderView order = store.placeOrder(1, 1, 1);
        setState(order.outTradeNo(), ShopOrderStatus.CANCELLED);
        new OrderStatusListener(new AppliedEvents(db.dataSource(), Clock.systemUTC()))
                .onPaid(paid(order, "pay:late"));
        assertEquals("CANCELLED", store.order(order.outTradeNo()).orElseThrow().state());

        ShopStore.OrderView shipped = store.placeOrder(1, 1, 1);
        setState(shipped.outTradeNo(), ShopOrderStatus.SHIPPED);
        listeners.get(0).onPaid(paid(shipped, "pay:again"));
        assertEquals("SHIPPED", store.order(shipped.outTradeNo()).orElseThrow().state());
    }

    @Test
    void aFailedDeliveryRecordsNothingSoTheRetryApplies() throws SQLException {
        ShopStore.OrderView order = store.placeOrder(1, 1, 1);
        PaymentEvent forUnknownOrder = PaymentEvent.builder().idempotencyKey("pay:unknown")
                .transactionId("4200000009").outTradeNo("SHOP-NOPE").amountFen(1999).currency("CNY")
                .paidAt(PAID_AT).merchantId("1900000109").appId("wx2421b1c4370ec43b").build();
        for (PaymentListener l : listeners) {
            assertThrows(IllegalStateException.class, () -> l.onPaid(forUnknownOrder));
        }
        assertEquals(0, appliedRows());
        deliver(paid(order, "pay:fine"));
        assertEquals(3, appliedRows());
    }

    private void setState(String outTradeNo, ShopOrderStatus status) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE shop_order SET state = ? WHERE out_trade_no = ?")) {
            ps.setString(1, status.name());
            ps.setString(2, outTradeNo);
            assertEquals(1, ps.executeUpdate());
        }
    }

    private int appliedRows() {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM shop_applied_event");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
