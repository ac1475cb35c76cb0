package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.attach.AttachedSession;

/**
 * The page against {@code serve --attach} for real: first with no run (the waiting panel with the
 * two lines that connect one), then with the PyTorch example attached over the real transport: the
 * network view draws the PyTorch model's conv layers by their module paths, + on a conv adds a
 * node, and what the run refuses is disabled with its reason.
 */
class UiAttachedIT {
  @TempDir
  Path checkpoints;

  @Test
  void withoutARunThePageSaysHowToConnectOne() {
    try (AttachedSession session = new AttachedSession(checkpoints);
         WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null));
         BrowserUnderTest browser = BrowserUnderTest.open(server)) {
      var page = browser.page;
      page.waitForSelector("#engine-waiting:not([hidden])");
      assertThat(page.textContent("#engine-waiting-title")).isEqualTo("Waiting for a PyTorch run");
      assertThat(page.textContent("#engine-snippet")).contains("import revacnn")
          .contains("revacnn.attach(model, optimizer, url=\"http://127.0.0.1:" + server.port() + "\"");
      assertThat(page.getAttribute("#btn-resume", "data-unavailable")).contains("waiting for a PyTorch run");
      assertThat(page.isDisabled("#btn-resume")).isTrue();
      browser.screenshot("attach-waiting");
      assertThat(browser.consoleErrors).isEmpty();
    }
  }

  @Test
  void anAttachedPyTorchRunIsDrawnAndSteeredFromThePage() throws Exception {
    try (AttachedExample example = AttachedExample.start(checkpoints);
         BrowserUnderTest browser = BrowserUnderTest.open(example.server)) {
      var page = browser.page;
      page.waitForSelector("#engine-line:not([hidden])");
      assertThat(page.textContent("#engine-name")).startsWith("PyTorch · torch ").contains("· cpu · 1 process");
      assertThat(page.isHidden("#engine-waiting")).isTrue();
      assertThat(page.isHidden("#probe-img")).as("no broken image for the run's own probe").isTrue();
      page.waitForSelector(".layer-col[data-layer='3'] button.node[data-id='3/f19']");
      assertThat(page.locator(".layer-col[data-layer='0'] button.node").count()).isEqualTo(16);
      assertThat(page.locator(".layer-col[data-layer='3'] button.node").count()).isEqualTo(20);
      assertThat(page.locator(".layer-col[data-layer='6'] button.node").count()).isEqualTo(20);

      page.click(".layer-col[data-layer='3'] .add-filter");
      page.waitForSelector(".layer-col[data-layer='3'] button.node[data-id='3/f20']");
      assertThat(page.locator(".layer-col[data-layer='3'] button.node").count()).isEqualTo(21);
      assertThat(example.session.architecture().layers().get(3).filters()).isEqualTo(21);

      assertThat(page.isDisabled(".layer-col[data-layer='0'] .remove-layer")).isTrue();
      assertThat(page.getAttribute(".layer-col[data-layer='0'] .remove-layer", "data-unavailable")).isEqualTo("it maps 3 channels to 16");
      browser.tab("test");
      assertThat(page.textContent("#test-view-unavailable")).contains("an attached run brings its own data");
      browser.tab("network");
      browser.screenshot("attach-running");
      assertThat(browser.requests).noneMatch(url -> url.contains("/api/recommendations") || url.contains("/api/test"));
      assertThat(browser.consoleErrors).isEmpty();
    }
  }
}
