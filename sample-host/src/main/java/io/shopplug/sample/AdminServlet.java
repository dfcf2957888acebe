package io.shopplug.sample;

import static io.shopplug.sample.Html.esc;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /login}, {@code /logout} and {@code /admin}: the plugin list with an on/off switch per
 * plugin. Every state-changing form carries the session's CSRF token.
 *
 * <p>{@code POST /login} (the admin, or a customer such as the demo's {@code alice}) answers a
 * browser with a redirect to {@code /admin} (a customer: to the storefront), and a client that
 * accepts {@code application/json} with {@code {"csrfToken": ...}} for the admin JSON API.
 */
final class AdminServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Pattern TOGGLE = Pattern.compile("/admin/plugins/([^/]+)/enabled");

    private final transient PluginHost plugins;
    private final transient AdminAuth auth;

    AdminServlet(PluginHost plugins, AdminAuth auth) {
        this.plugins = plugins;
        this.auth = auth;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        if (path.equals("/login")) {
            StorefrontServlet.html(resp, 200, Html.page("Log in", loginForm(null)));
        } else if (path.equals("/admin")) {
            if (!auth.isAdmin(req)) {
                StorefrontServlet.seeOther(resp, "/login");
                return;
            }
            StorefrontServlet.html(resp, 200, Html.page("Admin", adminPage(auth.csrfToken(req))));
        } else {
            StorefrontServlet.html(resp, 404, Html.page("Not found", "<p class=\"error\">Not found.</p>"));
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        req.getParameterMap(); // reads the form body now, so any answer leaves the connection reusable
        Matcher m;
        if (path.equals("/login")) {
            login(req, resp);
        } else if (path.equals("/logout")) {
            if (auth.csrfOk(req, req.getParameter(AdminAuth.CSRF_FIELD))) {
                auth.logout(req);
            }
            StorefrontServlet.seeOther(resp, "/");
        } else if ((m = TOGGLE.matcher(path)).matches()) {
            if (!auth.isAdmin(req)) {
                StorefrontServlet.seeOther(resp, "/login");
                return;
            }
            if (!auth.csrfOk(req, req.getParameter(AdminAuth.CSRF_FIELD))) {
                StorefrontServlet.html(resp, 403, Html.page("Forbidden",
                        "<p class=\"error\">The form has expired. <a href=\"/admin\">Back</a></p>"));
                return;
            }
            boolean enabled = "true".equals(req.getParameter("enabled"));
            boolean found;
            try {
                found = plugins.setEnabled(m.group(1), enabled).isPresent();
            } catch (IllegalStateException e) {
                StorefrontServlet.html(resp, 409, Html.page("Conflict", "<p class=\"error\">"
                        + esc(e.getMessage()) + ". <a href=\"/admin\">Back</a></p>"));
                return;
            }
            if (!found) {
                StorefrontServlet.html(resp, 404, Html.page("Not found", "<p class=\"error\">No such plugin.</p>"));
                return;
            }
            StorefrontServlet.seeOther(resp, "/admin");
        } else {
            StorefrontServlet.html(resp, 404, Html.page("Not found", "<p class=\"error\">Not found.</p>"));
        }
    }

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String csrf = auth.login(req, req.getParameter("user"), req.getParameter("password"));
        String accept = req.getHeader("Accept");
        boolean json = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/json");
        if (csrf == null) {
            if (json) {
                Json.error(resp, 401, "wrong user or password");
            } else {
                StorefrontServlet.html(resp, 401, Html.page("Log in", loginForm("Wrong user or password.")));
            }
        } else if (json) {
            Json.write(resp, 200, Map.of("csrfToken", csrf, "admin", auth.isAdmin(req)));
        } else {
            StorefrontServlet.seeOther(resp, auth.isAdmin(req) ? "/admin" : "/");
        }
    }

    private static String loginForm(String error) {
        return (error == null ? "" : "<p class=\"error\">" + esc(error) + "</p>")
                + "<h2>Log in</h2><form method=\"post\" action=\"/login\">"
                + "<label>User <input name=\"user\" autocomplete=\"username\" required></label>"
                + "<label>Password <input type=\"password\" name=\"password\""
                + " autocomplete=\"current-password\" required></label>"
                + "<button type=\"submit\">Log in</button></form>";
    }

    private String adminPage(String csrf) {
        StringBuilder b = new StringBuilder("<h2>Plugins</h2><table><tr><th>Id</th><th>Name</th>"
                + "<th>State</th><th>Switch</th><th>Message</th></tr>");
        for (PluginHost.PluginInfo p : plugins.plugins()) {
            b.append("<tr><td><code>").append(esc(p.id())).append("</code></td><td>")
                    .append(esc(p.name())).append("</td><td class=\"state ").append(esc(p.state()))
                    .append("\">").append(esc(p.state())).append("</td><td>");
            if (p.state() == PluginHost.State.STARTED) {
                b.append("<form class=\"inline\" method=\"post\" action=\"/admin/plugins/")
                        .append(esc(p.id())).append("/enabled\">")
                        .append("<input type=\"hidden\" name=\"").append(AdminAuth.CSRF_FIELD)
                        .append("\" value=\"").append(esc(csrf)).append("\">")
                        .append("<input type=\"hidden\" name=\"enabled\" value=\"").append(!p.enabled())
                        .append("\"><button type=\"submit\"").append(p.enabled() ? "" : " class=\"off\"")
                        .append(" title=\"Click to switch ").append(p.enabled() ? "off" : "on").append("\">")
                        .append(p.enabled() ? "On" : "Off").append("</button></form>");
            } else {
                b.append("<span class=\"note\">Off</span>");
            }
            b.append("</td><td>")
                    .append(p.message() == null ? "" : esc(p.message())).append("</td></tr>");
        }
        b.append("</table><p><a href=\"/wxpay/console\" id=\"wxpay-console\">WeChat Pay console</a>"
                + " <span class=\"note\">(the plugin's own console: its log, anomalies and switch)</span></p>")
                .append("<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"")
                .append(AdminAuth.CSRF_FIELD).append("\" value=\"").append(esc(csrf))
                .append("\"><button type=\"submit\" class=\"off\">Log out</button></form>");
        return b.toString();
    }

    private static String path(HttpServletRequest req) {
        String servletPath = req.getServletPath();
        String info = req.getPathInfo();
        return (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
    }
}
