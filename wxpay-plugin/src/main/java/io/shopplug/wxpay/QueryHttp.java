package io.shopplug.wxpay;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/** The HTTP side of the order queries: one JDK client with short timeouts, failures without secrets. */
final class QueryHttp {
    /** How long to wait for a connection to WeChat Pay. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** How long one query may take, answer included. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private QueryHttp() {}

    /** A client for the queries; build one per plugin and share it (it is thread-safe). */
    static HttpClient newClient() {
        return HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /**
     * Sends a request and reads the whole answer.
     *
     * @throws OrderQuery.Failed on a timeout, an I/O failure or an interrupt (the message names only
     *     {@code what} and the exception's class, never a URL with parameters or a body)
     */
    static HttpResponse<byte[]> send(HttpClient http, HttpRequest request, String what) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (HttpTimeoutException e) {
            throw new OrderQuery.Failed(what + " timed out");
        } catch (IOException e) {
            throw new OrderQuery.Failed(what + " failed (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OrderQuery.Failed(what + " interrupted");
        }
    }
}
