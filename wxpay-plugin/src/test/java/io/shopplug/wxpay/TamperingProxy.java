package io.shopplug.wxpay;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Test-only: a man in the middle on 127.0.0.1 in front of a WeChat Pay API (the simulator's
 * server). It passes requests on unchanged and rewrites the answer's body with {@code tamper},
 * keeping the answer's headers (so the signature no longer matches the body).
 */
final class TamperingProxy implements AutoCloseable {
    private static final Set<String> HOP = Set.of("content-length", "transfer-encoding", "connection", "date", "upgrade", "http2-settings", "expect");
    private final HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    TamperingProxy(String target, UnaryOperator<String> tamper) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> forward(exchange, target, tamper));
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange ex, String target, UnaryOperator<String> tamper) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(target + ex.getRequestURI()))
                    .method(ex.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Map.Entry<String, List<String>> h : ex.getRequestHeaders().entrySet()) {
                String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
                if (!HOP.contains(name) && !name.equals("host")) {
                    h.getValue().forEach(v -> b.header(h.getKey(), v));
                }
            }
            HttpResponse<String> answer = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            answer.headers().map().forEach((name, values) -> {
                if (!HOP.contains(name.toLowerCase(java.util.Locale.ROOT)) && !name.startsWith(":")) {
                    ex.getResponseHeaders().put(name, values);
                }
            });
            byte[] out = tamper.apply(answer.body()).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(answer.statusCode(), out.length);
            ex.getResponseBody().write(out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
