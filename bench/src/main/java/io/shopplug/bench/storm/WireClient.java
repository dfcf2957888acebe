package io.shopplug.bench.storm;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * A minimal HTTP/1.1 client for one storm sender: two keep-alive connections to the shop and one
 * selector, so that two requests can be in flight at the same moment (copies 0 and 1) and each is
 * timed when its own answer is complete, with no thread of its own. Requests are rendered to bytes
 * once, before the clock starts ({@link #render}); answers are read to their end (status,
 * {@code Content-Length} or chunked body) and only the status is kept. The JDK's
 * {@code HttpClient} costs several times as much CPU per request, which on a two-core machine
 * shared with the shop would make the driver the bottleneck.
 *
 * <p>Not thread-safe: one per sender thread.
 */
final class WireClient implements AutoCloseable {
    /** An answer that did not come (time-out, reset, malformed): recorded as status 0. */
    static final int NO_ANSWER = 0;

    private final InetSocketAddress address;
    private final long timeoutNanos;
    private final Selector selector;
    private final Connection[] connections = new Connection[2];

    /** One keep-alive connection and the answer being read on it. */
    private final class Connection {
        SocketChannel channel;
        SelectionKey key;
        final ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        ByteBuffer out;
        int status;
        long answeredNanos;
        boolean done;
        String failure;

        void open() throws IOException {
            channel = SocketChannel.open();
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.connect(address);
            channel.configureBlocking(false);
            key = channel.register(selector, 0, this);
        }

        void start(ByteBuffer request) throws IOException {
            if (channel == null) {
                open();
            }
            in.clear();
            out = request;
            status = NO_ANSWER;
            done = false;
            failure = null;
            channel.write(out);
            key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
        }

        void ready() throws IOException {
            if (key.isWritable()) {
                channel.write(out);
                if (!out.hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ);
                }
                return;
            }
            int n = channel.read(in);
            if (n < 0) {
                fail("connection closed before a whole answer");
                return;
            }
            int end = answerEnd();
            if (end == -2) {
                fail("malformed answer");
            } else if (end >= 0) {
                answeredNanos = System.nanoTime();
                done = true;
                key.interestOps(0);
                if (end != in.position()) {
                    fail("bytes after the answer"); // no pipelining: the connection is out of step
                }
            } else if (!in.hasRemaining()) {
                fail("answer larger than " + in.capacity() + " bytes");
            }
        }

        void close() {
            if (key != null) {
                key.cancel();
                key = null;
            }
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                channel = null;
            }
        }

        void fail(String why) {
            failure = why;
            status = NO_ANSWER;
            answeredNanos = System.nanoTime();
            done = true;
            close();
        }

        /** The end of a complete answer in {@code in}, -1 if incomplete, -2 if malformed. */
        int answerEnd() {
            byte[] b = in.array();
            int length = in.position();
            int head = indexOf(b, length, 0);
            if (head < 0) {
                return -1;
            }
            String headers = new String(b, 0, head, StandardCharsets.ISO_8859_1);
            if (!headers.startsWith("HTTP/1.1 ") && !headers.startsWith("HTTP/1.0 ") || headers.length() < 12) {
                return -2;
            }
            int code;
            try {
                code = Integer.parseInt(headers.substring(9, 12));
            } catch (NumberFormatException e) {
                return -2;
            }
            status = code;
            int bodyStart = head + 4;
            if (code == 204 || code == 304 || code < 200) {
                return bodyStart;
            }
            String lower = headers.toLowerCase(Locale.ROOT);
            int cl = lower.indexOf("\r\ncontent-length:");
            if (cl >= 0) {
                int eol = lower.indexOf("\r\n", cl + 2);
                long size = Long.parseLong(lower.substring(cl + 17, eol < 0 ? lower.length() : eol).trim());
                return length >= bodyStart + size ? (int) (bodyStart + size) : -1;
            }
            if (lower.contains("\r\ntransfer-encoding: chunked")) {
                return chunkedEnd(b, length, bodyStart);
            }
            return -2; // a body up to the connection's end: not what the shop sends
        }
    }

    WireClient(String host, int port, long timeoutNanos) throws IOException {
        this.address = new InetSocketAddress(host, port);
        this.timeoutNanos = timeoutNanos;
        this.selector = Selector.open();
        connections[0] = new Connection();
        connections[1] = new Connection();
    }

    /**
     * The request as bytes on the wire: {@code POST path}, {@code Host}, {@code Content-Type:
     * application/json}, {@code Content-Length}, the given headers, the body.
     */
    static byte[] render(String host, int port, String path, Map<String, String> headers, byte[] body) {
        StringBuilder head = new StringBuilder(512).append("POST ").append(path).append(" HTTP/1.1\r\nHost: ")
                .append(host).append(':').append(port)
                .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[h.length + body.length];
        System.arraycopy(h, 0, all, 0, h.length);
        System.arraycopy(body, 0, all, h.length, body.length);
        return all;
    }

    /**
     * Sends {@code request} on one connection, or on both at once, and waits for the answers.
     *
     * @param answers receives, per connection used, {status, answered at (nanoTime)}
     */
    void send(byte[] request, boolean both, long[][] answers) {
        int n = both ? 2 : 1;
        for (int i = 0; i < n; i++) {
            try {
                connections[i].start(ByteBuffer.wrap(request));
            } catch (IOException e) {
                connections[i].fail("cannot send: " + e.getMessage());
            }
        }
        long deadline = System.nanoTime() + timeoutNanos;
        try {
            while (!allDone(n)) {
                long wait = (deadline - System.nanoTime()) / 1_000_000;
                if (wait <= 0) {
                    for (int i = 0; i < n; i++) {
                        if (!connections[i].done) {
                            connections[i].fail("no answer within " + timeoutNanos / 1_000_000 + " ms");
                        }
                    }
                    break;
                }
                selector.select(wait);
                for (SelectionKey key : selector.selectedKeys()) {
                    Connection c = (Connection) key.attachment();
                    if (key.isValid() && !c.done) {
                        try {
                            c.ready();
                        } catch (IOException | RuntimeException e) {
                            c.fail(e.toString());
                        }
                    }
                }
                selector.selectedKeys().clear();
            }
        } catch (IOException e) {
            for (int i = 0; i < n; i++) {
                if (!connections[i].done) {
                    connections[i].fail(e.toString());
                }
            }
        }
        for (int i = 0; i < n; i++) {
            answers[i][0] = connections[i].status;
            answers[i][1] = connections[i].answeredNanos;
        }
    }

    /** Why the last answer on connection {@code i} was not had, or null. */
    String failure(int i) {
        return connections[i].failure;
    }

    private boolean allDone(int n) {
        for (int i = 0; i < n; i++) {
            if (!connections[i].done) {
                return false;
            }
        }
        return true;
    }

    /** Where {@code \r\n\r\n} starts in {@code b[from, length)}, or -1. */
    private static int indexOf(byte[] b, int length, int from) {
        for (int i = from; i + 3 < length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The end of a chunked body starting at {@code at}, -1 if incomplete, -2 if malformed. */
    static int chunkedEnd(byte[] b, int length, int at) {
        int i = at;
        while (true) {
            int eol = -1;
            for (int j = i; j + 1 < length; j++) {
                if (b[j] == '\r' && b[j + 1] == '\n') {
                    eol = j;
                    break;
                }
            }
            if (eol < 0) {
                return -1;
            }
            String size = new String(b, i, eol - i, StandardCharsets.ISO_8859_1);
            int semi = size.indexOf(';');
            int chunk;
            try {
                chunk = Integer.parseInt((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            } catch (NumberFormatException e) {
                return -2;
            }
            if (chunk == 0) {
                // No trailers from the shop: the last chunk ends with an empty line.
                return length >= eol + 4 ? eol + 4 : -1;
            }
            i = eol + 2 + chunk + 2;
            if (i > length) {
                return -1;
            }
        }
    }

    @Override
    public void close() {
        for (Connection c : connections) {
            c.close();
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
