package io.shopplug.wxpay;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.util.Set;

/**
 * Zero host code: a container that finds this JAR in {@code WEB-INF/lib} runs this initializer,
 * which starts the plugin with the host's hooks found through {@code ServiceLoader} on the
 * webapp's class loader, and stops it when the webapp stops. Set {@code wxpay.autostart=false}
 * in a host that starts plugins itself.
 */
public final class WxPayInitializer implements ServletContainerInitializer {

    /** Called by the container. */
    public WxPayInitializer() {}

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext servletContext) {
        WxPayEngine engine = WxPayEngine.startStandalone(servletContext, true);
        if (engine != null) {
            servletContext.addListener(new ServletContextListener() {
                @Override
                public void contextDestroyed(ServletContextEvent event) {
                    engine.close();
                }
            });
        }
    }
}
