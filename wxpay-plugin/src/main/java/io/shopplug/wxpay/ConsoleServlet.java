package io.shopplug.wxpay;

import static io.shopplug.wxpay.ConsoleHtml.csrfField;
import static io.shopplug.wxpay.ConsoleHtml.esc;
import static io.shopplug.wxpay.ConsoleHtml.time;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin console at {@code wxpay.console.path}: server-rendered pages and a JSON API under
 * {@code /api}. Only the host's admins get in ({@link ConsoleAccess}); every state-changing
 * request is a POST with the session's CSRF token; every answer, refusals included, carries
 * {@code Cache-Control: no-store}, {@code X-Frame-Options: DENY}, a Content-Security-Policy with
 * {@code frame-ancestors 'none'} and {@code X-Content-Type-Options: nosniff}. No page or answer
 * holds a secret: keys are shown by kind and serial only, payloads were masked before they were
 * stored, and the notify log holds no sign.
 *
 * <p>Pages: {@code /} status and switch, {@code /log} notification log (and {@code /log/<id>}),
 * {@code /anomalies}, {@code /dead-letters}, {@code /metrics} (Prometheus text; also with the
 * metrics bearer token). JSON: {@code GET /api/status|log|log/<id>|anomalies|dead-letters},
 * {@code POST /api/switch {"enabled":bool}}, {@code POST /api/anomalies/<id>/handled},
 * {@code POST /api/dead-letters/<id>/replay}, {@code POST /api/dead-letters/replay-all}. Replays
 * go through the dispatcher's own dead-letter API.
 */
