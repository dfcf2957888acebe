package io.shopplug.sample.dropin;

import static org.junit.jupiter.api.Assertions.fail;

import io.shopplug.sample.dropin.host.HostOrders;
import io.shopplug.sample.dropin.host.HostPaymentListener;
import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.webapp.WebAppClassLoader;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * One real exploded webapp under {@code target/dropin-webapps/}, assembled the way a shop drops
 * the plugin in, and deployed in a real Jetty 12 (ee10) on 127.0.0.1 with an ephemeral port.
 *
 * <p>{@code WEB-INF/lib}: the packaged {@code wxpay-plugin} and {@code plugin-api} JARs from the
 * reactor ({@code ../wxpay-plugin/target}, {@code ../plugin-api/target}), the plugin's runtime
 * dependencies ({@code target/dropin-lib}, copied by the {@code dropin-lib} execution in this
 * module's POM), the shop's SLF4J binding, and a host JAR built here from the
 * {@code io.shopplug.sample.dropin.host} test classes with their {@code META-INF/services} files.
 * {@code WEB-INF/web.xml} is the caller's; {@code WEB-INF/wxpay.properties} holds the merchant and
 * a fresh in-memory H2 database. The webapp's class loader sees only the container (see
 * {@link ContainerOnlyClassLoader}), never the test class path.
 */
final class DropInWebapp implements AutoCloseable {
    static final String MCH_ID = "1900000109";
    static final String APP_ID = "wx2421b1c4370ec43b";
    static final String API_V2_KEY = "8934e7d15453e97507ef794cf7b0519d";
    static final String CONTEXT_PATH = "/shop";
    static final String ENGINE_ATTRIBUTE = "io.shopplug.wxpay.WxPayEngine";
    static final Duration DEADLINE = Duration.ofSeconds(10);
    /** A class file this much newer than the packaged JAR means the JAR is stale. */
    private static final long STALE_TOLERANCE_MS = 2000;

    private static final String HOST_PACKAGE = HostOrders.class.getPackageName();
    private static final Pattern RETURN_CODE = field("return_code");
    private static final Pattern RETURN_MSG = field("return_msg");

    final Path dir;
    final Path lib;
    final Path pluginJar;
    final Path pluginApiJar;
    final Path hostJar;
    final Path report;
    final ApiV2Notifications wechat =
            new ApiV2Notifications(Merchant.of(APP_ID, MCH_ID, API_V2_KEY, Merchant.MD5), Clock.systemUTC());

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(DEADLINE).build();
    private Set<Thread> threadsBefore = Set.of();
    private Server server;
    private WebAppContext webapp;
    private URI base;

    private DropInWebapp(Path dir, Path builtPlugin, Path builtApi) {
        this.dir = dir;
        this.lib = dir.resolve("WEB-INF/lib");
        this.pluginJar = lib.resolve(builtPlugin.getFileName().toString());
        this.pluginApiJar = lib.resolve(builtApi.getFileName().toString());
        this.hostJar = lib.resolve("host-shop.jar");
        this.report = dir.getParent().resolve(dir.getFileName() + "-listener-report.tsv");
    }

    /** Builds a fresh exploded webapp named after {@code name}, with this {@code web.xml}. */
    static DropInWebapp assemble(String name, String webXml) throws Exception {
        Path module = moduleDir();
        Path builtPlugin = packaged(module.resolveSibling("wxpay-plugin").resolve("target"), "wxpay-plugin");
        Path builtApi = packaged(module.resolveSibling("plugin-api").resolve("target"), "plugin-api");
        List<Path> dependencies = dropinLib(module.resolve("target/dropin-lib"));

        DropInWebapp app = new DropInWebapp(
                module.resolve("target/dropin-webapps").resolve(name + "-" + UUID.randomUUID()), builtPlugin, builtApi);
        Files.createDirectories(app.lib);
        Files.copy(builtPlugin, app.pluginJar);
        Files.copy(builtApi, app.pluginApiJar);
        for (Path jar : dependencies) {
            Files.copy(jar, app.lib.resolve(jar.getFileName()));
        }
        // The shop's own logging: the same SLF4J binding the test JVM runs with.
        Path binding = codeSource(Class.forName("org.slf4j.simple.SimpleServiceProvider", false,
                DropInWebapp.class.getClassLoader()));
        Files.copy(binding, app.lib.resolve(binding.getFileName()));
        app.buildHostJar();
        Files.writeString(app.dir.resolve("WEB-INF/web.xml"), webXml);
        Files.writeString(app.dir.resolve("WEB-INF/wxpay.properties"), String.join("\n",
                "wxpay.mch-id=" + MCH_ID,
                "wxpay.app-id=" + APP_ID,
                "wxpay.api-v2-key=" + API_V2_KEY,
                "wxpay.db.url=jdbc:h2:mem:dropin-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1",
                "# One worker: listener calls happen in commit order, so a later payment's call is a",
                "# barrier after which an earlier duplicate would already have been delivered.",
                "wxpay.dispatch.threads=1", ""));
        return app;
    }

