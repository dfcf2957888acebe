package io.shopplug.sample.dropin.host;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A typical legacy shop filter on {@code /*} that consumes the request body before anything
 * else (as request-logging or form-parsing filters do). Had it run ahead of the plugin, a notify
 * would reach the plugin with an empty body and be refused as malformed. It counts the paths it
 * saw in the context attribute {@link #HITS} (a {@code Map<String, AtomicInteger>}, JDK types) and
 * passes the number of bytes it ate on as the request attribute {@link #EATEN}.
 */
public final class HostBodyEatingFilter implements Filter {
    public static final String HITS = "dropin.hostFilter.hits";
    public static final String EATEN = "dropin.hostFilter.eaten";

    /** Called by the container. */
    public HostBodyEatingFilter() {}

    @Override
    @SuppressWarnings("unchecked")
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        Map<String, AtomicInteger> hits;
        synchronized (req.getServletContext()) {
            hits = (Map<String, AtomicInteger>) req.getServletContext().getAttribute(HITS);
            if (hits == null) {
                hits = new ConcurrentHashMap<>();
                req.getServletContext().setAttribute(HITS, hits);
            }
        }
        String path = request.getRequestURI().substring(request.getContextPath().length());
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        byte[] eaten = req.getInputStream().readAllBytes();
        req.setAttribute(EATEN, eaten.length);
        chain.doFilter(req, res);
    }
}
