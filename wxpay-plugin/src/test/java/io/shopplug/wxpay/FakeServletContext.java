package io.shopplug.wxpay;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A servlet context as a container hands it to the plugin while the webapp initialises: real
 * attributes, {@code /WEB-INF/wxpay.properties} from {@link #webInf}, and {@code addFilter} and
 * {@code addServlet} recording what was added and returning {@link #registration} and
 * {@link #servletRegistration} (mocks, to verify the mappings).
 */
final class FakeServletContext {
    final ServletContext context = mock(ServletContext.class);
    final FilterRegistration.Dynamic registration = mock(FilterRegistration.Dynamic.class);
    final Map<String, Object> attributes = new ConcurrentHashMap<>();
    final Properties webInf = new Properties();
    final List<Filter> filters = new CopyOnWriteArrayList<>();
    final ServletRegistration.Dynamic servletRegistration = mock(ServletRegistration.Dynamic.class);
    final List<Servlet> servlets = new CopyOnWriteArrayList<>();

    FakeServletContext() {
        when(context.getContextPath()).thenReturn("/shop");
        when(context.getAttribute(anyString())).thenAnswer(i -> attributes.get(i.<String>getArgument(0)));
        doAnswer(i -> attributes.put(i.getArgument(0), i.getArgument(1))).when(context).setAttribute(anyString(), any());
        doAnswer(i -> attributes.remove(i.<String>getArgument(0))).when(context).removeAttribute(anyString());
        when(context.getResourceAsStream("/WEB-INF/wxpay.properties")).thenAnswer(i -> webInfStream());
        when(context.addFilter(anyString(), any(Filter.class))).thenAnswer(i -> {
            filters.add(i.getArgument(1));
            return registration;
        });
        when(context.addServlet(anyString(), any(Servlet.class))).thenAnswer(i -> {
            servlets.add(i.getArgument(1));
            return servletRegistration;
        });
        when(servletRegistration.addMapping(any(String[].class))).thenReturn(java.util.Collections.emptySet());
    }

    /** The settings of a valid merchant on {@code tables}' database. */
    FakeServletContext validFor(Tables tables) {
        webInf.setProperty(Settings.MCH_ID, V2Bodies.MCH_ID);
        webInf.setProperty(Settings.APP_ID, V2Bodies.APP_ID);
        webInf.setProperty(Settings.API_V2_KEY, V2Bodies.KEY);
        webInf.setProperty(Settings.DB_URL, tables.url());
        webInf.setProperty(Settings.DB_USER, "sa");
        return this;
    }

    private ByteArrayInputStream webInfStream() {
        if (webInf.isEmpty()) {
            return null;
        }
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            webInf.store(out, null);
            return new ByteArrayInputStream(out.toByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
