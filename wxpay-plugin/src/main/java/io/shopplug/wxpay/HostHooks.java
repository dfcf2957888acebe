package io.shopplug.wxpay;

import io.shopplug.api.AdminAccess;
import io.shopplug.api.OrderLookup;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.PendingOrders;
import io.shopplug.api.PluginContext;
import io.shopplug.api.TransactionalPaymentListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * What the host gives the plugin: its order lookup, listeners, pending orders (optional), who its
 * admins are (optional), DataSource, settings and on/off switch.
 */
final class HostHooks {
    private final List<OrderLookup> lookups;
    private final List<PaymentListener> listeners;
    private final List<TransactionalPaymentListener> transactionalListeners;
    private final BooleanSupplier enabled;
    private final Optional<DataSource> dataSource;
    private final Map<String, String> settings;
    private final List<PendingOrders> pendingOrders;
    private final List<AdminAccess> adminAccess;

    /** Without an {@link AdminAccess}: the console lets nobody in. */
    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource) {
        this(lookups, listeners, List.of(), enabled, dataSource, Map.of(), List.of(), List.of());
    }

    /** Without an {@link AdminAccess}, settings or {@link PendingOrders}. */
    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners,
            List<TransactionalPaymentListener> transactionalListeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource) {
        this(lookups, listeners, transactionalListeners, enabled, dataSource, Map.of(), List.of(), List.of());
    }

    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners,
            List<TransactionalPaymentListener> transactionalListeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource, Map<String, String> settings, List<PendingOrders> pendingOrders,
            List<AdminAccess> adminAccess) {
        this.lookups = List.copyOf(lookups);
        this.listeners = List.copyOf(listeners);
        this.transactionalListeners = List.copyOf(transactionalListeners);
        this.enabled = enabled;
        this.dataSource = dataSource;
        this.settings = Map.copyOf(settings);
        this.pendingOrders = List.copyOf(pendingOrders);
        this.adminAccess = List.copyOf(adminAccess);
    }

    /** From a host that starts plugins itself. */
    static HostHooks of(PluginContext context) {
        return new HostHooks(context.services(OrderLookup.class), context.services(PaymentListener.class),
                context.services(TransactionalPaymentListener.class), context::isEnabled,
                context.dataSource(), context.settings(), context.services(PendingOrders.class),
                context.services(AdminAccess.class));
    }

    /** Zero host code: the webapp's implementations registered in {@code META-INF/services}. */
    static HostHooks discover(ClassLoader loader) {
        return new HostHooks(load(OrderLookup.class, loader), load(PaymentListener.class, loader),
                load(TransactionalPaymentListener.class, loader), () -> true, Optional.empty(), Map.of(),
                load(PendingOrders.class, loader), load(AdminAccess.class, loader));
    }

    private static <T> List<T> load(Class<T> type, ClassLoader loader) {
        List<T> found = new ArrayList<>();
        ServiceLoader.load(type, loader).forEach(found::add);
        return found;
    }

    /** Problems that stop the plugin from starting, to report with the configuration's. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        if (lookups.isEmpty()) {
            problems.add("the host provides no io.shopplug.api.OrderLookup (exactly one is needed)");
        } else if (lookups.size() > 1) {
            problems.add("the host provides " + lookups.size() + " OrderLookups (exactly one is needed)");
        }
        if (pendingOrders.size() > 1) {
            problems.add("the host provides " + pendingOrders.size() + " PendingOrders (at most one)");
        }
        if (adminAccess.size() > 1) {
            problems.add("the host provides " + adminAccess.size()
                    + " io.shopplug.api.AdminAccess implementations (at most one)");
        }
        return problems;
    }

    OrderLookup orderLookup() { return lookups.get(0); }
    List<PaymentListener> listeners() { return listeners; }
    /** Listeners whose effect commits in the plugin's delivery transaction. */
    List<TransactionalPaymentListener> transactionalListeners() { return transactionalListeners; }
    /** The host's pending orders, for reconciliation; empty when it offers none. */
    Optional<PendingOrders> pendingOrders() {
        return pendingOrders.isEmpty() ? Optional.empty() : Optional.of(pendingOrders.get(0));
    }
    boolean hostEnabled() { return enabled.getAsBoolean(); }
    Optional<DataSource> dataSource() { return dataSource; }
    /** The host's own settings for the plugin; they override every other source. */
    Map<String, String> settings() { return settings; }
    /** The host's admin check; empty when it has none, and then the console admits nobody. */
    Optional<AdminAccess> adminAccess() {
        return adminAccess.isEmpty() ? Optional.empty() : Optional.of(adminAccess.get(0));
    }
}
