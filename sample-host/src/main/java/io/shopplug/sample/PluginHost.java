package io.shopplug.sample;

import io.shopplug.api.AdminAccess;
import io.shopplug.api.OrderLookup;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.PendingOrders;
import io.shopplug.api.PluginContext;
import io.shopplug.api.ShopPlugin;
import io.shopplug.api.TransactionalPaymentListener;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds every {@link ShopPlugin} with {@link ServiceLoader} and starts it while the servlet context
 * is initialising (as a {@link ServletContainerInitializer}), so a plugin can still register
 * filters. A plugin that cannot be loaded or started is listed as failed; it never stops the shop
 * or the other plugins, and is switched off for good. Each started plugin has an on/off switch, on
 * by default, that the admin page flips.
 */
public final class PluginHost {
    private static final Logger LOG = LoggerFactory.getLogger(PluginHost.class);
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    /** Guards against a provider iterator that keeps failing on the same entry. */
    private static final int MAX_PROVIDERS = 256;

    /** Where a plugin stands. */
    public enum State { STARTING, STARTED, FAILED, STOPPED }

    /** One plugin as the admin page shows it. {@code message} says why it failed, or is null. */
    public record PluginInfo(String id, String name, State state, boolean enabled, String message) {}

    private static final class Entry {
        final String id;
        final String name;
        final ShopPlugin plugin;
        final AtomicBoolean enabled = new AtomicBoolean(true);
        volatile State state;
        volatile String message;

        Entry(String id, String name, ShopPlugin plugin, State state, String message) {
            this.id = id;
            this.name = name;
            this.plugin = plugin;
            this.state = state;
            this.message = message;
        }

        PluginInfo info() {
            return new PluginInfo(id, name, state, enabled.get(), message);
        }
    }

    private final Map<Class<?>, List<?>> services;
    private final DataSource dataSource;
    private final Map<String, String> pluginSettings;
    private final ClassLoader classLoader;
    private final Map<String, Entry> entries = Collections.synchronizedMap(new LinkedHashMap<>());

    PluginHost(List<PaymentListener> listeners, OrderLookup orderLookup, DataSource dataSource,
            ClassLoader classLoader) {
        this(listeners, List.of(), orderLookup, null, null, dataSource, Map.of(), classLoader);
    }

    /**
     * @param listeners the shop's plain payment listeners
     * @param transactionalListeners the shop's listeners that work in the plugin's transaction
     *     (the plugin keeps its tables in the shop's database, so their effects are exactly once)
     * @param orderLookup the shop's order lookup
     * @param pendingOrders the shop's orders awaiting payment, for reconciliation; null for none
     * @param adminAccess who the shop's admins are, for the plugins' admin consoles; null for none
     * @param dataSource the shop's database, offered to plugins for their own tables
     * @param pluginSettings settings the shop hands every plugin ({@link PluginContext#settings()})
     * @param classLoader where to look for plugins
     */
    PluginHost(List<PaymentListener> listeners, List<TransactionalPaymentListener> transactionalListeners,
            OrderLookup orderLookup, PendingOrders pendingOrders, AdminAccess adminAccess, DataSource dataSource,
            Map<String, String> pluginSettings, ClassLoader classLoader) {
        this.services = Map.of(
                PaymentListener.class, List.copyOf(listeners),
                TransactionalPaymentListener.class, List.copyOf(transactionalListeners),
                OrderLookup.class, List.of(orderLookup),
                PendingOrders.class, pendingOrders == null ? List.of() : List.of(pendingOrders),
                AdminAccess.class, adminAccess == null ? List.of() : List.of(adminAccess));
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.pluginSettings = Map.copyOf(pluginSettings);
        this.classLoader = classLoader;
    }

    /**
     * The initializer to add to the servlet context: it starts the plugins during context
     * initialisation and stops them when the context is destroyed.
     */
    ServletContainerInitializer initializer() {
        return (classes, servletContext) -> {
            startAll(servletContext);
            servletContext.addListener(new ServletContextListener() {
                @Override
                public void contextDestroyed(ServletContextEvent event) {
                    stopAll();
                }
            });
        };
    }

    /** The plugins found, in load order. */
    public List<PluginInfo> plugins() {
        synchronized (entries) {
            return entries.values().stream().map(Entry::info).toList();
        }
    }

    /** One plugin by id. */
    public Optional<PluginInfo> plugin(String id) {
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.of(e.info());
    }