    /**
     * Deploys the webapp at {@value #CONTEXT_PATH}; {@code configure} chooses the container's
     * configurations (annotation / SCI discovery, exclusions) before start.
     */
    void start(Consumer<WebAppContext> configure) throws Exception {
        threadsBefore = Set.copyOf(Thread.getAllStackTraces().keySet());
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        webapp = new WebAppContext();
        webapp.setContextPath(CONTEXT_PATH);
        webapp.setWar(dir.toString());
        webapp.setClassLoader(new WebAppClassLoader(
                new ContainerOnlyClassLoader(DropInWebapp.class.getClassLoader()), webapp));
        webapp.setThrowUnavailableOnStartupException(true);
        configure.accept(webapp);
        server.setHandler(webapp);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + CONTEXT_PATH);
    }

    WebAppContext webapp() {
        return webapp;
    }

    ClassLoader webappLoader() {
        return webapp.getClassLoader();
    }

    /** Stops the webapp (not the server), as a redeploy or undeploy would. */
    void stopWebapp() throws Exception {
        webapp.stop();
    }

    @Override
    public void close() throws Exception {
        if (server != null) {
            server.stop();
        }
    }

    /** POSTs {@code body} to {@code path} inside the webapp, as WeChat Pay posts a notify. */
    Reply post(String path, byte[] body) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path)).timeout(DEADLINE)
                .header("Content-Type", "text/xml")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new Reply(response.statusCode(), response.body());
    }

    /** The host listener's calls so far: one line per {@code onPaid}, tab-separated. */
    List<String[]> listenerCalls() throws IOException {
        if (!Files.exists(report)) {
            return List.of();
        }
        try (Stream<String> lines = Files.lines(report)) {
            return lines.filter(l -> !l.isEmpty()).map(l -> l.split("\t")).collect(Collectors.toList());
        }
    }

    /** The host listener's calls for one order. */
    List<String[]> listenerCalls(String outTradeNo) throws IOException {
        List<String[]> out = new ArrayList<>();
        for (String[] call : listenerCalls()) {
            if (call[1].equals(outTradeNo)) {
                out.add(call);
            }
        }
        return out;
    }

    /** Polls until the host listener was called for {@code outTradeNo}, or fails at the deadline. */
    List<String[]> awaitListenerCall(String outTradeNo) throws Exception {
        awaitTrue("the host listener to be told about " + outTradeNo, () -> {
            try {
                return !listenerCalls(outTradeNo).isEmpty();
            } catch (IOException e) {
                return false;
            }
        });
        return listenerCalls(outTradeNo);
    }

    /**
     * Names of live {@code wxpay*} threads (the plugin's {@code wxpay-*} and its pool's
     * {@code wxpay ...}) that did not exist before this webapp started, so that another test's
     * plugin in the same JVM cannot be mistaken for this one's.
     */
    Set<String> wxpayThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("wxpay")).filter(t -> !threadsBefore.contains(t))
                .map(Thread::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out after " + DEADLINE.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Where a class was loaded from: its JAR (or directory). */
    static Path codeSource(Class<?> type) {
        CodeSource source = type.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            fail(type.getName() + " has no code source (loaded by " + type.getClassLoader() + ")");
        }
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An APIv2 answer: HTTP status, body, and its return_code / return_msg. */
    record Reply(int status, String body) {
        String returnCode() {
            return find(RETURN_CODE);
        }

        String returnMsg() {
            return find(RETURN_MSG);
        }

        private String find(Pattern p) {
            Matcher m = p.matcher(body);
            return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : "";
        }
    }

    private static Pattern field(String name) {
        return Pattern.compile("<" + name + ">\\s*(?:<!\\[CDATA\\[(.*?)]]>|([^<]*))\\s*</" + name + ">");
    }

    private static Path moduleDir() {
        String basedir = System.getProperty("basedir");
        return Path.of(basedir != null ? basedir : System.getProperty("user.dir")).toAbsolutePath().normalize();
    }

    /** The one packaged JAR of a reactor module; fails (never skips) when the build did not make it. */
    private static Path packaged(Path target, String artifactId) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(target)) {
            try (Stream<Path> files = Files.list(target)) {
                files.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.startsWith(artifactId + "-") && n.endsWith(".jar") && !n.endsWith("-sources.jar")
                            && !n.endsWith("-javadoc.jar") && !n.endsWith("-tests.jar");
                }).forEach(jars::add);
            }
        }
        String how = ": these tests deploy the real JAR, so build it through the reactor's package phase"
                + " first, e.g. `mvn -pl sample-host -am verify` (`mvn test` does not package it)";
        if (jars.size() != 1) {
            fail("expected exactly one packaged " + artifactId + " JAR in " + target + ", found " + jars + how);
        }
        Path jar = jars.get(0);
        Path newer = newestFile(target.resolve("classes"));
        if (newer != null && Files.getLastModifiedTime(newer).toMillis()
                > Files.getLastModifiedTime(jar).toMillis() + STALE_TOLERANCE_MS) {
            fail(jar + " is older than " + newer + how);
        }
        return jar;
    }

    private static Path newestFile(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return null;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).max((a, b) -> {
                try {
                    return Files.getLastModifiedTime(a).compareTo(Files.getLastModifiedTime(b));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).orElse(null);
        }
    }

    private static List<Path> dropinLib(Path dir) throws IOException {
        List<Path> jars = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().forEach(jars::add);
            }
        }
        if (jars.isEmpty()) {
            fail("no plugin runtime dependencies in " + dir + ": they are copied by the `dropin-lib`"
                    + " execution of maven-dependency-plugin in sample-host/pom.xml; run the tests with Maven");
        }
        return jars;
    }

    /**
     * The shop's JAR: the host test classes, plus the only {@code META-INF/services} files for the
     * hooks anywhere the webapp can see, plus {@code probe.properties} naming the report file.
     */
    private void buildHostJar() throws IOException {
        Path classes = codeSource(HostOrders.class);
        Path pkg = classes.resolve(HOST_PACKAGE.replace('.', '/'));
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        try (OutputStream file = Files.newOutputStream(hostJar);
                JarOutputStream jar = new JarOutputStream(file, manifest);
                Stream<Path> files = Files.list(pkg)) {
            for (Path c : files.filter(p -> p.toString().endsWith(".class")).sorted().collect(Collectors.toList())) {
                put(jar, classes.relativize(c).toString().replace('\\', '/'), Files.readAllBytes(c));
            }
            put(jar, "META-INF/services/io.shopplug.api.OrderLookup",
                    (HostOrders.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            put(jar, "META-INF/services/io.shopplug.api.PaymentListener",
                    (HostPaymentListener.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            Properties probe = new Properties();
            probe.setProperty("report.file", report.toString());
            StringWriter text = new StringWriter();
            probe.store(text, "where HostPaymentListener reports its calls");
            put(jar, HOST_PACKAGE.replace('.', '/') + "/probe.properties", text.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
        jar.putNextEntry(new JarEntry(name));
        jar.write(bytes);
        jar.closeEntry();
    }

    /** {@code url} as a file path when it points into a JAR or at a file; else null. */
    static Path jarOf(URL url) {
        try {
            String s = url.toString();
            if (s.startsWith("jar:")) {
                s = s.substring(4, s.indexOf("!/"));
            }
            return Path.of(new URI(s)).toAbsolutePath().normalize();
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }
}
