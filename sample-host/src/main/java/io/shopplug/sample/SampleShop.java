package io.shopplug.sample;

import io.shopplug.api.PaymentListener;
import io.shopplug.api.TransactionalPaymentListener;
import jakarta.servlet.DispatcherType;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.eclipse.jetty.ee10.servlet.ErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sample shop: an embedded Jetty serving the storefront, the admin page and the JSON API, its
 * own database, and whatever {@link io.shopplug.api.ShopPlugin}s the class path offers.
 *
 * <p>Run it with {@code SampleShop.main} (settings from system properties or the environment, see
 * {@link ShopSettings}), or from a test with {@link #start(ShopSettings)} and {@link #close()}.
 */
public final class SampleShop implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SampleShop.class);
    /** The demo customer account, {@code alice}/{@code alice}: logged in, but not an admin. */
    static final String DEMO_CUSTOMER = "alice";

    /**
     * Makes the shop's payment gateway, given the demo's WeChat Pay set-up and where the shop will
     * be listening.
     */
    @FunctionalInterface
    interface GatewayFactory {
        PaymentGateway create(ShopSettings settings, DemoWeChatPay wechatPay, Supplier<URI> shopBaseUri);
    }

    private final Server server;
    private final ShopDatabase database;
    private final PluginHost plugins;
    private final PaymentGateway gateway;
    private final DemoWeChatPay wechatPay;
    private final ServerConnector connector;
    private final String publicHost;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SampleShop(Server server, ServerConnector connector, ShopDatabase database,
            PluginHost plugins, PaymentGateway gateway, DemoWeChatPay wechatPay, String publicHost) {
        this.server = server;
        this.wechatPay = wechatPay;
        this.connector = connector;
        this.database = database;
        this.plugins = plugins;
        this.gateway = gateway;
        this.publicHost = publicHost;
    }

    /**
     * Comma-separated class names of more listeners to register (each a {@link PaymentListener}
     * and/or a {@link TransactionalPaymentListener} with a public no-argument constructor), read by
     * {@link #main} only: a test can run the shop in a JVM of its own with a listener of its own.
     */
    static final String EXTRA_LISTENERS = "shop.extra-listeners";

    public static void main(String[] args) throws Exception {
        ShopSettings settings = ShopSettings.fromEnvironment();
        SampleShop shop = start(settings, WeChatPaySimulatorGateway::create,
                instantiate(System.getProperty(EXTRA_LISTENERS, "")));
        Runtime.getRuntime().addShutdownHook(new Thread(shop::close, "shop-shutdown"));
        System.out.println();
        System.out.println("Sample shop running at " + shop.baseUri());
        System.out.println("  storefront  " + shop.baseUri());
        System.out.println("  admin       " + shop.baseUri().resolve("/admin"));
        System.out.println("  wxpay       " + shop.baseUri().resolve("/wxpay/console") + " (the plugin's console, admins only)");
        if (settings.demoAdmin()) {
            System.out.println("  demo admin credentials: admin / admin"
                    + " (set " + ShopSettings.ADMIN_USER + " and " + ShopSettings.ADMIN_PASSWORD
                    + " for anything but a demo)");
        }
        System.out.println("  demo customer (not an admin): " + DEMO_CUSTOMER + " / " + DEMO_CUSTOMER);
        System.out.println("  database    " + settings.redactedDbUrl());
        System.out.println();
        shop.server.join();
    }

    /** Starts a shop that pays through the local WeChat Pay simulator. */
    public static SampleShop start(ShopSettings settings) {
        return start(settings, WeChatPaySimulatorGateway::create);
    }

    static SampleShop start(ShopSettings settings, GatewayFactory gatewayFactory) {
        return start(settings, gatewayFactory, List.of());
    }

    private static List<Object> instantiate(String classNames) throws ReflectiveOperationException {
        List<Object> listeners = new ArrayList<>();
        for (String name : classNames.split(",")) {
            if (!name.isBlank()) {
                listeners.add(Class.forName(name.strip()).getConstructor().newInstance());
            }
        }
        return listeners;
    }

    /**
     * @param extraListeners more listeners after the shop's own: each is registered as a
     *     {@link PaymentListener} and/or a {@link TransactionalPaymentListener}, as it implements
     */
    static SampleShop start(ShopSettings settings, GatewayFactory gatewayFactory, List<?> extraListeners) {
        Objects.requireNonNull(settings, "settings");
        LOG.info("Starting the sample shop: {}", settings);
        ShopDatabase database = ShopDatabase.open(settings);
        Server server = new Server();
        PaymentGateway gateway = null;
        try {
            DataSource ds = database.dataSource();
            Clock clock = Clock.systemUTC();
            AppliedEvents applied = new AppliedEvents(ds, clock);
            // The shop's own listeners work inside the plugin's delivery transaction: exactly once.
            List<PaymentListener> listeners = new ArrayList<>();
            List<TransactionalPaymentListener> transactional = new ArrayList<>(List.of(
                    new OrderStatusListener(applied), new InventoryListener(applied), new PointsListener(applied)));
            for (Object extra : extraListeners) {
                if (extra instanceof PaymentListener l) {
                    listeners.add(l);
                }
                if (extra instanceof TransactionalPaymentListener l) {
                    transactional.add(l);
                }
            }
            // The demo merchants and, for APIv3, WeChat Pay's simulated keys: the gateway signs
            // with them, and the plugin is handed what it needs to verify.
            DemoWeChatPay wechatPay = DemoWeChatPay.create(settings, SampleShop.class.getClassLoader());
            AdminAuth auth = new AdminAuth(settings.adminUser(), settings.adminPassword(),
                    Map.of(DEMO_CUSTOMER, DEMO_CUSTOMER));
            HttpConfiguration http = new HttpConfiguration();
            http.setSendServerVersion(false);
            ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
            connector.setHost(settings.host());
            connector.setPort(settings.port());
            server.addConnector(connector);
            String publicHost = publicHost(settings.host());
            gateway = gatewayFactory.create(settings, wechatPay,
                    () -> URI.create("http://" + publicHost + ":" + connector.getLocalPort() + "/"));
            PluginHost plugins = new PluginHost(listeners, transactional, new ShopOrderLookup(ds),
                    new ShopPendingOrders(ds), new ShopAdminAccess(auth), ds,
                    pluginSettings(settings, wechatPay, gateway),
                    Thread.currentThread().getContextClassLoader());

            ShopStore store = new ShopStore(ds, clock);
            server.setHandler(context(store, gateway, plugins, auth));
            ErrorHandler errors = new ErrorHandler();
            errors.setShowStacks(false);
            errors.setShowServlet(false);
            server.setErrorHandler(errors);
            server.start();
            SampleShop shop = new SampleShop(server, connector, database, plugins, gateway, wechatPay, publicHost);
            LOG.info("Sample shop listening at {}", shop.baseUri());
            return shop;
        } catch (Exception e) {
            stopQuietly(server);
            if (gateway != null) {
                gateway.close();
            }
            database.close();
            throw new IllegalStateException("The sample shop could not start: " + e.getMessage(), e);
        }
    }

    /**
     * What the shop tells its plugins: the demo merchants' keys (APIv3 platform certificates or
     * public keys), where WeChat Pay's API is (the simulator's, when the gateway plays one) and how
     * soon to reconcile ({@code shop.reconcile.*} → {@code wxpay.reconcile.*}).
     */
    static Map<String, String> pluginSettings(ShopSettings settings, DemoWeChatPay wechatPay, PaymentGateway gateway) {
        Map<String, String> plugin = new HashMap<>(wechatPay.pluginSettings());
        gateway.apiBaseUrl().ifPresent(url -> plugin.put("wxpay.api-base-url", url));
        plugin.put("wxpay.reconcile.delay-seconds", Integer.toString(settings.reconcileDelaySeconds()));
        plugin.put("wxpay.reconcile.interval-seconds", Integer.toString(settings.reconcileIntervalSeconds()));
        return plugin;
    }

    private static ServletContextHandler context(ShopStore store, PaymentGateway gateway,
            PluginHost plugins, AdminAuth auth) {
        ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
        context.setContextPath("/");
        context.getSessionHandler().setHttpOnly(true);
        context.getSessionHandler().setSameSite(HttpCookie.SameSite.LAX);
        context.getSessionHandler().setMaxInactiveInterval(30 * 60);

        // The shop's own filter, declared the ordinary way; a plugin's filter registered with
        // isMatchAfter=false goes ahead of it.
        context.addFilter(new FilterHolder(new RequestLogFilter()), "/*",
                EnumSet.of(DispatcherType.REQUEST));

        ServletHolder storefront = new ServletHolder("storefront", new StorefrontServlet(store, gateway));
        context.addServlet(storefront, "");
        context.addServlet(storefront, "/orders/*");
        ServletHolder admin = new ServletHolder("admin", new AdminServlet(plugins, auth));
        context.addServlet(admin, "/login");
        context.addServlet(admin, "/logout");
        context.addServlet(admin, "/admin");
        context.addServlet(admin, "/admin/*");
        context.addServlet(new ServletHolder("api", new ApiServlet(store, gateway, plugins, auth)), "/api/*");

        // Plugins start while the context initialises, so they can still add filters.
        context.addServletContainerInitializer(plugins.initializer());
        return context;
    }

    /** Where the shop can reach itself: loopback when it listens on every address. */
    private static String publicHost(String host) {
        if (host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]")) {
            return "127.0.0.1";
        }
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The port the shop listens on (the real one when {@code shop.port} was 0). */
    public int port() {
        return connector.getLocalPort();
    }

    /** For example {@code http://127.0.0.1:8080/}. */
    public URI baseUri() {
        return URI.create("http://" + publicHost + ":" + port() + "/");
    }

    /** The shop's database; the plugin keeps its {@code wxpay_} tables there too. */
    public DataSource dataSource() {
        return database.dataSource();
    }

    /** The demo's WeChat Pay set-up: merchants, simulated platform identities, plugin settings. */
    DemoWeChatPay wechatPay() {
        return wechatPay;
    }

    /** The payment gateway the storefront uses. */
    PaymentGateway gateway() {
        return gateway;
    }

    /** The plugins loaded, with their switches. */
    public PluginHost plugins() {
        return plugins;
    }

    /** Stops the payment gateway, the server (which stops the plugins) and the database pool. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        gateway.close(); // first: no more notifications into a server going down
        stopQuietly(server);
        database.close();
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("Jetty did not stop cleanly", e);
        }
    }
}