    /**
     * Switches a plugin on or off; the plugin's {@link PluginContext#isEnabled()} answers the new
     * value at once.
     *
     * @return the plugin after the change, or empty if there is no plugin with that id
     * @throws IllegalStateException on turning on a plugin that failed: it stays off, since it may
     *     have registered filters before it failed
     */
    public Optional<PluginInfo> setEnabled(String id, boolean enabled) {
        Entry e = entries.get(id);
        if (e == null) {
            return Optional.empty();
        }
        if (enabled && e.state != State.STARTED) {
            throw new IllegalStateException("plugin " + id + " is " + e.state + " and stays off");
        }
        boolean before = e.enabled.getAndSet(enabled);
        if (before != enabled) {
            LOG.info("Plugin {} switched {}", id, enabled ? "on" : "off");
        }
        return Optional.of(e.info());
    }

    void startAll(ServletContext servletContext) {
        Iterator<ShopPlugin> it = ServiceLoader.load(ShopPlugin.class, classLoader).iterator();
        int unloadable = 0;
        for (int i = 0; i < MAX_PROVIDERS; i++) {
            ShopPlugin plugin;
            try {
                if (!it.hasNext()) {
                    break;
                }
                plugin = it.next();
            } catch (ServiceConfigurationError | LinkageError e) {
                unloadable++;
                String id = "unloadable-" + unloadable;
                LOG.error("A plugin could not be loaded and is listed as {}: {}", id, e.toString());
                addFailed(id, "(could not be loaded)", e.getMessage());
                continue;
            }
            start(plugin, servletContext);
        }
        LOG.info("Plugins: {}", plugins());
    }

    private void start(ShopPlugin plugin, ServletContext servletContext) {
        String className = plugin.getClass().getName();
        String id;
        String name;
        try {
            id = plugin.id();
            name = Objects.requireNonNullElse(plugin.name(), className);
        } catch (RuntimeException | LinkageError e) {
            LOG.error("Plugin {} cannot say its id or name", className, e);
            addFailed(className, className, "id() or name() failed: " + e);
            return;
        }
        if (id == null || !ID.matcher(id).matches()) {
            addFailed(className, name, "invalid id: " + id);
            return;
        }
        if (entries.containsKey(id)) {
            LOG.error("Plugin {} ({}) ignored: another plugin has the id {}", className, name, id);
            addFailed(id + "@" + className, name, "duplicate id " + id);
            return;
        }
        Entry entry = new Entry(id, name, plugin, State.STARTING, null);
        add(entry);
        try {
            plugin.start(new Context(servletContext, entry.enabled));
            entry.state = State.STARTED;
            LOG.info("Plugin {} ({}) started", id, name);
        } catch (RuntimeException | LinkageError e) {
            // Off for good: whatever it registered before failing must handle no traffic.
            entry.enabled.set(false);
            entry.message = String.valueOf(e.getMessage());
            entry.state = State.FAILED;
            LOG.error("Plugin {} ({}) failed to start; the shop carries on without it", id, name, e);
        }
    }

    private void add(Entry entry) {
        entries.put(entry.id, entry);
    }

    /** Lists a plugin that never started; it is off for good. */
    private void addFailed(String id, String name, String message) {
        Entry entry = new Entry(id, name, null, State.FAILED, message);
        entry.enabled.set(false);
        add(entry);
    }

    void stopAll() {
        List<Entry> started;
        synchronized (entries) {
            started = new ArrayList<>(entries.values());
        }
        Collections.reverse(started);
        for (Entry e : started) {
            if (e.state != State.STARTED) {
                continue;
            }
            try {
                e.plugin.stop();
            } catch (RuntimeException | LinkageError ex) {
                LOG.warn("Plugin {} threw while stopping", e.id, ex);
            }
            e.state = State.STOPPED;
        }
    }

    /** What one plugin sees of the shop. */
    private final class Context implements PluginContext {
        private final ServletContext servletContext;
        private final AtomicBoolean enabled;

        Context(ServletContext servletContext, AtomicBoolean enabled) {
            this.servletContext = servletContext;
            this.enabled = enabled;
        }

        @Override
        public ServletContext servletContext() {
            return servletContext;
        }

        @Override
        public <T> List<T> services(Class<T> type) {
            List<?> found = services.getOrDefault(type, List.of());
            List<T> result = new ArrayList<>(found.size());
            for (Object o : found) {
                result.add(type.cast(o));
            }
            return Collections.unmodifiableList(result);
        }

        @Override
        public Optional<DataSource> dataSource() {
            return Optional.of(dataSource);
        }

        @Override
        public Map<String, String> settings() {
            return pluginSettings;
        }

        @Override
        public boolean isEnabled() {
            return enabled.get();
        }

        @Override
        public String toString() {
            return "PluginContext[" + Set.copyOf(services.keySet()) + "]";
        }
    }
}
