package io.shopplug.sample;

import io.shopplug.api.AdminAccess;
import jakarta.servlet.http.HttpServletRequest;

/**
 * Tells plugins who the shop's admins are: whoever logged in to the shop as its admin. A customer
 * who is logged in is not one.
 */
final class ShopAdminAccess implements AdminAccess {
    private final AdminAuth auth;

    ShopAdminAccess(AdminAuth auth) {
        this.auth = auth;
    }

    @Override
    public boolean isAdmin(HttpServletRequest request) {
        return auth.isAdmin(request);
    }

    @Override
    public String adminName(HttpServletRequest request) {
        return auth.userName(request);
    }
}
