package io.switchboard.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Debian {@code chromium} driven through {@code /usr/bin/chromedriver}, with a profile of
 * its own; nothing is downloaded (Selenium Manager is never asked, as the driver and browser paths
 * are given). {@link #start} skips the calling test, saying how to install them, where they are
 * missing (scripts/test installs them when it may, and warns when it cannot).
 */
public final class Chromium implements AutoCloseable {
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  /**
   * At start Selenium looks for its DevTools binding of the browser's version and warns when it has
   * none (it lags Chromium's releases); these tests speak WebDriver only. Held so it is not
   * collected.
   */
  private static final Logger CDP_FINDER =
      Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

  static {
    CDP_FINDER.setLevel(Level.SEVERE);
  }

  private final Path profile;
  private final ChromeDriverService service;
  private final ChromeDriver driver;

  private Chromium(Path profile, ChromeDriverService service, ChromeDriver driver) {
    this.profile = profile;
    this.service = service;
    this.driver = driver;
  }

  /** Starts the browser, or skips the test where chromium or chromedriver is missing. */
  public static Chromium start() {
    List<Path> missing =
        Stream.of(CHROMIUM, CHROMEDRIVER).filter(p -> !Files.isExecutable(p)).toList();
    Assumptions.assumeTrue(
        missing.isEmpty(),
        () -> "browser test skipped: " + missing
            + " missing; install Debian's chromium and chromium-driver"
            + " (apt-get install -y chromium chromium-driver; scripts/test does it when it may)");
    try {
      Path profile = Files.createTempDirectory("switchboard-chromium-");
      // the driver's path, given both ways: Selenium Manager (which would download) is never run
      System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
      ChromeDriverService service = new ChromeDriverService.Builder()
          .usingDriverExecutable(CHROMEDRIVER.toFile())
          .usingAnyFreePort()
          .build();
      ChromeOptions options = new ChromeOptions()
          .setBinary(CHROMIUM.toFile())
          .addArguments(
              "--headless=new",
              "--no-sandbox",
              "--disable-gpu",
              "--disable-quic",
              "--no-first-run",
              // without these Chromium keeps calling Google's hosts, which this network refuses
              "--disable-background-networking",
              "--disable-component-update",
              "--disable-sync",
              "--disable-dev-shm-usage",
              // windows side by side: none may be throttled as a hidden one
              "--disable-background-timer-throttling",
              "--disable-renderer-backgrounding",
              "--disable-backgrounding-occluded-windows",
              "--user-data-dir=" + profile);
      return new Chromium(profile, service, new ChromeDriver(service, options));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public ChromeDriver driver() {
    return driver;
  }

  /** A wait on the driver, polling every 50 ms. */
  public static WebDriverWait wait(WebDriver driver, Duration timeout) {
    return new WebDriverWait(driver, timeout, Duration.ofMillis(50));
  }

  @Override
  public void close() {
    driver.quit();
    service.stop();
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
