package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.RefundEvent;
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

    // ---- refunds

    private static RefundEvent refunded(ShopStore.OrderView order, String refundId, long refundFen) {
        return RefundEvent.builder().idempotencyKey("wxpay:refund:" + refundId).refundId(refundId)
                .outRefundNo("R-" + refundId).transactionId("4200000001" + order.outTradeNo().hashCode())
                .outTradeNo(order.outTradeNo()).refundFen(refundFen).paymentFen(order.amountFen())
                .currency("CNY").refundedAt(PAID_AT.plusSeconds(3600)).build();
    }

    private void deliver(RefundEvent event) {
        for (PaymentListener l : listeners) {
            l.onRefunded(event);
        }
    }

    @Test
    void partialPartialAndTheRestGiveBackStockAndPointsExactly() {
        // 3 × Green tea at 19.99 = 59.97 yuan → 59 points.
        ShopStore.OrderView order = store.placeOrder(1, 1, 3);
        deliver(paid(order, "pay:refunds"));
        ShopStore.OrderView paid = store.order(order.outTradeNo()).orElseThrow();

        deliver(refunded(order, "r1", 2000));
        ShopStore.OrderView afterFirst = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PARTIALLY_REFUNDED", afterFirst.state());
        assertEquals(2000, afterFirst.refundedFen());
        assertEquals(paid.stock() + 1, afterFirst.stock()); // floor(3 × 2000 / 5997) = 1
        assertEquals(paid.points() - 19, afterFirst.points()); // floor(59 × 2000 / 5997) = 19

        deliver(refunded(order, "r2", 1000));
        ShopStore.OrderView afterSecond = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PARTIALLY_REFUNDED", afterSecond.state());
        assertEquals(3000, afterSecond.refundedFen());
        assertEquals(paid.stock() + 1, afterSecond.stock()); // floor(3 × 3000 / 5997) = 1
        assertEquals(paid.points() - 29, afterSecond.points()); // floor(59 × 3000 / 5997) = 29

        deliver(refunded(order, "r3", 2997));
        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("REFUNDED", after.state());
        assertEquals(5997, after.refundedFen());
        assertEquals(order.stock(), after.stock());
        assertEquals(order.points(), after.points());
        assertEquals(3 + 3 * 3, appliedRows());
    }

    @Test
    void manySmallRefundsDoNotDrift() {
        // 7 refunds of 856 or 857 fen: each alone is worth 0 cups and 8 points, rounded down; the
        // cumulative computation still gives back all 3 cups and all 59 points.
        ShopStore.OrderView order = store.placeOrder(2, 1, 3);
        deliver(paid(order, "pay:small"));
        long left = order.amountFen();
        for (int i = 0; i < 7; i++) {
            long fen = i < 6 ? 856 : left;
            left -= fen;
            deliver(refunded(order, "small-" + i, fen));
        }
        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("REFUNDED", after.state());
        assertEquals(order.amountFen(), after.refundedFen());
        assertEquals(order.stock(), after.stock());
        assertEquals(order.points(), after.points());
    }

    @Test
    void aRefundDeliveredTwiceOrConcurrentlyHasOneEffect() throws Exception {
        ShopStore.OrderView order = store.placeOrder(3, 2, 2); // 2 × 29.99 → 59 points
        deliver(paid(order, "pay:r-twice"));
        ShopStore.OrderView paid = store.order(order.outTradeNo()).orElseThrow();
        RefundEvent half = refunded(order, "half", 2999);
        deliver(half);
        deliver(half);
        deliver(refunded(order, "half", 2999)); // an equal event, as after a restart

        RefundEvent rest = refunded(order, "rest", 2999);
        int copies = 8;
        ExecutorService pool = Executors.newFixedThreadPool(copies * listeners.size());
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Void>> results = new ArrayList<>();
            for (int i = 0; i < copies; i++) {
                RefundEvent event = i % 2 == 0 ? rest : half;
                for (PaymentListener l : listeners) {
                    results.add(pool.submit(() -> {
                        go.await();
                        l.onRefunded(event);
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<Void> f : results) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("REFUNDED", after.state());
        assertEquals(5998, after.refundedFen());
        assertEquals(paid.stock() + 2, after.stock());
        assertEquals(paid.points() - 59, after.points());
        assertEquals(3 + 2 * 3, appliedRows());
    }

    @Test
    void refundsArrivingInAnyOrderAddUpTheSame() {
        ShopStore.OrderView order = store.placeOrder(1, 3, 5); // 5 × 45.00 = 225.00 → 225 points
        deliver(paid(order, "pay:order"));
        ShopStore.OrderView paid = store.order(order.outTradeNo()).orElseThrow();
        RefundEvent a = refunded(order, "a", 10001);
        RefundEvent b = refunded(order, "b", 7000);
        // Each listener has its own delivery: they see the two refunds in different orders.
        listeners.get(0).onRefunded(a);
        listeners.get(1).onRefunded(b);
        listeners.get(2).onRefunded(a);
        listeners.get(0).onRefunded(b);
        listeners.get(1).onRefunded(a);
        listeners.get(2).onRefunded(b);
        ShopStore.OrderView after = store.order(order.outTradeNo()).orElseThrow();
        assertEquals("PARTIALLY_REFUNDED", after.state());
        assertEquals(17001, after.refundedFen());
        assertEquals(paid.stock() + 3, after.stock()); // floor(5 × 17001 / 22500) = 3
        assertEquals(paid.points() - 170, after.points()); // floor(225 × 17001 / 22500) = 170
    }

    @Test
    void aRefundMovesTheStateOnlyForward() throws SQLException {
        ShopStore.OrderView shipped = store.placeOrder(1, 1, 1);
        deliver(paid(shipped, "pay:shipped"));
        setState(shipped.outTradeNo(), ShopOrderStatus.SHIPPED);
        deliver(refunded(shipped, "shipped-part", 999));
        assertEquals("PARTIALLY_REFUNDED", store.order(shipped.outTradeNo()).orElseThrow().state());
        deliver(refunded(shipped, "shipped-rest", 1000));
        assertEquals("REFUNDED", store.order(shipped.outTradeNo()).orElseThrow().state());
        // A payment delivered late (its listener was being retried) does not make it PAID again.
        deliver(paid(shipped, "pay:shipped"));
        assertEquals("REFUNDED", store.order(shipped.outTradeNo()).orElseThrow().state());

        ShopStore.OrderView cancelled = store.placeOrder(1, 1, 1);
        setState(cancelled.outTradeNo(), ShopOrderStatus.CANCELLED);
        listeners.get(0).onRefunded(refunded(cancelled, "cancelled", 1999));
        ShopStore.OrderView after = store.order(cancelled.outTradeNo()).orElseThrow();
        assertEquals("CANCELLED", after.state());
        assertEquals(1999, after.refundedFen());

        assertFalse(OrderStatusListener.isForward(ShopOrderStatus.REFUNDED, ShopOrderStatus.PARTIALLY_REFUNDED));
        assertFalse(OrderStatusListener.isForward(ShopOrderStatus.REFUNDED, ShopOrderStatus.PAID));
        assertTrue(OrderStatusListener.isForward(ShopOrderStatus.AWAITING_PAYMENT, ShopOrderStatus.REFUNDED));
    }

    @Test
    void aRefundForAnUnknownOrderFailsAndRecordsNothing() {
        ShopStore.OrderView order = store.placeOrder(1, 1, 1);
        RefundEvent unknown = RefundEvent.builder().idempotencyKey("wxpay:refund:nope").refundId("nope")
                .outRefundNo("R-nope").transactionId("4200").outTradeNo("SHOP-NOPE").refundFen(1)
                .paymentFen(order.amountFen()).currency("CNY").refundedAt(PAID_AT).build();
        for (PaymentListener l : listeners) {
            assertThrows(IllegalStateException.class, () -> l.onRefunded(unknown));
        }
        assertEquals(0, appliedRows());
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
