package io.shopplug.wxpay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.shopplug.api.OrderState;
import io.shopplug.api.PaymentListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The notify filter: its body reader and content-type guard, and its guards in front of a running
 * plugin (real engine, in-memory H2), called with a fake request and response.
 */
class NotifyFilterTest {
    private static final int CAP = 1024;

    // ---- readCapped

    /** Content-Length values the body may come with: none, right, too small, too large, over the cap. */
    private static final long[] DECLARED = {-1, 0, 1, 100, CAP - 1, CAP, CAP + 1, 5000};

    @Test
    void readCappedTakesAWholeBodyUpToTheCapWhateverTheDeclaredLength() throws IOException {
        byte[] full = new byte[CAP];
        Arrays.fill(full, (byte) 'x');
        full[0] = 'a';
        full[CAP - 1] = 'z';
        byte[] small = "{\"id\":\"EV-1\"}".getBytes(StandardCharsets.UTF_8);
        for (byte[] body : List.of(full, small)) {
            for (long declared : DECLARED) {
                String what = body.length + " bytes, declared " + declared;
                assertArrayEquals(body, NotifyFilter.readCapped(new ByteArrayInputStream(body), declared, CAP), what);
                assertArrayEquals(body, NotifyFilter.readCapped(new Trickle(body), declared, CAP),
                        what + ", one byte per read");
            }
        }
    }

    @Test
    void readCappedRefusesOneByteMoreWhateverTheDeclaredLength() throws IOException {
        byte[] body = new byte[CAP + 1];
        for (long declared : DECLARED) {
            assertNull(NotifyFilter.readCapped(new ByteArrayInputStream(body), declared, CAP), "declared " + declared);
            assertNull(NotifyFilter.readCapped(new Trickle(body), declared, CAP), "declared " + declared);
        }
    }

    @Test
    void readCappedReadsAnEmptyBody() throws IOException {
        for (long declared : DECLARED) {
            assertArrayEquals(new byte[0], NotifyFilter.readCapped(new ByteArrayInputStream(new byte[0]), declared, CAP),
                    "declared " + declared);
        }
    }

    @Test
    void readCappedStopsReadingSoonAfterTheCap() throws IOException {
        for (long declared : DECLARED) {
            Endless endless = new Endless();
            assertNull(NotifyFilter.readCapped(endless, declared, CAP));
            assertTrue(endless.served <= CAP + 8192, "read " + endless.served + " bytes, declared " + declared);
        }
    }

