package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.Command;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunLog;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * Runs overlaid in Training Stats, in a real browser against the real server: a live session
 * keeping the run "live" (24 steps) and a kept run "grown" (24 steps, 2 filters added to conv2 at
 * step 12) in one temporary runs folder. Alone, the live run is drawn as always; ticking "grown"
 * overlays both in their colours with grown's steering marker in its colour; the smoothing slider,
 * the log loss axis and the relative time axis redraw; the loss chart downloads as CSV with both
 * runs' rows (smoothed as TensorBoard smooths), as SVG with both curves, and as PNG.
 */
class UiCompareIT {
  private static final int STEPS = 24;

  @TempDir
  Path dir;

  @Test
  void twoRunsAreOverlaidSmoothedAndDownloaded() throws Exception {
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    RunFixtures.steeredRun(runs, "grown", STEPS, 2);
    var live = runs.create("live", RunFixtures.config(SessionFixtures.config()));
    try (TrainingSession session = new TrainingSession(SessionFixtures.config(), SessionFixtures.data())) {
      session.keepRun(RunLog.open(live.historyFile()), true);
      session.start(false);
      assertThat(session.submit(new Command.Step(STEPS)).get().ok()).isTrue();
      long deadline = System.nanoTime() + 60_000_000_000L;
      while (session.latest().step() < STEPS || !session.latest().state().equals("paused")) {
        if (System.nanoTime() > deadline) throw new AssertionError("the live session did not train " + STEPS + " steps in 60 s");
        Thread.sleep(10);
      }
      try (WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null), new KeptRuns(runs, "live"));
          BrowserUnderTest browser = BrowserUnderTest.open(server, "/#stats")) {
        overlay(browser.page, dir);
        browser.screenshot("stats-compare");
        assertThat(browser.consoleErrors).as("console errors").isEmpty();
      }
    }
  }

  private static void overlay(Page page, Path dir) throws Exception {
    page.waitForFunction("() => document.querySelectorAll('input[name=stats-run]').length === 2");
    assertThat(page.isChecked("input[name=stats-run][value=live]")).isTrue();
    assertThat(page.isChecked("input[name=stats-run][value=grown]")).isFalse();
    // the live run alone: drawn as always
    page.waitForFunction("() => document.querySelector('#chart-loss path.line-loss')?.getAttribute('d')?.length > 0");
    assertThat(page.isHidden("#chart-overlay-loss")).isTrue();

    page.check("input[name=stats-run][value=grown]");
    page.waitForFunction("() => document.querySelectorAll('#chart-overlay-loss path.run-line').length === 2");
    assertThat(page.isHidden("#chart-loss")).isTrue();
    String liveColour = page.getAttribute("#chart-overlay-loss path.run-line[data-run=live]", "stroke");
    String grownColour = page.getAttribute("#chart-overlay-loss path.run-line[data-run=grown]", "stroke");
    assertThat(liveColour).isNotEqualTo(grownColour);
    assertThat(page.evaluate("() => getComputedStyle(document.querySelector(\"#stats-runs input[value=grown] + .run-swatch\"))"
        + ".backgroundColor")).isEqualTo(rgb(grownColour));
    for (String run : List.of("live", "grown")) {
      assertThat(page.getAttribute("#chart-overlay-loss path.run-line[data-run=" + run + "]", "d")).as(run).startsWith("M").contains("L");
      assertThat(page.getAttribute("#chart-overlay-accuracy path.run-line[data-run=" + run + "]", "d")).as(run).startsWith("M");
      assertThat(page.getAttribute("#chart-overlay-throughput path.run-line[data-run=" + run + "]", "d")).as(run).startsWith("M");
    }
    assertThat(page.getAttribute("#chart-overlay-loss g.run-marker[data-run=grown] line", "stroke")).isEqualTo(grownColour);
    assertThat(page.textContent("#chart-overlay-loss g.run-marker[data-run=grown] title")).startsWith("grown · step 12: ");

    String path = "#chart-overlay-loss path.run-line[data-run=grown]";
    String before = page.getAttribute(path, "d");
    page.locator("#stats-smoothing").fill("0.3");
    page.waitForFunction("([p, d]) => document.querySelector(p).getAttribute('d') !== d", List.of(path, before));
    assertThat(page.textContent("#stats-smoothing-value")).isEqualTo("0.300");
    String smoothed = page.getAttribute(path, "d");
    page.check("#stats-log");
    page.waitForFunction("([p, d]) => document.querySelector(p).getAttribute('d') !== d", List.of(path, smoothed));
    page.check("input[name=stats-x][value=relative]");
    page.waitForFunction("() => [...document.querySelectorAll('#chart-overlay-loss text')].some(t => t.textContent === 'time since the run started')");

    String csv = Files.readString(save(page, "csv", dir));
    List<String> lines = csv.lines().toList();
    assertThat(lines.getFirst()).isEqualTo("run,series,step,examplesSeen,wallMillis,value,smoothed");
    assertThat(lines.stream().filter(l -> l.startsWith("\"live\",\"batch loss\","))).hasSize(STEPS);
    assertThat(lines.stream().filter(l -> l.startsWith("\"grown\",\"batch loss\","))).hasSize(STEPS);
    assertSmoothedAsTensorBoard(lines.stream().filter(l -> l.startsWith("\"grown\",\"batch loss\",")).toList(), 0.3);
    String svg = Files.readString(save(page, "svg", dir));
    assertThat(svg).contains("xmlns=\"http://www.w3.org/2000/svg\"").contains("data-run=\"live\"").contains("data-run=\"grown\"");
    byte[] png = Files.readAllBytes(save(page, "png", dir));
    assertThat(png.length).isGreaterThan(1000);
    assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");
  }

  /**
   * Each CSV row's smoothed value is TensorBoard's debiased moving average of the values so far:
   * m_k = w·m_(k-1) + (1-w)·y_k, shown as m_k / (1 - w^k).
   */
  private static void assertSmoothedAsTensorBoard(List<String> rows, double w) {
    double m = 0;
    int k = 0;
    for (String row : rows) {
      String[] cells = row.split(",");
      double value = Double.parseDouble(cells[5]);
      m = w * m + (1 - w) * value;
      k++;
      assertThat(Double.parseDouble(cells[6])).as(row).isCloseTo(m / (1 - Math.pow(w, k)), org.assertj.core.data.Offset.offset(1e-9));
    }
  }

  /** Clicks the loss chart's download button for {@code format} and returns the file saved. */
  private static Path save(Page page, String format, Path dir) {
    Download download = page.waitForDownload(() -> page.click("#chart-overlay-loss button[data-format=" + format + "]"));
    assertThat(download.suggestedFilename()).isEqualTo("revacnn-loss." + format);
    Path file = dir.resolve("download." + format);
    download.saveAs(file);
    return file;
  }

  /** "#rrggbb" as CSS computes it: "rgb(r, g, b)". */
  private static String rgb(String hex) {
    int v = Integer.parseInt(hex.substring(1), 16);
    return "rgb(" + (v >> 16) + ", " + ((v >> 8) & 255) + ", " + (v & 255) + ")";
  }
}
