package io.shopplug.api;

import jakarta.servlet.ServletContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * What a host hands a {@link ShopPlugin} when it starts it.
 *
 * <p>Implementations are provided by the host and must be safe to call from any thread.
 *
 * @since 0.1
 */
public interface PluginContext {

    /** The servlet context the plugin runs in, still open for registering filters at start. */
    ServletContext servletContext();

    /**
     * The host's implementations of a hook type, such as every {@link PaymentListener}, every
     * {@link TransactionalPaymentListener}, the one {@link OrderLookup}, the optional
     * {@link PendingOrders} or the one {@link AdminAccess}. Returns an empty list when the host
     * offers none; never null.
     */
    <T> List<T> services(Class<T> type);

    /**
     * The shop's own database, when the host wants the plugin to keep its tables there. Empty
     * when the plugin should use its own configuration (a JNDI name or a JDBC URL).
     */
    Optional<DataSource> dataSource();

    /**
     * Settings the host supplies for this plugin from its own configuration system (for example
     * {@code wxpay.mch-id}); they take precedence over the plugin's own sources (files, system
     * properties, environment). Empty by default; never null.
     *
     * @since 0.1
     */
    default Map<String, String> settings() {
        return Map.of();
    }

    /**
     * Whether the shop's admins have switched this plugin on. Consulted on every request, so a
     * host's toggle takes effect at once; a plugin that is off handles no traffic and changes
     * nothing.
     */
    boolean isEnabled();
}
