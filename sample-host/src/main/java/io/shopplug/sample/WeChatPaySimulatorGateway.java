package io.shopplug.sample;

import io.shopplug.simulator.DeliveryResult;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PaymentNotice;
import io.shopplug.simulator.RefundNotice;
import io.shopplug.simulator.SimulatedRefund;
import io.shopplug.simulator.SimulatedPayment;
import io.shopplug.simulator.Simulator;
import io.shopplug.simulator.SimulatorServer;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pays and refunds orders through the local WeChat Pay simulator: it signs an APIv2 payment notice
 * (or encrypts a refund notice) with the demo merchant's key and delivers it to the shop's notify path with WeChat's retry schedule
 * (compressed by {@code shop.simulator.compress}) until the shop answers SUCCESS. The attempts are
 * kept in memory for the order page; a restart forgets them. It also plays WeChat Pay's API on
 * 127.0.0.1 ({@link SimulatorServer}: order queries) for the plugin's reconciliation, and can lose
 * notifications on purpose ({@code shop.simulator.drop-notifications}).
 */
final class WeChatPaySimulatorGateway implements PaymentGateway {
    private static final Logger LOG = LoggerFactory.getLogger(WeChatPaySimulatorGateway.class);

    /** One payment and what has happened to its notice so far. */
    private static final class Tracked {
        final String outTradeNo;
        final long totalFen;
        final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
        volatile String transactionId;
        volatile DeliveryResult result;

        Tracked(String outTradeNo, long totalFen) {
            this.outTradeNo = outTradeNo;
            this.totalFen = totalFen;
        }

        Payment view() {
            DeliveryResult r = result;
            return new Payment(outTradeNo, transactionId, totalFen, List.copyOf(attempts),
                    r != null && r.delivered(), r != null);
        }
    }

    /** One refund and what has happened to its notice so far. */
    private static final class TrackedRefund {
        final String outTradeNo;
        final String outRefundNo;
        final String refundId;
        final long refundFen;
        volatile DeliveryResult result;

        TrackedRefund(String outTradeNo, String outRefundNo, String refundId, long refundFen) {
            this.outTradeNo = outTradeNo;
            this.outRefundNo = outRefundNo;
            this.refundId = refundId;
            this.refundFen = refundFen;
        }

        Refund view() {
            DeliveryResult r = result;
            return new Refund(outTradeNo, outRefundNo, refundId, refundFen, r != null && r.delivered(), r != null);
        }
    }

    private final Simulator simulator;
    private final NotifyDelivery delivery;
    private final SimulatorServer api;
    private final Supplier<URI> notifyUrl;
    private final Map<String, Tracked> payments = new ConcurrentHashMap<>();
    private final Map<String, List<TrackedRefund>> refunds = new ConcurrentHashMap<>();

    WeChatPaySimulatorGateway(MerchantSettings merchant, long compress, Supplier<URI> notifyUrl) {
        this.delivery = NotifyDelivery.builder().compress(compress).build();
        this.simulator = new Simulator(Merchant.of(merchant.appId(), merchant.mchId(),
                merchant.apiV2Key(), merchant.signType()), Clock.systemUTC(), delivery);
        this.notifyUrl = Objects.requireNonNull(notifyUrl, "notifyUrl");
        this.api = SimulatorServer.start(Clock.systemUTC(), simulator);
    }

    /** The shop's gateway: the merchant from {@code wxpay.properties}, notifying the shop itself. */
    static PaymentGateway create(ShopSettings settings, Supplier<URI> shopBaseUri) {
        MerchantSettings merchant = MerchantSettings.fromClassPath(SampleShop.class.getClassLoader());
        LOG.info("WeChat Pay simulator for {}, retry schedule compressed {}x", merchant,
                settings.simulatorCompress());
        WeChatPaySimulatorGateway gateway = new WeChatPaySimulatorGateway(merchant, settings.simulatorCompress(),
                () -> shopBaseUri.get().resolve(merchant.notifyPath()));
        gateway.dropNotifications(settings.simulatorDropNotifications());
        LOG.info("WeChat Pay simulator API at {}", gateway.api.baseUrl());
        return gateway;
    }

