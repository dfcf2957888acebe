package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import com.google.inject.Injector;
import com.zaxxer.hikari.HikariDataSource;
import io.shopplug.api.OrderLookup;
import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContextListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting and stopping the plugin inside a servlet context. */
class WxPayEngineTest {
    private final FakeServletContext web = new FakeServletContext();
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private Tables tables;
    private WxPayEngine engine;
    private String savedNotifyPath;

    @BeforeEach
    void database() {
        tables = Tables.inMemory("engine");
        orders.put(V2Bodies.FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        savedNotifyPath = System.getProperty(Settings.NOTIFY_PATH);
    }

    @AfterEach
    void stop() {
        if (savedNotifyPath == null) {
            System.clearProperty(Settings.NOTIFY_PATH);
        } else {
            System.setProperty(Settings.NOTIFY_PATH, savedNotifyPath);
        }
        if (engine != null) {
            engine.close();
        }
        tables.shutdown();
    }

    private HostHooks hooks(List<OrderLookup> lookups) {
        return new HostHooks(lookups, Collections.<PaymentListener>singletonList(
                new ApiV2EndpointTest.RecordingListener(tables)), () -> true, Optional.empty());
    }

    @Test
    void anInvalidConfigurationIsReportedWholeAndStartsNothing() {
        web.webInf.setProperty(Settings.MCH_ID, "mch-abc");
        web.webInf.setProperty(Settings.API_V2_KEY, "short-secret-value");
        web.webInf.setProperty(Settings.NOTIFY_PATH, "/wxpay/*");
        web.webInf.setProperty(Settings.MAX_BODY_BYTES, "lots");
        web.webInf.setProperty(Settings.DB_URL, "mysql://db.example/shop");
        web.webInf.setProperty(Settings.DISPATCH_THREADS, "0");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WxPayEngine.start(web.context, hooks(Collections.emptyList())));

        String msg = e.getMessage();
        assertTrue(msg.startsWith("WeChat Pay plugin configuration has 8 problem(s):"), msg);
        for (String expected : new String[] {
                "\n  - the host provides no io.shopplug.api.OrderLookup (exactly one is needed)",
                "\n  - wxpay.mch-id must be digits",
                "\n  - wxpay.app-id is required",
                "\n  - wxpay.api-v2-key must be 32 characters (is 18)",
                "\n  - wxpay.notify-path must be an exact path starting with /",
                "\n  - wxpay.max-body-bytes must be a whole number",
                "\n  - wxpay.db.url must start with jdbc:",
                "\n  - wxpay.dispatch.threads must be between 1 and 64"}) {
            assertTrue(msg.contains(expected), () -> "missing '" + expected.trim() + "' in " + msg);
        }
        assertFalse(msg.contains("short-secret-value"), msg);
        verify(web.context, never()).addFilter(anyString(), any(Filter.class));
        assertTrue(web.attributes.isEmpty());
    }

