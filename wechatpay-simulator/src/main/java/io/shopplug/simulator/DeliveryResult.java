package io.shopplug.simulator;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How a delivery ended, with every attempt in order.
 *
 * @param status delivered, given up after the last retry, cancelled by
 *     {@link NotifyDelivery#close()}, or dropped by the {@link Simulator}
 * @param attempts the attempts made, first to last
 */
public record DeliveryResult(Status status, List<DeliveryAttempt> attempts) {

    /** The final outcome of a delivery. */
    public enum Status {
        /** An attempt was acknowledged (APIv2: HTTP 200 and return_code SUCCESS; APIv3: 200/204). */
        DELIVERED,
        /** Every attempt of the schedule failed. */
        GAVE_UP,
        /** The {@link NotifyDelivery} was closed before the delivery ended. */
        CANCELLED,
        /**
         * Never sent: the {@link Simulator} was told to drop notifications (the payment happened,
         * the notice was lost), so only reconciliation can find it.
         */
        DROPPED
    }

    public DeliveryResult {
        Objects.requireNonNull(status, "status");
        attempts = List.copyOf(attempts);
    }

    public boolean delivered() {
        return status == Status.DELIVERED;
    }

    public int attemptCount() {
        return attempts.size();
    }

    /** The last attempt; empty only when cancelled before the first one. */
    public Optional<DeliveryAttempt> lastAttempt() {
        return attempts.isEmpty() ? Optional.empty() : Optional.of(attempts.get(attempts.size() - 1));
    }

    /** The last answer received, if any attempt got one. */
    public Optional<NotifyAnswer> lastAnswer() {
        for (int i = attempts.size() - 1; i >= 0; i--) {
            if (attempts.get(i).answer() != null) {
                return Optional.of(attempts.get(i).answer());
            }
        }
        return Optional.empty();
    }
}
