package io.shopplug.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.shopplug.api.PaymentEvent;
import io.shopplug.api.PaymentListener;
import io.shopplug.simulator.ApiV2Notifications;
import io.shopplug.simulator.Merchant;
import io.shopplug.simulator.NotifyAnswer;
import io.shopplug.simulator.NotifyDelivery;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The console as a shop's admin uses it, in headless Chromium driven by Selenium: log in through
 * the shop, see a paid order's notification in the log, switch the plugin off and watch the
 * simulator's delivery be refused, switch it on and watch the retry go through, mark an anomaly
 * handled, replay a dead letter. Screenshots land in {@code target/console-screenshots/} (and in
 * the directory named by {@code -Dconsole.screenshots.dir}, such as {@code docs/images}).
 *
 * <p>Uses Debian's {@code /usr/bin/chromium} and {@code /usr/bin/chromedriver} ({@code .ci/run}
 * installs them). Without them the test fails when {@code CI=true}, and is skipped with a message
 * otherwise.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    private static final Path CHROMIUM = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("console.chromedriver", "/usr/bin/chromedriver"));
    private static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Merchant MERCHANT =
            Merchant.of("wx2421b1c4370ec43b", "1900000109", "8934e7d15453e97507ef794cf7b0519d", Merchant.MD5);

    /** A listener whose downstream service is down until the test "fixes" it. */
    static final class FlakyListener implements PaymentListener {
        final AtomicBoolean down = new AtomicBoolean(true);
        final AtomicInteger delivered = new AtomicInteger();

        @Override
        public void onPaid(PaymentEvent event) {
            if (down.get()) {
                throw new IllegalStateException("loyalty service unreachable");
            }
            delivered.incrementAndGet();
        }
    }

    private final FlakyListener flaky = new FlakyListener();
    private SampleShop shop;
    private ShopClient api;
    private NotifyDelivery wechat;
    private WebDriver browser;
    private Path profile;
    private String base;

    @BeforeAll
    void start() throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present) {
            String message = "headless Chromium is missing (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): apt-get install -y chromium chromium-driver, as .ci/run does";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message + "; console browser tests skipped (they fail instead when CI=true)");
        }
        // One failed attempt parks a delivery as a dead letter, so the console has one to replay.
        System.setProperty("wxpay.dispatch.max-attempts", "1");
        try {
            shop = SampleShop.start(TestShops.settings(), WeChatPaySimulatorGateway::create, List.of(flaky));
        } finally {
            System.clearProperty("wxpay.dispatch.max-attempts");
        }
        base = shop.baseUri().toString().replaceAll("/$", "");
        api = new ShopClient(shop.baseUri());
        wechat = NotifyDelivery.builder().compress(100).build();

        profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,1000");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        browser.manage().window().setSize(new Dimension(1280, 1000));
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    }

    @AfterAll
    void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (wechat != null) {
            wechat.close();
        }
        if (shop != null) {
            shop.close();
        }
        if (profile != null) {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @Test
    void anAdminRunsThePluginFromTheConsole() throws Exception {
        // Log in through the shop's own form and follow its link to the console.
        browser.get(base + "/login");
        browser.findElement(By.name("user")).sendKeys("admin");
        browser.findElement(By.name("password")).sendKeys("admin");
        browser.findElement(By.cssSelector("form[action='/login'] button")).click();
        await(() -> browser.getCurrentUrl().endsWith("/admin"), "the admin page");
        browser.findElement(By.id("wxpay-console")).click();
        assertTrue(browser.getCurrentUrl().endsWith("/wxpay/console"), browser.getCurrentUrl());
        assertEquals("on", text("cluster-switch"));
        assertTrue(text("effective").startsWith("This node is ON"), text("effective"));

        // A paid order's notification in the log, with what arrived and what was decided.
        String paid = placeOrder();
        assertEquals(200, api.postJson("/api/orders/" + paid + "/pay", "").statusCode());
        awaitOrder(paid, "PAID");
        browser.get(base + "/wxpay/console/log");
        browser.findElement(By.id("out_trade_no")).sendKeys(paid);
        browser.findElement(By.cssSelector("#search button")).click();
        await(() -> browser.getCurrentUrl().contains("out_trade_no=")
                && browser.findElement(By.id("log")).getText().contains(paid), "the search result");
        WebElement log = browser.findElement(By.id("log"));
        assertTrue(log.getText().contains("ACCEPTED"), log.getText());
        screenshot("console-log");
        log.findElement(By.cssSelector("td a")).click();
        assertEquals("ACCEPTED", text("decision"));
        assertTrue(text("payload").contains("\"out_trade_no\" : \"" + paid + "\""), text("payload"));
        assertFalse(browser.getPageSource().contains("\"sign\""), "the sign is never shown");
        screenshot("console-notification");

        // Switched off for every node: the simulator's delivery is refused; on again, its retry goes through.
        browser.get(base + "/wxpay/console");
        browser.findElement(By.id("switch-off")).click();
        awaitText("cluster-switch", "off");
        assertTrue(text("effective").startsWith("This node is OFF"), text("effective"));
        screenshot("console-switched-off");
        String refused = placeOrder();
        assertEquals(200, api.postJson("/api/orders/" + refused + "/pay", "").statusCode());
        browser.get(base + "/orders/" + refused);
        await(() -> {
            browser.navigate().refresh();
            return browser.getPageSource().contains("plugin switched off, retry later");
        }, "the simulator's refused delivery on the order page");
        assertTrue(browser.getPageSource().contains("FAIL"), "the delivery shows FAIL");
        screenshot("order-refused-while-off");
        browser.get(base + "/wxpay/console");
        browser.findElement(By.id("switch-on")).click();
        awaitText("cluster-switch", "on");
        awaitOrder(refused, "PAID");
        assertTrue(browser.getPageSource().contains("by admin at"), "who switched, and when");
        screenshot("console-status");

        // An anomaly (a genuine payment of the wrong amount), marked handled.
        String wrong = placeOrder();
        long amount = ShopClient.json(api.get("/api/orders/" + wrong)).get("amountFen").asLong();
        NotifyAnswer anomaly = wechat.sendOnce(base + "/wxpay/notify",
                new ApiV2Notifications(MERCHANT, Clock.systemUTC()).paid(wrong, amount + 100).body());
        assertEquals("amount does not match the order", anomaly.returnMsg());
        browser.get(base + "/wxpay/console/anomalies");
        WebElement row = rowContaining("anomalies", wrong);
        assertTrue(row.getText().contains("AMOUNT_MISMATCH"), row.getText());
        screenshot("console-anomalies");
        row.findElement(By.tagName("button")).click();
        await(() -> !browser.findElement(By.id("anomalies")).getText().contains(wrong), "the anomaly leaves the open list");
        browser.get(base + "/wxpay/console/anomalies?show=handled");
        assertTrue(rowContaining("anomalies", wrong).getText().contains("handled by admin"),
                browser.findElement(By.id("anomalies")).getText());

        // Dead letters: the flaky listener gave up on both payments; fixed, they are replayed.
        browser.get(base + "/wxpay/console/dead-letters");
        await(() -> {
            browser.navigate().refresh();
            String t = browser.findElement(By.id("dead-letters")).getText();
            return t.contains(paid) && t.contains(refused);
        }, "both dead letters");
        assertTrue(rowContaining("dead-letters", paid).getText().contains("loyalty service unreachable"));
        screenshot("console-dead-letters");
        flaky.down.set(false);
        rowContaining("dead-letters", paid).findElement(By.tagName("button")).click();
        await(() -> flaky.delivered.get() == 1, "the replayed delivery");
        await(() -> !browser.findElement(By.id("dead-letters")).getText().contains(paid), "the replayed row gone");
        browser.findElement(By.id("replay-all")).click();
        await(() -> flaky.delivered.get() == 2, "the second replayed delivery");
        await(() -> browser.findElement(By.id("dead-letters")).getText().contains("none"), "no dead letter left");

        // Reconciliation, run now: the run is listed with what it queried.
        browser.get(base + "/wxpay/console");
        browser.findElement(By.id("reconcile-now")).click();
        await(() -> browser.findElements(By.cssSelector("#reconciliation tr")).size() >= 2, "a reconciliation run listed");
        screenshot("console-reconciliation");
    }

    // ---------------------------------------------------------------- helpers

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private WebElement rowContaining(String tableId, String text) {
        for (WebElement row : browser.findElement(By.id(tableId)).findElements(By.tagName("tr"))) {
            if (row.getText().contains(text)) {
                return row;
            }
        }
        throw new AssertionError("no row with " + text + " in " + browser.findElement(By.id(tableId)).getText());
    }

    private String placeOrder() {
        HttpResponse<String> placed = api.postJson("/api/orders", "{\"memberId\":1,\"productId\":1,\"quantity\":1}");
        assertEquals(201, placed.statusCode(), placed.body());
        return ShopClient.json(placed).get("outTradeNo").asText();
    }

    private void awaitOrder(String no, String state) throws InterruptedException {
        await(() -> state.equals(ShopClient.json(api.get("/api/orders/" + no)).get("state").asText()),
                "order " + no + " " + state);
    }

    private void awaitText(String id, String expected) throws InterruptedException {
        await(() -> expected.equals(text(id)), "#" + id + " to read " + expected);
    }

    /** Polls until true; a page still loading (stale or missing element) counts as not yet. */
    private static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!holds(condition)) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("not within " + DEADLINE + ": " + what);
            }
            Thread.sleep(100);
        }
    }

    private static boolean holds(Supplier<Boolean> condition) {
        try {
            return condition.get();
        } catch (org.openqa.selenium.StaleElementReferenceException | org.openqa.selenium.NoSuchElementException e) {
            return false;
        }
    }

    /** Saves the page as PNG under target/console-screenshots, and under -Dconsole.screenshots.dir if set. */
    private void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Path dir = Files.createDirectories(Path.of("target", "console-screenshots"));
        Path target = dir.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        String extra = System.getProperty("console.screenshots.dir");
        if (extra != null && !extra.isBlank()) {
            Files.copy(target, Files.createDirectories(Path.of(extra)).resolve(name + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        assertTrue(Files.size(target) > 1000, name + " is empty");
    }

}
