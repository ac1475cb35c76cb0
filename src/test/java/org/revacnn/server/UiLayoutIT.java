package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The page's layout and interaction in a real browser (Debian chromium through Playwright): it fits
 * narrow windows, an alert never covers the tabs, filter nodes are still targets reachable by
 * keyboard, chart labels never collide, the throughput chart survives a reload, the Test view's
 * images come in one request, and classifying an upload is not steering. One page and one small
 * synthetic session (Adam at 0.002, as in UiIT) are shared by the ordered tests; console errors
 * must stay empty. Screenshots go to target/screenshots/.
 */
class UiLayoutIT extends SharedPageTestBase {
  private static final List<String> TABS = List.of("network", "stats", "tsne", "test");

  UiLayoutIT() {
    super(true);
  }

  @BeforeAll
  void waitForTheFirstDrawing() {
    waitForNetwork();
  }

  /** Loads the page afresh and waits until it draws the network. */
  private void open() {
    browser.navigate("/");
    waitForNetwork();
  }

  private void waitForNetwork() {
    page.waitForFunction("() => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length > 0");
  }

  private void pause() throws Exception {
    served.command("{\"type\":\"pause\"}");
    browser.waitForRunState("paused");
  }

  private void resume() throws Exception {
    served.command("{\"type\":\"resume\"}");
    browser.waitForRunState("running");
  }

  /** Whether the element's box lies inside the window (no scrolling needed to see it). */
  private boolean inViewport(String selector) {
    return (Boolean) page.evaluate("s => { const e = document.querySelector(s); if (!e) return false;"
        + " const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0"
        + " && b.right <= innerWidth && b.bottom <= innerHeight; }", selector);
  }

  /** Whether a click at the element's centre reaches it (nothing lies over it). */
  private boolean onTop(String selector) {
    return (Boolean) page.evaluate("s => { const e = document.querySelector(s); const b = e.getBoundingClientRect();"
        + " const hit = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2); return !!hit && e.contains(hit); }", selector);
  }

  private int horizontalOverflow() {
    return ((Number) page.evaluate("() => document.scrollingElement.scrollWidth - innerWidth")).intValue();
  }


  @Test
  @Order(1)
  void fitsDownTo1024x640WithoutSidewaysScrollAndStaysUsableAt800() {
    for (int[] size : new int[][] {{1024, 640}, {800, 600}}) {
      page.setViewportSize(size[0], size[1]);
      for (String name : TABS) {
        browser.tab(name);
        page.waitForTimeout(150);
        String where = name + " at " + size[0] + "x" + size[1];
        assertThat(horizontalOverflow()).as("sideways scroll of %s", where).isLessThanOrEqualTo(0);
        for (String control : List.of("#btn-pause", "#btn-resume", "#btn-step", "#connection", "#tab-" + name)) {
          assertThat(inViewport(control)).as("%s on screen in %s", control, where).isTrue();
        }
      }
      browser.screenshot("layout-" + size[0]);
    }
    browser.defaultViewport();
    browser.tab("network");
  }

  /** Every filter node's box (the click target) in one string, in page coordinates. */
  private static final String NODE_BOXES = "() => [...document.querySelectorAll('button.node')].map(n => {"
      + " const b = n.getBoundingClientRect(); return `${n.dataset.id}:${b.left},${b.top},${b.width},${b.height}`; }).join('|')";

