package io.shopplug.simulator;

import io.shopplug.simulator.ApiV3Notice.Kind;
import io.shopplug.simulator.ApiV3Notice.SubOrder;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A local WeChat Pay for one merchant: {@link #pay} / {@link #payV3} build a payment notice and
 * deliver it with WeChat's retries, {@link #refund} / {@link #refundV3} do the same for refunds.
 * The simulator remembers every genuine payment it made (a {@link SimulatorServer} answers order
 * queries from that record), can {@linkplain #dropNotifications drop} notices so that only
 * reconciliation finds a payment, and rotates its platform identity like WeChat does. The caller
 * owns the {@link NotifyDelivery} and closes it. Thread-safe.
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

    private static final DateTimeFormatter TIME_END = DateTimeFormatter.ofPattern("yyyyMMddHHmmss");

    private final ApiV2Notifications notifications;
    private final NotifyDelivery delivery;
    private final Clock clock;
    private final List<PlatformIdentity> platforms = new CopyOnWriteArrayList<>();
    private final ApiV3Notifications notificationsV3;
    private final PaymentLedger ledger = new PaymentLedger();
    private volatile PlatformIdentity signing;
    private volatile boolean dropping;

    /**
     * An APIv2-only simulator (add a platform identity and give the merchant an APIv3 key for
     * APIv3).
     *
     * @param clock gives the notices' times
     */
    public Simulator(Merchant merchant, Clock clock, NotifyDelivery delivery) {
        this.notifications = new ApiV2Notifications(merchant, clock);
        this.delivery = Objects.requireNonNull(delivery, "delivery");
        this.clock = clock;
        this.notificationsV3 = merchant.apiV3Key().isPresent()
                ? new ApiV3Notifications(merchant, this::platformIdentity, clock, new SecureRandom())
                : null;
    }

    /**
     * A simulator for APIv2 and APIv3 that signs with {@code platform}.
     *
     * @param merchant needs an APIv3 key ({@link Merchant#withApiV3Key})
     * @throws IllegalStateException if the merchant has no APIv3 key
     */
    public Simulator(Merchant merchant, PlatformIdentity platform, Clock clock,
            NotifyDelivery delivery) {
        this(requireApiV3(merchant), clock, delivery);
        addPlatformIdentity(platform);
    }

    private static Merchant requireApiV3(Merchant merchant) {
        merchant.requireApiV3Key();
        return merchant;
    }

    public Merchant merchant() {
        return notifications.merchant();
    }

    /** Builds APIv2 notices without sending them. */
    public ApiV2Notifications notifications() {
        return notifications;
    }

    /**
     * Builds APIv3 notices without sending them, signed by the current platform identity.
     *
     * @throws IllegalStateException without an APIv3 key or a platform identity
     */
    public ApiV3Notifications notificationsV3() {
        platformIdentity();
        if (notificationsV3 == null) {
            throw new IllegalStateException("merchant " + merchant().mchId() + " has no APIv3 key");
        }
        return notificationsV3;
    }

    public NotifyDelivery delivery() {
        return delivery;
    }

    // ---- platform identities and their rotation ----

    /**
     * Adds a platform identity: from now on it is listed by {@code GET /v3/certificates}; the
     * first one added also signs, later ones only after {@link #switchPlatformIdentity}. This is
     * WeChat's rotation: a new certificate is published before it is used.
     */
    public void addPlatformIdentity(PlatformIdentity identity) {
        Objects.requireNonNull(identity, "identity");
        synchronized (platforms) {
            if (!platforms.contains(identity)) {
                platforms.add(identity);
            }
            if (signing == null) {
                signing = identity;
            }
        }
    }

    /**
     * Starts signing with {@code identity} (notices and API answers).
     *
     * @throws IllegalArgumentException if it was not added first
     */
    public void switchPlatformIdentity(PlatformIdentity identity) {
        if (!platforms.contains(identity)) {
            throw new IllegalArgumentException("add " + identity + " before switching to it");
        }
        signing = identity;
    }

    /**
     * The identity that signs now.
     *
     * @throws IllegalStateException if none was added
     */
    public PlatformIdentity platformIdentity() {
        PlatformIdentity p = signing;
        if (p == null) {
            throw new IllegalStateException("no platform identity: add one for APIv3");
        }
        return p;
    }

    /** Every identity added, oldest first. */
    public List<PlatformIdentity> platformIdentities() {
        return List.copyOf(platforms);
    }

    // ---- losing notices ----

    /**
     * While on, payments and refunds are made and recorded but their notices are never sent:
     * their delivery completes at once as {@link DeliveryResult.Status#DROPPED}. Shows that the
     * shop's reconciliation finds a payment whose notice never came.
     */
    public void dropNotifications(boolean on) {
        this.dropping = on;
    }

    public boolean droppingNotifications() {
        return dropping;
    }

    // ---- APIv2 ----

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
     * on a delivery thread. A genuine notice is recorded as a payment first.
     */
    public SimulatedPayment pay(String notifyUrl, PaymentNotice notice,
            Consumer<? super DeliveryAttempt> onAttempt) {
        NotifyMessage message = notifications.paid(notice);
        if (!notice.isBroken() && "SUCCESS".equals(message.field("result_code"))) {
            recordV2(message);
        }
        return new SimulatedPayment(message.transactionId(), message,
                send(() -> delivery.deliver(notifyUrl, message.body(), onAttempt)));
    }

    /** Sends an APIv2 refund notice (no sign; {@code req_info} encrypted) with WeChat's retries. */
    public SimulatedRefund refund(String notifyUrl, RefundNotice notice) {
        NotifyMessage message = notifications.refunded(notice);
        return new SimulatedRefund(message.refundId(), message,
                send(() -> delivery.deliver(notifyUrl, message.body())));
    }

    // ---- APIv3 ----

    /** APIv3: the customer paid {@code totalFen} for order {@code outTradeNo}: notify the shop. */
    public SimulatedV3Notice payV3(String notifyUrl, String outTradeNo, long totalFen) {
        return payV3(notifyUrl, ApiV3Notice.payment(outTradeNo, totalFen));
    }

    /**
     * APIv3: sends the payment notice described (normal, partner, combine, or an unknown event;
     * possibly broken) with WeChat's retries. A genuine payment is recorded first.
     *
     * @throws IllegalArgumentException for a refund notice (use {@link #refundV3})
     */
    public SimulatedV3Notice payV3(String notifyUrl, ApiV3Notice notice) {
        return payV3(notifyUrl, notice, attempt -> { });
    }

    /**
     * As {@link #payV3(String, ApiV3Notice)}; {@code onAttempt} hears of each attempt, on a
     * delivery thread.
     *
     * @throws IllegalArgumentException for a refund notice (use {@link #refundV3})
     */
    public SimulatedV3Notice payV3(String notifyUrl, ApiV3Notice notice,
            Consumer<? super DeliveryAttempt> onAttempt) {
        if (notice.kind() == Kind.REFUND) {
            throw new IllegalArgumentException("a refund: use refundV3");
        }
        ApiV3Message message = notificationsV3().build(notice);
        if (!notice.isBroken()) {
            recordV3(message);
        }
        return sendV3(notifyUrl, message, onAttempt);
    }

    /**
     * APIv3: sends a {@code REFUND.*} notice with WeChat's retries.
     *
     * @throws IllegalArgumentException if {@code notice} is not a refund
     */
    public SimulatedV3Notice refundV3(String notifyUrl, ApiV3Notice notice) {
        if (notice.kind() != Kind.REFUND) {
            throw new IllegalArgumentException("not a refund: " + notice.kind());
        }
        return sendV3(notifyUrl, notificationsV3().build(notice));
    }

    /** A payment this simulator made, by order number (for {@link SimulatorServer}). */
    Optional<PaymentLedger.Payment> payment(String mchid, String outTradeNo) {
        return ledger.byOutTradeNo(mchid, outTradeNo);
    }

    /** A payment this simulator made, by transaction id (for {@link SimulatorServer}). */
    Optional<PaymentLedger.Payment> paymentByTransactionId(String mchid, String transactionId) {
        return ledger.byTransactionId(mchid, transactionId);
    }

    private SimulatedV3Notice sendV3(String notifyUrl, ApiV3Message message) {
        return sendV3(notifyUrl, message, attempt -> { });
    }

    private SimulatedV3Notice sendV3(String notifyUrl, ApiV3Message message,
            Consumer<? super DeliveryAttempt> onAttempt) {
        return new SimulatedV3Notice(message,
                send(() -> delivery.deliver(notifyUrl, message, onAttempt)));
    }

    /** Starts the delivery, or completes it as dropped at once. */
    private CompletableFuture<DeliveryResult> send(
            java.util.function.Supplier<CompletableFuture<DeliveryResult>> deliver) {
        if (dropping) {
            return CompletableFuture.completedFuture(
                    new DeliveryResult(DeliveryResult.Status.DROPPED, List.of()));
        }
        return deliver.get();
    }

    private void recordV2(NotifyMessage m) {
        LocalDateTime end = LocalDateTime.parse(m.field("time_end"), TIME_END);
        java.time.Instant when = end.atZone(ApiV2Notifications.BEIJING).toInstant();
        long total = Long.parseLong(m.field("total_fee"));
        String model = Json.write(ApiV3Notifications.paymentModel(m.field("mch_id"),
                m.field("appid"), m.outTradeNo(), m.transactionId(), total, m.field("openid"),
                ApiV3Notifications.RFC3339.format(end.atZone(ApiV2Notifications.BEIJING))));
        ledger.record(new PaymentLedger.Payment(m.field("mch_id"), m.field("appid"),
                m.outTradeNo(), m.transactionId(), total, m.field("openid"), when, model));
    }

    private void recordV3(ApiV3Message m) {
        ApiV3Notice n = m.notice();
        java.time.Instant when = clock.instant();
        String time = ApiV3Notifications.RFC3339.format(
                when.atZone(ApiV2Notifications.BEIJING).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        Merchant me = merchant();
        switch (n.kind()) {
            case PAYMENT -> ledger.record(new PaymentLedger.Payment(me.mchId(), me.appId(),
                    n.outTradeNo(), m.transactionId(), n.totalFen(), null, when, m.plaintext()));
            case PARTNER_PAYMENT -> ledger.record(new PaymentLedger.Payment(n.subMchid(),
                    n.subAppid(), n.outTradeNo(), m.transactionId(), n.totalFen(), null, when,
                    m.plaintext()));
            case COMBINE_PAYMENT -> {
                for (int i = 0; i < n.subOrders().size(); i++) {
                    SubOrder s = n.subOrders().get(i);
                    String tx = m.transactionIds().get(i);
                    ledger.record(new PaymentLedger.Payment(s.mchid(), me.appId(), s.outTradeNo(),
                            tx, s.totalFen(), null, when, Json.write(ApiV3Notifications.paymentModel(
                                    s.mchid(), me.appId(), s.outTradeNo(), tx, s.totalFen(),
                                    "", time))));
                }
            }
            default -> {
                // An unknown event pays nothing.
            }
        }
    }
}
