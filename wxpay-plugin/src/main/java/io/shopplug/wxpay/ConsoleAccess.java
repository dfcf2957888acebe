package io.shopplug.wxpay;

import io.shopplug.api.AdminAccess;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may use the console and whether a change really comes from the console's own page:
 * <ul>
 *   <li>admins are whoever the host's {@link AdminAccess} says; with none, nobody (deny by
 *       default); an {@code AdminAccess} that throws denies;</li>
 *   <li>every state-changing request carries the session's CSRF token (form field
 *       {@value #CSRF_FIELD} or header {@value #CSRF_HEADER}), compared in constant time;</li>
 *   <li>a metrics scraper may instead show {@code Authorization: Bearer <wxpay.metrics.token>},
 *       also compared in constant time, for {@code <console>/metrics} only.</li>
 * </ul>
 * Thread-safe.
 */
final class ConsoleAccess {
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleAccess.class);
    static final String CSRF_FIELD = "csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String CSRF_ATTR = ConsoleAccess.class.getName() + ".csrf";

    private final AdminAccess admins;
    private final byte[] metricsToken;
    private final SecureRandom random = new SecureRandom();

    ConsoleAccess(Optional<AdminAccess> admins, Optional<String> metricsToken) {
        this.admins = admins.orElse(null);
        this.metricsToken = metricsToken.map(t -> t.getBytes(StandardCharsets.UTF_8)).orElse(null);
    }

    /** Whether any admin can get in at all (false when the host configured no AdminAccess). */
    boolean configured() {
        return admins != null;
    }

    boolean isAdmin(HttpServletRequest request) {
        if (admins == null) {
            return false;
        }
        try {
            return admins.isAdmin(request);
        } catch (RuntimeException | LinkageError e) {
            LOG.warn("wxpay console: {} threw ({}); access denied", admins.getClass().getName(),
                    e.getClass().getName());
            return false;
        }
    }

    /** The admin's name for the audit trail; call only after {@link #isAdmin} said yes. */
    String adminName(HttpServletRequest request) {
        try {
            String name = admins.adminName(request);
            return ConsoleStore.cut(name);
        } catch (RuntimeException | LinkageError e) {
            return ConsoleStore.cut(null);
        }
    }

    /** The session's CSRF token, made (with the session) on first use. For admins only. */
    String csrfToken(HttpServletRequest request) {
        HttpSession session = request.getSession(true);
        synchronized (this) {
            Object token = session.getAttribute(CSRF_ATTR);
            if (token instanceof String) {
                return (String) token;
            }
            byte[] bytes = new byte[32];
            random.nextBytes(bytes);
            String fresh = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
            session.setAttribute(CSRF_ATTR, fresh);
            return fresh;
        }
    }

    /** Whether the request carries this session's CSRF token, as a form field or a header. */
    boolean csrfOk(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        Object expected = session == null ? null : session.getAttribute(CSRF_ATTR);
        String given = request.getHeader(CSRF_HEADER);
        if (given == null) {
            given = request.getParameter(CSRF_FIELD);
        }
        return expected instanceof String && given != null && MessageDigest.isEqual(
                ((String) expected).getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the request shows the configured metrics token; false when none is configured. */
    boolean metricsTokenOk(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (metricsToken == null || header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return MessageDigest.isEqual(metricsToken, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }
}
