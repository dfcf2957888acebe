package io.shopplug.wxpay;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import com.google.inject.Stage;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import com.github.benmanes.caffeine.cache.Ticker;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running plugin inside one servlet context: configuration, injector, database, dispatcher and
 * the notify filter. Kept in a servlet-context attribute, never in a static, so several webapps
 * (or several shops in one JVM) each have their own.
 */
final class WxPayEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WxPayEngine.class);
    static final String ATTRIBUTE = WxPayEngine.class.getName();
    static final String INJECTOR_ATTRIBUTE = Injector.class.getName() + ".wxpay";
    static final String FILTER_NAME = "wxpay-notify";
    static final String CONSOLE_NAME = "wxpay-console";

    private final ServletContext servletContext;
    private final Injector injector;
    private final WxPayConfig config;
    private final HostHooks hooks;
    private final ApiV2Endpoint v2;
    private final Merchants merchants;
    private final ApiV3Endpoint v3;
    private final ClusterSwitch clusterSwitch;
    private final NotifyMetrics metrics;
    private final Semaphore notifySlots;
    private volatile boolean closed;

    private WxPayEngine(ServletContext servletContext, Injector injector, HostHooks hooks) {
        this.servletContext = servletContext;
        this.injector = injector;
        this.config = injector.getInstance(WxPayConfig.class);
        this.hooks = hooks;
        this.v2 = injector.getInstance(ApiV2Endpoint.class);
        this.merchants = injector.getInstance(Merchants.class);
        this.v3 = injector.getInstance(ApiV3Endpoint.class);
        this.clusterSwitch = injector.getInstance(ClusterSwitch.class);
        this.metrics = injector.getInstance(NotifyMetrics.class);
        metrics.bind(injector.getInstance(ConsoleStore.class), this::isEnabled,
                injector.getInstance(Clock.class), injector.getInstance(Ticker.class));
        this.notifySlots = new Semaphore(config.maxConcurrentNotifies());
    }

    /** The engine already running in this servlet context, or null. */
    static WxPayEngine running(ServletContext servletContext) {
        return (WxPayEngine) servletContext.getAttribute(ATTRIBUTE);
    }

    /**
     * Starts the plugin with the host's hooks and registers its notify filter ahead of the host's
     * own filters. Must be called while the servlet context is initialising.
     *
     * @throws IllegalStateException listing every configuration problem, or when already running
     */
    static WxPayEngine start(ServletContext servletContext, HostHooks hooks) {
        return start(servletContext, hooks, true);
    }

    /**
     * Starts the plugin with hooks found through {@code ServiceLoader}; returns null without
     * starting when it already runs, or when called from the initializer with autostart off.
     */
    static WxPayEngine startStandalone(ServletContext servletContext, boolean fromInitializer) {
        if (running(servletContext) != null) {
            LOG.info("wxpay plugin already started in {}", servletContext.getContextPath());
            return null;
        }
        Map<String, String> settings = settings(servletContext, Map.of());
        if (fromInitializer && "false".equalsIgnoreCase(String.valueOf(settings.get(Settings.AUTOSTART)).trim())) {
            LOG.info("wxpay plugin not started by its initializer ({}=false)", Settings.AUTOSTART);
            return null;
        }
        return start(servletContext, HostHooks.discover(classLoader(servletContext)), fromInitializer);
    }

    private static WxPayEngine start(ServletContext servletContext, HostHooks hooks, boolean registerFilter) {
        if (running(servletContext) != null) {
            throw new IllegalStateException("the wxpay plugin is already running in this webapp"
                    + " (started by its initializer: set " + Settings.AUTOSTART + "=false)");
        }
        Map<String, String> settings = settings(servletContext, hooks.settings());
        WxPayConfig config = WxPayConfig.from(settings, hooks.problems());
        if (!config.unknownKeys().isEmpty()) {
            LOG.warn("wxpay: ignoring settings that the plugin does not read (misspelt, or a merchant"
                    + " {} does not name?): {}", Settings.MERCHANTS, config.unknownKeys());
        }
        List<String> unusedEnvironment = ConfigSources.unusedEnvironment(System.getenv(), settings);
        if (!unusedEnvironment.isEmpty()) {
            LOG.warn("wxpay: ignoring environment variables that name no setting (misspelt, or a merchant"
                    + " {} does not name?): {}", Settings.MERCHANTS, unusedEnvironment);
        }
        Injector injector;
        try {
            injector = Guice.createInjector(Stage.PRODUCTION,
                    new CoreModule(config, hooks), new StoreModule(), new NotifyModule(), new ReconcileModule(),
                    new ConsoleModule());
        } catch (CreationException | ProvisionException e) {
            throw new IllegalStateException("the wxpay plugin could not start: " + rootCause(e, config), e);
        }
        WxPayEngine engine = new WxPayEngine(servletContext, injector, hooks);
        try {
            injector.getInstance(Dispatcher.class).start();
            injector.getInstance(Reconciler.class).start();
            if (config.merchants().stream().anyMatch(m -> m.apiV3Key().isPresent())) {
                CryptoWarmup.startOnce();
            }
            if (registerFilter) {
                registerFilter(servletContext, engine, config.notifyPaths().toArray(new String[0]));
                registerConsole(servletContext, engine);
            }
            servletContext.setAttribute(INJECTOR_ATTRIBUTE, injector);
            servletContext.setAttribute(ATTRIBUTE, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        for (MerchantConfig m : config.merchants()) {
            LOG.info("wxpay merchant {} ({}): mch_id {}, notify path {}, APIv2 {}, APIv3 {}", m.name(),
                    m.isPartner() ? "partner" : "direct", m.mchId(), m.notifyPath(),
                    m.apiV2Key().isPresent() ? "on" : "off", m.apiV3Key().isPresent() ? "on" : "off");
        }
        if (!hooks.transactionalListeners().isEmpty() && hooks.dataSource().isEmpty()) {
            LOG.warn("wxpay: {} transactional listener(s) but the host handed no DataSource: their"
                    + " effects are exactly once only if they write to the plugin's database ({})",
                    hooks.transactionalListeners().size(), config.dbJndi().isPresent() ? "JNDI" : "wxpay.db.url");
        }
        LOG.info("wxpay plugin started: {} merchant(s), {} listener(s), {} transactional listener(s)",
                config.merchants().size(), hooks.listeners().size(), hooks.transactionalListeners().size());
        return engine;
    }

    /**
     * Registers the notify filter ahead of the host's filters; when the webapp declares the
     * plugin's {@link NotifyFilter} itself (the {@code web.xml} fallback) in a container that runs
     * the initializer anyway, that declared filter serves this engine instead.
     */
    private static void registerFilter(ServletContext servletContext, WxPayEngine engine, String... notifyPaths) {
        FilterRegistration.Dynamic filter = servletContext.addFilter(FILTER_NAME, new NotifyFilter(engine));
        if (filter == null) {
            FilterRegistration declared = servletContext.getFilterRegistration(FILTER_NAME);
            if (declared == null || !NotifyFilter.class.getName().equals(declared.getClassName())) {
                throw new IllegalStateException("the webapp already has a filter named '" + FILTER_NAME
                        + "' that is not " + NotifyFilter.class.getName());
            }
            LOG.info("wxpay notify filter declared by the webapp ({}), not registered again", FILTER_NAME);
            return;
        }
        filter.setAsyncSupported(false);
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, notifyPaths);
    }

    /**
     * Registers the admin console at {@code wxpay.console.path} (and everything under it). A
     * webapp that already has a servlet of that name or mapping keeps its own, with a warning:
     * the console is an extra, never a reason not to take payments.
     */
    private static void registerConsole(ServletContext servletContext, WxPayEngine engine) {
        Injector i = engine.injector;
        String path = engine.config.consolePath();
        ConsoleServlet servlet = new ConsoleServlet(i.getInstance(ConsoleAccess.class),
                i.getInstance(ConsoleStore.class), engine.clusterSwitch, engine.metrics,
                i.getInstance(KeyInventory.class), engine.config,
                ConsoleServlet.view(engine.config, engine.hooks, engine::isEnabled),
                i.getInstance(NotifyStore.class), i.getInstance(Dispatcher.class), i.getInstance(Reconciler.class));
        ServletRegistration.Dynamic console = servletContext.addServlet(CONSOLE_NAME, servlet);
        if (console == null) {
            LOG.warn("wxpay console not registered: the webapp already has a servlet named '{}'", CONSOLE_NAME);
            return;
        }
        java.util.Set<String> taken = console.addMapping(path, path + "/*");
        if (taken != null && !taken.isEmpty()) {
            LOG.warn("wxpay console: the webapp already maps {}; the console is not served there", taken);
            return;
        }
        LOG.info("wxpay console at {}{} ({})", servletContext.getContextPath(), path,
                i.getInstance(ConsoleAccess.class).configured() ? "the host's admins"
                        : "closed: the host has no io.shopplug.api.AdminAccess");
    }

    /**
     * The innermost cause's type and message, with credentials in JDBC URLs and the configured
     * database password masked: a driver's message may quote them.
     */
    private static String rootCause(Throwable e, WxPayConfig config) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : DataSources.redact(root.getMessage());
        if (!config.dbPassword().isEmpty()) {
            message = message.replace(config.dbPassword(), "***");
        }
        return root.getClass().getSimpleName() + ": " + message;
    }

    private static Map<String, String> settings(ServletContext servletContext, Map<String, String> hostSettings) {
        return ConfigSources.collect(servletContext, classLoader(servletContext), System.getenv(),
                System.getProperties(), hostSettings);
    }

    private static ClassLoader classLoader(ServletContext servletContext) {
        ClassLoader loader = servletContext.getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : WxPayEngine.class.getClassLoader();
    }

    WxPayConfig config() { return config; }

    /**
     * Takes one of the {@code wxpay.max-concurrent-notifies} slots without waiting; false when all
     * are taken. A true answer must be followed by {@link #exitNotify()}.
     */
    boolean tryEnterNotify() {
        return notifySlots.tryAcquire();
    }

    void exitNotify() {
        notifySlots.release();
    }
    ApiV2Endpoint v2() { return v2; }
    ApiV3Endpoint v3() { return v3; }

    /** Reconciliation: {@link Reconciler#runNow()} and the recorded runs, for the console. */
    Reconciler reconciler() { return injector.getInstance(Reconciler.class); }
    NotifyMetrics metrics() { return metrics; }

    /** The merchants served at a path; all of them when the webapp mapped the filter elsewhere. */
    List<Merchants.Merchant> merchantsFor(String path) {
        List<Merchants.Merchant> onPath = merchants.onPath(path);
        return onPath.isEmpty() ? merchants.all() : onPath;
    }

    /**
     * The configured switch, the host's switch and the console's cluster-wide switch must all be
     * on. The cluster-wide one is read from the database at most every two seconds.
     */
    boolean isEnabled() {
        return !closed && config.enabled() && hooks.hostEnabled() && clusterSwitch.isOn();
    }

    /** Stops dispatching and releases the database it opened. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (servletContext.getAttribute(ATTRIBUTE) == this) {
            servletContext.removeAttribute(ATTRIBUTE);
            servletContext.removeAttribute(INJECTOR_ATTRIBUTE);
        }
        CryptoWarmup.stop();
        injector.getInstance(Reconciler.class).close();
        injector.getInstance(CertificateRefresher.class).close();
        injector.getInstance(Dispatcher.class).close();
        injector.getInstance(NotifyLog.class).close();
        injector.getInstance(Database.class).close();
        LOG.info("wxpay plugin stopped");
    }
}
