package io.shopplug.sample;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;

/**
 * Admin login and CSRF protection: the session holds the admin's name and a random token that
 * every state-changing admin request must echo (form field {@value #CSRF_FIELD} or header
 * {@value #CSRF_HEADER}).
 */
final class AdminAuth {
    static final String CSRF_FIELD = "csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String USER_ATTR = "io.shopplug.sample.admin";
    private static final String CSRF_ATTR = "io.shopplug.sample.csrf";

    private final byte[] user;
    private final byte[] password;
    private final SecureRandom random = new SecureRandom();

    AdminAuth(String user, String password) {
        this.user = Objects.requireNonNull(user, "user").getBytes(StandardCharsets.UTF_8);
        this.password = Objects.requireNonNull(password, "password").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Checks the credentials and, if they match, starts a fresh session (no fixation).
     *
     * @return the session's CSRF token, or null if the credentials are wrong
     */
    String login(HttpServletRequest request, String givenUser, String givenPassword) {
        // Both comparisons always run, in constant time, so timing tells nothing.
        boolean userOk = MessageDigest.isEqual(user, bytes(givenUser));
        boolean passwordOk = MessageDigest.isEqual(password, bytes(givenPassword));
        if (!(userOk & passwordOk)) {
            return null;
        }
        HttpSession old = request.getSession(false);
        if (old != null) {
            old.invalidate();
        }
        HttpSession session = request.getSession(true);
        byte[] token = new byte[24];
        random.nextBytes(token);
        String csrf = Base64.getUrlEncoder().withoutPadding().encodeToString(token);
        session.setAttribute(USER_ATTR, new String(user, StandardCharsets.UTF_8));
        session.setAttribute(CSRF_ATTR, csrf);
        return csrf;
    }

    void logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
    }

    boolean isAdmin(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(USER_ATTR) != null;
    }

    /** The session's CSRF token, or null when not logged in. */
    String csrfToken(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : (String) session.getAttribute(CSRF_ATTR);
    }

    /** Whether the request is from a logged-in admin and carries the session's CSRF token. */
    boolean csrfOk(HttpServletRequest request, String given) {
        String expected = csrfToken(request);
        return expected != null && given != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
