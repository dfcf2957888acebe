package io.shopplug.sample;

import io.shopplug.simulator.ApiV3Notice;
import io.shopplug.simulator.DeliveryResult;
import io.shopplug.simulator.NotifyDelivery;
import io.shopplug.simulator.PaymentNotice;
import io.shopplug.simulator.PlatformIdentity;
import io.shopplug.simulator.RefundNotice;
import io.shopplug.simulator.RefundStatus;
import io.shopplug.simulator.SimulatedRefund;
import io.shopplug.simulator.SimulatedPayment;
import io.shopplug.simulator.SimulatedV3Notice;
import io.shopplug.simulator.Simulator;
import io.shopplug.simulator.SimulatorServer;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pays orders through the local WeChat Pay simulator: it makes a payment notice for the demo
 * merchant and delivers it to the shop's notify path with WeChat's retry schedule (compressed by
 * {@code shop.simulator.compress}) until the shop acknowledges it. APIv2: XML signed with the
 * APIv2 key. APIv3 ({@code shop.wxpay.api=v3|v3-sm}): JSON signed by the simulated platform
 * identity, in turn when there are several (mid-migration: certificate, then public key, ...).
 * With a second demo merchant, payments alternate between the merchants. Refunds send a refund
 * notice in the same API (APIv2: encrypted {@code req_info}, no sign). It also plays WeChat Pay's
 * API on 127.0.0.1 ({@link SimulatorServer}: order queries) for the plugin's reconciliation, and
 * can lose notifications on purpose ({@code shop.simulator.drop-notifications}). The attempts are
 * kept in memory for the order page; a restart forgets them.
 */
final class WeChatPaySimulatorGateway implements PaymentGateway {
    private static final Logger LOG = LoggerFactory.getLogger(WeChatPaySimulatorGateway.class);

    /** One payment and what has happened to its notice so far. */
    private static final class Tracked {
        final String outTradeNo;
        final long totalFen;
        final List<DeliveryAttempt> attempts = new CopyOnWriteArrayList<>();
        volatile String transactionId;
        volatile String merchantId;
        volatile String signedBy;
        volatile Simulator simulator;
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

    private final boolean v3;
    private final List<Simulator> simulators = new ArrayList<>();
    private final NotifyDelivery delivery;
    private final Supplier<URI> notifyUrl;
    private final SimulatorServer api;
    private final Map<String, Tracked> payments = new ConcurrentHashMap<>();
    private final Map<String, List<TrackedRefund>> refunds = new ConcurrentHashMap<>();
    /** How many payments were made: chooses the merchant and its signing identity. Guarded by this. */
    private long paid;

    WeChatPaySimulatorGateway(DemoWeChatPay wechatPay, long compress, Supplier<URI> notifyUrl) {
        this.v3 = wechatPay.api().isV3();
        this.delivery = NotifyDelivery.builder().compress(compress).build();
        for (DemoWeChatPay.DemoMerchant m : wechatPay.merchants()) {
            Simulator simulator = new Simulator(m.merchant(), Clock.systemUTC(), delivery);
            m.identities().forEach(simulator::addPlatformIdentity);
            simulators.add(simulator);
        }
        this.notifyUrl = Objects.requireNonNull(notifyUrl, "notifyUrl");
        this.api = SimulatorServer.start(Clock.systemUTC(), simulators.toArray(new Simulator[0]));
    }

