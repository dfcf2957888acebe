package io.shopplug.sample.dropin.host;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/** A shop page behind {@link HostBodyEatingFilter}: says how much body the filter ate and it got. */
public final class HostEchoServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    /** Called by the container. */
    public HostEchoServlet() {}

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int left = req.getInputStream().readAllBytes().length;
        resp.setContentType("text/plain;charset=UTF-8");
        resp.getWriter().print("eaten=" + req.getAttribute(HostBodyEatingFilter.EATEN) + " left=" + left);
    }
}
