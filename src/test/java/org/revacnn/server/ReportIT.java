package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.cli.Main;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunsFolder;

/**
 * The page {@code revacnn report} writes, opened from its file in Chromium with no server: both
 * runs' curves are drawn (SVG paths in their colours), the grown run's steering marker shows, the
 * smoothing slider redraws the curves, the console stays clean, and the page requests nothing but
 * the file itself.
 */
class ReportIT {
  @TempDir
  Path dir;

  @Test
  void theReportOpensFromItsFileWithItsChartsDrawnAndLoadsNothingElse() throws Exception {
    RunsFolder runs = new RunsFolder(dir.resolve("runs"));
    RunFixtures.trainedRun(runs, "plain", 24);
    RunFixtures.steeredRun(runs, "grown", 24, 2);
    Path out = dir.resolve("report.html");
    int exit = Main.commandLine().execute("report", "plain", "grown", "--runs", runs.folder().toString(), "--out", out.toString());
    assertThat(exit).isZero();

    try (BrowserUnderTest browser = BrowserUnderTest.openFile(out)) {
      var page = browser.page;
      page.waitForFunction("() => document.querySelectorAll('#chart-loss path.run-line').length === 2");
      for (String chart : List.of("#chart-loss", "#chart-accuracy", "#chart-throughput")) {
        for (String run : List.of("plain", "grown")) {
          String d = page.getAttribute(chart + " path.run-line[data-run='" + run + "']", "d");
          assertThat(d).as(chart + " " + run).isNotNull().startsWith("M").contains("L");
        }
      }
      @SuppressWarnings("unchecked")
      List<String> colours = (List<String>) page.locator("#chart-loss path.run-line")
          .evaluateAll("ps => ps.map(p => p.getAttribute('stroke'))");
      assertThat(colours).hasSize(2).doesNotHaveDuplicates();
      assertThat(page.locator("#chart-loss g.run-marker[data-run='grown'] title").first().textContent())
          .startsWith("grown · step 12: add-filters");
      assertThat(page.locator("#chart-loss g.run-marker[data-run='plain']").count()).isZero();

      String before = page.getAttribute("#chart-loss path.run-line[data-run='grown']", "d");
      page.locator("#smoothing").fill("0.2");
      page.waitForFunction("d => document.querySelector(\"#chart-loss path.run-line[data-run='grown']\").getAttribute('d') !== d", before);

      browser.screenshot("report");
      assertThat(browser.consoleErrors).as("console errors").isEmpty();
      assertThat(browser.requests).as("requests").containsExactly(out.toUri().toString());
    }
  }
}