  @Test
  @Order(2)
  void filterNodesAreStillTargetsOfAtLeast24PxWhileTheirDrawingsJitter() {
    browser.waitForRunState("running");
    page.waitForTimeout(400);
    String first = (String) page.evaluate(NODE_BOXES);
    String faces = (String) page.evaluate("() => [...document.querySelectorAll('button.node .node-face')].map(f => f.style.transform).join('|')");
    for (int frame = 0; frame < 4; frame++) {
      page.waitForTimeout(90);
      assertThat((String) page.evaluate(NODE_BOXES)).as("node boxes stay put while training").isEqualTo(first);
    }
    assertThat((String) page.evaluate("() => [...document.querySelectorAll('button.node .node-face')].map(f => f.style.transform).join('|')"))
        .as("the drawings inside still jitter").isNotEqualTo(faces);
    double smallest = ((Number) page.evaluate("() => Math.min(...[...document.querySelectorAll('button.node')]"
        + ".map(n => { const b = n.getBoundingClientRect(); return Math.min(b.width, b.height); }))")).doubleValue();
    assertThat(smallest).as("smallest node side in px").isGreaterThanOrEqualTo(24);

    // the filter panel's remove button is on screen without scrolling, with and without the layer panel
    page.click(".layer-col[data-layer='conv2'] button.node >> nth=3");
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv2/f3')");
    page.waitForTimeout(300);
    assertThat(inViewport("#detail-remove")).as("'Remove this filter' visible at 1366x768").isTrue();
    page.click(".layer-col[data-layer='conv2'] button.layer-title");
    page.waitForSelector("#layer-panel:not([hidden])");
    page.waitForTimeout(300);
    assertThat(inViewport("#detail-remove")).as("'Remove this filter' visible with the layer panel open").isTrue();
    browser.screenshot("layout-filter-panel");
    page.click("#layer-panel-close");
  }

  @Test
  @Order(3)
  void aFewTabStopsLeadToTheSidePanelAndArrowKeysMoveBetweenFilters() throws Exception {
    open();
    // paused, so that no snapshot shows or hides a control (a recommendation badge) mid-walk: a hidden
    // focused control sends focus back to the top, which would count the stops twice
    pause();
    page.click(".layer-col[data-layer='conv1'] button.node >> nth=0"); // a selected filter: the side panel has buttons
    page.waitForSelector("#detail-remove");
    // from the first stop (the skip link) onwards, Tab by Tab, noting each stop
    page.focus("#skip-link");
    int presses = 0;
    String inSide = "() => !!document.activeElement?.closest('#view-network aside')";
    String stop = "() => { const e = document.activeElement; return e.tagName + (e.id ? '#' + e.id : '')"
        + " + (e.dataset.id ? '[' + e.dataset.id + ']' : '') + (e.className ? '.' + String(e.className).split(' ')[0] : ''); }";
    List<String> stops = new java.util.ArrayList<>();
    while (!(Boolean) page.evaluate(inSide) && presses < 150) {
      page.keyboard().press("Tab");
      presses++;
      stops.add((String) page.evaluate(stop));
    }
    int layers = page.locator(".layer-col").count();
    int nodes = page.locator("button.node").count();
    assertThat(page.locator("button.node[tabindex='0']").count()).as("one tab stop per layer's filters").isEqualTo(layers);
    assertThat(presses).as("Tab presses from the top to the side panel (%d filters): %s", nodes, stops).isLessThanOrEqualTo(45);

    // the skip link is the first stop, shows when focused and jumps straight there
    assertThat(page.evaluate("() => document.querySelector('a[href], button, input, select, [tabindex]').id")).isEqualTo("skip-link");
    page.focus("#skip-link");
    assertThat(inViewport("#skip-link")).isTrue();
    page.keyboard().press("Enter");
    assertThat(page.evaluate(inSide)).as("focus in the side panel after the skip link").isEqualTo(true);

    // arrow keys inside a layer's grid, Enter selects the filter
    page.focus(".layer-col[data-layer='conv2'] button.node[tabindex='0']");
    String start = (String) page.evaluate("() => document.activeElement.dataset.id");
    page.keyboard().press("Home");
    assertThat(page.evaluate("() => document.activeElement.dataset.id")).isEqualTo("conv2/f0");
    page.keyboard().press("ArrowDown");
    page.keyboard().press("ArrowDown");
    assertThat(page.evaluate("() => document.activeElement.dataset.id")).isEqualTo("conv2/f2");
    page.keyboard().press("ArrowUp");
    assertThat(page.evaluate("() => document.activeElement.dataset.id")).isEqualTo("conv2/f1");
    assertThat(page.locator(".layer-col[data-layer='conv2'] button.node[tabindex='0']").getAttribute("data-id")).isEqualTo("conv2/f1");
    page.keyboard().press("Enter");
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv2/f1')");
    assertThat(start).startsWith("conv2/f");

    // a control disabled by a render (here "−" once no filter is selected) hands focus to its layer's tab stop
    page.focus(".layer-col[data-layer='conv2'] .remove-filter");
    page.evaluate("() => window.revacnn.store.select(null)");
    page.waitForFunction("() => document.querySelector(\".layer-col[data-layer='conv2'] .remove-filter\").disabled");
    page.waitForFunction("() => document.activeElement?.matches(\".layer-col[data-layer='conv2'] button.node[tabindex='0']\")");
    resume();
  }