    @Test
    void twoOrderLookupsAreAProblemToo() {
        web.validFor(tables);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WxPayEngine.start(web.context, hooks(List.of(orders, new ApiV2EndpointTest.Orders()))));
        assertEquals("WeChat Pay plugin configuration has 1 problem(s):\n"
                + "  - the host provides 2 OrderLookups (exactly one is needed)", e.getMessage());
    }

    @Test
    void aWebXmlFilterWithNothingConfiguredReportsEveryProblem() {
        // No wxpay.properties, no services on the class path: the web.xml fallback starts it itself.
        FilterConfig filterConfig = mock(FilterConfig.class);
        when(filterConfig.getServletContext()).thenReturn(web.context);

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new NotifyFilter().init(filterConfig));

        assertEquals("WeChat Pay plugin configuration has 4 problem(s):\n"
                + "  - the host provides no io.shopplug.api.OrderLookup (exactly one is needed)\n"
                + "  - wxpay.mch-id is required\n"
                + "  - wxpay.app-id is required\n"
                + "  - wxpay.api-v2-key or wxpay.api-v3-key (or their -file) is required", e.getMessage());
        assertTrue(web.attributes.isEmpty());
    }

    @Test
    void aValidStartRegistersTheFilterAheadOfTheHostsOnTheConfiguredPath() {
        web.validFor(tables).webInf.setProperty(Settings.NOTIFY_PATH, "/pay/wechat/notify");

        engine = WxPayEngine.start(web.context, hooks(List.of(orders)));

        verify(web.context).addFilter(eq("wxpay-notify"), any(NotifyFilter.class));
        assertEquals(1, web.filters.size());
        verify(web.registration).setAsyncSupported(false);
        verify(web.registration).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false,
                "/pay/wechat/notify");
        assertSame(engine, web.attributes.get(WxPayEngine.ATTRIBUTE));
        assertSame(engine, WxPayEngine.running(web.context));
        assertTrue(web.attributes.get(WxPayEngine.INJECTOR_ATTRIBUTE) instanceof Injector);
        assertTrue(engine.isEnabled());
        assertEquals(SchemaMigrator.MIGRATIONS.size(), tables.count("SELECT COUNT(*) FROM wxpay_schema_version"));
        verify(web.context).addServlet(eq("wxpay-console"), any(ConsoleServlet.class));
        verify(web.servletRegistration).addMapping("/wxpay/console", "/wxpay/console/*");

        IllegalStateException twice = assertThrows(IllegalStateException.class,
                () -> WxPayEngine.start(web.context, hooks(List.of(orders))));
        assertTrue(twice.getMessage().contains("already running"), twice.getMessage());
        assertEquals(1, web.filters.size());
    }

    @Test
    void anApiV3MerchantWarmsTheApiV3PathAtStartAndAnApiV2OneDoesNot(@TempDir Path dir) throws IOException {
        CryptoWarmup.forget();
        web.validFor(tables);
        engine = WxPayEngine.start(web.context, hooks(List.of(orders)));
        assertFalse(CryptoWarmup.started(), "APIv2 only: nothing to warm");
        engine.close();
        engine = null;

        Path publicKey = Files.writeString(dir.resolve("wechatpay-public.pem"),
                V3Signer.publicKeyPem(V3Signer.rsaKeyPair().getPublic()));
        FakeServletContext v3 = new FakeServletContext().validFor(tables);
        v3.webInf.setProperty(Settings.API_V3_KEY, V3Signer.API_V3_KEY);
        v3.webInf.setProperty(Settings.PUBLIC_KEY_ID, "PUB_KEY_ID_0114232019112100000000000001");
        v3.webInf.setProperty(Settings.PUBLIC_KEY_FILE, publicKey.toString());
        engine = WxPayEngine.start(v3.context, hooks(List.of(orders)));
        assertTrue(CryptoWarmup.started());
    }

    @Test
    void anUnreachableDatabaseAtStartIsAClearIllegalStateWithoutSecrets() {
        web.validFor(tables).webInf.setProperty(Settings.DB_URL, "jdbc:mariadb://127.0.0.1:1/shop");
        web.webInf.setProperty(Settings.DB_USER, "shop");
        web.webInf.setProperty(Settings.DB_PASSWORD, "db-secret-pw");
        web.webInf.setProperty(Settings.DB_CONNECT_TIMEOUT_MS, "250");

        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> WxPayEngine.start(web.context, hooks(List.of(orders))));

        assertTrue(e.getMessage().startsWith("the wxpay plugin could not start: "), e.getMessage());
        assertFalse(e.getMessage().contains("db-secret-pw"), e.getMessage());
        assertTrue(web.filters.isEmpty());
        assertTrue(web.attributes.isEmpty());
    }

    @Test
    void aSettingNoKeyReadsIsWarnedAboutByNameOnly() {
        web.validFor(tables).webInf.setProperty("wxpay.notify-pth", "/typo-value");
        String log;
        try (CapturedStderr logged = CapturedStderr.start()) {
            engine = WxPayEngine.start(web.context, hooks(List.of(orders)));
            log = logged.text();
        }
        assertTrue(log.contains("ignoring settings that the plugin does not read"), log);
        assertTrue(log.contains("[wxpay.notify-pth]"), log);
        assertFalse(log.contains("/typo-value"), "values are not logged");
    }

    @Test
    void systemPropertiesOverrideWebInf() {
        web.validFor(tables).webInf.setProperty(Settings.NOTIFY_PATH, "/from/web-inf");
        System.setProperty(Settings.NOTIFY_PATH, "/from/system");

        engine = WxPayEngine.start(web.context, hooks(List.of(orders)));

        verify(web.registration).addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/from/system");
    }

    @Test
    void closeReleasesEverythingOnceAndTheContextCanStartAgain() {
        web.validFor(tables);
        engine = WxPayEngine.start(web.context, hooks(List.of(orders)));
        Injector injector = (Injector) web.attributes.get(WxPayEngine.INJECTOR_ATTRIBUTE);
        HikariDataSource pool = (HikariDataSource) injector.getInstance(Database.class).dataSource();
        assertFalse(pool.isClosed());

        engine.close();
        assertTrue(pool.isClosed());
        assertTrue(web.attributes.isEmpty());
        assertNull(WxPayEngine.running(web.context));
        assertFalse(engine.isEnabled());
        engine.close(); // idempotent
        assertTrue(web.attributes.isEmpty());

        WxPayEngine again = WxPayEngine.start(web.context, hooks(List.of(orders)));
        try {
            assertSame(again, WxPayEngine.running(web.context));
            engine.close(); // closing the old engine again leaves the new one alone
            assertSame(again, WxPayEngine.running(web.context));
            assertTrue(again.isEnabled());
        } finally {
            again.close();
        }
    }

    @Test
    void theInitializerStartsNothingWhenAutostartIsOff() {
        web.validFor(tables).webInf.setProperty(Settings.AUTOSTART, "false");

        new WxPayInitializer().onStartup(Collections.emptySet(), web.context);

        verify(web.context, never()).addFilter(anyString(), any(Filter.class));
        verify(web.context, never()).addListener(any(ServletContextListener.class));
        assertTrue(web.attributes.isEmpty());
    }
}
