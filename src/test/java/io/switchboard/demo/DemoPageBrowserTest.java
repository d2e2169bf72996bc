package io.switchboard.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.testing.Chromium;
import io.switchboard.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.FluentWait;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo page ({@code GET /}) in headless Chromium: two pages chat through switchboard.js (over
 * WebSocket) and follow the channel with a second client over SSE; what one page sends appears in
 * the other's chat and in both SSE panels; a dropped connection recovers and says so. Skipped where
 * chromium is missing ({@link Chromium}). Saves {@code target/screenshots/demo.png}.
 */
@ExtendWith(VertxExtension.class)
class DemoPageBrowserTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String CHANNEL = "chat:lobby";

  private TestNode node;
  private Chromium chromium;
  private ChromeDriver driver;

  @BeforeEach
  void setUp(Vertx vertx) {
    chromium = Chromium.start();
    driver = chromium.driver();
    node = TestNode.start(vertx);
  }

  @AfterEach
  void tearDown() {
    if (chromium != null) {
      chromium.close();
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void twoPagesChatOverWebSocketAndFollowOverEventSource() throws IOException {
    String url = "http://127.0.0.1:" + node.port() + "/";
    String alice = open(url, "alice");
    driver.switchTo().newWindow(WindowType.WINDOW);
    String bob = open(url, "bob");
    // both pages' WebSockets and EventSources are subscribed: presence counts every connection
    new FluentWait<>(node)
        .withTimeout(WAIT)
        .pollingEvery(Duration.ofMillis(50))
        .withMessage("4 connections (2 WebSocket, 2 SSE) present on " + CHANNEL)
        .until(n -> connections(n) == 4);

    driver.switchTo().window(alice);
    send("hello from alice");
    driver.switchTo().window(bob);
    awaitLine("chat-log", "alice: hello from alice");
    awaitLine("sse-log", "alice: hello from alice");

    send("hi alice, bob here");
    driver.switchTo().window(alice);
    awaitLine("chat-log", "bob: hi alice, bob here");
    awaitLine("sse-log", "bob: hi alice, bob here");
    assertEquals(List.of("alice: hello from alice", "bob: hi alice, bob here"), chat("sse-log"));

    // a dropped connection comes back, recovers what it missed, and the page says so
    node.publish(CHANNEL, new JsonObject().put("text", "from the server"));
    awaitLine("chat-log", "server: from the server");
    driver.findElement(By.id("drop")).click();
    awaitNote("chat-log", "back: everything published meanwhile was delivered");
    assertEquals(
        List.of("alice: hello from alice", "bob: hi alice, bob here", "server: from the server"),
        chat("chat-log"),
        "nothing twice after the reconnect");

    Path dir = Path.of(System.getProperty("basedir", "."), "target", "screenshots");
    Files.createDirectories(dir);
    Files.copy(
        driver.getScreenshotAs(OutputType.FILE).toPath(),
        dir.resolve("demo.png"),
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
    // the send button is enabled once the chat's subscription is live
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
    wait(driver)
        .withMessage(() -> "\"" + line + "\" in #" + logId + " of "
            + driver.findElement(By.id("name")).getDomProperty("value") + "'s page; it shows "
            + chat(logId))
        .until(d -> chat(logId).contains(line));
  }

  /** Waits for a system line (connection state, recovery) in the log {@code logId}. */
  private void awaitNote(String logId, String text) {
    wait(driver)
        .withMessage(() -> "\"" + text + "\" in #" + logId)
        .until(d -> (Boolean) driver.executeScript(
            "return Array.from(document.querySelectorAll("
                + "'#' + arguments[0] + ' > div.sys')).some(div => div.textContent === arguments[1])",
            logId,
            text));
  }

  /** The chat lines of a log: its lines but the system ones, without their time stamps. */
  @SuppressWarnings("unchecked")
  private List<String> chat(String logId) {
    return (List<String>) driver.executeScript(
        "return Array.from(document.querySelectorAll("
            + "'#' + arguments[0] + ' > div:not(.sys)'), div => div.firstChild.textContent)",
        logId);
  }

  private static WebDriverWait wait(WebDriver driver) {
    return Chromium.wait(driver, WAIT);
  }

  private static int connections(TestNode node) {
    TestNode.Reply reply = node.get("/api/channels/" + CHANNEL + "/presence");
    return reply.json().getJsonArray("users").stream()
        .map(JsonObject.class::cast)
        .mapToInt(u -> u.getInteger("connections"))
        .sum();
  }
}