  @Test
  @Order(4)
  void theThroughputChartKeepsItsHistoryAfterAReload() throws Exception {
    page.waitForFunction("() => window.revacnn.store.state.snapshot.step > 60");
    pause();
    open();
    browser.tab("stats");
    page.waitForFunction("() => document.querySelector('path.line-ips')?.getAttribute('d')");
    int points = ((Number) page.evaluate("() => document.querySelector('path.line-ips').getAttribute('d').split(/[ML]/).length - 1")).intValue();
    long steps = session.latest().step();
    assertThat(points).as("throughput points drawn right after a reload, paused at step %d", steps).isGreaterThanOrEqualTo(20);
    assertThat(page.evaluate("() => window.revacnn.store.state.throughput.every(t => t.imagesPerSecond >= 0)")).isEqualTo(true);
    resume();
  }

  @Test
  @Order(5)
  void markerLabelsNeverCollideAndTheXAxisSwitches() throws Exception {
    browser.tab("stats");
    pause();
    // nine changes at the same step, from the page: their markers stand on one line
    page.evaluate("() => { for (let i = 1; i <= 8; i++) window.revacnn.actions.command(['set-hyperparameters', {learningRate: 0.002 + 0.0001 * i}]);"
        + " window.revacnn.actions.command(['add-filters', {layer: 'conv3', count: 1}]); }");
    page.waitForFunction("() => document.querySelectorAll('#chart-loss g.marker').length >= 9");
    page.waitForTimeout(200);
    String overlaps = "() => { const boxes = [...document.querySelectorAll('#chart-loss text.marker-label')]"
        + ".filter(t => getComputedStyle(t).display !== 'none' && t.textContent).map(t => t.getBoundingClientRect());"
        + " let hits = 0; for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {"
        + " const a = boxes[i], b = boxes[j]; if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) hits++; }"
        + " return [boxes.length, hits]; }";
    for (String window : List.of("2", "0")) {
      page.check("input[name=stats-window][value='" + window + "']");
      page.waitForTimeout(200);
      List<?> result = (List<?>) page.evaluate(overlaps);
      assertThat(((Number) result.get(0)).intValue()).as("labels shown").isPositive();
      assertThat(((Number) result.get(1)).intValue()).as("overlapping marker labels (window %s)", window).isZero();
    }
    // the history carries examples seen and wall time per point (the hello of open() included them)
    assertThat(page.evaluate("() => { const s = window.revacnn.store.state.series; return s.steps.length > 20"
        + " && s.examples.every(e => e > 0) && s.wall.every(w => w > 1.6e12); }")).isEqualTo(true);
    String ticks = "() => [...document.querySelectorAll('#chart-loss .x-axis .tick text')].map(t => t.textContent).join(' ')";
    String stepTicks = (String) page.evaluate(ticks);
    page.check("input[name=stats-x][value=examples]");
    page.waitForFunction("() => document.querySelector('#chart-loss .axis-label').textContent === 'examples seen'");
    String exampleTicks = (String) page.evaluate(ticks);
    // batches of 4: examples = 4 x steps, so the axis reads differently
    assertThat(exampleTicks).isNotEqualTo(stepTicks);
    page.check("input[name=stats-x][value=time]");
    page.waitForFunction("() => document.querySelector('#chart-loss .axis-label').textContent === 'wall time'");
    assertThat((String) page.evaluate(ticks)).as("wall-clock ticks").contains(":");
    assertThat(page.locator("#chart-loss g.marker").count()).isGreaterThanOrEqualTo(9);
    assertThat(page.getAttribute("#chart-loss path.line-loss", "d")).isNotEmpty();
    browser.screenshot("layout-stats-markers");
    page.check("input[name=stats-x][value=step]");
    resume();
  }

