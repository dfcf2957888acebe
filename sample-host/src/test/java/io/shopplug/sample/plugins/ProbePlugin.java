package io.shopplug.sample.plugins;

import io.shopplug.api.OrderLookup;
import io.shopplug.api.PaymentListener;
import io.shopplug.api.TransactionalPaymentListener;
import io.shopplug.api.PluginContext;
import io.shopplug.api.ShopPlugin;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A test plugin registered only in the test resources' {@code META-INF/services}. It registers a
 * filter ahead of the shop's filters, exactly as the WeChat Pay plugin does, and a servlet that
 * reports over HTTP what the filter and the plugin context saw.
 */
public final class ProbePlugin implements ShopPlugin {
    /** The shop filter's request attribute (io.shopplug.sample.RequestLogFilter). */
    static final String SHOP_FILTER_ATTR = "io.shopplug.sample.requestId";
    static final String PROBE_ATTR = "probe.filterSawShopFilter";
    public static final AtomicInteger STOPS = new AtomicInteger();

    private volatile PluginContext context;

    @Override
    public String id() {
        return "probe";
    }

    @Override
    public String name() {
        return "Probe <test> plugin";
    }

    @Override
    public void start(PluginContext ctx) {
        this.context = ctx;
        FilterRegistration.Dynamic filter = ctx.servletContext().addFilter("probe-filter", new HttpFilter() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doFilter(HttpServletRequest req, HttpServletResponse resp, FilterChain chain)
                    throws IOException, ServletException {
                req.setAttribute(PROBE_ATTR, req.getAttribute(SHOP_FILTER_ATTR) != null);
                chain.doFilter(req, resp);
            }
        });
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), false, "/probe/*");
        ServletRegistration.Dynamic servlet = ctx.servletContext().addServlet("probe-servlet", new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
                resp.setContentType("text/plain;charset=utf-8");
                resp.getWriter().write(report(req));
            }
        });
        servlet.addMapping("/probe/*");
    }

    private String report(HttpServletRequest req) {
        PluginContext ctx = context;
        return "enabled=" + ctx.isEnabled() + "\n"
                + "probeFilterRan=" + (req.getAttribute(PROBE_ATTR) != null) + "\n"
                + "probeFilterSawShopFilter=" + req.getAttribute(PROBE_ATTR) + "\n"
                + "servletSawShopFilter=" + (req.getAttribute(SHOP_FILTER_ATTR) != null) + "\n"
                + "listeners=" + names(ctx.services(PaymentListener.class)) + "\n"
                + "transactional=" + names(ctx.services(TransactionalPaymentListener.class)) + "\n"
                + "lookups=" + names(ctx.services(OrderLookup.class)) + "\n"
                + "strings=" + ctx.services(String.class).size() + "\n"
                + "dataSource=" + ctx.dataSource().isPresent() + "\n";
    }

    private static String names(List<?> services) {
        return services.stream().map(s -> s.getClass().getSimpleName()).collect(Collectors.joining(","));
    }

    @Override
    public void stop() {
        STOPS.incrementAndGet();
    }
}
