package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * The page's "Save checkpoint" button in a real browser: the checkpoint lands in the server's
 * checkpoint folder under a fresh step name, and the message the user sees names that file.
 */
class SaveCheckpointIT {
  @TempDir
  Path folder;

  @Test
  void saveCheckpointWritesIntoTheFolderAndSaysWhichFile() throws Exception {
    List<String> consoleErrors = new CopyOnWriteArrayList<>();
    try (TrainingSession session = new TrainingSession(SessionFixtures.config().withCheckpointDir(folder), SessionFixtures.data())) {
      session.start(false);
      try (WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null));
          Playwright playwright = Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
          Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
              .setExecutablePath(Paths.get("/usr/bin/chromium")).setHeadless(true)
              .setArgs(List.of("--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking")))) {
        Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1366, 768));
        page.setDefaultTimeout(15_000);
        page.onConsoleMessage(m -> {
          if (m.type().equals("error")) consoleErrors.add(m.text());
        });
        page.navigate("http://127.0.0.1:" + server.port() + "/#stats");
        page.waitForFunction("() => document.querySelector('#connection').dataset.state === 'open'");
        page.click("#tab-stats");
        page.click("#ctl-checkpoint");
        page.waitForFunction("() => [...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes('step0.ckpt'))");
        page.click("#ctl-checkpoint");
        page.waitForFunction("() => [...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes('step0-2.ckpt'))");
        String toast = (String) page.evaluate("() => [...document.querySelectorAll('#toasts .toast')].map(t => t.textContent).join(' | ')");
        assertThat(toast).contains("saved checkpoint step0.ckpt in " + folder.toRealPath());
      }
    }
    assertThat(folder.resolve("step0.ckpt")).exists();
    assertThat(folder.resolve("step0-2.ckpt")).exists();
    try (var files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("step0-2.ckpt", "step0.ckpt");
    }
    assertThat(consoleErrors).isEmpty();
  }
}
