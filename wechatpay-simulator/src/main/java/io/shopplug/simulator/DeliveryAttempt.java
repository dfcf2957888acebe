package io.shopplug.simulator;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One try at delivering a notice, reported to listeners as soon as it ends.
 *
 * @param number 1 for the first try
 * @param url the notify URL
 * @param outcome how it ended
 * @param answer what the URL answered; {@code null} when it did not answer (timeout, no
 *     connection)
 * @param detail a short human-readable reason: the {@code return_msg}, the HTTP status, the
 *     network error
 * @param at when the attempt ended
 */
public record DeliveryAttempt(int number, String url, Outcome outcome, NotifyAnswer answer,
        String detail, Instant at) {

    /** How one attempt ended. Only {@link #SUCCESS} stops the retries. */
    public enum Outcome {
        /** APIv2: HTTP 200 and {@code return_code} SUCCESS. APIv3: HTTP 200 or 204. */
        SUCCESS,
        /** APIv2 only: HTTP 200 but {@code return_code} is not SUCCESS (FAIL, missing, not XML). */
        FAIL,
        /** An HTTP status that does not acknowledge (APIv2: not 200; APIv3: not 200/204). */
        HTTP_ERROR,
        /** No answer within the timeout. */
        TIMEOUT,
        /** No connection (refused, reset, unknown host) or another I/O error. */
        NETWORK_ERROR
    }

    public DeliveryAttempt {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(at, "at");
    }

    /** The answer, when the URL answered. */
    public Optional<NotifyAnswer> answerIfAny() {
        return Optional.ofNullable(answer);
    }

    /** For a log line: {@code attempt 1: FAIL plugin switched off}. */
    public String summary() {
        return "attempt " + number + ": " + outcome + (detail.isEmpty() ? "" : " " + detail);
    }
}