  @Test
  @Order(6)
  void theTestViewLoadsItsImagesInOneRequest() {
    browser.requests.clear();
    browser.tab("test");
    page.waitForFunction("() => document.querySelectorAll('#test-grid figure.pred').length >= 50");
    page.waitForTimeout(500);
    assertThat(browser.requests.stream().filter(u -> u.contains("/api/images/")).toList()).as("one request per image").isEmpty();
    assertThat(browser.requests.stream().filter(u -> u.contains("/sprite")).toList()).as("sprite requests").hasSize(1);
    assertThat(page.evaluate("() => getComputedStyle(document.querySelector('#test-grid .thumb')).backgroundImage")).asString()
        .contains("/api/test/sprite?report=").contains("&offset=0&limit=100");
  }

  @Test
  @Order(7)
  void classifyingAnUploadLeavesTheProbeAndTheLogAloneUntilAskedTo() throws Exception {
    browser.tab("test");
    int logBefore = served.getJson("/api/history?maxPoints=10").get("steering").size();
    int clientLog = ((Number) page.evaluate("() => window.revacnn.store.state.steering.length")).intValue();
    page.setInputFiles("#test-upload", BrowserUnderTest.upload("disc.png", Color.BLACK, Color.ORANGE));
    page.waitForFunction("() => document.querySelectorAll('#upload-bars .bar-row').length === 3");
    assertThat(page.inputValue("#upload-label")).as("the upload's label starts unknown").isEmpty();
    assertThat(page.textContent("#upload-label option:checked")).isEqualTo("unknown");
    page.waitForTimeout(300);
    assertThat(page.evaluate("() => window.revacnn.store.state.snapshot.probe.index")).as("the probe is unchanged").isEqualTo(0);
    assertThat(session.latest().probe().index()).isEqualTo(0);
    assertThat(served.getJson("/api/history?maxPoints=10").get("steering").size()).as("server steering log").isEqualTo(logBefore);
    assertThat(page.evaluate("() => window.revacnn.store.state.steering.length")).as("client steering log").isEqualTo(clientLog);

    // asked to: it becomes the probe, of unknown class
    page.click("#upload-use");
    page.waitForFunction("() => window.revacnn.store.state.snapshot?.probe?.index === null");
    assertThat(session.latest().probe().label()).as("an unknown label").isNull();
    browser.tab("network");
    page.waitForFunction("() => document.querySelector('#probe-caption').textContent.startsWith('uploaded · unknown')");
    assertThat(page.inputValue("#probe-label")).as("the Network view's upload label starts unknown too").isEmpty();
    served.command("{\"type\":\"set-probe\",\"payload\":{\"image\":0}}");
  }

  @Test
  @Order(8)
  void anAlertSitsInThePageFlowAndNeverCoversTheTabs() throws Exception {
    pause();
    served.command("{\"type\":\"set-hyperparameters\",\"payload\":{\"optimizer\":\"sgd\",\"learningRate\":1000000}}");
    served.command("{\"type\":\"step\",\"payload\":{\"batches\":5}}");
    page.waitForSelector("#alert:not([hidden])");
    for (int[] size : new int[][] {{1024, 640}, {1366, 768}}) {
      page.setViewportSize(size[0], size[1]);
      page.waitForTimeout(150);
      for (String name : TABS) {
        assertThat(onTop("#tab-" + name)).as("tab %s reachable at %dx%d with the alert showing", name, size[0], size[1]).isTrue();
        browser.tab(name); // a real click: Playwright refuses when something covers the tab
      }
      assertThat(horizontalOverflow()).isLessThanOrEqualTo(0);
      assertThat(onTop("#btn-resume")).isTrue();
      browser.screenshot("layout-alert-" + size[0]);
    }
    page.click("#alert .alert-close");
    assertThat(page.isHidden("#alert")).as("the alert is dismissed").isTrue();
    page.waitForTimeout(300);
    assertThat(page.isHidden("#alert")).as("and stays dismissed").isTrue();
    served.command("{\"type\":\"set-hyperparameters\",\"payload\":{\"optimizer\":\"adam\",\"learningRate\":0.002}}");
  }
}
