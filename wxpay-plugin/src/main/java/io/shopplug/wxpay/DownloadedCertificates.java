package io.shopplug.wxpay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Platform certificates downloaded from {@code GET /v3/certificates}: a request signed with the
 * merchant key, each certificate decrypted with the APIv3 key (the GCM tag authenticates it), and
 * the answer's own signature verified with the certificate it names. Network only when
 * {@link PlatformKeys} asks (on its schedule or on an unknown serial), never at start-up unless
 * configured.
 */
final class DownloadedCertificates implements CertificateSource {
    static final String PATH = "/v3/certificates";
    private static final ObjectMapper JSON = JsonMappers.PLAIN;

    private final URI uri;
    private final ApiV3RequestSigner signer;
    private final ResourceCipher cipher;
    private final HttpClient http;
    private final java.time.Clock clock;

    DownloadedCertificates(String apiBaseUrl, ApiV3RequestSigner signer, ResourceCipher cipher, java.time.Clock clock) {
        this.uri = URI.create(apiBaseUrl.replaceAll("/+$", "") + PATH);
        this.signer = signer;
        this.cipher = cipher;
        this.clock = clock;
        this.http = QueryHttp.newClient();
    }

    @Override
    public List<X509Certificate> fetch() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(QueryHttp.REQUEST_TIMEOUT)
                .header("Accept", "application/json")
                .header("User-Agent", "shopplug-wxpay")
                .header("Authorization", signer.authorization("GET", PATH, ""))
                .GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != 200) {
            throw new IOException("GET " + PATH + " answered HTTP " + response.statusCode());
        }
        byte[] body = response.body();
        List<X509Certificate> certificates = new ArrayList<>();
        for (JsonNode item : JSON.readTree(body).path("data")) {
            JsonNode enc = item.path("encrypt_certificate");
            byte[] pem = cipher.decrypt(enc.path("algorithm").asText(), enc.path("nonce").asText(),
                    enc.path("associated_data").asText(""), enc.path("ciphertext").asText());
            certificates.addAll(PemCertificates.parseCertificates(new String(pem, StandardCharsets.UTF_8)));
        }
        verifyAnswer(response, body, certificates);
        return certificates;
    }

    /** The answer is signed like a notification, by one of the certificates it lists. */
    private void verifyAnswer(HttpResponse<byte[]> response, byte[] body, List<X509Certificate> certificates) {
        PlatformKeys listed = PlatformKeys.builder(clock).certificates(() -> certificates).build();
        new ApiV3Verifier(listed, clock).verify(
                ApiV3Headers.from(name -> response.headers().firstValue(name).orElse(null)), body);
    }

    @Override
    public String toString() {
        return "DownloadedCertificates[" + uri + "]";
    }
}
