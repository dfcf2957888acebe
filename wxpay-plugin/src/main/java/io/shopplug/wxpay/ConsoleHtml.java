package io.shopplug.wxpay;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Escaping, formatting and the page frame of the console's server-rendered HTML. */
final class ConsoleHtml {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    /** The console's only style sheet, served at {@code <console>/console.css}. */
    static final String CSS = String.join("\n",
            "body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;color:#222;padding:0 1rem}",
            "header{display:flex;flex-wrap:wrap;gap:1rem;align-items:baseline;border-bottom:2px solid #1aad19;margin-bottom:1rem}",
            "header h1{font-size:1.3rem;margin:.4rem 0}nav a{margin-right:.8rem;color:#1aad19;text-decoration:none}",
            "nav a.here{font-weight:bold;text-decoration:underline}.who{margin-left:auto;color:#666;font-size:.9rem}",
            "h2{font-size:1.1rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%;margin:.5rem 0}",
            "td,th{border-bottom:1px solid #ddd;padding:.3rem .4rem;text-align:left;vertical-align:top;font-size:.92rem}",
            "td{overflow-wrap:anywhere}td code{word-break:break-all}",
            ".num{text-align:right}.on,.ok,.ACCEPTED{color:#1a7d19;font-weight:bold}",
            ".off,.bad,.REJECTED{color:#c00;font-weight:bold}.DUPLICATE,.IGNORED{color:#666;font-weight:bold}",
            "button{background:#1aad19;color:#fff;border:0;padding:.4rem .8rem;border-radius:4px;cursor:pointer}",
            "button.danger{background:#c00}form.inline{display:inline}.note{color:#666;font-size:.9rem}",
            "label{margin-right:.8rem;display:inline-block;margin-bottom:.4rem}input,select{font:inherit}",
            "pre{background:#f6f6f6;padding:.6rem;overflow:auto;font-size:.85rem}",
            ".banner{padding:.6rem;border:1px solid #c00;background:#fee;margin:.5rem 0}",
            ".flash{padding:.6rem;border:1px solid #1aad19;background:#efe;margin:.5rem 0}");

    private ConsoleHtml() {}

    /** Escapes text for an HTML element or a quoted attribute; null becomes an empty string. */
    static String esc(Object value) {
        if (value == null) {
            return "";
        }
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&': sb.append("&amp;"); break;
                case '<': sb.append("&lt;"); break;
                case '>': sb.append("&gt;"); break;
                case '"': sb.append("&quot;"); break;
                case '\'': sb.append("&#39;"); break;
                default: sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** An instant in UTC, or a dash. */
    static String time(Instant instant) {
        return instant == null ? "–" : TIME.format(instant);
    }

    /** Fen as yuan, exact. */
    static String yuan(long fen) {
        String sign = fen < 0 ? "-" : "";
        long abs = Math.abs(fen);
        return sign + abs / 100 + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
    }

    /** A hidden CSRF field for a form. */
    static String csrfField(String token) {
        return "<input type=\"hidden\" name=\"" + ConsoleAccess.CSRF_FIELD + "\" value=\"" + esc(token) + "\">";
    }

    /**
     * The whole page around already-escaped body HTML.
     *
     * @param base the console's path as the browser sees it (context path included)
     * @param here which navigation entry is current
     */
    static String page(String base, String here, String title, String admin, String body) {
        StringBuilder b = new StringBuilder(4096);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">")
                .append("<title>").append(esc(title)).append(" – WeChat Pay console</title>")
                .append("<link rel=\"stylesheet\" href=\"").append(esc(base)).append("/console.css\"></head><body>")
                .append("<header><h1>WeChat Pay console</h1><nav>");
        String[][] items = {{"", "Status"}, {"/log", "Notifications"}, {"/anomalies", "Anomalies"},
            {"/dead-letters", "Dead letters"}, {"/metrics", "Prometheus"}};
        for (String[] item : items) {
            b.append("<a href=\"").append(esc(base + item[0])).append("\"")
                    .append(item[0].equals(here) ? " class=\"here\"" : "").append(">")
                    .append(esc(item[1])).append("</a>");
        }
        b.append("</nav><span class=\"who\">signed in as ").append(esc(admin)).append("</span></header>")
                .append(body).append("</body></html>");
        return b.toString();
    }
}
