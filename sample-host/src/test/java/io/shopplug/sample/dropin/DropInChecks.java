package io.shopplug.sample.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.sample.dropin.DropInWebapp.Reply;
import io.shopplug.sample.dropin.host.HostBodyEatingFilter;
import io.shopplug.sample.dropin.host.HostOrders;
import io.shopplug.simulator.NotifyMessage;
import io.shopplug.simulator.PaymentNotice;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.jar.JarFile;

/** What both ways in must show, over real HTTP, in a real webapp. */
final class DropInChecks {
    static final String NOTIFY = "/wxpay/notify";

    private DropInChecks() {}

    /**
     * The plugin that runs is the one in {@code WEB-INF/lib}, on the webapp's class loader, and
     * the hooks are found through the host JAR's {@code META-INF/services} files and nowhere else.
     */
    static void runsFromWebInfLib(DropInWebapp app) throws Exception {
        try (JarFile jar = new JarFile(app.pluginJar.toFile())) {
            var sci = jar.getEntry("META-INF/services/jakarta.servlet.ServletContainerInitializer");
            assertNotNull(sci, "the packaged plugin JAR lacks its ServletContainerInitializer registration");
            String names = new String(jar.getInputStream(sci).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(names.contains("io.shopplug.wxpay.WxPayInitializer"), names);
        }
        ClassLoader webapp = app.webappLoader();
        Object engine = app.webapp().getServletContext().getAttribute(DropInWebapp.ENGINE_ATTRIBUTE);
        assertNotNull(engine, "the plugin is not running in the webapp");
        assertSame(webapp, engine.getClass().getClassLoader(), "the running plugin is not the webapp's");
        assertEquals(app.pluginJar, DropInWebapp.codeSource(engine.getClass()));

        Class<?> initializer = webapp.loadClass("io.shopplug.wxpay.WxPayInitializer");
        assertEquals(app.pluginJar, DropInWebapp.codeSource(initializer));
        assertNotSame(Class.forName("io.shopplug.wxpay.WxPayInitializer"), initializer,
                "the webapp shares the test class path's copy of the plugin");
        assertEquals(app.pluginApiJar, DropInWebapp.codeSource(webapp.loadClass("io.shopplug.api.OrderLookup")));
        assertEquals(app.hostJar, DropInWebapp.codeSource(webapp.loadClass(HostOrders.class.getName())));
        assertThrows(ClassNotFoundException.class, () -> webapp.loadClass("io.shopplug.simulator.Merchant"),
                "the webapp must not see the test class path");

        for (String hook : List.of("io.shopplug.api.OrderLookup", "io.shopplug.api.PaymentListener")) {
            String file = "META-INF/services/" + hook;
            List<URL> found = Collections.list(webapp.getResources(file));
            assertEquals(1, found.size(), file + " visible to the webapp: " + found);
            assertEquals(app.hostJar, DropInWebapp.jarOf(found.get(0)), file + " is not the host JAR's");
            assertNull(DropInChecks.class.getClassLoader().getResource(file),
                    file + " must exist only in the generated host JAR, not on the test class path");
        }
    }

    /** The shop's own {@code /*} filter really eats bodies: a shop page gets none. */
    static void hostFilterEatsBodies(DropInWebapp app) throws Exception {
        Reply echo = app.post("/echo", "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals(200, echo.status(), echo.body());
        assertEquals("eaten=5 left=0", echo.body());
    }

    /**
     * A paid notify for a known order is acknowledged and the host listener told once; the same
     * notify again is acknowledged and changes nothing; a forged one is refused. The host's
     * body-eating filter never sees the notify path.
     */
    static void paidDuplicateForged(DropInWebapp app) throws Exception {
        NotifyMessage paid = app.wechat.paid("DROPIN-A", HostOrders.AMOUNTS.get("DROPIN-A"));
        Reply first = app.post(NOTIFY, paid.body());
        assertAcknowledged(first);
        List<String[]> calls = app.awaitListenerCall("DROPIN-A");
        assertEquals(1, calls.size());
        String[] call = calls.get(0);
        assertEquals(paid.transactionId(), call[2]);
        assertEquals("2999", call[3]);
        assertTrue(call[5].startsWith("wxpay-dispatch"), "listener ran on " + call[5]);
        assertTrue(call[6].contains("WebAppClassLoader"), "listener loaded by " + call[6]);

        Reply again = app.post(NOTIFY, paid.body());
        assertAcknowledged(again);

        NotifyMessage forged = app.wechat.paid(PaymentNotice.builder().outTradeNo("DROPIN-C")
                .totalFee(HostOrders.AMOUNTS.get("DROPIN-C")).signedWithKey("0123456789abcdef0123456789abcdef").build());
        Reply refused = app.post(NOTIFY, forged.body());
        assertEquals(200, refused.status(), refused.body());
        assertEquals("FAIL", refused.returnCode(), refused.body());
        assertEquals("sign does not verify", refused.returnMsg(), refused.body());

        // Barrier: with one dispatch worker, calls happen in commit order, so once B's call is
        // seen, a call caused by the duplicate or the forgery would have been seen too.
        assertAcknowledged(app.post(NOTIFY, app.wechat.paid("DROPIN-B", HostOrders.AMOUNTS.get("DROPIN-B")).body()));
        app.awaitListenerCall("DROPIN-B");
        assertEquals(1, app.listenerCalls("DROPIN-A").size(), "the duplicate reached the listener");
        assertEquals(0, app.listenerCalls("DROPIN-C").size(), "the forgery reached the listener");
        assertEquals(2, app.listenerCalls().size());
        assertNotifyNeverReachedHostFilter(app);
    }

    static void assertAcknowledged(Reply reply) {
        assertEquals(200, reply.status(), reply.body());
        assertEquals("SUCCESS", reply.returnCode(), reply.body());
    }

    @SuppressWarnings("unchecked")
    static void assertNotifyNeverReachedHostFilter(DropInWebapp app) {
        Map<String, AtomicInteger> hits = (Map<String, AtomicInteger>)
                app.webapp().getServletContext().getAttribute(HostBodyEatingFilter.HITS);
        assertNotNull(hits, "the host filter never ran");
        assertFalse(hits.containsKey(NOTIFY), "the host filter saw the notify path: " + hits);
    }

    /** Stopping the webapp stops the plugin: its engine is gone and no wxpay thread is left. */
    static void stopsCleanly(DropInWebapp app) throws Exception {
        Set<String> running = app.wxpayThreads();
        assertTrue(running.contains("wxpay-outbox-sweeper"), "expected the plugin's threads while running: " + running);
        app.stopWebapp();
        assertNull(app.webapp().getServletContext().getAttribute(DropInWebapp.ENGINE_ATTRIBUTE));
        // shutdownNow() returns before a pool's thread has ended (the dispatcher's sweeper, the
        // pool's housekeeper): give them a moment to end, but none may stay.
        Set<String> left = app.wxpayThreads();
        for (long deadline = System.nanoTime() + 5_000_000_000L; !left.isEmpty() && System.nanoTime() < deadline; ) {
            Thread.sleep(20);
            left = app.wxpayThreads();
        }
        assertTrue(left.isEmpty(), "threads left 5 s after the webapp stopped: " + left);
    }
}
