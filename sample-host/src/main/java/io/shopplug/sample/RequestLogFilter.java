package io.shopplug.sample;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shop's own legacy filter on {@code /*}: forces UTF-8, tags each request with an id (request
 * attribute {@value #REQUEST_ID_ATTR}, response header {@code X-Request-Id}) and logs it. A plugin's
 * notify filter registered with {@code isMatchAfter=false} runs ahead of this one, so it sees the
 * raw request before the shop touches it.
 */
final class RequestLogFilter extends HttpFilter {
    private static final long serialVersionUID = 1L;
    static final String REQUEST_ID_ATTR = "io.shopplug.sample.requestId";
    private static final Logger LOG = LoggerFactory.getLogger(RequestLogFilter.class);
    private static final AtomicLong SEQUENCE = new AtomicLong();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String id = Long.toString(SEQUENCE.incrementAndGet(), 36);
        request.setAttribute(REQUEST_ID_ATTR, id);
        if (request.getCharacterEncoding() == null) {
            request.setCharacterEncoding(StandardCharsets.UTF_8.name());
        }
        response.setHeader("X-Request-Id", id);
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            LOG.debug("{} {} {} -> {} in {} ms", id, request.getMethod(), request.getRequestURI(),
                    response.getStatus(), (System.nanoTime() - start) / 1_000_000);
        }
    }
}
