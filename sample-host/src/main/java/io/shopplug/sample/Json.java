package io.shopplug.sample;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/** The one JSON mapper of the shop, and the small helpers its servlets share. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** Request bodies larger than this are refused. */
    static final int MAX_BODY = 16 * 1024;

    private Json() {}

    /**
     * Reads a whole request body of at most {@value #MAX_BODY} bytes. Reading it before answering,
     * even with an error, lets the connection be reused: an unread body makes Jetty close it.
     *
     * @return the body, or null if it is larger than {@value #MAX_BODY} bytes
     */
    static byte[] readBody(InputStream in) throws IOException {
        byte[] body = in.readNBytes(MAX_BODY + 1);
        return body.length > MAX_BODY ? null : body;
    }

    /** Parses a JSON object. */
    static JsonNode readObject(byte[] body) {
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new BadRequest("body is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw new BadRequest("body must be a JSON object");
        }
        return node;
    }

    static void write(HttpServletResponse response, int status, Object body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        MAPPER.writeValue(response.getOutputStream(), body);
    }

    static void error(HttpServletResponse response, int status, String message) throws IOException {
        write(response, status, Map.of("error", message));
    }

    /** An ordered JSON object under construction. */
    static Map<String, Object> object() {
        return new LinkedHashMap<>();
    }

    /** A malformed request; its message is safe to send back. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
