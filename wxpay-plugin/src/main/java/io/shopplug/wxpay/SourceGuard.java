package io.shopplug.wxpay;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who sent a notification, and whether that source may: an optional allow-list of address ranges
 * (off by default, so no genuine notification is lost to an outdated list), and the client address
 * taken from a forwarding header only when the request came through a configured trusted proxy.
 * Immutable and thread-safe; only IP literals are parsed, never a host name (no DNS).
 */
final class SourceGuard {
    private final List<Range> allowed;
    private final List<Range> trustedProxies;
    private final String header;

    SourceGuard(List<String> allowed, List<String> trustedProxies, String header) {
        this.allowed = ranges(allowed);
        this.trustedProxies = ranges(trustedProxies);
        this.header = header;
    }

    /** A guard that allows every source and trusts no proxy. */
    static SourceGuard open() {
        return new SourceGuard(List.of(), List.of(), "X-Forwarded-For");
    }

    /** The problem with a range as configured, or null when it is an IP literal or CIDR range. */
    static String problem(String range) {
        try {
            Range.parse(range);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * The client's address: the peer itself, or, when the peer is a trusted proxy, the right-most
     * address of the forwarding header that is not itself a trusted proxy.
     */
    String clientAddress(String peer, java.util.function.Function<String, String> headers) {
        if (trustedProxies.isEmpty() || !matches(trustedProxies, peer)) {
            return peer;
        }
        String forwarded = headers.apply(header);
        if (forwarded == null || forwarded.isBlank()) {
            return peer;
        }
        String[] hops = forwarded.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = hops[i].trim();
            if (!matches(trustedProxies, hop)) {
                return hop;
            }
        }
        return peer;
    }

    /** True when no allow-list is configured, or the address is in it. */
    boolean allows(String address) {
        return allowed.isEmpty() || matches(allowed, address);
    }

    private static boolean matches(List<Range> ranges, String address) {
        byte[] bytes = Range.literal(address);
        if (bytes == null) {
            return false;
        }
        for (Range r : ranges) {
            if (r.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    private static List<Range> ranges(List<String> configured) {
        List<Range> ranges = new ArrayList<>();
        for (String c : configured) {
            ranges.add(Range.parse(c));
        }
        return List.copyOf(ranges);
    }

    /** An IPv4 or IPv6 network: address bytes and prefix length. */
    private static final class Range {
        private final byte[] network;
        private final int prefix;

        private Range(byte[] network, int prefix) {
            this.network = network;
            this.prefix = prefix;
        }

        static Range parse(String text) {
            String t = text.trim();
            int slash = t.indexOf('/');
            byte[] address = literal(slash < 0 ? t : t.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("'" + t + "' is not an IP address or CIDR range");
            }
            int bits = address.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(t.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("'" + t + "' has a prefix length outside 0.." + bits);
                }
            }
            return new Range(address, prefix);
        }

        /** The bytes of an IPv4 or IPv6 literal, or null for anything else (host names included). */
        static byte[] literal(String text) {
            if (text == null) {
                return null;
            }
            String t = text.trim();
            if (t.startsWith("[") && t.endsWith("]")) {
                t = t.substring(1, t.length() - 1);
            }
            boolean v4 = t.matches("\\d{1,3}(\\.\\d{1,3}){3}");
            boolean v6 = t.indexOf(':') >= 0 && t.toLowerCase(Locale.ROOT).matches("[0-9a-f:.]+");
            if (!v4 && !v6) {
                return null;
            }
            if (v4) {
                for (String octet : t.split("\\.")) {
                    if (Integer.parseInt(octet) > 255) {
                        return null; // else the JDK would take it for a host name and look it up
                    }
                }
            }
            try {
                return InetAddress.getByName(t).getAddress();
            } catch (UnknownHostException | SecurityException e) {
                return null;
            }
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
