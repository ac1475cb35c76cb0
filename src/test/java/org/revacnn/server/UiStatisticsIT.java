package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.revacnn.engine.Conv;
import org.revacnn.session.Command;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.SteeringEntry;
import org.revacnn.session.TrainingSession;

/**
 * The filter statistics and removal advice in a real browser (Debian chromium through Playwright)
 * against the real server: the filter panel shows each measure once and says what it is averaged
 * over; a new filter is too new to judge; "Remove recommended" removes a layer's recommended filters
 * in one step that one Undo reverts. The session (the small synthetic one, default settings) gets
 * two planted dead filters in conv2 (bias -100: their ReLU never fires, so no gradient reaches them
 * and they stay dead) and trains 500 steps, the age and rounds a filter needs to be judged,
 * then stays paused, so the advice holds still.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class UiStatisticsIT {
  private static final List<String> DEAD = List.of("conv2/f4", "conv2/f7");
  private static final int TRAINED_STEPS = 500;

  private TrainingSession session;
  private WebServer server;
  private BrowserUnderTest browser;
  private Page page;

  @BeforeAll
  void start() throws Exception {
    session = new TrainingSession(SessionFixtures.config(), SessionFixtures.data());
    session.start(false);
    session.query(net -> {
      float[] bias = ((Conv) net.layer("conv2")).bias().value();
      for (String id : DEAD) bias[Integer.parseInt(id.substring(id.indexOf("/f") + 2))] = -100;
      return null;
    }).get();
    assertThat(session.submit(new Command.Step(TRAINED_STEPS)).get().ok()).isTrue();
    long deadline = System.nanoTime() + 120_000_000_000L;
    while (session.latest().step() < TRAINED_STEPS || !session.latest().state().equals("paused")) {
      if (System.nanoTime() > deadline) throw new AssertionError("the session did not train " + TRAINED_STEPS + " steps in 120 s");
      Thread.sleep(20);
    }
    server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null));
    browser = BrowserUnderTest.open(server);
    page = browser.page;
    page.waitForFunction("() => window.revacnn.store.state.recommendations?.step >= " + TRAINED_STEPS);
  }

  @AfterAll
  void stop() {
    if (browser != null) browser.close();
    if (server != null) server.close();
    if (session != null) session.close();
  }

  @AfterEach
  void noConsoleErrors() {
    assertThat(browser.consoleErrors).as("console errors").isEmpty();
  }

  @Test
  @Order(1)
  void theFilterPanelShowsEachMeasureOnceAndItsWindow() {
    page.click(".layer-col[data-layer='conv2'] button.node[data-id='conv2/f4']");
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv2/f4')");
    page.waitForSelector("#detail-rec:not([hidden])");
    assertThat(page.textContent("#detail-rec-title")).contains("dead");

    // one APoZ and one Taylor value in the whole panel, the snapshot's, the evidence row marked
    List<String> terms = page.locator("#detail-body dt").allTextContents();
    assertThat(terms.stream().filter(t -> t.startsWith("APoZ"))).hasSize(1);
    assertThat(terms.stream().filter(t -> t.startsWith("Taylor"))).hasSize(1);
    assertThat(terms.stream().filter(t -> t.startsWith("L1"))).hasSize(1);
    String apoz = (String) page.evaluate("() => { const l = window.revacnn.store.state.snapshot.layers.find(l => l.id === 'conv2');"
        + " return Number(l.apoz[l.filterIds.indexOf('conv2/f4')]).toPrecision(4); }");
    assertThat(apoz).isEqualTo("1.000");
    assertThat(page.textContent("#detail-stats div.evidence dd")).isEqualTo(apoz);
    assertThat(page.textContent("#detail-stats div.evidence dt")).startsWith("APoZ");
    assertThat(page.textContent("#detail-rec")).doesNotContain("0.9").doesNotContain("1.000");
    assertThat(page.textContent("#detail-window"))
        .contains("mean over the last 5 analysis rounds of 8 validation images (one round every 50 steps)");
  }

  @Test
  @Order(2)
  void aNewFilterIsTooNewToJudge() {
    int before = nodes("conv2");
    page.click(".layer-col[data-layer='conv2'] button.add-filter");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before + 1);
    String added = "conv2/f" + before;
    page.waitForFunction("f => window.revacnn.store.state.recommendations?.layers"
        + ".some(l => (l.tooNew || []).includes(f))", added);
    page.click(".layer-col[data-layer='conv2'] button.node[data-id='" + added + "']");
    page.waitForFunction("f => document.querySelector('#detail-id').textContent.startsWith(f)", added);
    page.waitForSelector("#detail-new:not([hidden])");
    assertThat(page.textContent("#detail-new")).contains("Too new to judge").contains("500 steps");
    assertThat(page.isHidden("#detail-rec")).isTrue();
    assertThat(page.getAttribute(".layer-col[data-layer='conv2'] button.node[data-id='" + added + "']", "class"))
        .doesNotContain("recommended");
  }

  @Test
  @Order(3)
  void removeRecommendedRemovesThemInOneStepAndOneUndoBringsThemBack() {
    page.click(".layer-col[data-layer='conv2'] button.layer-title");
    page.waitForSelector("#layer-panel:not([hidden])");
    page.waitForSelector("#layer-remove-recommended:not([disabled])");
    @SuppressWarnings("unchecked")
    List<String> recommended = (List<String>) page.evaluate("() => window.revacnn.store.state.recommendations.layers"
        + ".find(l => l.layer === 'conv2').removals.map(r => r.filter)");
    assertThat(recommended).containsAll(DEAD);
    assertThat(page.textContent("#layer-remove-recommended")).isEqualTo("Remove " + recommended.size() + " recommended");
    assertThat(page.locator("#layer-weights button.tile.recommended").count()).isEqualTo(recommended.size());
    int before = nodes("conv2");
    long removals = removeEntries();

    page.click("#layer-remove-recommended");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n",
        before - recommended.size());
    for (String id : recommended) assertThat(page.locator("button.node[data-id='" + id + "']").count()).as(id).isZero();

    page.click("#net-undo");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before);
    for (String id : recommended) assertThat(page.locator("button.node[data-id='" + id + "']").count()).as(id).isEqualTo(1);
    assertThat(removeEntries()).as("one remove-filters command").isEqualTo(removals + 1);
  }

  private int nodes(String layer) {
    return page.locator(".layer-col[data-layer='" + layer + "'] button.node").count();
  }

  private long removeEntries() {
    return session.history().steering().stream().map(SteeringEntry::type).filter("remove-filters"::equals).count();
  }
}
