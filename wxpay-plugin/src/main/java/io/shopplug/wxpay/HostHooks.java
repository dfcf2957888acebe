package io.shopplug.wxpay;

import io.shopplug.api.AdminAccess;
import io.shopplug.api.OrderLookup;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.PluginContext;
import io.shopplug.api.TransactionalPaymentListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;

/**
 * What the host gives the plugin: its order lookup, listeners, DataSource, on/off switch and who
 * its admins are.
 */
final class HostHooks {
    private final List<OrderLookup> lookups;
    private final List<PaymentListener> listeners;
    private final List<TransactionalPaymentListener> transactionalListeners;
    private final BooleanSupplier enabled;
    private final Optional<DataSource> dataSource;
    private final List<AdminAccess> adminAccess;

    /** Without an {@link AdminAccess}: the console lets nobody in. */
    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource) {
        this(lookups, listeners, List.of(), enabled, dataSource, List.of());
    }

    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners,
            List<TransactionalPaymentListener> transactionalListeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource) {
        this(lookups, listeners, transactionalListeners, enabled, dataSource, List.of());
    }

    HostHooks(List<OrderLookup> lookups, List<PaymentListener> listeners,
            List<TransactionalPaymentListener> transactionalListeners, BooleanSupplier enabled,
            Optional<DataSource> dataSource, List<AdminAccess> adminAccess) {
        this.lookups = List.copyOf(lookups);
        this.listeners = List.copyOf(listeners);
        this.transactionalListeners = List.copyOf(transactionalListeners);
        this.enabled = enabled;
        this.dataSource = dataSource;
        this.adminAccess = List.copyOf(adminAccess);
    }

    /** From a host that starts plugins itself. */
    static HostHooks of(PluginContext context) {
        return new HostHooks(context.services(OrderLookup.class), context.services(PaymentListener.class),
                context.services(TransactionalPaymentListener.class), context::isEnabled,
                context.dataSource(), context.services(AdminAccess.class));
    }

    /** Zero host code: the webapp's implementations registered in {@code META-INF/services}. */
    static HostHooks discover(ClassLoader loader) {
        return new HostHooks(load(OrderLookup.class, loader), load(PaymentListener.class, loader),
                load(TransactionalPaymentListener.class, loader), () -> true, Optional.empty(),
                load(AdminAccess.class, loader));
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
    boolean hostEnabled() { return enabled.getAsBoolean(); }
    Optional<DataSource> dataSource() { return dataSource; }
    /** The host's admin check; empty when it has none, and then the console admits nobody. */
    Optional<AdminAccess> adminAccess() {
        return adminAccess.isEmpty() ? Optional.empty() : Optional.of(adminAccess.get(0));
    }
}