    // ---- plausibleXml

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"  ", "text/xml", "text/xml;charset=UTF-8", "TEXT/XML; charset=utf-8", "application/xml",
        "Application/XML;charset=GBK", "text/plain", "text/plain;charset=UTF-8"})
    void xmlOrNoContentTypeIsPlausible(String contentType) {
        assertTrue(NotifyFilter.plausibleXml(contentType));
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/json;charset=UTF-8",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/html", "*/*"})
    void otherContentTypesAreNot(String contentType) {
        assertFalse(NotifyFilter.plausibleXml(contentType));
    }

    // ---- doFilter in front of a running plugin

    private final FakeServletContext web = new FakeServletContext();
    private final ApiV2EndpointTest.Orders orders = new ApiV2EndpointTest.Orders();
    private final AtomicBoolean hostSwitch = new AtomicBoolean(true);
    private final FilterChain chain = mock(FilterChain.class);
    private Tables tables;
    private ApiV2EndpointTest.RecordingListener listener;
    private WxPayEngine engine;
    private NotifyFilter filter;

    @BeforeEach
    void startPlugin() {
        tables = Tables.inMemory("filter");
        listener = new ApiV2EndpointTest.RecordingListener(tables);
        orders.put(V2Bodies.FIXTURE_ORDER, 1999, "CNY", OrderState.AWAITING_PAYMENT);
        web.validFor(tables).webInf.setProperty(Settings.MAX_BODY_BYTES, Integer.toString(CAP));
    }

    private void start() {
        engine = WxPayEngine.start(web.context, new HostHooks(Collections.singletonList(orders),
                Collections.<PaymentListener>singletonList(listener), hostSwitch::get, Optional.empty()));
        filter = (NotifyFilter) web.filters.get(0);
    }

    @AfterEach
    void stopPlugin() {
        if (engine != null) {
            engine.close();
        }
        tables.shutdown();
    }

    @Test
    void aPaidNotifyPassesTheGuardsAndNeverReachesTheHost() throws Exception {
        start();
        HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
        Captured response = new Captured();

        filter.doFilter(request, response.mock, chain);

        response.assertAnswer(200, V2Bodies.successXml());
        verify(response.mock).setHeader("Cache-Control", "no-store");
        verify(response.mock).setContentType("text/xml;charset=UTF-8");
        verify(response.mock).setContentLength(V2Bodies.successXml().length());
        verify(chain, never()).doFilter(any(), any());
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE remote_addr = '198.51.100.9'"));
    }

    @Test
    void switchedOffByTheHostRefusesWithoutReadingOrRecording() throws Exception {
        start();
        hostSwitch.set(false);
        assertRefusedUnread(post("text/xml", V2Bodies.fixture("paid.xml")), 200, "plugin switched off, retry later");
    }

    @Test
    void switchedOffInTheConfigurationRefusesWithoutReadingOrRecording() throws Exception {
        web.webInf.setProperty(Settings.ENABLED, "false");
        start();
        assertRefusedUnread(post("text/xml", V2Bodies.fixture("paid.xml")), 200, "plugin switched off, retry later");
    }

    @Test
    void aClosedPluginRefusesAsSwitchedOff() throws Exception {
        start();
        engine.close();
        assertRefusedUnread(post("text/xml", V2Bodies.fixture("paid.xml")), 200, "plugin switched off, retry later");
    }

    @Test
    void getIsMethodNotAllowed() throws Exception {
        start();
        HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
        when(request.getMethod()).thenReturn("GET");
        assertRefusedUnread(request, 405, "only POST is accepted");
    }

    @Test
    void aDeclaredLengthOverTheCapIsRefusedWithoutReadingTheBody() throws Exception {
        start();
        HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
        when(request.getContentLengthLong()).thenReturn((long) CAP + 1);
        assertRefusedUnread(request, 200, "body too large");
    }

    @Test
    void anUndeclaredLengthOverTheCapIsRefusedAfterReadingTheCap() throws Exception {
        start();
        HttpServletRequest request = post("text/xml", new byte[CAP + 1]);
        when(request.getContentLengthLong()).thenReturn(-1L);
        Captured response = new Captured();

        filter.doFilter(request, response.mock, chain);

        response.assertAnswer(200, V2Bodies.failXml("body too large"));
        assertNothingRecorded();
    }

    @Test
    void aSourceOutsideTheAllowListIsRefusedUnread() throws Exception {
        web.webInf.setProperty(Settings.ALLOWED_SOURCES, "101.226.103.0/25, 140.207.54.0/25");
        start();
        assertRefusedUnread(post("text/xml", V2Bodies.fixture("paid.xml")), 200, "source address not allowed");
    }

    @Test
    void aSourceInTheAllowListBehindATrustedProxyIsServed() throws Exception {
        web.webInf.setProperty(Settings.ALLOWED_SOURCES, "101.226.103.0/25");
        web.webInf.setProperty(Settings.TRUSTED_PROXIES, "198.51.100.0/24");
        start();
        HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
        when(request.getHeader("X-Forwarded-For")).thenReturn("203.0.113.50, 101.226.103.9");
        Captured response = new Captured();

        filter.doFilter(request, response.mock, chain);

        response.assertAnswer(200, V2Bodies.successXml());
    }

    @Test
    void aFormIsNotAccepted() throws Exception {
        start();
        assertRefusedUnread(post("application/x-www-form-urlencoded", bytes("return_code=SUCCESS")), 200,
                "content type not accepted");
    }

    @Test
    void jsonIsApiV3AndRefusedInItsTermsWhenNoMerchantHasApiV3() throws Exception {
        start();
        Captured response = new Captured();

        filter.doFilter(post("application/json", bytes("{\"id\":\"x\"}")), response.mock, chain);

        verify(response.mock).setStatus(400);
        assertEquals("{\"code\":\"FAIL\",\"message\":\"APIv3 is not configured for this notify path\"}",
                response.body.toString(StandardCharsets.UTF_8));
        verify(chain, never()).doFilter(any(), any());
        assertEquals(0, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
        flushLog();
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_notify_log WHERE api = 'v3' AND reason = 'API_V3_NOT_CONFIGURED'"));
    }

    @Test
    void anUnexpectedFailureIsAnInternalErrorNotAStackTrace() throws Exception {
        start();
        HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
        when(request.getInputStream()).thenThrow(new IllegalStateException("getReader() was called"));
        Captured response = new Captured();

        filter.doFilter(request, response.mock, chain);

        response.assertAnswer(200, V2Bodies.failXml("internal error, retry later"));
        assertNothingRecorded();
    }

    @Test
    void beyondMaxConcurrentNotifiesARequestIsToldToRetryAtOnceAndTheSlotsComeBack() throws Exception {
        web.webInf.setProperty(Settings.MAX_CONCURRENT_NOTIFIES, "2");
        start();
        java.util.concurrent.CountDownLatch reading = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.ExecutorService senders = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            java.util.List<java.util.concurrent.Future<Captured>> slow = new java.util.ArrayList<>();
            for (int i = 0; i < 2; i++) {
                HttpServletRequest request = post("text/xml", V2Bodies.fixture("paid.xml"));
                // A client that sends its body slowly holds a slot while the filter reads it.
                when(request.getInputStream()).thenReturn(new Body(V2Bodies.fixture("paid.xml")) {
                    @Override
                    public int read(byte[] b, int off, int len) {
                        reading.countDown();
                        try {
                            release.await(20, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return super.read(b, off, len);
                    }
                });
                slow.add(senders.submit(() -> {
                    Captured response = new Captured();
                    filter.doFilter(request, response.mock, chain);
                    return response;
                }));
            }
            assertTrue(reading.await(20, java.util.concurrent.TimeUnit.SECONDS));

            long start = System.nanoTime();
            assertRefusedUnread(post("text/xml", V2Bodies.fixture("paid.xml")), 200,
                    "too many notifications in flight, retry later");
            assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(2), "answered at once");

            release.countDown();
            for (java.util.concurrent.Future<Captured> f : slow) {
                f.get(20, java.util.concurrent.TimeUnit.SECONDS).assertAnswer(200, V2Bodies.successXml());
            }
        } finally {
            release.countDown();
            senders.shutdownNow();
        }
        Captured later = new Captured();
        filter.doFilter(post("text/xml", V2Bodies.fixture("paid.xml")), later.mock, chain);
        later.assertAnswer(200, V2Bodies.successXml()); // a duplicate by now: the slots were given back
        assertEquals(1, tables.count("SELECT COUNT(*) FROM wxpay_transaction"));
    }

    private void assertRefusedUnread(HttpServletRequest request, int status, String message) throws Exception {
        Captured response = new Captured();

        filter.doFilter(request, response.mock, chain);

        response.assertAnswer(status, V2Bodies.failXml(message));
        verify(request, never()).getInputStream();
        verify(chain, never()).doFilter(any(), any());
        assertNothingRecorded();
    }

    private void assertNothingRecorded() {
        flushLog();
        for (String table : new String[] {"wxpay_transaction", "wxpay_outbox", "wxpay_anomaly", "wxpay_notify_log"}) {
            assertEquals(0, tables.count("SELECT COUNT(*) FROM " + table), table);
        }
        assertEquals(Collections.emptyList(), listener.events);
    }

    private static HttpServletRequest post(String contentType, byte[] body) throws IOException {
        HttpServletRequest request = mock(HttpServletRequest.class);
        when(request.getMethod()).thenReturn("POST");
        when(request.getContentType()).thenReturn(contentType);
        when(request.getContentLengthLong()).thenReturn((long) body.length);
        when(request.getRemoteAddr()).thenReturn("198.51.100.9");
        when(request.getInputStream()).thenReturn(new Body(body));
        return request;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** A response whose body is kept. */
    private static final class Captured {
        final HttpServletResponse mock = mock(HttpServletResponse.class);
        final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Captured() throws IOException {
            when(mock.getOutputStream()).thenReturn(new ServletOutputStream() {
                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener writeListener) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void write(int b) {
                    body.write(b);
                }
            });
        }

        void assertAnswer(int status, String xml) {
            verify(mock).setStatus(status);
            assertEquals(xml, body.toString(StandardCharsets.UTF_8));
        }
    }

    /** A request body. */
    private static class Body extends ServletInputStream {
        private final ByteArrayInputStream in;

        Body(byte[] body) {
            in = new ByteArrayInputStream(body);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }
    }

    /** Gives at most one byte per read, as a slow connection may. */
    private static final class Trickle extends InputStream {
        private final ByteArrayInputStream in;

        Trickle(byte[] body) {
            in = new ByteArrayInputStream(body);
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, Math.min(len, 1));
        }
    }

    /** Never ends; counts what it served. */
    private static final class Endless extends InputStream {
        long served;

        @Override
        public int read() {
            served++;
            return 'x';
        }

        @Override
        public int read(byte[] b, int off, int len) {
            Arrays.fill(b, off, off + len, (byte) 'x');
            served += len;
            return len;
        }
    }

    /** Waits until the running plugin's notify log has written every row appended so far. */
    private void flushLog() {
        Object injector = web.context.getAttribute(WxPayEngine.INJECTOR_ATTRIBUTE);
        if (injector == null) {
            return; // not started, or closed: closing wrote what was queued
        }
        NotifyLog log = ((com.google.inject.Injector) injector).getInstance(NotifyLog.class);
        try {
            assertTrue(log.flush(java.time.Duration.ofSeconds(10)), "the notify log was written");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
