package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.SessionFixtures;

/**
 * The page's "Save checkpoint" button in a real browser: the checkpoint lands in the server's
 * checkpoint folder under a fresh step name, and the message the user sees names that file.
 */
class SaveCheckpointIT {
  @TempDir
  Path folder;

  @Test
  void saveCheckpointWritesIntoTheFolderAndSaysWhichFile() throws Exception {
    List<String> consoleErrors;
    try (TestServer served = TestServer.start(SessionFixtures.config().withCheckpointDir(folder), null);
        BrowserUnderTest browser = BrowserUnderTest.open(served.server, "/#stats")) {
      consoleErrors = browser.consoleErrors;
      Page page = browser.page;
      page.click("#tab-stats");
      page.click("#ctl-checkpoint");
      page.waitForFunction("() => [...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes('step0.ckpt'))");
      page.click("#ctl-checkpoint");
      page.waitForFunction("() => [...document.querySelectorAll('#toasts .toast')].some(t => t.textContent.includes('step0-2.ckpt'))");
      String toast = (String) page.evaluate("() => [...document.querySelectorAll('#toasts .toast')].map(t => t.textContent).join(' | ')");
      assertThat(toast).contains("saved checkpoint step0.ckpt in " + folder.toRealPath());
    }
    assertThat(folder.resolve("step0.ckpt")).exists();
    assertThat(folder.resolve("step0-2.ckpt")).exists();
    try (var files = Files.list(folder)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("step0-2.ckpt", "step0.ckpt");
    }
    assertThat(consoleErrors).isEmpty();
  }
}