    /** The shop's gateway: the demo merchant(s), notifying the shop itself. */
    static PaymentGateway create(ShopSettings settings, DemoWeChatPay wechatPay, Supplier<URI> shopBaseUri) {
        LOG.info("WeChat Pay simulator for {}, retry schedule compressed {}x", wechatPay,
                settings.simulatorCompress());
        WeChatPaySimulatorGateway gateway = new WeChatPaySimulatorGateway(wechatPay, settings.simulatorCompress(),
                () -> shopBaseUri.get().resolve(wechatPay.notifyPath()));
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
        long n = paid++;
        Simulator simulator = simulators.get((int) (n % simulators.size()));
        tracked.merchantId = simulator.merchant().mchId();
        tracked.simulator = simulator;
        Consumer<io.shopplug.simulator.DeliveryAttempt> onAttempt = attempt -> {
            tracked.attempts.add(new DeliveryAttempt(attempt.number(), attempt.at(),
                    attempt.answer() == null ? 0 : attempt.answer().status(),
                    attempt.outcome() + (attempt.detail().isEmpty() ? "" : ": " + attempt.detail())));
            LOG.info("Notify for {} to {}: {}", outTradeNo, url, attempt.summary());
        };
        CompletableFuture<DeliveryResult> delivered;
        if (v3) {
            // Each merchant's identities sign in turn; this method is synchronized, so the switch
            // and the notice it signs belong together.
            List<PlatformIdentity> identities = simulator.platformIdentities();
            PlatformIdentity signer = identities.get((int) (n / simulators.size() % identities.size()));
            simulator.switchPlatformIdentity(signer);
            SimulatedV3Notice notice = simulator.payV3(url, ApiV3Notice.payment(outTradeNo, totalFen), onAttempt);
            tracked.transactionId = notice.message().transactionId();
            tracked.signedBy = signer.serial();
            delivered = notice.delivery();
        } else {
            SimulatedPayment payment = simulator.pay(url, PaymentNotice.of(outTradeNo, totalFen), onAttempt);
            tracked.transactionId = payment.transactionId();
            delivered = payment.delivery();
        }
        delivered.thenAccept(result -> {
            tracked.result = result;
            LOG.info("Notify for {} {} after {} attempt(s)", outTradeNo, result.status(),
                    result.attemptCount());
        });
        payments.put(outTradeNo, tracked);
        return tracked.view();
    }

    /**
     * For tests: the merchant that was paid, and (APIv3) the {@code Wechatpay-Serial} of the
     * identity that signed the notice, {@code "<mch_id> <serial>"}.
     */
    Optional<String> paidThrough(String outTradeNo) {
        Tracked tracked = payments.get(outTradeNo);
        return tracked == null ? Optional.empty()
                : Optional.of(tracked.merchantId + (tracked.signedBy == null ? "" : " " + tracked.signedBy));
    }

    @Override
    public Optional<Payment> payment(String outTradeNo) {
        Tracked tracked = payments.get(outTradeNo);
        return tracked == null ? Optional.empty() : Optional.of(tracked.view());
    }

    /**
     * Sends a refund notice for part of a payment this gateway made, as WeChat Pay does once a
     * refund went through, in the payment's API (APIv2: no sign, the refund encrypted in
     * {@code req_info}). Like WeChat Pay, refuses refunds that would add up to more than the payment.
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
        String refundId;
        CompletableFuture<DeliveryResult> delivered;
        if (v3) {
            SimulatedV3Notice sent = payment.simulator.refundV3(url, ApiV3Notice.refund(RefundStatus.SUCCESS,
                    outTradeNo, payment.transactionId, outRefundNo, refundFen, payment.totalFen));
            refundId = sent.message().refundId().orElseThrow();
            delivered = sent.delivery();
        } else {
            SimulatedRefund sent = payment.simulator.refund(url, RefundNotice.of(payment.transactionId,
                    outTradeNo, outRefundNo, payment.totalFen, refundFen));
            refundId = sent.refundId();
            delivered = sent.delivery();
        }
        TrackedRefund tracked = new TrackedRefund(outTradeNo, outRefundNo, refundId, refundFen);
        delivered.thenAccept(result -> {
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
        simulators.forEach(s -> s.dropNotifications(drop));
        LOG.info("WeChat Pay simulator {} notifications", drop ? "drops" : "delivers");
        return true;
    }

    @Override
    public boolean droppingNotifications() {
        return simulators.get(0).droppingNotifications();
    }

    /** Stops delivering (pending deliveries end as cancelled) and stops the API. */
    @Override
    public void close() {
        delivery.close();
        api.close();
    }
}
