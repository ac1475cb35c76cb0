package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.revacnn.data.Datasets;
import org.revacnn.data.SyntheticShapes;
import org.revacnn.data.ValidationSplit;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.Command;
import org.revacnn.session.Evaluation;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * The Test view on 2,000 synthetic test images in a real browser against the real server: "all"
 * evaluates every image, the grid holds one page (100) of them and pages through them in order, and a
 * confusion cell (clicked, or Enter on it) shows exactly its images, the count in the title, page by
 * page. What the cell should hold is worked out here, independently, by evaluating the paused
 * network (trained a little first, so that its busiest cell spans more than one page).
 */
class UiTestViewIT {
  private static final int TEST_IMAGES = 2000;
  private static final int PAGE = 100;
  /** Adam at 0.002 learns the shapes within a few hundred batches of 4, so the diagonal cells outgrow a page. */
  private static final int TRAINING_STEPS = 300;

  @Test
  void pagesThroughAllImagesAndThroughOneConfusionCell() throws Exception {
    Datasets data = SyntheticShapes.datasets(400, TEST_IMAGES, 42, ValidationSplit.ofCount(40, 7));
    SessionConfig config = SessionFixtures.config().withDivergence(1e9, 100)
        .withHyperparameters(Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.002f));
    try (TrainingSession session = new TrainingSession(config, data)) {
      session.start(false);
      trainAndPause(session, TRAINING_STEPS);
      Evaluation.Result truth = session.query(net -> Evaluation.run(net, data.test(), session.normalization(), TEST_IMAGES, Evaluation.CHUNK))
          .get(60, TimeUnit.SECONDS);
      try (WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null));
          BrowserUnderTest browser = BrowserUnderTest.open(server, "/#test")) {
        Page page = browser.page;
        page.waitForFunction("() => document.querySelectorAll('#test-grid figure.pred').length > 0");
        page.selectOption("#test-count", String.valueOf(TEST_IMAGES));
        assertThat(page.textContent("#test-count option:checked")).isEqualTo("all (2,000)");
        page.click("#test-run");
        page.waitForFunction("() => document.querySelector('#grid-title').textContent === 'Predictions on 2,000 test images'");
        awaitPage(page, "1–100 of 2,000");
        assertThat(shownIndices(page)).isEqualTo(range(0, PAGE));

        page.click("#page-next");
        awaitPage(page, "101–200 of 2,000");
        assertThat(shownIndices(page)).isEqualTo(range(PAGE, 2 * PAGE));
        page.click("#page-prev");
        awaitPage(page, "1–100 of 2,000");
        assertThat(page.isDisabled("#page-prev")).isTrue();

        int[] cell = busiestCell(truth);
        List<Integer> expected = imagesOf(truth, data, cell[0], cell[1]);
        assertThat(expected.size()).as("the busiest cell spans more than one page").isGreaterThan(PAGE);
        String actual = SyntheticShapes.CLASS_NAMES.get(cell[0]);
        String predicted = SyntheticShapes.CLASS_NAMES.get(cell[1]);
        long clicked = System.nanoTime();
        page.click("#confusion rect.cell[aria-label^='" + actual + " predicted as " + predicted + ":']");
        page.waitForFunction("t => document.querySelector('#grid-title').textContent === t",
            actual + " predicted as " + predicted + " (" + expected.size() + ")");
        awaitPage(page, "1–100 of " + expected.size());
        double firstPageSeconds = (System.nanoTime() - clicked) / 1e9;
        assertThat(firstPageSeconds).as("the cell's first page shows within seconds").isLessThan(5);
        System.out.printf("UiTestViewIT: click on a cell of %d images -> its first page in the grid: %.0f ms%n", expected.size(), firstPageSeconds * 1e3);
        List<Integer> shown = new ArrayList<>(shownIndices(page));
        while (!page.isDisabled("#page-next")) {
          int from = shown.size();
          page.click("#page-next");
          awaitPage(page, (from + 1) + "–" + Math.min(from + PAGE, expected.size()) + " of " + expected.size());
          shown.addAll(shownIndices(page));
        }
        assertThat(shown).as("the cell's images, page by page").isEqualTo(expected);
        assertThat(page.evaluate("() => [...document.querySelectorAll('#test-grid figure.pred')]"
            + ".every(f => f.dataset.label === f.dataset.predicted || f.classList.contains('wrong'))")).isEqualTo(true);

        // another cell, from the keyboard: Enter on it
        int[] other = busiestCellBut(truth, cell);
        List<Integer> others = imagesOf(truth, data, other[0], other[1]);
        String otherCell = SyntheticShapes.CLASS_NAMES.get(other[0]) + " predicted as " + SyntheticShapes.CLASS_NAMES.get(other[1]);
        page.focus("#confusion rect.cell[aria-label^='" + otherCell + ":']");
        page.keyboard().press("Enter");
        page.waitForFunction("t => document.querySelector('#grid-title').textContent === t", otherCell + " (" + others.size() + ")");
        awaitPage(page, "1–" + Math.min(PAGE, others.size()) + " of " + others.size());
        assertThat(shownIndices(page)).isEqualTo(others.subList(0, Math.min(PAGE, others.size())));
        browser.screenshot("test-paged");
        page.click("#grid-all");
        page.waitForFunction("() => document.querySelector('#grid-title').textContent === 'Predictions on 2,000 test images'");
        awaitPage(page, "1–100 of 2,000");
        assertThat(browser.requests).as("sprite sheets of one page each").filteredOn(url -> url.contains("/sprite"))
            .isNotEmpty().allSatisfy(url -> assertThat(url).contains("/api/test/sprite?").contains("limit=100"));
        assertThat(browser.consoleErrors).as("console errors").isEmpty();
      }
    }
  }

  /** Waits until the pager says {@code status} and the grid holds that page (at most one page of figures). */
  private static void awaitPage(Page page, String status) {
    page.waitForFunction("s => document.querySelector('#page-status').textContent === s"
        + " && !document.querySelector('#test-grid').hasAttribute('aria-busy')", status);
    int figures = ((Number) page.evaluate("() => document.querySelectorAll('#test-grid figure').length")).intValue();
    String[] range = status.split(" ")[0].split("–");
    assertThat(figures).as("figures in the DOM on page %s", status)
        .isEqualTo(Integer.parseInt(range[1].replace(",", "")) - Integer.parseInt(range[0].replace(",", "")) + 1)
        .isLessThanOrEqualTo(PAGE);
  }

  private static List<Integer> shownIndices(Page page) {
    List<Integer> indices = new ArrayList<>();
    @SuppressWarnings("unchecked")
    List<Object> values = (List<Object>) page.evaluate("() => [...document.querySelectorAll('#test-grid figure.pred')].map(f => Number(f.dataset.index))");
    for (Object value : values) indices.add(((Number) value).intValue());
    return indices;
  }

  /** The cell {actual, predicted} holding the most images. */
  private static int[] busiestCell(Evaluation.Result truth) {
    return busiestCellBut(truth, new int[] {-1, -1});
  }

  /** The cell {actual, predicted} other than {@code not} holding the most images. */
  private static int[] busiestCellBut(Evaluation.Result truth, int[] not) {
    int[][] confusion = truth.confusion();
    int[] best = null;
    for (int a = 0; a < confusion.length; a++) for (int p = 0; p < confusion.length; p++) {
      boolean excluded = a == not[0] && p == not[1];
      if (!excluded && (best == null || confusion[a][p] > confusion[best[0]][best[1]])) best = new int[] {a, p};
    }
    return best;
  }

  /** Trains {@code steps} batches and waits until the session has paused after them. */
  private static void trainAndPause(TrainingSession session, int steps) throws Exception {
    assertThat(session.submit(new Command.Step(steps)).get(20, TimeUnit.SECONDS).ok()).isTrue();
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (session.latest().step() < steps || !session.latest().state().equals("paused")) {
      if (System.nanoTime() > deadline) throw new AssertionError("the session did not train " + steps + " steps in 60 s");
      Thread.sleep(10);
    }
  }

  /** The images of true class {@code actual} predicted as {@code predicted}, ascending. */
  private static List<Integer> imagesOf(Evaluation.Result truth, Datasets data, int actual, int predicted) {
    List<Integer> images = new ArrayList<>();
    for (int i = 0; i < TEST_IMAGES; i++) if (data.test().label(i) == actual && truth.top3()[i][0] == predicted) images.add(i);
    return images;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> all = new ArrayList<>();
    for (int i = from; i < to; i++) all.add(i);
    return all;
  }
}
