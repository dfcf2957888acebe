package io.shopplug.sample;

import java.time.Instant;
import java.time.format.DateTimeFormatter;

/** Escaping and the page frame for the shop's server-rendered pages. */
final class Html {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ShopStore.SHOP_ZONE);
    private static final String CSS = """
            body{font-family:system-ui,sans-serif;margin:2rem auto;max-width:52rem;color:#222;padding:0 1rem}
            header{display:flex;gap:1rem;align-items:baseline;border-bottom:2px solid #1aad19;margin-bottom:1rem}
            header a{color:#1aad19;text-decoration:none}h1{font-size:1.4rem;margin:.4rem 0}
            table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left}
            .num{text-align:right}.state{font-weight:bold}.PAID,.STARTED,.ok{color:#1aad19}.FAILED,.bad{color:#c00}
            button{background:#1aad19;color:#fff;border:0;padding:.45rem .9rem;border-radius:4px;cursor:pointer}
            button.off{background:#888}form.inline{display:inline}.note{color:#666;font-size:.9rem}
            label{margin-right:1rem}.error{background:#fee;border:1px solid #c00;padding:.5rem}
            """;

    private Html() {}

    /** Escapes text for an HTML element or a quoted attribute. */
    static String esc(Object value) {
        String s = String.valueOf(value);
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(ch);
            }
        }
        return sb.toString();
    }

    /** Fen as yuan, for example {@code ¥19.99}. Exact: no floating point. */
    static String yuan(long fen) {
        String sign = fen < 0 ? "-" : "";
        long abs = Math.abs(fen);
        return sign + "¥" + abs / 100 + "." + String.format("%02d", abs % 100);
    }

    /** An instant in the shop's time zone, or a dash. */
    static String time(Instant instant) {
        return instant == null ? "–" : TIME.format(instant);
    }

    /** A whole page around already-escaped body HTML. */
    static String page(String title, String body) {
        return "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                + "<title>" + esc(title) + " – Sample Shop</title><style>" + CSS + "</style></head><body>"
                + "<header><h1>Sample Shop</h1><a href=\"/\">Products</a><a href=\"/admin\">Admin</a></header>"
                + body + "</body></html>";
    }
}
