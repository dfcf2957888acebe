package io.shopplug.sample;

import static io.shopplug.sample.Html.esc;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The customer's pages: {@code /} (products and an order form), {@code POST /orders}, {@code
 * /orders/<no>} (the order, its payment and refunds, and the notifications delivered), {@code POST
 * /orders/<no>/pay} and {@code POST /orders/<no>/refund}.
 */
final class StorefrontServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(StorefrontServlet.class);
    private static final Pattern ORDER = Pattern.compile("/orders/([^/]+)");
    private static final Pattern ORDER_PAY = Pattern.compile("/orders/([^/]+)/pay");
    private static final Pattern ORDER_REFUND = Pattern.compile("/orders/([^/]+)/refund");

    private final transient ShopStore store;
    private final transient PaymentGateway gateway;

    StorefrontServlet(ShopStore store, PaymentGateway gateway) {
        this.store = store;
        this.gateway = gateway;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        Matcher m;
        if (path.equals("/")) {
            html(resp, 200, Html.page("Products", home(null)));
        } else if ((m = ORDER.matcher(path)).matches()) {
            Optional<ShopStore.OrderView> order = find(m.group(1));
            if (order.isEmpty()) {
                html(resp, 404, Html.page("No such order", "<p class=\"error\">No such order.</p>"));
            } else {
                html(resp, 200, Html.page("Order " + order.get().outTradeNo(), orderPage(order.get())));
            }
        } else {
            html(resp, 404, Html.page("Not found", "<p class=\"error\">Not found.</p>"));
        }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String path = path(req);
        req.getParameterMap(); // reads the form body now, so any answer leaves the connection reusable
        Matcher m;
        if (path.equals("/orders")) {
            try {
                ShopStore.OrderView order = store.placeOrder(number(req, "memberId"),
                        number(req, "productId"), (int) Math.min(number(req, "quantity"), Integer.MAX_VALUE));
                seeOther(resp, "/orders/" + order.outTradeNo());
            } catch (ShopStore.OrderRejected e) {
                html(resp, e.conflict() ? 409 : 400, Html.page("Products", home(e.getMessage())));
            }
        } else if ((m = ORDER_PAY.matcher(path)).matches()) {
            Optional<ShopStore.OrderView> order = find(m.group(1));
            if (order.isEmpty()) {
                html(resp, 404, Html.page("No such order", "<p class=\"error\">No such order.</p>"));
                return;
            }
            ShopStore.OrderView o = order.get();
            if (gateway.payment(o.outTradeNo()).isEmpty()
                    && ShopOrderStatus.AWAITING_PAYMENT.name().equals(o.state())) {
                PaymentGateway.Payment payment = gateway.pay(o.outTradeNo(), o.amountFen());
                LOG.info("Order {} sent to the simulator: transaction {}", o.outTradeNo(),
                        payment.transactionId());
            }
            seeOther(resp, "/orders/" + o.outTradeNo());
        } else if ((m = ORDER_REFUND.matcher(path)).matches()) {
            Optional<ShopStore.OrderView> order = find(m.group(1));
            if (order.isEmpty()) {
                html(resp, 404, Html.page("No such order", "<p class=\"error\">No such order.</p>"));
                return;
            }
            ShopStore.OrderView o = order.get();
            try {
                PaymentGateway.Refund refund = gateway.refund(o.outTradeNo(), number(req, "refundFen"));
                LOG.info("Refund {} of order {} sent to the simulator: {} fen", refund.outRefundNo(),
                        o.outTradeNo(), refund.refundFen());
            } catch (PaymentGateway.RefundRefused | ShopStore.OrderRejected e) {
                html(resp, 409, Html.page("Order " + o.outTradeNo(),
                        "<p class=\"error\">" + esc(e.getMessage()) + "</p>" + orderPage(o)));
                return;
            }
            seeOther(resp, "/orders/" + o.outTradeNo());
        } else {
            html(resp, 404, Html.page("Not found", "<p class=\"error\">Not found.</p>"));
        }
    }

    private String home(String error) {
        StringBuilder b = new StringBuilder();
        if (error != null) {
            b.append("<p class=\"error\">").append(esc(error)).append("</p>");
        }
        b.append("<h2>Products</h2><table><tr><th>#</th><th>Product</th><th class=\"num\">Price</th>"
                + "<th class=\"num\">Stock</th></tr>");
        for (ShopStore.Product p : store.products()) {
            b.append("<tr><td>").append(p.id()).append("</td><td>").append(esc(p.name()))
                    .append("</td><td class=\"num\">").append(esc(Html.yuan(p.priceFen())))
                    .append("</td><td class=\"num\">").append(p.stock()).append("</td></tr>");
        }
        b.append("</table><h2>Place an order</h2><form method=\"post\" action=\"/orders\">"
                + "<label>Member <select name=\"memberId\">");
        for (ShopStore.Member m : store.members()) {
            b.append("<option value=\"").append(m.id()).append("\">").append(esc(m.name()))
                    .append(" (").append(m.points()).append(" points)</option>");
        }
        b.append("</select></label><label>Product <select name=\"productId\">");
        for (ShopStore.Product p : store.products()) {
            b.append("<option value=\"").append(p.id()).append("\">").append(esc(p.name()))
                    .append("</option>");
        }
        b.append("</select></label><label>Quantity <input type=\"number\" name=\"quantity\" value=\"1\""
                + " min=\"1\" max=\"").append(ShopStore.MAX_QUANTITY).append("\" required></label>"
                + "<button type=\"submit\">Place order</button></form>");
        return b.toString();
    }

    private String orderPage(ShopStore.OrderView o) {
        StringBuilder b = new StringBuilder();
        b.append("<h2>Order ").append(esc(o.outTradeNo())).append("</h2><table>")
                .append(row("State", "<span class=\"state " + esc(o.state()) + "\">" + esc(o.state()) + "</span>"))
                .append(row("Product", esc(o.productName()) + " × " + o.quantity()
                        + " <span class=\"note\">(" + o.stock() + " left in stock)</span>"))
                .append(row("Amount", esc(Html.yuan(o.amountFen())) + " " + esc(o.currency())))
                .append(row("Member", esc(o.memberName()) + " <span class=\"note\">(" + o.points()
                        + " points)</span>"))
                .append(row("Placed", esc(Html.time(o.createdAt()))))
                .append(row("Paid", esc(Html.time(o.paidAt()))))
                .append(row("Refunded", esc(Html.yuan(o.refundedFen())) + " " + esc(o.currency())))
                .append("</table>");
        Optional<PaymentGateway.Payment> payment = gateway.payment(o.outTradeNo());
        if (payment.isEmpty()) {
            if (ShopOrderStatus.AWAITING_PAYMENT.name().equals(o.state())) {
                b.append("<form method=\"post\" action=\"/orders/").append(esc(o.outTradeNo()))
                        .append("/pay\"><button type=\"submit\">Pay with WeChat Pay (simulator)</button>"
                                + "</form>");
            }
            return b.toString();
        }
        PaymentGateway.Payment p = payment.get();
        b.append("<h2>Payment</h2><p>Transaction <code>").append(esc(p.transactionId()))
                .append("</code>: ")
                .append(p.acknowledged() ? "<span class=\"ok\">the shop acknowledged the notification</span>"
                        : p.finished() ? "<span class=\"bad\">the simulator gave up delivering</span>"
                        : "the simulator is delivering the notification (refresh to follow)")
                .append("</p><table><tr><th>#</th><th>At</th><th>HTTP</th><th>Answer</th></tr>");
        for (PaymentGateway.DeliveryAttempt a : p.attempts()) {
            b.append("<tr><td>").append(a.number()).append("</td><td>").append(esc(Html.time(a.at())))
                    .append("</td><td>").append(a.httpStatus()).append("</td><td><code>")
                    .append(esc(a.answer())).append("</code></td></tr>");
        }
        b.append("</table>");
        refunds(b, o, p);
        b.append("<p><a href=\"/orders/").append(esc(o.outTradeNo())).append("\">Refresh</a></p>");
        return b.toString();
    }

    /** The refunds asked for, and a form to ask for one more while some of the payment is left. */
    private void refunds(StringBuilder b, ShopStore.OrderView o, PaymentGateway.Payment p) {
        List<PaymentGateway.Refund> refunds = gateway.refunds(o.outTradeNo());
        long asked = refunds.stream().mapToLong(PaymentGateway.Refund::refundFen).sum();
        if (!refunds.isEmpty()) {
            b.append("<h2>Refunds</h2><table><tr><th>Refund</th><th class=\"num\">Amount</th>"
                    + "<th>Notification</th></tr>");
            for (PaymentGateway.Refund r : refunds) {
                b.append("<tr><td><code>").append(esc(r.outRefundNo())).append("</code></td><td class=\"num\">")
                        .append(esc(Html.yuan(r.refundFen()))).append("</td><td>")
                        .append(r.acknowledged() ? "acknowledged" : r.finished() ? "given up" : "delivering")
                        .append("</td></tr>");
            }
            b.append("</table>");
        }
        // What neither the provider nor the shop has seen refunded yet.
        long left = Math.min(p.totalFen() - asked, o.amountFen() - o.refundedFen());
        if (p.acknowledged() && left > 0) {
            b.append("<form method=\"post\" action=\"/orders/").append(esc(o.outTradeNo()))
                    .append("/refund\"><label>Refund (fen) <input type=\"number\" name=\"refundFen\" min=\"1\""
                            + " max=\"").append(left).append("\" value=\"").append(left).append("\" required></label>"
                            + "<button type=\"submit\">Refund with WeChat Pay (simulator)</button></form>");
        }
    }

    private static String row(String label, String valueHtml) {
        return "<tr><th>" + esc(label) + "</th><td>" + valueHtml + "</td></tr>";
    }

    private Optional<ShopStore.OrderView> find(String outTradeNo) {
        return ApiServlet.validOrderNo(outTradeNo) ? store.order(outTradeNo) : Optional.empty();
    }

    private static long number(HttpServletRequest req, String name) {
        String value = req.getParameter(name);
        try {
            return Long.parseLong(value == null ? "" : value.trim());
        } catch (NumberFormatException e) {
            throw new ShopStore.OrderRejected(name + " must be a number", false);
        }
    }

    /** A 303 to a path of this shop (after a POST, so a refresh does not repeat it). */
    static void seeOther(HttpServletResponse resp, String path) {
        resp.setStatus(303);
        resp.setHeader("Location", path);
    }

    static void html(HttpServletResponse resp, int status, String page) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/html;charset=utf-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline';"
                + " form-action 'self'; frame-ancestors 'none'");
        resp.getWriter().write(page);
    }

    private static String path(HttpServletRequest req) {
        String servletPath = req.getServletPath();
        String info = req.getPathInfo();
        String path = (servletPath == null ? "" : servletPath) + (info == null ? "" : info);
        return path.isEmpty() ? "/" : path;
    }
}
