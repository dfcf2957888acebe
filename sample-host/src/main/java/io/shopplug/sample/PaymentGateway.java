package io.shopplug.sample;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the shop sends a customer to pay, and asks for refunds. The demo's only one is the WeChat
 * Pay simulator.
 */
interface PaymentGateway extends AutoCloseable {

    /** One delivery of the payment notification to the shop, and the shop's answer. */
    record DeliveryAttempt(int number, Instant at, int httpStatus, String answer) {}

    /**
     * A payment asked for, with the notifications delivered so far.
     *
     * @param acknowledged whether the shop has answered a delivery with SUCCESS
     * @param finished whether the provider stopped delivering (acknowledged, or gave up)
     */
    record Payment(String outTradeNo, String transactionId, long totalFen,
            List<DeliveryAttempt> attempts, boolean acknowledged, boolean finished) {}

    /**
     * A refund asked for, and whether its notification has been acknowledged.
     *
     * @param refundId the provider's id of the refund (the plugin's business key)
     */
    record Refund(String outTradeNo, String outRefundNo, String refundId, long refundFen,
            boolean acknowledged, boolean finished) {}

    /** Why a refund was not asked for; the message is safe to show. */
    final class RefundRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefundRefused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Pays an order. Asking again for an order already being paid returns that payment: a double
     * click does not pay twice.
     */
    Payment pay(String outTradeNo, long totalFen);

    /** The payment of an order, if one was asked for since the shop started. */
    Optional<Payment> payment(String outTradeNo);

    /**
     * Refunds {@code refundFen} of an order's payment: the provider sends a refund notification.
     * Each call is a new refund with its own refund number.
     *
     * @throws RefundRefused if the order was not paid through this provider since the shop
     *     started, or the refunds asked for would exceed the payment
     */
    Refund refund(String outTradeNo, long refundFen);

    /** The refunds of an order asked for since the shop started, oldest first. */
    List<Refund> refunds(String outTradeNo);

    /**
     * The base URL of the WeChat Pay API this gateway plays (for the plugin's order queries), or
     * empty when it plays none.
     */
    default Optional<String> apiBaseUrl() {
        return Optional.empty();
    }

    /**
     * Demo and test switch: while on, payments are made but their notifications are lost, so only
     * the plugin's reconciliation can find them.
     *
     * @return false if this gateway cannot lose notifications
     */
    default boolean dropNotifications(boolean drop) {
        return false;
    }

    /** Whether notifications are being lost on purpose (see {@link #dropNotifications}). */
    default boolean droppingNotifications() {
        return false;
    }

    @Override
    void close();
}
