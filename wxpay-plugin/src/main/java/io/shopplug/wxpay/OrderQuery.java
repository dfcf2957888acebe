package io.shopplug.wxpay;

import java.util.Optional;

/**
 * Asks WeChat Pay whether one of the shop's orders has been paid, for one merchant (the APIv2
 * {@code /pay/orderquery} or the APIv3 transaction query). The answer is authenticated like a
 * notification before anything in it is believed. Thread-safe.
 */
interface OrderQuery {

    /**
     * @return the payment, mapped like a notification (same checks, same model), or empty when
     *     WeChat Pay says the order is not paid (not paid yet, closed, unknown to it)
     * @throws Failed when the question could not be answered: network, timeout, an HTTP or
     *     business error, an answer whose signature does not verify or that cannot be mapped
     */
    Optional<Notification> paymentOf(String outTradeNo);

    /** The API asked: {@code v2} or {@code v3}. */
    String api();

    /**
     * A query that could not be answered. Its message is fixed, short and secret-free (no key,
     * signature or body); no stack trace, since it is an expected outcome.
     */
    final class Failed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message, null, false, false);
        }
    }
}
