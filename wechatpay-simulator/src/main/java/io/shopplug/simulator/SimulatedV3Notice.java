package io.shopplug.simulator;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An APIv3 notification the simulator sent (payment or refund).
 *
 * @param message the notification as sent, with its decrypted payload and ids
 * @param delivery completes when the notice was acknowledged, given up, cancelled or dropped
 */
public record SimulatedV3Notice(ApiV3Message message, CompletableFuture<DeliveryResult> delivery) {

    public SimulatedV3Notice {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(delivery, "delivery");
    }
}
