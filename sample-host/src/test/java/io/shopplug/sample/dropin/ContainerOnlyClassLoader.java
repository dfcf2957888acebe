package io.shopplug.sample.dropin;

import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;

/**
 * The parent of the test webapps' class loader: what a real Jetty gives a webapp, and nothing
 * else. Classes and resources of the JDK, the Servlet API and Jetty; not the test class path, which
 * here also holds wxpay-plugin, plugin-api, the host classes and (in the sample shop) its own
 * {@code wxpay.properties}. So the webapp can only run what its {@code WEB-INF/lib} holds, and
 * {@code ServiceLoader} on it can only find the host JAR's {@code META-INF/services} files.
 * The one other resource is the container's JNDI set-up ({@code jndi.properties} of Jetty's own
 * JARs), which Jetty's default {@code EnvConfiguration} reads through the webapp's loader.
 */
final class ContainerOnlyClassLoader extends ClassLoader {
    private static final String[] CLASSES = {"jakarta.servlet.", "org.eclipse.jetty."};
    private static final String[] RESOURCES = {"jakarta/servlet/", "org/eclipse/jetty/"};
    private static final String JNDI = "jndi.properties";

    private final ClassLoader container;

    ContainerOnlyClassLoader(ClassLoader container) {
        super("jetty-container", ClassLoader.getPlatformClassLoader());
        this.container = container;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        if (startsWithAny(name, CLASSES)) {
            return container.loadClass(name);
        }
        throw new ClassNotFoundException(name);
    }

    @Override
    protected URL findResource(String name) {
        try {
            Enumeration<URL> found = findResources(name);
            return found.hasMoreElements() ? found.nextElement() : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    protected Enumeration<URL> findResources(String name) throws IOException {
        if (startsWithAny(name, RESOURCES)) {
            return container.getResources(name);
        }
        if (JNDI.equals(name)) {
            List<URL> jetty = new ArrayList<>();
            for (URL url : Collections.list(container.getResources(name))) {
                if (url.getPath().contains("/jetty-")) {
                    jetty.add(url);
                }
            }
            return Collections.enumeration(jetty);
        }
        return Collections.emptyEnumeration();
    }

    private static boolean startsWithAny(String name, String[] prefixes) {
        for (String p : prefixes) {
            if (name.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
