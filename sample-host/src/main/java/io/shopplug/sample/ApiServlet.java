package io.shopplug.sample;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The JSON API under {@code /api}. Public: orders and products, paying and (demo only: a real shop
 * keeps this for its staff) refunding through the simulator. Admin (session + {@code
 * X-CSRF-Token}): the plugin switches. JSON bodies must say {@code Content-Type: application/json},
 * which a cross-site HTML form cannot send.
 */
final class ApiServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ApiServlet.class);
    static final Pattern ORDER_NO = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    private static final Pattern ORDER = Pattern.compile("/orders/([^/]+)");
    private static final Pattern ORDER_PAY = Pattern.compile("/orders/([^/]+)/pay");
    private static final Pattern ORDER_PAYMENT = Pattern.compile("/orders/([^/]+)/payment");
    private static final Pattern ORDER_REFUND = Pattern.compile("/orders/([^/]+)/refund");
    private static final String DROP_NOTIFICATIONS = "/simulator/drop-notifications";
    private static final Pattern PLUGIN_ENABLED = Pattern.compile("/admin/plugins/([^/]+)/enabled");

    private final transient ShopStore store;
    private final transient PaymentGateway gateway;
    private final transient PluginHost plugins;
    private final transient AdminAuth auth;

    ApiServlet(ShopStore store, PaymentGateway gateway, PluginHost plugins, AdminAuth auth) {
        this.store = store;
        this.gateway = gateway;
        this.plugins = plugins;
        this.auth = auth;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        Matcher m;
        try {
            if (path.equals("/products")) {
                Json.write(resp, 200, store.products());
            } else if (path.equals("/members")) {
                Json.write(resp, 200, store.members());
            } else if (path.equals(DROP_NOTIFICATIONS)) {
                Json.write(resp, 200, Map.of("drop", gateway.droppingNotifications()));
            } else if (path.equals("/plugins")) {
                Json.write(resp, 200, plugins.plugins().stream().map(ApiServlet::plugin).toList());
            } else if ((m = ORDER.matcher(path)).matches()) {
                Optional<ShopStore.OrderView> order = findOrder(m.group(1));
                if (order.isEmpty()) {
                    Json.error(resp, 404, "no such order");
                } else {
                    Json.write(resp, 200, order(order.get()));
                }
            } else if ((m = ORDER_PAYMENT.matcher(path)).matches()) {
                Optional<PaymentGateway.Payment> payment = validOrderNo(m.group(1))
                        ? gateway.payment(m.group(1)) : Optional.empty();
                if (payment.isEmpty()) {
                    Json.error(resp, 404, "no payment for this order");
                } else {
                    Json.write(resp, 200, payment(payment.get()));
                }
            } else {
                Json.error(resp, 404, "not found");
            }
        } catch (RuntimeException e) {
            failed(req, resp, e);
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        byte[] body = Json.readBody(req.getInputStream());
        if (body == null) {
            Json.error(resp, 413, "body larger than " + Json.MAX_BODY + " bytes");
            return;
        }
        Matcher m;
        try {
            if (path.equals("/orders")) {
                placeOrder(req, body, resp);
            } else if ((m = ORDER_PAY.matcher(path)).matches()) {
                pay(m.group(1), resp);
            } else if ((m = ORDER_REFUND.matcher(path)).matches()) {
                refund(m.group(1), req, body, resp);
            } else if ((m = PLUGIN_ENABLED.matcher(path)).matches()) {
                setEnabled(m.group(1), req, body, resp);
            } else if (path.equals(DROP_NOTIFICATIONS)) {
                dropNotifications(req, body, resp);
            } else {
                Json.error(resp, 404, "not found");
            }
        } catch (Json.BadRequest e) {
            Json.error(resp, 400, e.getMessage());
        } catch (RuntimeException e) {
            failed(req, resp, e);
        }
    }

    private void placeOrder(HttpServletRequest req, byte[] body, HttpServletResponse resp)
            throws IOException {
        if (!isJson(req)) {
            Json.error(resp, 415, "Content-Type must be application/json");
            return;
        }
        JsonNode json = Json.readObject(body);
        long memberId = requiredLong(json, "memberId");
        long productId = requiredLong(json, "productId");
        long quantity = json.has("quantity") ? requiredLong(json, "quantity") : 1;
        if (quantity < 1 || quantity > ShopStore.MAX_QUANTITY) {
            Json.error(resp, 400, "quantity must be between 1 and " + ShopStore.MAX_QUANTITY);
            return;
        }
        ShopStore.OrderView order;
        try {
            order = store.placeOrder(memberId, productId, (int) quantity);
        } catch (ShopStore.OrderRejected e) {
            Json.error(resp, e.conflict() ? 409 : 400, e.getMessage());
            return;
        }
        resp.setHeader("Location", "/api/orders/" + order.outTradeNo());
        Map<String, Object> answer = Json.object();
        answer.put("outTradeNo", order.outTradeNo());
        answer.put("amountFen", order.amountFen());
        Json.write(resp, 201, answer);
    }

    private void pay(String outTradeNo, HttpServletResponse resp) throws IOException {
        Optional<ShopStore.OrderView> order = findOrder(outTradeNo);
        if (order.isEmpty()) {
            Json.error(resp, 404, "no such order");
            return;
        }
        Optional<PaymentGateway.Payment> existing = gateway.payment(outTradeNo);
        if (existing.isEmpty()
                && !ShopOrderStatus.AWAITING_PAYMENT.name().equals(order.get().state())) {
            Json.error(resp, 409, "order is " + order.get().state() + ", not awaiting payment");
            return;
        }
        PaymentGateway.Payment payment = existing.orElseGet(
                () -> gateway.pay(outTradeNo, order.get().amountFen()));
        Json.write(resp, 200, Map.of("transactionId", payment.transactionId()));
    }

    /**
     * Asks the payment provider to refund part of an order's payment; its refund notification
     * then reaches the plugin like WeChat Pay's. 202: asked (the shop applies it when the
     * notification is recorded); 409: nothing paid through the provider, or more than is left.
     */
    private void refund(String outTradeNo, HttpServletRequest req, byte[] body, HttpServletResponse resp)
            throws IOException {
        if (!isJson(req)) {
            Json.error(resp, 415, "Content-Type must be application/json");
            return;
        }
        long refundFen = requiredLong(Json.readObject(body), "refundFen");
        if (refundFen < 1) {
            Json.error(resp, 400, "refundFen must be at least 1");
            return;
        }
        if (findOrder(outTradeNo).isEmpty()) {
            Json.error(resp, 404, "no such order");
            return;
        }
        PaymentGateway.Refund refund;
        try {
            refund = gateway.refund(outTradeNo, refundFen);
        } catch (PaymentGateway.RefundRefused e) {
            Json.error(resp, 409, e.getMessage());
            return;
        }
        Json.write(resp, 202, refund(refund));
    }

    static Map<String, Object> refund(PaymentGateway.Refund r) {
        Map<String, Object> json = Json.object();
        json.put("outTradeNo", r.outTradeNo());
        json.put("outRefundNo", r.outRefundNo());
        json.put("refundId", r.refundId());
        json.put("refundFen", r.refundFen());
        json.put("acknowledged", r.acknowledged());
        json.put("finished", r.finished());
        return json;
    }

    private void setEnabled(String id, HttpServletRequest req, byte[] body,
            HttpServletResponse resp) throws IOException {
        JsonNode enabled = adminBoolean(req, body, "enabled", resp);
        if (enabled == null) {
            return;
        }
        Optional<PluginHost.PluginInfo> plugin;
        try {
            plugin = plugins.setEnabled(id, enabled.booleanValue());
        } catch (IllegalStateException e) {
            Json.error(resp, 409, e.getMessage());
            return;
        }
        if (plugin.isEmpty()) {
            Json.error(resp, 404, "no such plugin");
        } else {
            Json.write(resp, 200, plugin(plugin.get()));
        }
    }

    /**
     * The boolean {@code field} of an admin's JSON POST, or null after answering 401 (no admin),
     * 403 (CSRF token), 415 (not JSON) or 400 (no such boolean).
     */
    private JsonNode adminBoolean(HttpServletRequest req, byte[] body, String field, HttpServletResponse resp)
            throws IOException {
        if (!auth.isAdmin(req)) {
            Json.error(resp, 401, "admin login required");
            return null;
        }
        if (!auth.csrfOk(req, req.getHeader(AdminAuth.CSRF_HEADER))) {
            Json.error(resp, 403, "missing or wrong " + AdminAuth.CSRF_HEADER);
            return null;
        }
        if (!isJson(req)) {
            Json.error(resp, 415, "Content-Type must be application/json");
            return null;
        }
        JsonNode value = Json.readObject(body).get(field);
        if (value == null || !value.isBoolean()) {
            Json.error(resp, 400, field + " must be true or false");
            return null;
        }
        return value;
    }

    /** Demo switch (admin): the simulator loses notifications, so only reconciliation pays. */
    private void dropNotifications(HttpServletRequest req, byte[] body, HttpServletResponse resp)
            throws IOException {
        JsonNode drop = adminBoolean(req, body, "drop", resp);
        if (drop == null) {
            return;
        }
        if (!gateway.dropNotifications(drop.booleanValue())) {
            Json.error(resp, 409, "this payment gateway cannot drop notifications");
            return;
        }
        Json.write(resp, 200, Map.of("drop", gateway.droppingNotifications()));
    }

    private Optional<ShopStore.OrderView> findOrder(String outTradeNo) {
        return validOrderNo(outTradeNo) ? store.order(outTradeNo) : Optional.empty();
    }

    static boolean validOrderNo(String outTradeNo) {
        return ORDER_NO.matcher(outTradeNo).matches();
    }

    static Map<String, Object> order(ShopStore.OrderView o) {
        Map<String, Object> json = Json.object();
        json.put("outTradeNo", o.outTradeNo());
        json.put("state", o.state());
        json.put("amountFen", o.amountFen());
        json.put("currency", o.currency());
        json.put("quantity", o.quantity());
        json.put("productId", o.productId());
        json.put("stock", o.stock());
        json.put("memberId", o.memberId());
        json.put("points", o.points());
        json.put("createdAt", String.valueOf(o.createdAt()));
        json.put("paidAt", o.paidAt() == null ? null : o.paidAt().toString());
        json.put("refundedFen", o.refundedFen());
        return json;
    }

    static Map<String, Object> payment(PaymentGateway.Payment p) {
        Map<String, Object> json = Json.object();
        json.put("outTradeNo", p.outTradeNo());
        json.put("transactionId", p.transactionId());
        json.put("totalFen", p.totalFen());
        json.put("acknowledged", p.acknowledged());
        json.put("finished", p.finished());
        json.put("attempts", p.attempts().stream().map(a -> {
            Map<String, Object> attempt = Json.object();
            attempt.put("number", a.number());
            attempt.put("at", String.valueOf(a.at()));
            attempt.put("httpStatus", a.httpStatus());
            attempt.put("answer", a.answer());
            return attempt;
        }).toList());
        return json;
    }

    static Map<String, Object> plugin(PluginHost.PluginInfo p) {
        Map<String, Object> json = Json.object();
        json.put("id", p.id());
        json.put("name", p.name());
        json.put("state", p.state().name().toLowerCase(Locale.ROOT));
        json.put("enabled", p.enabled());
        json.put("message", p.message());
        return json;
    }

    private static long requiredLong(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.canConvertToLong() || !node.isIntegralNumber()) {
            throw new Json.BadRequest(field + " must be an integer");
        }
        return node.longValue();
    }

    private static boolean isJson(HttpServletRequest req) {
        String type = req.getContentType();
        return type != null && type.toLowerCase(Locale.ROOT).startsWith("application/json");
    }

    private static String path(HttpServletRequest req) {
        String info = req.getPathInfo();
        return info == null ? "/" : info;
    }

    private static void failed(HttpServletRequest req, HttpServletResponse resp, RuntimeException e)
            throws IOException {
        Object id = req.getAttribute(RequestLogFilter.REQUEST_ID_ATTR);
        LOG.error("Request {} {} {} failed", id, req.getMethod(), req.getRequestURI(), e);
        if (!resp.isCommitted()) {
            Json.error(resp, 500, "internal error (request " + id + ")");
        }
    }
}
