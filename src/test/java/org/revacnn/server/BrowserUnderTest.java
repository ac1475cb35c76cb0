package org.revacnn.server;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Debian's chromium through Playwright (never a downloaded browser) with one 1366x768 page on a
 * server's UI, connected, collecting console errors and page errors, for the real-browser tests.
 */
final class BrowserUnderTest implements AutoCloseable {
  final Page page;
  final List<String> consoleErrors = new CopyOnWriteArrayList<>();
  private final Playwright playwright;
  private final Browser browser;

  private BrowserUnderTest(Playwright playwright, Browser browser, Page page) {
    this.playwright = playwright;
    this.browser = browser;
    this.page = page;
  }

  /** Opens the UI of {@code server} and waits until its WebSocket is open. */
  static BrowserUnderTest open(WebServer server) {
    Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
        .setExecutablePath(Paths.get("/usr/bin/chromium")).setHeadless(true)
        .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync")));
    BrowserUnderTest opened = new BrowserUnderTest(playwright, browser,
        browser.newPage(new Browser.NewPageOptions().setViewportSize(1366, 768)));
    Page page = opened.page;
    page.setDefaultTimeout(15_000);
    page.onConsoleMessage(m -> {
      if (m.type().equals("error")) opened.consoleErrors.add(m.text() + " @ " + m.location());
    });
    page.onPageError(e -> opened.consoleErrors.add("page error: " + e));
    page.navigate("http://127.0.0.1:" + server.port() + "/");
    page.waitForFunction("() => document.querySelector('#connection').dataset.state === 'open'");
    return opened;
  }

  @Override
  public void close() {
    browser.close();
    playwright.close();
  }
}
