package org.revacnn.server;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.FilePayload;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.imageio.ImageIO;

/**
 * Debian's chromium through Playwright (never a downloaded browser) with one 1366x768 page on a
 * server's UI, connected, collecting console errors, page errors and the URLs it requests, for the
 * real-browser tests. Screenshots go to target/screenshots/.
 */
final class BrowserUnderTest implements AutoCloseable {
  static final int WIDTH = 1366;
  static final int HEIGHT = 768;
  private static final Path SHOTS = Paths.get("target", "screenshots");

  final Page page;
  final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  final List<String> requests = new CopyOnWriteArrayList<>();
  private final Playwright playwright;
  private final Browser browser;
  private final String base;

  private BrowserUnderTest(Playwright playwright, Browser browser, Page page, String base) {
    this.playwright = playwright;
    this.browser = browser;
    this.page = page;
    this.base = base;
  }

  /** Opens the UI of {@code server} and waits until its WebSocket is open. */
  static BrowserUnderTest open(WebServer server) {
    return open(server, "/");
  }

  /** Opens {@code path} (e.g. "/#stats") on {@code server} and waits until the page's WebSocket is open. */
  static BrowserUnderTest open(WebServer server, String path) {
    BrowserUnderTest opened = launch("http://127.0.0.1:" + server.port());
    opened.navigate(path);
    return opened;
  }

  /** Opens the local file {@code file} (a file:// URL), waiting only for its load event. */
  static BrowserUnderTest openFile(Path file) {
    BrowserUnderTest opened = launch("");
    opened.page.navigate(file.toUri().toString());
    return opened;
  }

  /** A fresh browser with one page, recording console errors and requests, on nothing yet; {@code base} prefixes navigate's paths. */
  private static BrowserUnderTest launch(String base) {
    Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Paths.get("/usr/bin/chromium")).setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    BrowserUnderTest opened = new BrowserUnderTest(playwright, browser,
        browser.newPage(new Browser.NewPageOptions().setViewportSize(WIDTH, HEIGHT)), base);
    Page page = opened.page;
    page.setDefaultTimeout(15_000);
    page.onConsoleMessage(m -> {
      if (m.type().equals("error")) opened.consoleErrors.add(m.text() + " @ " + m.location());
    });
    page.onPageError(e -> opened.consoleErrors.add("page error: " + e));
    page.onRequest(r -> opened.requests.add(r.url()));
    return opened;
  }

  /** Loads {@code path} of the server afresh (a reload, or another page) and waits until the WebSocket is open. */
  void navigate(String path) {
    page.navigate(base + path);
    page.waitForFunction("() => document.querySelector('#connection').dataset.state === 'open'");
  }

  /** Back to the 1366x768 window the page opened with. */
  void defaultViewport() {
    page.setViewportSize(WIDTH, HEIGHT);
  }

  /** Clicks the tab of view {@code name} and waits until that view shows. */
  void tab(String name) {
    page.click("#tab-" + name);
    page.waitForFunction("n => !document.getElementById('view-' + n).hidden", name);
  }

  void waitForRunState(String state) {
    page.waitForFunction("s => document.querySelector('#run-state').dataset.state === s", state);
  }

  void dismissToasts() {
    page.evaluate("() => { const s = window.revacnn.store; s.state.toasts.slice().forEach(t => s.dismiss(t.id)); }");
  }

  /** Saves the page as target/screenshots/{@code name}.png. */
  void screenshot(String name) {
    try {
      Files.createDirectories(SHOTS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + ".png")));
  }

  /** A 40x40 PNG file, a disc of one colour on another, as a user's upload. */
  static FilePayload upload(String fileName, Color background, Color disc) {
    BufferedImage image = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    g.setColor(background);
    g.fillRect(0, 0, 40, 40);
    g.setColor(disc);
    g.fillOval(8, 8, 24, 24);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new FilePayload(fileName, "image/png", out.toByteArray());
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
