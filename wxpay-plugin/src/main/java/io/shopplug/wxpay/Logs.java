package io.shopplug.wxpay;

/** Makes untrusted values safe to put in a log line or a column: short, printable, no line breaks. */
final class Logs {
    private static final int MAX = 64;

    private Logs() {}

    /** Null stays null; anything else is cut to 64 characters with control characters replaced. */
    static String safe(String value) {
        if (value == null) {
            return null;
        }
        String cut = value.length() > MAX ? value.substring(0, MAX) : value;
        StringBuilder sb = new StringBuilder(cut.length());
        for (int i = 0; i < cut.length(); i++) {
            char c = cut.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
