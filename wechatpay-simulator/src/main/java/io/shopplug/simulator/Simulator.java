package io.shopplug.simulator;

import java.time.Clock;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A local WeChat Pay for one merchant: {@link #pay} builds the payment notice and delivers it with
 * WeChat's retries. The caller owns the {@link NotifyDelivery} and closes it. Thread-safe.
 *
 * <pre>{@code
 * try (NotifyDelivery delivery = NotifyDelivery.builder().compress(1000).build()) {
 *     Simulator wechat = new Simulator(merchant, Clock.systemUTC(), delivery);
 *     SimulatedPayment p = wechat.pay("http://127.0.0.1:8080/wxpay/notify", "SO-1", 8888);
 *     DeliveryResult r = p.delivery().get(1, TimeUnit.MINUTES);
 * }
 * }</pre>
 */
public final class Simulator {

    private final ApiV2Notifications notifications;
    private final NotifyDelivery delivery;

    /**
     * @param clock gives the notice's {@code time_end}
     */
    public Simulator(Merchant merchant, Clock clock, NotifyDelivery delivery) {
        this.notifications = new ApiV2Notifications(merchant, clock);
        this.delivery = Objects.requireNonNull(delivery, "delivery");
    }

    public Merchant merchant() {
        return notifications.merchant();
    }

    /** Builds notices without sending them. */
    public ApiV2Notifications notifications() {
        return notifications;
    }

    public NotifyDelivery delivery() {
        return delivery;
    }

    /** The customer paid {@code totalFen} for order {@code outTradeNo}: notify the shop. */
    public SimulatedPayment pay(String notifyUrl, String outTradeNo, long totalFen) {
        return pay(notifyUrl, PaymentNotice.of(outTradeNo, totalFen));
    }

    /** Sends the notice described (possibly broken on purpose) with WeChat's retries. */
    public SimulatedPayment pay(String notifyUrl, PaymentNotice notice) {
        return pay(notifyUrl, notice, attempt -> { });
    }

    /**
     * Sends the notice described with WeChat's retries; {@code onAttempt} hears of each attempt,
     * on a delivery thread.
     */
    public SimulatedPayment pay(String notifyUrl, PaymentNotice notice,
            Consumer<? super DeliveryAttempt> onAttempt) {
        NotifyMessage message = notifications.paid(notice);
        return new SimulatedPayment(message.transactionId(), message,
                delivery.deliver(notifyUrl, message.body(), onAttempt));
    }
}
