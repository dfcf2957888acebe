package io.shopplug.api;

import jakarta.servlet.http.HttpServletRequest;

/**
 * The host's answer to "may the person behind this request administer the shop's plugins?", for
 * a plugin's admin console. The host decides with its own login (a session, a container role, a
 * single sign-on header it trusts); the plugin never sees a password.
 *
 * <p>Contract:
 * <ul>
 *   <li>A plugin with no {@code AdminAccess} (none handed over in
 *       {@link PluginContext#services(Class)}, none registered in
 *       {@code META-INF/services/io.shopplug.api.AdminAccess}) denies everyone: its console is
 *       closed until the host says who its admins are.</li>
 *   <li>Called on the container thread serving a console request, possibly concurrently, once or
 *       more per request; implementations must be thread-safe, fast (no remote call per request
 *       if it can be helped) and must not change the request or its session.</li>
 *   <li>A thrown exception is taken as "no": the request is refused.</li>
 *   <li>A logged-in person who is not an admin must be answered {@code false}; the console then
 *       refuses them with 403 and shows them nothing.</li>
 * </ul>
 *
 * @since 0.1
 */
public interface AdminAccess {

    /**
     * Whether the request comes from one of the shop's administrators.
     *
     * @param request the console request, as the container hands it over
     * @return true only for an authenticated administrator
     */
    boolean isAdmin(HttpServletRequest request);

    /**
     * A short, stable name for the administrator behind the request (a user name or an e-mail
     * address), written into the plugin's audit records of who changed what. Called only after
     * {@link #isAdmin(HttpServletRequest)} answered true for the same request. Must not be a
     * secret (never a password, a session id or a token).
     *
     * @return a non-blank name; the plugin cuts it to 200 characters
     */
    String adminName(HttpServletRequest request);
}
