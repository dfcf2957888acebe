package io.shopplug.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventsTest {
    private static final Instant AT = Instant.parse("2026-11-24T02:30:00Z");

    private static PaymentEvent.Builder payment() {
        return PaymentEvent.builder().idempotencyKey("wxpay:payment:42").transactionId("42")
                .outTradeNo("ORDER-1").amountFen(1999).currency("CNY").paidAt(AT)
                .merchantId("1900000109").appId("wx2421b1c4370ec43b");
    }

    private static RefundEvent.Builder refund() {
        return RefundEvent.builder().idempotencyKey("wxpay:refund:50").refundId("50").outRefundNo("R-1")
                .transactionId("42").outTradeNo("ORDER-1").refundFen(500).paymentFen(1999)
                .currency("CNY").refundedAt(AT);
    }

    @Test
    void paymentEventKeepsWhatItWasBuiltWith() {
        PaymentEvent e = payment().build();
        assertEquals("wxpay:payment:42", e.idempotencyKey());
        assertEquals("ORDER-1", e.outTradeNo());
        assertEquals(1999, e.amountFen());
        assertEquals(AT, e.paidAt());
        assertEquals("PaymentEvent[wxpay:payment:42, order ORDER-1, 1999 fen CNY, paid 2026-11-24T02:30:00Z]", e.toString());
    }

    @Test
    void paymentEventRefusesMissingOrNegativeValues() {
        assertThrows(IllegalArgumentException.class, () -> payment().transactionId("").build());
        assertThrows(IllegalArgumentException.class, () -> payment().idempotencyKey(null).build());
        assertThrows(IllegalArgumentException.class, () -> payment().amountFen(-1).build());
        assertThrows(NullPointerException.class, () -> payment().paidAt(null).build());
        assertThrows(IllegalArgumentException.class, () -> PaymentEvent.builder().build());
    }

    @Test
    void refundEventChecksItsAmounts() {
        assertEquals(500, refund().build().refundFen());
        assertThrows(IllegalArgumentException.class, () -> refund().refundFen(2000).build());
        assertThrows(IllegalArgumentException.class, () -> refund().refundFen(-1).build());
        assertThrows(IllegalArgumentException.class, () -> refund().outRefundNo("").build());
        assertTrue(refund().build().toString().contains("500 of 1999 fen"));
    }

    @Test
    void orderSnapshotRefusesNegativeAmounts() {
        assertThrows(IllegalArgumentException.class, () -> new OrderSnapshot("O", -1, "CNY", OrderState.PAID));
        OrderSnapshot s = new OrderSnapshot("O", 0, "CNY", OrderState.CLOSED);
        assertEquals(OrderState.CLOSED, s.state());
        assertFalse(s.toString().isEmpty());
    }
}
