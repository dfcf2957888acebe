package io.shopplug.sample;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The shop's login and CSRF protection. The session holds who logged in, whether they are the
 * admin, and a random token that every state-changing request must echo (form field
 * {@value #CSRF_FIELD} or header {@value #CSRF_HEADER}). Besides the one admin, the shop knows
 * customer accounts (the demo has {@code alice}/{@code alice}); a customer is logged in but is not
 * an admin, so the admin pages and the plugins' consoles refuse them.
 */
final class AdminAuth {
    static final String CSRF_FIELD = "csrf";
    static final String CSRF_HEADER = "X-CSRF-Token";
    private static final String USER_ATTR = "io.shopplug.sample.user";
    private static final String ADMIN_ATTR = "io.shopplug.sample.admin";
    private static final String CSRF_ATTR = "io.shopplug.sample.csrf";

    private final byte[] user;
    private final byte[] password;
    private final Map<String, byte[]> customers;
    private final SecureRandom random = new SecureRandom();

    AdminAuth(String user, String password) {
        this(user, password, Map.of());
    }

    /** @param customers customer accounts, name to password; none may be named like the admin */
    AdminAuth(String user, String password, Map<String, String> customers) {
        this.user = Objects.requireNonNull(user, "user").getBytes(StandardCharsets.UTF_8);
        this.password = Objects.requireNonNull(password, "password").getBytes(StandardCharsets.UTF_8);
        Map<String, byte[]> c = new LinkedHashMap<>();
        customers.forEach((name, pw) -> {
            if (name.equals(user)) {
                throw new IllegalArgumentException("a customer cannot be named like the admin");
            }
            c.put(name, pw.getBytes(StandardCharsets.UTF_8));
        });
        this.customers = Map.copyOf(c);
    }

    /**
     * Checks the credentials and, if they match, starts a fresh session (no fixation).
     *
     * @return the session's CSRF token, or null if the credentials are wrong
     */
    String login(HttpServletRequest request, String givenUser, String givenPassword) {
        // Every comparison always runs, in constant time, so timing tells nothing.
        byte[] givenUserBytes = bytes(givenUser);
        byte[] givenPasswordBytes = bytes(givenPassword);
        boolean admin = MessageDigest.isEqual(user, givenUserBytes)
                & MessageDigest.isEqual(password, givenPasswordBytes);
        String customer = null;
        for (Map.Entry<String, byte[]> c : customers.entrySet()) {
            boolean match = MessageDigest.isEqual(c.getKey().getBytes(StandardCharsets.UTF_8), givenUserBytes)
                    & MessageDigest.isEqual(c.getValue(), givenPasswordBytes);
            if (match) {
                customer = c.getKey();
            }
        }
        if (!admin && customer == null) {
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
        session.setAttribute(USER_ATTR, admin ? new String(user, StandardCharsets.UTF_8) : customer);
        session.setAttribute(ADMIN_ATTR, admin);
        session.setAttribute(CSRF_ATTR, csrf);
        return csrf;
    }

    void logout(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session != null) {
            session.invalidate();
        }
    }

    /** Whether the session belongs to the shop's admin (not merely to a logged-in customer). */
    boolean isAdmin(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && Boolean.TRUE.equals(session.getAttribute(ADMIN_ATTR));
    }

    /** Who is logged in, admin or customer, or null. */
    String userName(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : (String) session.getAttribute(USER_ATTR);
    }

    /** The session's CSRF token, or null when not logged in. */
    String csrfToken(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session == null ? null : (String) session.getAttribute(CSRF_ATTR);
    }

    /** Whether the request is from a logged-in user and carries the session's CSRF token. */
    boolean csrfOk(HttpServletRequest request, String given) {
        String expected = csrfToken(request);
        return expected != null && given != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.UTF_8), given.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] bytes(String s) {
        return s == null ? new byte[0] : s.getBytes(StandardCharsets.UTF_8);
    }
}
