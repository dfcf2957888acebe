package io.shopplug.simulator;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A payment the simulator made: the notice it sent and the delivery under way.
 *
 * @param transactionId WeChat's id of the payment (the plugin's business key)
 * @param notice the notice as sent
 * @param delivery completes when the notice was acknowledged, given up or cancelled
 */
public record SimulatedPayment(String transactionId, NotifyMessage notice,
        CompletableFuture<DeliveryResult> delivery) {

    public SimulatedPayment {
        Objects.requireNonNull(transactionId, "transactionId");
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(delivery, "delivery");
    }
}
