package io.shopplug.simulator;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * An APIv2 refund notice the simulator sent.
 *
 * @param refundId WeChat's id of the refund (the plugin's business key)
 * @param notice the notice as sent; {@link NotifyMessage#reqInfo()} holds the decrypted fields
 * @param delivery completes when the notice was acknowledged, given up, cancelled or dropped
 */
public record SimulatedRefund(String refundId, NotifyMessage notice,
        CompletableFuture<DeliveryResult> delivery) {

    public SimulatedRefund {
        Objects.requireNonNull(refundId, "refundId");
        Objects.requireNonNull(notice, "notice");
        Objects.requireNonNull(delivery, "delivery");
    }
}
