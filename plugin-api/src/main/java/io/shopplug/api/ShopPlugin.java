package io.shopplug.api;

/**
 * A plugin a shop loads with {@code ServiceLoader.load(ShopPlugin.class)}.
 *
 * <p>Life cycle: the host creates the plugin with its public no-argument constructor, calls
 * {@link #start(PluginContext)} once while its servlet context is initialising (so the plugin can
 * still register filters and servlets), and {@link #stop()} once when the context is destroyed.
 * Implementations are registered in {@code META-INF/services/io.shopplug.api.ShopPlugin}.
 *
 * @since 0.1
 */
public interface ShopPlugin {

    /** A stable, unique, lower-case identifier such as {@code wxpay}; used in URLs and settings. */
    String id();

    /** A human-readable name for the shop's admin pages. */
    String name();

    /**
     * Starts the plugin. Called once, on the thread initialising the servlet context, before the
     * context serves requests.
     *
     * @throws IllegalStateException if the plugin cannot start, for example because its
     *     configuration is invalid; the message lists every problem found and no secret
     */
    void start(PluginContext context);

    /** Stops the plugin and releases what it holds. Called once; never throws. */
    void stop();
}
