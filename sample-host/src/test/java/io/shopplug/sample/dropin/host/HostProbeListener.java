package io.shopplug.sample.dropin.host;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;

/**
 * Declared in the webapp's {@code web.xml}. Containers call {@code ServletContainerInitializer}s
 * before declared listeners, and initialise filters after them, so whether the plugin is already
 * running here tells who started it: its initializer (way 1) or its filter's {@code init} (way 3).
 * Recorded as the Boolean context attribute {@link #ENGINE_AT_LISTENER_INIT}.
 */
public final class HostProbeListener implements ServletContextListener {
    public static final String ENGINE_AT_LISTENER_INIT = "dropin.engineRunningAtListenerInit";
    /** The context attribute under which the plugin keeps its running engine. */
    public static final String ENGINE_ATTRIBUTE = "io.shopplug.wxpay.WxPayEngine";

    /** Called by the container. */
    public HostProbeListener() {}

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        sce.getServletContext().setAttribute(ENGINE_AT_LISTENER_INIT,
                sce.getServletContext().getAttribute(ENGINE_ATTRIBUTE) != null);
    }
}
