package io.shopplug.sample.dropin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shopplug.sample.dropin.host.HostProbeListener;
import java.util.Arrays;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.servlet.FilterMapping;
import org.junit.jupiter.api.Test;

/**
 * Way 1, "zero host code": the shop's webapp only has the plugin's JARs in {@code WEB-INF/lib},
 * its hooks in {@code META-INF/services} and a {@code wxpay.properties}. Its {@code web.xml} says
 * nothing about the plugin, and it has a {@code /*} filter of its own that eats request bodies.
 * The container's {@code ServletContainerInitializer} discovery must start the plugin and put its
 * filter ahead of the shop's.
 */
class DropInWebappTest {

    static final String WEB_XML = """
            <?xml version="1.0" encoding="UTF-8"?>
            <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                     xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                     xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                     version="6.0">
              <listener><listener-class>io.shopplug.sample.dropin.host.HostProbeListener</listener-class></listener>
              <filter>
                <filter-name>shop-body-eater</filter-name>
                <filter-class>io.shopplug.sample.dropin.host.HostBodyEatingFilter</filter-class>
              </filter>
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
    void containerStartsThePluginAheadOfTheShopsFilterAndItHandlesNotifiesOverHttp() throws Exception {
        try (DropInWebapp app = DropInWebapp.assemble("zero-host-code", WEB_XML)) {
            app.start(webapp -> webapp.addConfiguration(new AnnotationConfiguration()));

            DropInChecks.runsFromWebInfLib(app);
            assertEquals(Boolean.TRUE, app.webapp().getServletContext().getAttribute(HostProbeListener.ENGINE_AT_LISTENER_INIT),
                    "the plugin should have been started by its ServletContainerInitializer, before the shop's listeners");
            FilterMapping[] mappings = app.webapp().getServletHandler().getFilterMappings();
            assertEquals("wxpay-notify", mappings[0].getFilterName(), "first filter mapping: " + Arrays.toString(mappings));
            assertEquals(Arrays.asList(DropInChecks.NOTIFY), Arrays.asList(mappings[0].getPathSpecs()));
            assertTrue(Arrays.stream(mappings).anyMatch(m -> m.getFilterName().equals("shop-body-eater")));

            DropInChecks.hostFilterEatsBodies(app);
            DropInChecks.paidDuplicateForged(app);
            DropInChecks.stopsCleanly(app);
        }
    }
}
