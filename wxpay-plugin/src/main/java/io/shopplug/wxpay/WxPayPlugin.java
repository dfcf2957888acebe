package io.shopplug.wxpay;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.PluginContext;
import io.shopplug.api.ShopPlugin;

/**
 * The WeChat Pay plugin for hosts that load {@link ShopPlugin}s through {@code ServiceLoader}.
 * The host's {@link OrderLookup} (exactly one) and {@link PaymentListener}s come from the
 * {@link PluginContext}, as do its DataSource (if any) and its on/off switch.
 */
public final class WxPayPlugin implements ShopPlugin {
    private volatile WxPayEngine engine;

    /** Called by {@code ServiceLoader}. */
    public WxPayPlugin() {}

    @Override
    public String id() {
        return "wxpay";
    }

    @Override
    public String name() {
        return "WeChat Pay";
    }

    @Override
    public void start(PluginContext context) {
        engine = WxPayEngine.start(context.servletContext(), HostHooks.of(context));
    }

    @Override
    public void stop() {
        WxPayEngine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
    }
}
