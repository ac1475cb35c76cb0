package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.Run;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunLog;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;

/**
 * A live fork in a real browser against the real server (docs/PROTOCOL.md "Fork"), keeping its runs
 * in a temporary runs folder as serve does: Fork splits the training run "live" into A and B (run
 * "live-fork1"); Training Stats overlays both branches' curves; the branch switch shows B, whose
 * conv2 the + grows while A's stays as it was (and back and forth, the network view follows the
 * branch shown); the page's reads of a network ask for the branch shown; Keep A ends B and the fork
 * bar is back to one branch, its Fork button enabled. Screenshot: target/screenshots/fork.png
 * (copied to docs/img/fork.png by hand).
 */
class UiForkIT {
  private static final String CONV2_NODES = ".layer-col[data-layer='conv2'] button.node";
  private static final String FORKED_RUN = "live-fork1";

  @TempDir
  Path dir;

  @Test
  void forkOverlaySteerBAndKeepA() throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    SessionConfig config = SessionFixtures.config().withDivergence(1e9, 100).withHyperparameters(
        Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.002f));
    Run live = runs.create("live", RunFixtures.config(config));
    try (TestServer served = TestServer.serveUnstarted(config, null, new KeptRuns(runs, "live"))) {
      served.session.keepRun(RunLog.open(live.historyFile()), true);
      served.session.start(true);
      try (BrowserUnderTest browser = BrowserUnderTest.open(served.server)) {
        Page page = browser.page;
        page.waitForFunction("() => window.revacnn.store.state.snapshot?.step >= 10");
        page.waitForFunction("n => document.querySelectorAll(n).length > 0", CONV2_NODES);
        int filters = page.locator(CONV2_NODES).count();
        assertThat(page.locator(".branch-choice").count()).as("no branch switch before a fork").isZero();

        page.click("#btn-fork");
        page.waitForFunction("() => document.querySelectorAll('.branch-choice').length === 2"
            + " && document.querySelectorAll('.branch-keep-button').length === 2");
        assertThat(page.isDisabled("#btn-fork")).as("one fork at a time").isTrue();
        assertThat(served.branched.branchIds()).containsExactly("A", "B");
        assertThat(page.getAttribute(".branch-choice[data-branch=A]", "aria-checked")).isEqualTo("true");

        // B shown and grown by the + of conv2; A keeps its filters
        page.click(".branch-choice[data-branch=B]");
        page.waitForFunction("() => document.querySelector('.branch-choice[data-branch=B]').getAttribute('aria-checked') === 'true'");
        browser.dismissToasts();
        page.click(".layer-col[data-layer='conv2'] button.add-filter");
        waitForNodes(page, filters + 1);
        assertThat(conv2(served.branched.branch("B").architecture())).isEqualTo(filters + 1);
        assertThat(conv2(served.branched.branch("A").architecture())).isEqualTo(filters);
        page.click(".branch-choice[data-branch=A]");
        waitForNodes(page, filters);
        page.click(".branch-choice[data-branch=B]");
        waitForNodes(page, filters + 1);
        // the page reads B's network once it shows B (recommendations are asked soon after a hello)
        page.waitForFunction("() => performance.getEntriesByType('resource')"
            + ".some(e => e.name.includes('/api/recommendations?branch=B'))");

        // Training Stats: both branches' curves overlaid, B's growth marked on its curve
        browser.tab("stats");
        for (String run : List.of("live", FORKED_RUN)) {
          page.waitForFunction("r => document.querySelector(`#chart-overlay-loss path.run-line[data-run='${r}']`)"
              + "?.getAttribute('d')?.includes('L')", run);
          assertThat(page.isChecked("input[name=stats-run][value='" + run + "']")).as(run).isTrue();
        }
        assertThat(page.getAttribute("#chart-overlay-loss path.run-line[data-run=live]", "stroke"))
            .isNotEqualTo(page.getAttribute("#chart-overlay-loss path.run-line[data-run=" + FORKED_RUN + "]", "stroke"));
        page.waitForSelector("#chart-overlay-loss g.run-marker[data-run=" + FORKED_RUN + "]");
        browser.dismissToasts();
        browser.screenshot("fork");

        // Keep A: B ends, the bar is back to one branch and the page shows A
        page.click(".branch-keep-button[data-branch=A]");
        page.waitForFunction("() => document.querySelectorAll('.branch-choice').length === 0"
            + " && document.querySelectorAll('.branch-keep-button').length === 0"
            + " && !document.querySelector('#btn-fork').disabled");
        assertThat(served.branched.branchIds()).containsExactly("A");
        browser.tab("network");
        waitForNodes(page, filters);
        assertThat(browser.consoleErrors).as("console errors").isEmpty();
      }
    }
  }

  private static void waitForNodes(Page page, int count) {
    page.waitForFunction("([s, n]) => document.querySelectorAll(s).length === n", List.of(CONV2_NODES, count));
  }

  private static int conv2(Architecture architecture) {
    return architecture.layers().stream().filter(l -> l.id().equals("conv2")).findFirst().orElseThrow().filters();
  }
}
