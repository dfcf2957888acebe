package io.shopplug.sample.plugins;

import io.shopplug.api.PluginContext;
import io.shopplug.api.ShopPlugin;

/** A test plugin whose start fails, as a misconfigured plugin's would. */
public final class FailingPlugin implements ShopPlugin {
    public static final String MESSAGE = "failing plugin: setting failing.key is missing";

    @Override
    public String id() {
        return "failing";
    }

    @Override
    public String name() {
        return "Failing test plugin";
    }

    @Override
    public void start(PluginContext context) {
        throw new IllegalStateException(MESSAGE);
    }

    @Override
    public void stop() {
        throw new AssertionError("a plugin that failed to start must not be stopped");
    }
}
