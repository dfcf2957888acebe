package io.shopplug.wxpay;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.shopplug.api.OrderLookup;
import java.time.Clock;

/** Binds the notify path: signer, dispatcher, processor and the APIv2 endpoint. */
final class NotifyModule extends AbstractModule {

    @Provides
    @Singleton
    ApiV2Signer signer(WxPayConfig config) {
        return new ApiV2Signer(config.apiV2Key(), config.signType());
    }

    @Provides
    @Singleton
    Dispatcher dispatcher(NotifyStore store, HostHooks hooks, Clock clock, WxPayConfig config) {
        return new Dispatcher(store, hooks.listeners(), clock, config.dispatchThreads());
    }

    @Provides
    @Singleton
    NotifyProcessor processor(NotifyStore store, OrderLookup orders, Dispatcher dispatcher) {
        return new NotifyProcessor(store, orders, dispatcher);
    }

    @Provides
    @Singleton
    ApiV2Endpoint apiV2(WxPayConfig config, ApiV2Signer signer, NotifyProcessor processor, NotifyStore store) {
        return new ApiV2Endpoint(config, signer, processor, store);
    }
}
