package io.shopplug.wxpay;

import com.github.benmanes.caffeine.cache.Ticker;
import com.google.inject.AbstractModule;
import io.shopplug.api.OrderLookup;
import java.time.Clock;

/** Binds the configuration, the host's hooks, the clock and the caches' ticker. */
final class CoreModule extends AbstractModule {
    private final WxPayConfig config;
    private final HostHooks hooks;

    CoreModule(WxPayConfig config, HostHooks hooks) {
        this.config = config;
        this.hooks = hooks;
    }

    @Override
    protected void configure() {
        bind(WxPayConfig.class).toInstance(config);
        bind(HostHooks.class).toInstance(hooks);
        bind(OrderLookup.class).toInstance(hooks.orderLookup());
        bind(Clock.class).toInstance(Clock.systemUTC());
        bind(Ticker.class).toInstance(Ticker.systemTicker());
    }
}
