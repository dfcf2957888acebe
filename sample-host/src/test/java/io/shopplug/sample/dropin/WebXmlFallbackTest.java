package io.shopplug.sample.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.shopplug.sample.dropin.host.HostProbeListener;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.eclipse.jetty.ee10.servlet.Source;
import org.junit.jupiter.api.Test;

/**
 * Way 3, the {@code web.xml} fallback: a {@code metadata-complete} webapp in a container that runs
 * no {@code ServletContainerInitializer} from the plugin's JAR (Jetty's documented
 * {@code org.eclipse.jetty.containerInitializerExclusionPattern}, with annotation and SCI
 * discovery otherwise on). The shop declares {@code NotifyFilter} first in its {@code web.xml};
 * the filter's {@code init} starts the plugin and its {@code destroy} stops it.
 */
class WebXmlFallbackTest {

    static final String WEB_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                     version="6.0" metadata-complete="true">
              <listener><listener-class>io.shopplug.sample.dropin.host.HostProbeListener</listener-class></listener>
              <filter>
                <filter-name>wxpay-notify</filter-name>
                <filter-class>io.shopplug.wxpay.NotifyFilter</filter-class>
              </filter>
              <filter>
                <filter-name>shop-body-eater</filter-name>
                <filter-class>io.shopplug.sample.dropin.host.HostBodyEatingFilter</filter-class>
              </filter>
              <!-- first of all filter mappings, so it runs ahead of the shop's own filters -->
              <filter-mapping>
                <filter-name>wxpay-notify</filter-name>
                <url-pattern>/wxpay/notify</url-pattern>
              </filter-mapping>
              <filter-mapping>
                <filter-name>shop-body-eater</filter-name>
                <url-pattern>/*</url-pattern>
              </filter-mapping>
              <servlet>
                <servlet-name>shop-echo</servlet-name>
                <servlet-class>io.shopplug.sample.dropin.host.HostEchoServlet</servlet-class>
              </servlet>
              <servlet-mapping>
                <servlet-name>shop-echo</servlet-name>
                <url-pattern>/echo</url-pattern>
              </servlet-mapping>
            </web-app>
            """;

    @Test
    void declaredFilterStartsThePluginWhenNoInitializerRuns() throws Exception {
        try (DropInWebapp app = DropInWebapp.assemble("web-xml-fallback", WEB_XML)) {
            app.start(webapp -> {
                webapp.addConfiguration(new AnnotationConfiguration());
                webapp.setAttribute(AnnotationConfiguration.SERVLET_CONTAINER_INITIALIZER_EXCLUSION_PATTERN,
                        "io\\.shopplug\\.wxpay\\..*");
            });

            assertEquals(Boolean.FALSE, app.webapp().getServletContext().getAttribute(HostProbeListener.ENGINE_AT_LISTENER_INIT),
                    "no initializer may have started the plugin before the shop's listeners ran");
            assertNotNull(app.webapp().getServletContext().getAttribute(DropInWebapp.ENGINE_ATTRIBUTE),
                    "the declared NotifyFilter's init should have started the plugin");
            List<FilterHolder> notifyFilters = Arrays.stream(app.webapp().getServletHandler().getFilters())
                    .filter(h -> "io.shopplug.wxpay.NotifyFilter".equals(h.getClassName())).collect(Collectors.toList());
            assertEquals(1, notifyFilters.size(), "NotifyFilter instances: " + notifyFilters);
            assertEquals(Source.Origin.DESCRIPTOR, notifyFilters.get(0).getSource().getOrigin());
            FilterMapping[] mappings = app.webapp().getServletHandler().getFilterMappings();
            assertEquals("wxpay-notify", mappings[0].getFilterName(), "first filter mapping: " + Arrays.toString(mappings));
            DropInChecks.runsFromWebInfLib(app);

            DropInChecks.hostFilterEatsBodies(app);
            DropInChecks.paidDuplicateForged(app);
            DropInChecks.stopsCleanly(app);
        }
    }

    /**
     * {@code metadata-complete} does not switch initializers off (the Servlet spec runs them
     * regardless, and so do Jetty and Tomcat), so a shop that follows way 3 may still get the
     * initializer. Then the initializer starts the plugin, sees the declared {@code NotifyFilter}
     * under the plugin's filter name, and lets it serve: one engine, the declared filter first.
     */
    @Test
    void declaredFilterServesThePluginWhenTheInitializerRunsAnyway() throws Exception {
        try (DropInWebapp app = DropInWebapp.assemble("web-xml-and-initializer", WEB_XML)) {
            app.start(webapp -> webapp.addConfiguration(new AnnotationConfiguration()));

            assertEquals(Boolean.TRUE, app.webapp().getServletContext().getAttribute(HostProbeListener.ENGINE_AT_LISTENER_INIT),
                    "the initializer should have started the plugin, before the shop's listeners");
            List<FilterHolder> notifyFilters = Arrays.stream(app.webapp().getServletHandler().getFilters())
                    .filter(h -> "io.shopplug.wxpay.NotifyFilter".equals(h.getClassName())).collect(Collectors.toList());
            assertEquals(1, notifyFilters.size(), "NotifyFilter instances: " + notifyFilters);
            assertEquals(Source.Origin.DESCRIPTOR, notifyFilters.get(0).getSource().getOrigin());
            FilterMapping[] mappings = app.webapp().getServletHandler().getFilterMappings();
            assertEquals("wxpay-notify", mappings[0].getFilterName(), "first filter mapping: " + Arrays.toString(mappings));
            DropInChecks.runsFromWebInfLib(app);

            DropInChecks.hostFilterEatsBodies(app);
            DropInChecks.paidDuplicateForged(app);
            DropInChecks.stopsCleanly(app);
        }
    }
}
