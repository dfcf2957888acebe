package io.shopplug.wxpay;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The filter that owns the notify path: it reads the raw body (capped) before any other code can
 * touch it, guards, tells APIv2 (XML) from APIv3 (JSON, {@code Wechatpay-*} headers), and writes
 * the plugin's answer in that API's terms. Requests it owns never reach the host's own
 * filters or servlets.
 *
 * <p>Normally registered by the plugin itself. For a container that runs no
 * {@code ServletContainerInitializer}, declare it in {@code web.xml} and map it to the notify
 * path; it then starts the plugin in {@link #init} and stops it in {@link #destroy}.
 */
public final class NotifyFilter implements Filter {
    private static final Logger LOG = LoggerFactory.getLogger(NotifyFilter.class);

    private WxPayEngine engine;
    private boolean ownsEngine;

    /** For {@code web.xml}: the filter finds the running plugin, or starts it, in {@link #init}. */
    public NotifyFilter() {}

    NotifyFilter(WxPayEngine engine) {
        this.engine = engine;
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        if (engine != null) {
            return;
        }
        engine = WxPayEngine.running(filterConfig.getServletContext());
        if (engine == null) {
            engine = WxPayEngine.startStandalone(filterConfig.getServletContext(), false);
            ownsEngine = true;
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException {
        long start = System.nanoTime();
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String remote = engine.config().sourceGuard().clientAddress(request.getRemoteAddr(), request::getHeader);
        boolean v3 = isApiV3(request);
        Answer answer;
        try {
            answer = answer(request, remote, v3);
        } catch (RuntimeException e) {
            LOG.error("wxpay notify failed unexpectedly: {}", e.getClass().getName());
            answer = refuse(v3, Reason.INTERNAL_ERROR, remote);
        }
        response.setStatus(answer.status());
        response.setContentType(answer.contentType());
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(answer.length());
        answer.writeTo(response.getOutputStream());
        engine.metrics().answered(start, answer.acknowledged());
    }

    private Answer answer(HttpServletRequest request, String remote, boolean v3) throws IOException {
        if (!engine.isEnabled()) {
            return refuse(v3, Reason.DISABLED, remote);
        }
        if (!engine.config().sourceGuard().allows(remote)) {
            return refuse(v3, Reason.SOURCE_NOT_ALLOWED, remote);
        }
        if (!"POST".equals(request.getMethod())) {
            return refuse(v3, Reason.METHOD_NOT_ALLOWED, remote);
        }
        if (!v3 && !plausibleXml(request.getContentType())) {
            return refuse(false, Reason.UNSUPPORTED_MEDIA_TYPE, remote);
        }
        int cap = engine.config().maxBodyBytes();
        if (request.getContentLengthLong() > cap) {
            return refuse(v3, Reason.BODY_TOO_LARGE, remote);
        }
        // A bounded number of notifies hold a thread here; the rest are told to retry at once.
        if (!engine.tryEnterNotify()) {
            return refuse(v3, Reason.TOO_MANY_IN_FLIGHT, remote);
        }
        try {
            byte[] body = readCapped(request.getInputStream(), request.getContentLengthLong(), cap);
            if (body == null) {
                return refuse(v3, Reason.BODY_TOO_LARGE, remote);
            }
            List<Merchants.Merchant> merchants = engine.merchantsFor(pathOf(request));
            return v3 ? engine.v3().handle(ApiV3Headers.from(request::getHeader), body, remote, merchants)
                    : engine.v2().handle(body, remote, merchants);
        } finally {
            engine.exitNotify();
        }
    }

    private Answer refuse(boolean v3, Reason reason, String remote) {
        return v3 ? engine.v3().refuse(reason, remote) : engine.v2().refuse(reason, remote);
    }

    /** APIv3 notifications carry {@code Wechatpay-Signature} and a JSON body; APIv2 ones neither. */
    static boolean isApiV3(HttpServletRequest request) {
        String type = request.getContentType();
        return request.getHeader("Wechatpay-Signature") != null
                || (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json"));
    }

    /** The request's path inside the webapp. */
    static String pathOf(HttpServletRequest request) {
        String uri = request.getRequestURI();
        String context = request.getContextPath();
        return uri != null && context != null && uri.startsWith(context) ? uri.substring(context.length()) : String.valueOf(uri);
    }

    /** APIv2: XML as WeChat Pay sends it, or no content type at all; forms and the like are refused. */
    static boolean plausibleXml(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return true;
        }
        String type = contentType.toLowerCase(Locale.ROOT);
        return type.startsWith("text/xml") || type.startsWith("application/xml") || type.startsWith("text/plain");
    }

    /**
     * The whole body, or null when it is longer than {@code cap} bytes (reading stops there).
     * {@code declaredLength} (the Content-Length, -1 if none) only sizes the first buffer: a
     * body that fits it is read into it without a copy; one that is shorter or longer is still
     * read as it comes.
     */
    static byte[] readCapped(InputStream in, long declaredLength, int cap) throws IOException {
        byte[] buf = new byte[declaredLength >= 0 && declaredLength <= cap ? (int) declaredLength : Math.min(cap, 8192)];
        int total = 0;
        while (true) {
            total += in.readNBytes(buf, total, buf.length - total);
            if (total < buf.length) {
                return Arrays.copyOf(buf, total);
            }
            int next = in.read();
            if (next == -1) {
                return buf;
            }
            if (total >= cap) {
                return null;
            }
            buf = Arrays.copyOf(buf, Math.min(cap, Math.max(8192, 2 * buf.length)));
            buf[total++] = (byte) next;
        }
    }

    @Override
    public void destroy() {
        if (ownsEngine && engine != null) {
            engine.close();
        }
    }
}