    @Override
    public synchronized Payment pay(String outTradeNo, long totalFen) {
        Tracked existing = payments.get(outTradeNo);
        if (existing != null) {
            return existing.view();
        }
        Tracked tracked = new Tracked(outTradeNo, totalFen);
        String url = notifyUrl.get().toString();
        SimulatedPayment payment = simulator.pay(url, PaymentNotice.of(outTradeNo, totalFen),
                attempt -> {
                    tracked.attempts.add(new DeliveryAttempt(attempt.number(), attempt.at(),
                            attempt.answer() == null ? 0 : attempt.answer().status(),
                            attempt.outcome() + (attempt.detail().isEmpty() ? "" : ": " + attempt.detail())));
                    LOG.info("Notify for {} to {}: {}", outTradeNo, url, attempt.summary());
                });
        tracked.transactionId = payment.transactionId();
        payment.delivery().thenAccept(result -> {
            tracked.result = result;
            LOG.info("Notify for {} {} after {} attempt(s)", outTradeNo, result.status(),
                    result.attemptCount());
        });
        payments.put(outTradeNo, tracked);
        return tracked.view();
    }

    @Override
    public Optional<Payment> payment(String outTradeNo) {
        Tracked tracked = payments.get(outTradeNo);
        return tracked == null ? Optional.empty() : Optional.of(tracked.view());
    }

    /**
     * Sends an APIv2 refund notice for part of a payment this gateway made, as WeChat Pay does
     * once a refund went through: no sign, the refund encrypted in {@code req_info}. Like WeChat
     * Pay, refuses refunds that would add up to more than the payment.
     */
    @Override
    public synchronized Refund refund(String outTradeNo, long refundFen) {
        Tracked payment = payments.get(outTradeNo);
        if (payment == null || payment.transactionId == null) {
            throw new RefundRefused("order " + outTradeNo + " was not paid through the simulator since the shop started");
        }
        List<TrackedRefund> done = refunds.computeIfAbsent(outTradeNo, k -> new CopyOnWriteArrayList<>());
        long refunded = done.stream().mapToLong(r -> r.refundFen).sum();
        if (refundFen < 1 || refundFen > payment.totalFen - refunded) {
            throw new RefundRefused("only " + (payment.totalFen - refunded) + " fen of " + payment.totalFen
                    + " are left to refund");
        }
        String outRefundNo = outTradeNo + "-R" + (done.size() + 1);
        String url = notifyUrl.get().toString();
        SimulatedRefund sent = simulator.refund(url, RefundNotice.of(payment.transactionId, outTradeNo,
                outRefundNo, payment.totalFen, refundFen));
        TrackedRefund tracked = new TrackedRefund(outTradeNo, outRefundNo, sent.refundId(), refundFen);
        sent.delivery().thenAccept(result -> {
            tracked.result = result;
            LOG.info("Refund notice {} for {} {} after {} attempt(s)", outRefundNo, outTradeNo,
                    result.status(), result.attemptCount());
        });
        done.add(tracked);
        return tracked.view();
    }

    @Override
    public List<Refund> refunds(String outTradeNo) {
        List<TrackedRefund> tracked = refunds.get(outTradeNo);
        return tracked == null ? List.of() : tracked.stream().map(TrackedRefund::view).toList();
    }

    @Override
    public Optional<String> apiBaseUrl() {
        return Optional.of(api.baseUrl());
    }

    @Override
    public boolean dropNotifications(boolean drop) {
        simulator.dropNotifications(drop);
        LOG.info("WeChat Pay simulator {} notifications", drop ? "drops" : "delivers");
        return true;
    }

    @Override
    public boolean droppingNotifications() {
        return simulator.droppingNotifications();
    }

    /** Stops delivering (pending deliveries end as cancelled) and stops the API. */
    @Override
    public void close() {
        delivery.close();
        api.close();
    }
}
