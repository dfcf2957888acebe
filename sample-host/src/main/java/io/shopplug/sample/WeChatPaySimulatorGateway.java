package io.shopplug.sample;

import java.net.URI;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Pays orders through the local WeChat Pay simulator. Placeholder until the simulator's facade is
 * merged: paying fails with a clear message.
 */
final class WeChatPaySimulatorGateway implements PaymentGateway {

    static PaymentGateway create(ShopSettings settings, Supplier<URI> shopBaseUri) {
        return new WeChatPaySimulatorGateway();
    }

    @Override
    public Payment pay(String outTradeNo, long totalFen) {
        throw new IllegalStateException("The WeChat Pay simulator is not wired in yet");
    }

    @Override
    public Optional<Payment> payment(String outTradeNo) {
        return Optional.empty();
    }

    @Override
    public void close() {}
}