final class ConsoleServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ConsoleServlet.class);
    private static final ObjectMapper JSON = JsonMappers.PLAIN;
    private static final int PAGE = 50;
    private static final int MAX_JSON_BODY = 4096;
    private static final Pattern LOG_ENTRY = Pattern.compile("/log/([0-9]{1,18})");
    private static final Pattern HANDLED = Pattern.compile("/anomalies/([0-9]{1,18})/handled");
    private static final Pattern REPLAY = Pattern.compile("/dead-letters/([0-9]{1,18})/replay");
    private static final Pattern ID_TEXT = Pattern.compile("[A-Za-z0-9_\\-|*@.]{1,64}");
    private static final String CSP = "default-src 'none'; style-src 'self'; img-src 'self';"
            + " form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    /** What the console shows of the running engine. */
    interface EngineView {
        /** {@code wxpay.enabled}. */
        boolean configEnabled();
        /** The host's own switch for the plugin. */
        boolean hostEnabled();
        /** Whether this node handles notifications now (all switches on, plugin running). */
        boolean isEnabled();
    }

    private final transient ConsoleAccess access;
    private final transient ConsoleStore store;
    private final transient ClusterSwitch clusterSwitch;
    private final transient NotifyMetrics metrics;
    private final transient KeyInventory keys;
    private final transient WxPayConfig config;
    private final transient EngineView engine;
    private final transient NotifyStore notifyStore;
    private final transient Dispatcher dispatcher;
    private final transient Reconciler reconciler;

    ConsoleServlet(ConsoleAccess access, ConsoleStore store, ClusterSwitch clusterSwitch,
            NotifyMetrics metrics, KeyInventory keys, WxPayConfig config, EngineView engine,
            NotifyStore notifyStore, Dispatcher dispatcher, Reconciler reconciler) {
        this.access = access;
        this.store = store;
        this.clusterSwitch = clusterSwitch;
        this.metrics = metrics;
        this.keys = keys;
        this.config = config;
        this.engine = engine;
        this.notifyStore = notifyStore;
        this.dispatcher = dispatcher;
        this.reconciler = reconciler;
    }

    /** Thrown for bad input; answered 400 with its fixed message. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Frame-Options", "DENY");
        resp.setHeader("Content-Security-Policy", CSP);
        resp.setHeader("X-Content-Type-Options", "nosniff");
        resp.setHeader("Referrer-Policy", "no-referrer");
        String path = req.getPathInfo() == null ? "" : req.getPathInfo();
        if (path.equals("/")) {
            path = "";
        }
        boolean api = path.startsWith("/api/");
        boolean get = "GET".equals(req.getMethod()) || "HEAD".equals(req.getMethod());
        boolean post = "POST".equals(req.getMethod());
        try {
            if (post) {
                drain(req);
            }
            if (path.equals("/metrics") && get && access.metricsTokenOk(req)) {
                prometheus(resp);
                return;
            }
            if (!access.isAdmin(req)) {
                refuse(resp, api, path.equals("/metrics") && req.getHeader("Authorization") != null ? 401 : 403,
                        access.configured() ? "administrators only" : "no administrators are configured");
                return;
            }
            if (get) {
                if (!serveGet(path, req, resp)) {
                    notFoundOrWrongMethod(path, api, resp);
                }
            } else if (post) {
                if (!isAction(path)) {
                    notFoundOrWrongMethod(path, api, resp);
                    return;
                }
                if (!access.csrfOk(req)) {
                    refuse(resp, api, 403, "missing or wrong CSRF token");
                    return;
                }
                servePost(path, req, resp);
            } else {
                resp.setHeader("Allow", isAction(path) ? "POST" : "GET, HEAD");
                refuse(resp, api, 405, "method not allowed");
            }
        } catch (BadRequest e) {
            refuse(resp, api, 400, e.getMessage());
        } catch (ConsoleStore.Unavailable | NotifyRejected e) {
            LOG.warn("wxpay console: database unavailable ({})", e.getClass().getSimpleName());
            refuse(resp, api, 503, "database unavailable, try again");
        }
    }

    private static boolean isAction(String path) {
        String p = stripApi(path);
        return p.equals("/switch") || HANDLED.matcher(p).matches() || REPLAY.matcher(p).matches()
                || p.equals("/dead-letters/replay-all") || p.equals("/reconcile");
    }

    private static String stripApi(String path) {
        return path.startsWith("/api/") ? path.substring(4) : path;
    }

    private void notFoundOrWrongMethod(String path, boolean api, HttpServletResponse resp) throws IOException {
        if (isAction(path)) {
            resp.setHeader("Allow", "POST");
            refuse(resp, api, 405, "use POST");
        } else if (isReadable(path)) {
            resp.setHeader("Allow", "GET, HEAD");
            refuse(resp, api, 405, "use GET");
        } else {
            refuse(resp, api, 404, "not found");
        }
    }

    private static boolean isReadable(String path) {
        if (path.startsWith("/api/")) {
            String p = stripApi(path);
            return p.equals("/status") || p.equals("/log") || p.equals("/anomalies")
                    || p.equals("/dead-letters") || LOG_ENTRY.matcher(p).matches();
        }
        return path.isEmpty() || path.equals("/log") || path.equals("/anomalies") || path.equals("/dead-letters")
                || path.equals("/metrics") || path.equals("/console.css") || LOG_ENTRY.matcher(path).matches();
    }

    // ---------------------------------------------------------------- reconciliation

    private String reconciliationSection(String base, String csrf, boolean dbUp) {
        StringBuilder b = new StringBuilder("<h2>Reconciliation</h2>");
        if (!reconciler.isActive()) {
            return b.append("<p class=\"note\" id=\"reconciliation\">off: ").append(esc(reconciler.offReason()))
                    .append("</p>").toString();
        }
        b.append("<p class=\"note\">Orders still awaiting payment ").append(config.reconcileDelay().getSeconds())
                .append(" s after they were placed are queried at WeChat Pay every ")
                .append(config.reconcileInterval().getSeconds()).append(" s, on one node at a time.</p>");
        b.append("<form method=\"post\" action=\"").append(esc(base)).append("/reconcile\">")
                .append(csrfField(csrf)).append("<button type=\"submit\" id=\"reconcile-now\">Run now</button></form>");
        if (!dbUp) {
            return b.toString();
        }
        b.append("<table id=\"reconciliation\"><tr><th>Started</th><th>Finished</th><th>Node</th><th>Queried</th>"
                + "<th>Found</th><th>Applied</th><th>Errors</th><th>Last error</th></tr>");
        for (ReconcileRun r : reconciler.recentRuns(5)) {
            b.append("<tr><td>").append(esc(time(r.startedAt()))).append("</td><td>")
                    .append(r.finishedAt() == null ? "running" : esc(time(r.finishedAt()))).append("</td><td>")
                    .append(esc(r.node())).append("</td><td>").append(r.ordersQueried()).append("</td><td>")
                    .append(r.paymentsFound()).append("</td><td>").append(r.paymentsApplied()).append("</td><td>")
                    .append(r.errors()).append("</td><td>").append(r.lastError() == null ? "" : esc(r.lastError()))
                    .append("</td></tr>");
        }
        return b.append("</table>").toString();
    }

    private Map<String, Object> reconciliationJson(boolean dbUp) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("active", reconciler.isActive());
        if (!reconciler.isActive()) {
            j.put("offReason", reconciler.offReason());
            return j;
        }
        if (dbUp) {
            List<Object> runs = new ArrayList<>();
            for (ReconcileRun r : reconciler.recentRuns(5)) {
                runs.add(runJson(r));
            }
            j.put("recentRuns", runs);
        }
        return j;
    }

    private static Map<String, Object> runJson(ReconcileRun r) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", r.id());
        j.put("node", r.node());
        j.put("startedAt", str(r.startedAt()));
        j.put("finishedAt", str(r.finishedAt()));
        j.put("ordersQueried", r.ordersQueried());
        j.put("paymentsFound", r.paymentsFound());
        j.put("paymentsApplied", r.paymentsApplied());
        j.put("errors", r.errors());
        j.put("lastError", r.lastError());
        return j;
    }

    // ---------------------------------------------------------------- GET

    private boolean serveGet(String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Matcher m;
        if (path.equals("/console.css")) {
            write(resp, 200, "text/css;charset=utf-8", ConsoleHtml.CSS);
        } else if (path.equals("/metrics")) {
            prometheus(resp);
        } else if (path.isEmpty()) {
            html(req, resp, "", "Status", statusPage(req));
        } else if (path.equals("/log")) {
            html(req, resp, "/log", "Notifications", logPage(req));
        } else if ((m = LOG_ENTRY.matcher(path)).matches()) {
            String body = logEntryPage(req, Long.parseLong(m.group(1)));
            if (body == null) {
                refuse(resp, false, 404, "no such log entry");
            } else {
                html(req, resp, "/log", "Notification " + m.group(1), body);
            }
        } else if (path.equals("/anomalies")) {
            html(req, resp, "/anomalies", "Anomalies", anomaliesPage(req));
        } else if (path.equals("/dead-letters")) {
            html(req, resp, "/dead-letters", "Dead letters", deadLettersPage(req));
        } else if (path.equals("/api/status")) {
            json(resp, 200, statusJson(req));
        } else if (path.equals("/api/log")) {
            json(resp, 200, page(searchLog(req), ConsoleServlet::logJson, e -> e.id()));
        } else if ((m = LOG_ENTRY.matcher(stripApi(path))).matches() && path.startsWith("/api/")) {
            ConsoleRows.LogEntry e = store.logEntry(Long.parseLong(m.group(1))).orElse(null);
            if (e == null) {
                refuse(resp, true, 404, "no such log entry");
            } else {
                json(resp, 200, logDetailJson(e));
            }
        } else if (path.equals("/api/anomalies")) {
            json(resp, 200, page(anomalies(req), ConsoleServlet::anomalyJson, a -> a.id()));
        } else if (path.equals("/api/dead-letters")) {
            List<Object> items = new ArrayList<>();
            for (DeadLetter d : notifyStore.deadLetters(ConsoleStore.MAX_PAGE)) {
                items.add(deadLetterJson(d));
            }
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("items", items);
            json(resp, 200, j);
        } else {
            return false;
        }
        return true;
    }

    private void prometheus(HttpServletResponse resp) throws IOException {
        write(resp, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
    }

    // ---------------------------------------------------------------- POST

    private void servePost(String path, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String admin = access.adminName(req);
        boolean api = path.startsWith("/api/");
        Matcher m;
        if (path.equals("/switch") || path.equals("/api/switch")) {
            boolean on;
            if (api) {
                JsonNode enabled = jsonBody(req).get("enabled");
                if (enabled == null || !enabled.isBoolean()) {
                    throw new BadRequest("enabled must be true or false");
                }
                on = enabled.booleanValue();
            } else {
                String v = req.getParameter("enabled");
                if (!"true".equals(v) && !"false".equals(v)) {
                    throw new BadRequest("enabled must be true or false");
                }
                on = Boolean.parseBoolean(v);
            }
            clusterSwitch.set(on, admin);
            if (api) {
                json(resp, 200, switchJson(clusterSwitch.state()));
            } else {
                seeOther(req, resp, "");
            }
        } else if ((m = HANDLED.matcher(stripApi(path))).matches()) {
            long id = Long.parseLong(m.group(1));
            boolean changed = store.markHandled(id, admin);
            ConsoleRows.AnomalyRow row = store.anomaly(id).orElse(null);
            if (row == null) {
                refuse(resp, api, 404, "no such anomaly");
            } else if (api) {
                Map<String, Object> answer = anomalyJson(row);
                answer.put("changed", changed);
                json(resp, 200, answer);
            } else {
                seeOther(req, resp, "/anomalies");
            }
        } else if ((m = REPLAY.matcher(stripApi(path))).matches()) {
            long id = Long.parseLong(m.group(1));
            boolean replayed = dispatcher.replay(id);
            if (replayed) {
                store.audit(admin, "replay", "outbox " + id, null);
            }
            if (api) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("id", id);
                answer.put("replayed", replayed);
                json(resp, replayed ? 200 : 404, answer);
            } else if (!replayed) {
                refuse(resp, false, 404, "no such dead letter (already replayed?)");
            } else {
                seeOther(req, resp, "/dead-letters");
            }
        } else if (stripApi(path).equals("/reconcile")) {
            Reconciler.Result result = reconciler.runNow();
            store.audit(admin, "reconcile", "run now", result.status().name());
            if (api) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("status", result.status().name());
                result.run().ifPresent(r -> answer.put("run", runJson(r)));
                json(resp, 200, answer);
            } else {
                seeOther(req, resp, "");
            }
        } else if (stripApi(path).equals("/dead-letters/replay-all")) {
            int n = dispatcher.replayAll();
            store.audit(admin, "replay-all", "dead letters", n + " replayed");
            if (api) {
                Map<String, Object> answer = new LinkedHashMap<>();
                answer.put("replayed", n);
                json(resp, 200, answer);
            } else {
                seeOther(req, resp, "/dead-letters");
            }
        } else {
            refuse(resp, api, 404, "not found");
        }
    }

    // ---------------------------------------------------------------- status

    private String statusPage(HttpServletRequest req) {
        String csrf = access.csrfToken(req);
        String base = base(req);
        ClusterSwitch.State sw = clusterSwitch.state();
        boolean dbUp = store.ping();
        StringBuilder b = new StringBuilder();
        boolean on = engine.isEnabled();
        b.append("<h2>Notifications</h2><p id=\"effective\">This node is <span class=\"")
                .append(on ? "on\">ON" : "off\">OFF").append("</span>: ")
                .append(on ? "notifications are verified, recorded and acknowledged."
                        : "every notification is answered with a retryable FAIL and nothing is recorded;"
                                + " WeChat Pay sends it again later.")
                .append("</p><table><tr><th>Switch</th><th>State</th><th>Changed</th></tr>")
                .append("<tr><td>Cluster-wide (every node, this console)</td><td id=\"cluster-switch\" class=\"")
                .append(sw.on() ? "on\">on" : "off\">off").append("</td><td>")
                .append(sw.changedBy().isPresent() ? "by " + esc(sw.changedBy().get()) + " at " + esc(time(sw.changedAt().orElse(null)))
                        : "never").append("</td></tr>")
                .append("<tr><td>Configuration (<code>wxpay.enabled</code>)</td><td class=\"")
                .append(engine.configEnabled() ? "on\">on" : "off\">off").append("</td><td>at start-up</td></tr>")
                .append("<tr><td>The shop's own plugin switch</td><td class=\"")
                .append(engine.hostEnabled() ? "on\">on" : "off\">off").append("</td><td>this node only</td></tr></table>")
                .append("<form method=\"post\" action=\"").append(esc(base)).append("/switch\">")
                .append(csrfField(csrf))
                .append("<input type=\"hidden\" name=\"enabled\" value=\"").append(!sw.on()).append("\">")
                .append(sw.on() ? "<button type=\"submit\" id=\"switch-off\" class=\"danger\">Switch off for every node</button>"
                        : "<button type=\"submit\" id=\"switch-on\">Switch on for every node</button>")
                .append(" <span class=\"note\">Every node obeys within ").append(ClusterSwitch.CACHE_FOR.getSeconds())
                .append(" s.</span></form>");

        b.append("<h2>Health</h2><table>")
                .append(row("Database", dbUp ? "<span class=\"ok\" id=\"db\">reachable</span>"
                        : "<span class=\"bad\" id=\"db\">unreachable</span>"));
        if (dbUp) {
            ConsoleRows.OutboxStats o = store.outboxStats();
            b.append(row("Outbox", o.depth() + " to deliver (" + o.pending() + " new, " + o.failed()
                    + " retrying)" + (o.oldestUndeliveredAt() == null ? ""
                            : ", oldest waiting since " + esc(time(o.oldestUndeliveredAt())))))
                    .append(row("Dead letters", "<a href=\"" + esc(base) + "/dead-letters\">" + o.dead() + "</a>"))
                    .append(row("Open anomalies", "<a href=\"" + esc(base) + "/anomalies\">" + store.openAnomalies() + "</a>"));
        }
        b.append("</table>");
        b.append(reconciliationSection(base, csrf, dbUp));

        b.append("<h2>Merchants</h2><table><tr><th>Name</th><th>mch_id</th><th>App ids</th><th>Mode</th>"
                + "<th>Notify path</th><th>APIv2</th><th>APIv3</th></tr>");
        for (MerchantConfig m : config.merchants()) {
            b.append("<tr><td>").append(esc(m.name())).append("</td><td><code>").append(esc(m.mchId()))
                    .append("</code></td><td>").append(esc(String.join(", ", m.appIds()))).append("</td><td>")
                    .append(m.isPartner() ? "partner (" + m.subMchIds().size() + " sub-merchants)" : "direct")
                    .append("</td><td><code>").append(esc(m.notifyPath())).append("</code></td><td>")
                    .append(m.apiV2Key().isPresent() ? "on (" + esc(m.signType()) + ")" : "off").append("</td><td>")
                    .append(m.apiV3Key().isPresent() ? "on" : "off").append("</td></tr>");
        }
        b.append("</table><h2>Keys</h2><table><tr><th>Merchant</th><th>API</th><th>Key</th><th>Serial / id</th>"
                + "<th>Expires</th><th>Note</th></tr>");
        for (KeyInventory.KeyStatus k : keys.keys()) {
            b.append("<tr><td>").append(esc(k.merchant())).append("</td><td>").append(esc(k.api()))
                    .append("</td><td>").append(esc(k.kind())).append("</td><td><code>").append(esc(k.serial()))
                    .append("</code></td><td>").append(esc(time(k.notAfter()))).append("</td><td>")
                    .append(esc(k.note())).append("</td></tr>");
        }
        b.append("</table>");

        b.append("<h2>Metrics since start (this node)</h2><table><tr><th>Outcome / reason</th><th class=\"num\">Count</th></tr>");
        Map<String, Long> counts = metrics.counts();
        if (counts.isEmpty()) {
            b.append("<tr><td colspan=\"2\" class=\"note\">no notification yet</td></tr>");
        }
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            b.append("<tr><td>").append(esc(e.getKey())).append("</td><td class=\"num\">").append(e.getValue())
                    .append("</td></tr>");
        }
        b.append("</table><table><tr><th>Answer latency</th><th class=\"num\">Answers</th><th class=\"num\">p50</th>"
                + "<th class=\"num\">p95</th><th class=\"num\">p99</th></tr>")
                .append(latencyRow("SUCCESS", metrics.latency(true)))
                .append(latencyRow("FAIL", metrics.latency(false)))
                .append("</table><p class=\"note\">Prometheus text: <a href=\"").append(esc(base))
                .append("/metrics\">").append(esc(base)).append("/metrics</a></p>");

        b.append("<h2>Recent console actions</h2><table><tr><th>When</th><th>Who</th><th>What</th><th>On</th><th>Detail</th></tr>");
        if (dbUp) {
            for (ConsoleRows.AuditRow a : store.recentAudit(10)) {
                b.append("<tr><td>").append(esc(time(a.actedAt()))).append("</td><td>").append(esc(a.actor()))
                        .append("</td><td>").append(esc(a.action())).append("</td><td>").append(esc(a.target()))
                        .append("</td><td>").append(esc(a.detail())).append("</td></tr>");
            }
        }
        b.append("</table>");
        return b.toString();
    }

    private static String latencyRow(String label, NotifyMetrics.Latency l) {
        return "<tr><td>" + label + "</td><td class=\"num\">" + l.count + "</td><td class=\"num\">" + ms(l.p50Ms)
                + "</td><td class=\"num\">" + ms(l.p95Ms) + "</td><td class=\"num\">" + ms(l.p99Ms) + "</td></tr>";
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.1f ms", v);
    }

    private static String row(String label, String valueHtml) {
        return "<tr><th>" + esc(label) + "</th><td>" + valueHtml + "</td></tr>";
    }

    private Map<String, Object> statusJson(HttpServletRequest req) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("csrfToken", access.csrfToken(req));
        s.put("enabled", engine.isEnabled());
        s.put("switch", switchJson(clusterSwitch.state()));
        s.put("configEnabled", engine.configEnabled());
        s.put("hostEnabled", engine.hostEnabled());
        boolean dbUp = store.ping();
        s.put("databaseReachable", dbUp);
        if (dbUp) {
            ConsoleRows.OutboxStats o = store.outboxStats();
            Map<String, Object> outbox = new LinkedHashMap<>();
            outbox.put("depth", o.depth());
            outbox.put("pending", o.pending());
            outbox.put("failed", o.failed());
            outbox.put("dead", o.dead());
            outbox.put("oldestUndeliveredAt", str(o.oldestUndeliveredAt()));
            s.put("outbox", outbox);
            s.put("openAnomalies", store.openAnomalies());
        }
        s.put("reconciliation", reconciliationJson(dbUp));
        List<Object> merchants = new ArrayList<>();
        for (MerchantConfig m : config.merchants()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("name", m.name());
            j.put("mchId", m.mchId());
            j.put("appIds", m.appIds());
            j.put("partner", m.isPartner());
            j.put("notifyPath", m.notifyPath());
            j.put("apiV2", m.apiV2Key().isPresent());
            j.put("apiV3", m.apiV3Key().isPresent());
            merchants.add(j);
        }
        s.put("merchants", merchants);
        List<Object> keyList = new ArrayList<>();
        for (KeyInventory.KeyStatus k : keys.keys()) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("merchant", k.merchant());
            j.put("mchId", k.mchId());
            j.put("api", k.api());
            j.put("kind", k.kind());
            j.put("serial", k.serial());
            j.put("notAfter", str(k.notAfter()));
            j.put("note", k.note());
            keyList.add(j);
        }
        s.put("keys", keyList);
        s.put("counts", metrics.counts());
        return s;
    }

    private static Map<String, Object> switchJson(ClusterSwitch.State sw) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("on", sw.on());
        j.put("changedBy", sw.changedBy().orElse(null));
        j.put("changedAt", str(sw.changedAt().orElse(null)));
        return j;
    }

    // ---------------------------------------------------------------- notification log

    private List<ConsoleRows.LogEntry> searchLog(HttpServletRequest req) {
        ConsoleRows.LogQuery q = new ConsoleRows.LogQuery();
        q.outTradeNo = idParam(req, "out_trade_no");
        q.businessKey = idParam(req, "transaction_id");
        q.outcome = enumParam(req, "outcome", Outcome.class);
        q.reason = enumParam(req, "reason", Reason.class);
        q.from = instantParam(req, "from");
        q.to = instantParam(req, "to");
        q.beforeId = before(req);
        q.limit = PAGE;
        return store.searchLog(q);
    }

    private String logPage(HttpServletRequest req) {
        List<ConsoleRows.LogEntry> rows = searchLog(req);
        String base = base(req);
        StringBuilder b = new StringBuilder("<h2>Notification log</h2>");
        b.append("<form method=\"get\" action=\"").append(esc(base)).append("/log\" id=\"search\">")
                .append(textInput(req, "out_trade_no", "Order (out_trade_no)"))
                .append(textInput(req, "transaction_id", "Transaction id"))
                .append(select(req, "outcome", "Outcome", Outcome.values()))
                .append(select(req, "reason", "Reason", Reason.values()))
                .append(textInput(req, "from", "From (UTC)", "2026-01-31T00:00"))
                .append(textInput(req, "to", "To (UTC)", "2026-02-01T00:00"))
                .append("<button type=\"submit\">Search</button></form>");
        b.append("<table id=\"log\"><tr><th>#</th><th>Received</th><th>API</th><th>Outcome</th><th>Reason</th>"
                + "<th>Order</th><th>Transaction</th><th>From</th></tr>");
        if (rows.isEmpty()) {
            b.append("<tr><td colspan=\"8\" class=\"note\">nothing found</td></tr>");
        }
        for (ConsoleRows.LogEntry e : rows) {
            Reason r = reason(e.reason());
            b.append("<tr><td><a href=\"").append(esc(base)).append("/log/").append(e.id()).append("\">")
                    .append(e.id()).append("</a></td><td>").append(esc(time(e.receivedAt()))).append("</td><td>")
                    .append(esc(e.api())).append("</td><td class=\"").append(esc(e.outcome())).append("\">")
                    .append(esc(e.outcome())).append("</td><td>")
                    .append(r == null ? esc(e.reason()) : esc(r.name()) + " <span class=\"note\">" + esc(r.message()) + "</span>")
                    .append("</td><td>").append(esc(e.outTradeNo())).append("</td><td>").append(esc(e.businessKey()))
                    .append("</td><td>").append(esc(e.remoteAddr())).append("</td></tr>");
        }
        b.append("</table>");
        if (rows.size() == PAGE) {
            b.append("<p><a id=\"older\" href=\"").append(esc(base)).append("/log?")
                    .append(esc(query(req, rows.get(rows.size() - 1).id()))).append("\">Older →</a></p>");
        }
        b.append("<p class=\"note\">Notifications refused before their body was read (switched off, wrong"
                + " method, too large) and those refused while the database was down are in the"
                + " application log only.</p>");
        return b.toString();
    }

    private String logEntryPage(HttpServletRequest req, long id) {
        ConsoleRows.LogEntry e = store.logEntry(id).orElse(null);
        if (e == null) {
            return null;
        }
        Reason r = reason(e.reason());
        StringBuilder b = new StringBuilder("<h2>Notification ").append(e.id()).append("</h2><table>")
                .append(row("Received", esc(time(e.receivedAt())) + " from " + esc(e.remoteAddr())))
                .append(row("API", esc(e.api())))
                .append(row("Order (out_trade_no)", esc(e.outTradeNo())))
                .append(row("Transaction id", esc(e.businessKey())))
                .append(row("Decision", "<span class=\"" + esc(e.outcome()) + "\" id=\"decision\">" + esc(e.outcome()) + "</span>"))
                .append(row("Why", esc(why(e.outcome(), r))))
                .append("</table><h2>What arrived</h2>");
        List<ConsoleRows.TransactionRow> recorded = e.businessKey() == null ? List.of() : store.transactions(e.businessKey());
        if (recorded.isEmpty()) {
            b.append("<p class=\"note\">No payment is recorded under this transaction id: a refused"
                    + " notification is not stored, only this log row.</p>");
        }
        for (ConsoleRows.TransactionRow t : recorded) {
            b.append("<table>")
                    .append(row("Recorded", esc(t.eventKind()) + " at " + esc(time(t.recordedAt()))))
                    .append(row("Amount", esc(ConsoleHtml.yuan(t.amountFen())) + " " + esc(t.currency())))
                    .append(row("Merchant / app", esc(t.merchantId()) + " / " + esc(t.appId())))
                    .append(row("Event time", esc(time(t.eventTime()))))
                    .append("</table><p class=\"note\">Payload as received (sign removed, openids masked):</p><pre id=\"payload\">")
                    .append(esc(pretty(t.payload()))).append("</pre>");
        }
        return b.toString();
    }

    private static String why(String outcome, Reason r) {
        if (r != null) {
            return r.name() + ": " + r.message() + (r.isAnomaly() ? " (anomaly: a human must resolve it)" : "")
                    + (r.retryable() ? "; answered FAIL, WeChat Pay retries" : "; answered FAIL");
        }
        if ("ACCEPTED".equals(outcome)) {
            return "verified, matched the order, recorded and acknowledged; the shop's listeners are told";
        }
        if ("DUPLICATE".equals(outcome)) {
            return "already recorded earlier: acknowledged again with no second effect";
        }
        if ("IGNORED".equals(outcome)) {
            return "genuine but not acted on: acknowledged with no effect";
        }
        return "";
    }

    private static Map<String, Object> logJson(ConsoleRows.LogEntry e) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", e.id());
        j.put("receivedAt", str(e.receivedAt()));
        j.put("api", e.api());
        j.put("outcome", e.outcome());
        j.put("reason", e.reason());
        Reason r = reason(e.reason());
        j.put("reasonMessage", r == null ? null : r.message());
        j.put("outTradeNo", e.outTradeNo());
        j.put("transactionId", e.businessKey());
        j.put("remoteAddr", e.remoteAddr());
        return j;
    }

    private Map<String, Object> logDetailJson(ConsoleRows.LogEntry e) {
        Map<String, Object> j = logJson(e);
        j.put("why", why(e.outcome(), reason(e.reason())));
        List<Object> recorded = new ArrayList<>();
        if (e.businessKey() != null) {
            for (ConsoleRows.TransactionRow t : store.transactions(e.businessKey())) {
                Map<String, Object> tj = new LinkedHashMap<>();
                tj.put("kind", t.eventKind());
                tj.put("transactionId", t.transactionId());
                tj.put("outTradeNo", t.outTradeNo());
                tj.put("amountFen", t.amountFen());
                tj.put("currency", t.currency());
                tj.put("merchantId", t.merchantId());
                tj.put("appId", t.appId());
                tj.put("eventTime", str(t.eventTime()));
                tj.put("recordedAt", str(t.recordedAt()));
                tj.put("payload", parse(t.payload()));
                recorded.add(tj);
            }
        }
        j.put("recorded", recorded);
        return j;
    }

    // ---------------------------------------------------------------- anomalies

    private List<ConsoleRows.AnomalyRow> anomalies(HttpServletRequest req) {
        String show = req.getParameter("show");
        Boolean handled = show == null || show.isEmpty() || show.equals("open") ? Boolean.FALSE
                : show.equals("handled") ? Boolean.TRUE : null;
        if (show != null && !show.isEmpty() && !show.equals("open") && !show.equals("handled") && !show.equals("all")) {
            throw new BadRequest("show must be open, handled or all");
        }
        return store.anomalies(handled, before(req), PAGE);
    }

    private String anomaliesPage(HttpServletRequest req) {
        List<ConsoleRows.AnomalyRow> rows = anomalies(req);
        String base = base(req);
        String csrf = access.csrfToken(req);
        String show = req.getParameter("show") == null || req.getParameter("show").isEmpty() ? "open" : req.getParameter("show");
        StringBuilder b = new StringBuilder("<h2>Anomalies</h2><p class=\"note\">Genuine notifications"
                + " that cannot be applied. Each is answered FAIL (WeChat Pay keeps retrying for about 24 h)"
                + " and never applied; resolve it in the shop or the merchant platform, then mark it handled."
                + " See the operations runbook for what each reason means.</p><p>");
        for (String s : new String[] {"open", "handled", "all"}) {
            b.append(s.equals(show) ? "<strong>" + s + "</strong>" : "<a href=\"" + esc(base) + "/anomalies?show=" + s + "\">" + s + "</a>")
                    .append(" ");
        }
        b.append("</p><table id=\"anomalies\"><tr><th>#</th><th>Reason</th><th>Order</th><th>Transaction</th>"
                + "<th class=\"num\">Amount</th><th>First seen</th><th>Last seen</th><th class=\"num\">Seen</th><th>Status</th></tr>");
        if (rows.isEmpty()) {
            b.append("<tr><td colspan=\"9\" class=\"note\">none</td></tr>");
        }
        for (ConsoleRows.AnomalyRow a : rows) {
            Reason r = reason(a.reason());
            b.append("<tr id=\"anomaly-").append(a.id()).append("\"><td>").append(a.id()).append("</td><td>")
                    .append(esc(a.reason())).append(r == null ? "" : " <span class=\"note\">" + esc(r.message()) + "</span>")
                    .append("</td><td>").append(esc(a.outTradeNo())).append("</td><td>").append(esc(a.businessKey()))
                    .append("</td><td class=\"num\">").append(esc(ConsoleHtml.yuan(a.amountFen()))).append(" ")
                    .append(esc(a.currency())).append("</td><td>").append(esc(time(a.firstSeenAt()))).append("</td><td>")
                    .append(esc(time(a.lastSeenAt()))).append("</td><td class=\"num\">").append(a.occurrences())
                    .append("</td><td>");
            if (a.handled()) {
                b.append("<span class=\"ok\">handled</span>")
                        .append(a.handledBy() == null ? "" : " by " + esc(a.handledBy()) + " at " + esc(time(a.handledAt())));
            } else {
                b.append("<form class=\"inline\" method=\"post\" action=\"").append(esc(base)).append("/anomalies/")
                        .append(a.id()).append("/handled\">").append(csrfField(csrf))
                        .append("<button type=\"submit\">Mark handled</button></form>");
            }
            b.append("</td></tr>");
        }
        b.append("</table>");
        if (rows.size() == PAGE) {
            b.append("<p><a href=\"").append(esc(base)).append("/anomalies?show=").append(esc(show)).append("&amp;before=")
                    .append(rows.get(rows.size() - 1).id()).append("\">Older →</a></p>");
        }
        return b.toString();
    }

    private static Map<String, Object> anomalyJson(ConsoleRows.AnomalyRow a) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", a.id());
        j.put("kind", a.eventKind());
        j.put("reason", a.reason());
        Reason r = reason(a.reason());
        j.put("reasonMessage", r == null ? null : r.message());
        j.put("outTradeNo", a.outTradeNo());
        j.put("transactionId", a.businessKey());
        j.put("amountFen", a.amountFen());
        j.put("currency", a.currency());
        j.put("firstSeenAt", str(a.firstSeenAt()));
        j.put("lastSeenAt", str(a.lastSeenAt()));
        j.put("occurrences", a.occurrences());
        j.put("handled", a.handled());
        j.put("handledBy", a.handledBy());
        j.put("handledAt", str(a.handledAt()));
        return j;
    }

    // ---------------------------------------------------------------- dead letters

    private String deadLettersPage(HttpServletRequest req) {
        List<DeadLetter> rows = notifyStore.deadLetters(ConsoleStore.MAX_PAGE);
        String base = base(req);
        String csrf = access.csrfToken(req);
        StringBuilder b = new StringBuilder("<h2>Dead letters</h2><p class=\"note\">Deliveries to the shop's"
                + " listeners that the plugin gave up on after <code>wxpay.dispatch.max-attempts</code>. The"
                + " payment itself is recorded and was acknowledged; only this listener's effect (stock,"
                + " points, order status...) is missing. Fix the cause (see the last error), then replay:"
                + " the entry is delivered again, with the same idempotency key.</p>");
        if (!rows.isEmpty()) {
            b.append("<form method=\"post\" action=\"").append(esc(base)).append("/dead-letters/replay-all\">")
                    .append(csrfField(csrf)).append("<button type=\"submit\" id=\"replay-all\">Replay all</button></form>");
        }
        b.append("<table id=\"dead-letters\"><tr><th>#</th><th>Listener</th><th>Order</th><th>Transaction</th>"
                + "<th class=\"num\">Attempts</th><th>Last error</th><th>Created</th><th></th></tr>");
        if (rows.isEmpty()) {
            b.append("<tr><td colspan=\"8\" class=\"note\">none</td></tr>");
        }
        for (DeadLetter d : rows) {
            b.append("<tr id=\"dead-").append(d.id()).append("\"><td>").append(d.id()).append("</td><td><code>")
                    .append(esc(d.listener())).append("</code></td><td>").append(esc(d.outTradeNo())).append("</td><td>")
                    .append(esc(d.businessKey())).append("</td><td class=\"num\">").append(d.attempts())
                    .append("</td><td><code>").append(esc(d.lastError())).append("</code></td><td>")
                    .append(esc(time(d.createdAt()))).append("</td><td><form class=\"inline\" method=\"post\" action=\"")
                    .append(esc(base)).append("/dead-letters/").append(d.id()).append("/replay\">").append(csrfField(csrf))
                    .append("<button type=\"submit\">Replay</button></form></td></tr>");
        }
        b.append("</table>");
        if (rows.size() == ConsoleStore.MAX_PAGE) {
            b.append("<p class=\"note\">The oldest ").append(ConsoleStore.MAX_PAGE)
                    .append(" are shown; replay them to see the next.</p>");
        }
        return b.toString();
    }

    private static Map<String, Object> deadLetterJson(DeadLetter d) {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("id", d.id());
        j.put("listener", d.listener());
        j.put("kind", d.kind() == null ? null : d.kind().name());
        j.put("transactionId", d.businessKey());
        j.put("outTradeNo", d.outTradeNo());
        j.put("attempts", d.attempts());
        j.put("lastError", d.lastError());
        j.put("createdAt", str(d.createdAt()));
        j.put("idempotencyKey", d.idempotencyKey());
        return j;
    }

    // ---------------------------------------------------------------- parameters

    private static String idParam(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        if (v == null || v.trim().isEmpty()) {
            return null;
        }
        if (!ID_TEXT.matcher(v.trim()).matches()) {
            throw new BadRequest(name + " must be 1 to 64 letters, digits or _-|*@.");
        }
        return v.trim();
    }

    private static <E extends Enum<E>> String enumParam(HttpServletRequest req, String name, Class<E> type) {
        String v = req.getParameter(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Enum.valueOf(type, v).name();
        } catch (IllegalArgumentException e) {
            throw new BadRequest(name + " is not one of the known values");
        }
    }

    /** An instant: {@code 2026-01-31T08:00Z}, or a UTC date-time {@code 2026-01-31T08:00[:ss]}. */
    static Instant instantParam(HttpServletRequest req, String name) {
        String v = req.getParameter(name);
        if (v == null || v.trim().isEmpty()) {
            return null;
        }
        String t = v.trim();
        try {
            if (t.endsWith("Z") || t.endsWith("z")) {
                return Instant.parse(t.toUpperCase(Locale.ROOT));
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e) {
            throw new BadRequest(name + " must be a UTC date-time such as 2026-01-31T08:00");
        }
    }

    private static Long before(HttpServletRequest req) {
        String v = req.getParameter("before");
        if (v == null || v.isEmpty()) {
            return null;
        }
        if (!v.matches("[0-9]{1,18}")) {
            throw new BadRequest("before must be an id");
        }
        return Long.valueOf(v);
    }

    private static String query(HttpServletRequest req, long before) {
        StringBuilder q = new StringBuilder();
        for (String name : new String[] {"out_trade_no", "transaction_id", "outcome", "reason", "from", "to"}) {
            String v = req.getParameter(name);
            if (v != null && !v.isEmpty()) {
                q.append(name).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
            }
        }
        return q.append("before=").append(before).toString();
    }

    private static String textInput(HttpServletRequest req, String name, String label) {
        return textInput(req, name, label, "");
    }

    private static String textInput(HttpServletRequest req, String name, String label, String placeholder) {
        String v = req.getParameter(name);
        return "<label>" + esc(label) + " <input name=\"" + name + "\" id=\"" + name + "\" value=\"" + esc(v)
                + "\" placeholder=\"" + esc(placeholder) + "\" size=\"20\"></label>";
    }

    private static String select(HttpServletRequest req, String name, String label, Enum<?>[] values) {
        String v = req.getParameter(name);
        StringBuilder b = new StringBuilder("<label>").append(esc(label)).append(" <select name=\"").append(name)
                .append("\" id=\"").append(name).append("\"><option value=\"\">any</option>");
        for (Enum<?> e : values) {
            b.append("<option").append(e.name().equals(v) ? " selected" : "").append(">").append(e.name()).append("</option>");
        }
        return b.append("</select></label>").toString();
    }

    // ---------------------------------------------------------------- output

    /** The console's path as the browser sees it, context path included. */
    private String base(HttpServletRequest req) {
        return req.getContextPath() + config.consolePath();
    }

    private void html(HttpServletRequest req, HttpServletResponse resp, String here, String title, String body)
            throws IOException {
        String page = ConsoleHtml.page(base(req), here, title, access.adminName(req), body);
        write(resp, 200, "text/html;charset=utf-8", page);
    }

    private void seeOther(HttpServletRequest req, HttpServletResponse resp, String subPath) {
        resp.setStatus(303);
        resp.setHeader("Location", base(req) + subPath);
    }

    private static void refuse(HttpServletResponse resp, boolean api, int status, String message) throws IOException {
        if (api) {
            Map<String, Object> j = new LinkedHashMap<>();
            j.put("error", message);
            json(resp, status, j);
        } else {
            write(resp, status, "text/html;charset=utf-8", "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                    + "<title>" + status + "</title></head><body><p>" + esc(message) + "</p></body></html>");
        }
    }

    private static void json(HttpServletResponse resp, int status, Object value) throws IOException {
        write(resp, status, "application/json;charset=utf-8", JSON.writeValueAsString(value));
    }

    private static void write(HttpServletResponse resp, int status, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType(type);
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    private static <T> Map<String, Object> page(List<T> rows, java.util.function.Function<T, Map<String, Object>> toJson,
            java.util.function.ToLongFunction<T> id) {
        List<Object> items = new ArrayList<>(rows.size());
        for (T row : rows) {
            items.add(toJson.apply(row));
        }
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("items", items);
        j.put("nextBefore", rows.size() == PAGE ? id.applyAsLong(rows.get(rows.size() - 1)) : null);
        return j;
    }

    private JsonNode jsonBody(HttpServletRequest req) {
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new BadRequest("Content-Type must be application/json");
        }
        Object body = req.getAttribute(BODY_ATTR);
        try {
            JsonNode node = JSON.readTree(body instanceof byte[] ? (byte[]) body : new byte[0]);
            if (node == null || !node.isObject()) {
                throw new BadRequest("the body must be a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new BadRequest("the body is not JSON");
        }
    }

    private static final String BODY_ATTR = ConsoleServlet.class.getName() + ".body";

    /**
     * Reads a POST body now (form fields, or up to 4 KiB of JSON kept for {@link #jsonBody}), so
     * every answer leaves the connection reusable.
     */
    private static void drain(HttpServletRequest req) throws IOException {
        String type = req.getContentType();
        if (type != null && type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            req.getParameterMap();
            return;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        try (InputStream in = req.getInputStream()) {
            for (int n; (n = in.read(buf)) != -1; ) {
                if (out.size() + n > MAX_JSON_BODY) {
                    throw new BadRequest("body too large");
                }
                out.write(buf, 0, n);
            }
        }
        req.setAttribute(BODY_ATTR, out.toByteArray());
    }

    private static Reason reason(String name) {
        if (name == null) {
            return null;
        }
        try {
            return Reason.valueOf(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String str(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static Object parse(String payload) {
        try {
            return JSON.readTree(payload);
        } catch (IOException | RuntimeException e) {
            return payload;
        }
    }

    private static String pretty(String payload) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(payload));
        } catch (IOException | RuntimeException e) {
            return payload;
        }
    }

    /** The engine's switches for the status page, from the running engine. */
    static EngineView view(WxPayConfig config, HostHooks hooks, BooleanSupplier effective) {
        return new EngineView() {
            @Override
            public boolean configEnabled() {
                return config.enabled();
            }

            @Override
            public boolean hostEnabled() {
                return hooks.hostEnabled();
            }

            @Override
            public boolean isEnabled() {
                return effective.getAsBoolean();
            }
        };
    }
}
