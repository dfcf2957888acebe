package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.api.OrderSnapshot;
import io.shopplug.api.OrderState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ShopOrderLookupTest {
    private static ShopDatabase db;
    private static ShopStore store;
    private static ShopOrderLookup lookup;

    @BeforeAll
    static void open() {
        db = ShopDatabase.open(TestShops.settings());
        store = new ShopStore(db.dataSource(), Clock.systemUTC());
        lookup = new ShopOrderLookup(db.dataSource());
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @ParameterizedTest
    @CsvSource({
        "AWAITING_PAYMENT, AWAITING_PAYMENT",
        "PAID, PAID",
        "SHIPPED, PAID",
        "PARTIALLY_REFUNDED, PARTIALLY_REFUNDED",
        "REFUNDED, REFUNDED",
        "CANCELLED, CLOSED",
    })
    void mapsTheShopsStates(ShopOrderStatus shopState, OrderState expected) throws Exception {
        ShopStore.OrderView order = store.placeOrder(1, 3, 2);
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "UPDATE shop_order SET state = ? WHERE out_trade_no = ?")) {
            ps.setString(1, shopState.name());
            ps.setString(2, order.outTradeNo());
            assertEquals(1, ps.executeUpdate());
        }
        OrderSnapshot snapshot = lookup.find(order.outTradeNo()).orElseThrow();
        assertEquals(order.outTradeNo(), snapshot.outTradeNo());
        assertEquals(9000, snapshot.amountFen());
        assertEquals("CNY", snapshot.currency());
        assertEquals(expected, snapshot.state());
    }

    @Test
    void everyShopStateHasAPaymentState() {
        for (ShopOrderStatus s : ShopOrderStatus.values()) {
            assertTrue(s.paymentState() != null, s.name());
        }
    }

    @Test
    void anUnknownOrderIsEmpty() {
        assertTrue(lookup.find("SHOP-20250101-NOSUCH00").isEmpty());
        assertTrue(lookup.find("").isEmpty());
    }
}
