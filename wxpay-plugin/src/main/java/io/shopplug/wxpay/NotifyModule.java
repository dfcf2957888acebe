package io.shopplug.wxpay;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import io.shopplug.api.OrderLookup;
import java.time.Clock;

/** Binds the notify path: merchants, dispatcher, processor and the APIv2 and APIv3 endpoints. */
final class NotifyModule extends AbstractModule {

    @Provides
    @Singleton
    Merchants merchants(WxPayConfig config, Clock clock) {
        return new Merchants(config.merchants(), clock, config.apiBaseUrl());
    }

    @Provides
    @Singleton
    CertificateRefresher certificateRefresher(Merchants merchants) {
        return new CertificateRefresher(merchants);
    }

    @Provides
    @Singleton
    ApiV3Endpoint apiV3(NotifyProcessor processor, NotifyLog notifyLog, Merchants merchants, NotifyMetrics metrics) {
        return new ApiV3Endpoint(processor, notifyLog, merchants, new ReplayGuard(), metrics);
    }

    @Provides
    @Singleton
    NotifyLog notifyLog(NotifyStore store, Clock clock, WxPayConfig config) {
        return new NotifyLog(store, clock, config.notifyLogRetention());
    }

    @Provides
    @Singleton
    Dispatcher dispatcher(NotifyStore store, HostHooks hooks, Clock clock, WxPayConfig config) {
        return new Dispatcher(store, hooks.listeners(), hooks.transactionalListeners(), clock,
                config.dispatchThreads(), config.dispatchMaxAttempts(), config.dispatchLease(),
                config.dispatchSweepInterval());
    }

    @Provides
    @Singleton
    NotifyProcessor processor(NotifyStore store, OrderLookup orders, Dispatcher dispatcher) {
        return new NotifyProcessor(store, orders, dispatcher);
    }

    @Provides
    @Singleton
    ApiV2Endpoint apiV2(NotifyProcessor processor, NotifyLog notifyLog, NotifyMetrics metrics) {
        return new ApiV2Endpoint(processor, notifyLog, metrics);
    }
}
