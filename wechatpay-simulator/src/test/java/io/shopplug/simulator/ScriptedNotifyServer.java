package io.shopplug.simulator;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * A notify endpoint on 127.0.0.1 whose n-th answer (1-based) comes from a script; it records
 * every request. An answer of {@link #HANG} never comes (until {@link #close()}).
 */
final class ScriptedNotifyServer implements AutoCloseable {

    static final String SUCCESS =
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";
    static final Answer HANG = new Answer(-1, "");

    record Answer(int status, String body) {
        static Answer ok() {
            return new Answer(200, SUCCESS);
        }

        static Answer fail(String msg) {
            return new Answer(200, "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA["
                    + msg + "]]></return_msg></xml>");
        }
    }

    record Received(String method, String contentType, byte[] body,
            com.sun.net.httpserver.Headers headers) {
    }

    /** Answers the n-th request (1-based). */
    interface Script {
        Answer answer(int n, Received request);
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "scripted-notify-server");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch release = new CountDownLatch(1);

    ScriptedNotifyServer(IntFunction<Answer> script) {
        this(0, (n, request) -> script.apply(n));
    }

    ScriptedNotifyServer(int port, IntFunction<Answer> script) {
        this(port, (n, request) -> script.apply(n));
    }

    ScriptedNotifyServer(Script script) {
        this(0, script);
    }

    private ScriptedNotifyServer(int port, Script script) {
        try {
            server = HttpServer.create(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(executor);
        server.createContext("/notify", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Received request = new Received(exchange.getRequestMethod(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body,
                    exchange.getRequestHeaders());
            int n;
            synchronized (received) {
                received.add(request);
                n = received.size();
            }
            Answer answer = script.answer(n, request);
            if (answer == HANG) {
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                exchange.close();
                return;
            }
            byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(answer.status(), out.length == 0 ? -1 : out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    String url() {
        return "http://127.0.0.1:" + port() + "/notify";
    }

    @Override
    public void close() {
        release.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
