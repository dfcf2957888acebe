package io.shopplug.sample;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** A payment gateway that only remembers what it was asked to pay. */
final class RecordingGateway implements PaymentGateway {
    final Map<String, Payment> payments = new ConcurrentHashMap<>();
    final AtomicInteger payCalls = new AtomicInteger();
    volatile Supplier<URI> shopBaseUri;

    SampleShop.GatewayFactory factory() {
        return (settings, wechatPay, base) -> {
            shopBaseUri = base;
            return this;
        };
    }

    @Override
    public Payment pay(String outTradeNo, long totalFen) {
        payCalls.incrementAndGet();
        return payments.computeIfAbsent(outTradeNo, no -> new Payment(no, "4200000000" + no.hashCode(),
                totalFen, List.of(), false, false));
    }

    @Override
    public Optional<Payment> payment(String outTradeNo) {
        return Optional.ofNullable(payments.get(outTradeNo));
    }

    @Override
    public Refund refund(String outTradeNo, long refundFen) {
        throw new RefundRefused("the recording gateway does not refund");
    }

    @Override
    public List<Refund> refunds(String outTradeNo) {
        return List.of();
    }

    @Override
    public void close() {}
}
