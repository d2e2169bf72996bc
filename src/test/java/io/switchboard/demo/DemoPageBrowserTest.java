package io.switchboard.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page ({@code GET /}) in headless Chromium: two pages chat over WebSocket and follow the
 * channel over EventSource; what one page sends appears in the other's chat and in both SSE
 * panels. Drives Debian's {@code chromium} through {@code /usr/bin/chromedriver}; nothing is
 * downloaded (Selenium Manager is never asked, as the driver and browser paths are given). Skipped,
 * saying how to install them, where they are missing. Saves {@code target/screenshots/demo.png}.
 */
@ExtendWith(VertxExtension.class)
class DemoPageBrowserTest {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CHANNEL = "chat:lobby";
  /**
   * At start Selenium looks for its DevTools binding of the browser's version and warns when it has
   * none (it lags Chromium's releases); this test speaks WebDriver only. Held so it is not collected.
   */
  private static final Logger CDP_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_FINDER.setLevel(Level.SEVERE);
  }

  private TestNode node;
  private Path profile;
  private ChromeDriverService service;
  private ChromeDriver driver;

  @BeforeEach
  void setUp(Vertx vertx) throws IOException {
    List<Path> missing = Stream.of(CHROMIUM, CHROMEDRIVER).filter(p -> !Files.isExecutable(p))
        .toList();
    Assumptions.assumeTrue(missing.isEmpty(), () -> "browser test skipped: " + missing
        + " missing; install Debian's chromium and chromium-driver"
        + " (apt-get install -y chromium chromium-driver; scripts/test does it when it may)");
    node = TestNode.start(vertx);
    profile = Files.createTempDirectory("switchboard-chromium-");
    // the driver's path, given both ways: Selenium Manager (which would download) is never run
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions()
        .setBinary(CHROMIUM.toFile())
        .addArguments(
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            // without these Chromium keeps calling Google's hosts, which this network refuses
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--disable-dev-shm-usage",
            // two windows side by side: neither may be throttled as a hidden one
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            "--user-data-dir=" + profile);
    driver = new ChromeDriver(service, options);
  }

  @AfterEach
  void tearDown() throws IOException {
    if (driver != null) {
      driver.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (node != null) {
      node.close();
    }
    if (profile != null) {
      try (Stream<Path> files = Files.walk(profile)) {
        files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
      }
    }
  }

  @Test
  void twoPagesChatOverWebSocketAndFollowOverEventSource() throws IOException {
    String url = "http://127.0.0.1:" + node.port() + "/";
    String alice = open(url, "alice");
    driver.switchTo().newWindow(WindowType.WINDOW);
    String bob = open(url, "bob");
    // both pages' WebSockets and EventSources are subscribed: presence counts every connection
    new FluentWait<>(node).withTimeout(WAIT).pollingEvery(Duration.ofMillis(50))
        .withMessage("4 connections (2 WebSocket, 2 SSE) present on " + CHANNEL)
        .until(n -> connections(n) == 4);

    driver.switchTo().window(alice);
    send("hello from alice");
    driver.switchTo().window(bob);
    awaitLine("ws-log", "alice: hello from alice");
    awaitLine("sse-log", "alice: hello from alice");

    send("hi alice, bob here");
    driver.switchTo().window(alice);
    awaitLine("ws-log", "bob: hi alice, bob here");
    awaitLine("sse-log", "bob: hi alice, bob here");
    assertEquals(List.of("alice: hello from alice", "bob: hi alice, bob here"), chat("sse-log"));

    Path dir = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    Files.createDirectories(dir);
    Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve("demo.png"),
        StandardCopyOption.REPLACE_EXISTING);
  }

  /** Opens the demo page in the current window as user {@code name}; returns the window. */
  private String open(String url, String name) {
    driver.manage().window().setSize(new Dimension(1280, 800));
    driver.get(url);
    var nameInput = driver.findElement(By.id("name"));
    nameInput.clear();
    nameInput.sendKeys(name);
    assertEquals(CHANNEL, driver.findElement(By.id("channel")).getDomProperty("value"));
    // the send button is enabled once the WebSocket's subscribe is acknowledged
    wait(driver).until(ExpectedConditions.elementToBeClickable(By.id("send-button")));
    wait(driver).until(ExpectedConditions.textToBe(By.id("sse-status"), "streaming"));
    return driver.getWindowHandle();
  }

  private void send(String text) {
    driver.findElement(By.id("text")).sendKeys(text);
    driver.findElement(By.id("send-button")).click();
  }

  /** Waits for a chat line (the text before its time stamp) in the log {@code logId}. */
  private void awaitLine(String logId, String line) {
    wait(driver).withMessage(() -> "\"" + line + "\" in #" + logId + " of "
            + driver.findElement(By.id("name")).getDomProperty("value") + "'s page; it shows "
            + chat(logId))
        .until(d -> chat(logId).contains(line));
  }

  /** The chat lines of a log: its lines but the system ones, without their time stamps. */
  @SuppressWarnings("unchecked")
  private List<String> chat(String logId) {
    return (List<String>) driver.executeScript("return Array.from(document.querySelectorAll("
        + "'#' + arguments[0] + ' > div:not(.sys)'), div => div.firstChild.textContent)", logId);
  }

  private static WebDriverWait wait(WebDriver driver) {
    return new WebDriverWait(driver, WAIT, Duration.ofMillis(50));
  }

  private static int connections(TestNode node) {
    TestNode.Reply reply = node.get("/api/channels/" + CHANNEL + "/presence");
    return reply.json().getJsonArray("users").stream().map(JsonObject.class::cast)
        .mapToInt(u -> u.getInteger("connections")).sum();
  }
}
