package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The UI in a real browser (Debian chromium through Playwright) against the real server with a
 * small synthetic session (Adam at 0.002, which learns the shapes within a few seconds, so that the
 * pictures show a trained network): every view renders, and the main interaction of each works.
 * One page is shared by the ordered tests; console errors are collected throughout and must stay
 * empty. Screenshots of every view go to target/screenshots/ (copied to docs/img by hand).
 */
class UiIT extends SharedPageTestBase {
  UiIT() {
    super(true);
  }

  private int filters(String layer) throws Exception {
    for (JsonNode l : served.getJson("/api/architecture").get("layers")) {
      // a conv layer's filters, or a dense layer's units (its "filters" field is 0)
      if (l.get("id").asText().equals(layer)) return l.get(l.get("kind").asText().equals("dense") ? "units" : "filters").asInt();
    }
    throw new AssertionError("no layer " + layer);
  }

  private void shot(String name) {
    browser.dismissToasts();
    page.waitForTimeout(100);
    browser.screenshot(name);
  }

  private String transforms(String layer) {
    return (String) page.evaluate("l => [...document.querySelectorAll(`.layer-col[data-layer='${l}'] button.node .node-face`)]"
        + ".map(n => n.style.transform).join('|')", layer);
  }

  private Object probeIndex() {
    return page.evaluate("() => { const p = window.revacnn.store.state.snapshot?.probe; return p ? (p.index ?? 'uploaded') : 'none'; }");
  }

  @Test
  @Order(1)
  void networkViewDrawsLayersAndJittersWhileTraining() {
    browser.tab("network");
    page.waitForFunction("() => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length > 0");
    page.waitForFunction("() => document.querySelectorAll('svg.network-paths path').length > 0");
    assertThat(page.locator(".layer-col").count()).isEqualTo(4); // conv1..conv3 and the output layer
    browser.waitForRunState("running");
    page.waitForTimeout(400);
    String first = transforms("conv1");
    page.waitForTimeout(120);
    String second = transforms("conv1");
    assertThat(second).as("node positions move between frames while training").isNotEqualTo(first);

    page.locator(".layer-col[data-layer='conv1'] button.node").first().click(new Locator.ClickOptions().setForce(true));
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv1/f0')");
    page.waitForFunction("() => document.querySelector('#detail-act-caption').textContent.includes('image #')");
  }

  @Test
  @Order(2)
  void layerPanelShowsEveryFilterAndActivationMap() throws Exception {
    int filters = filters("conv1");
    page.click(".layer-col[data-layer='conv1'] button.layer-title");
    page.waitForSelector("#layer-panel:not([hidden])");
    assertThat(page.textContent("#layer-panel-title")).isEqualTo("Layer conv1");
    page.waitForFunction("n => document.querySelectorAll('#layer-weights button.tile').length === n", filters);
    page.waitForFunction("n => document.querySelectorAll('#layer-maps button.tile').length === n", filters);
    page.waitForFunction("() => document.querySelector('#layer-maps-note').textContent.includes('image #')");
    // weights at the kernel's size (RGB), maps at the layer's output size, captioned with filter ids
    assertThat(page.evaluate("() => document.querySelector('#layer-weights canvas').width")).isEqualTo(5);
    assertThat(page.evaluate("() => document.querySelector('#layer-maps canvas').width")).isEqualTo(32);
    assertThat(page.locator("#layer-maps button.tile").nth(2).getAttribute("data-id")).isEqualTo("conv1/f2");
    assertThat(page.textContent("#layer-maps button.tile:nth-child(3) .tile-caption")).isEqualTo("f2");
    double bigEnough = ((Number) page.evaluate("() => document.querySelector('#layer-maps canvas').getBoundingClientRect().width")).doubleValue();
    assertThat(bigEnough).as("maps are drawn at a readable size").isGreaterThanOrEqualTo(40);

    page.click("#layer-maps button.tile[data-id='conv1/f2']");
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv1/f2')");
    assertThat(page.getAttribute("#layer-maps button.tile[data-id='conv1/f2']", "aria-pressed")).isEqualTo("true");
    page.waitForTimeout(300);
    shot("layer");
  }

  @Test
  @Order(3)
  void nodesStandStillWhilePaused() {
    page.click("#btn-pause");
    browser.waitForRunState("paused");
    try {
      page.waitForTimeout(700);
      String first = transforms("conv1");
      page.waitForTimeout(150);
      assertThat(transforms("conv1")).as("nodes are still while paused").isEqualTo(first)
          .matches("(translate\\(0px, 0px\\)\\|?)+");
    } finally {
      page.click("#btn-resume");
      browser.waitForRunState("running");
    }
  }

  @Test
  @Order(4)
  void serverErrorsAreShown() {
    page.click("#net-undo"); // nothing to undo yet
    page.waitForSelector(".toast-error");
    assertThat(page.textContent(".toast-error")).contains("nothing to undo");
    page.click(".toast-error .toast-close");
  }

  @Test
  @Order(5)
  void addingAndRemovingAFilterChangesTheArchitecture() throws Exception {
    int before = filters("conv2");
    String nodes = ".layer-col[data-layer='conv2'] button.node";
    assertThat(page.locator(nodes).count()).isEqualTo(before);
    page.click(".layer-col[data-layer='conv2'] button.add-filter");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before + 1);
    assertThat(filters("conv2")).isEqualTo(before + 1);

    // the open layer panel follows the architecture
    page.click(".layer-col[data-layer='conv2'] button.layer-title");
    page.waitForFunction("n => document.querySelectorAll('#layer-maps button.tile').length === n", before + 1);
    page.waitForFunction("n => document.querySelectorAll('#layer-weights button.tile').length === n", before + 1);

    page.locator(nodes).last().click(new Locator.ClickOptions().setForce(true));
    page.click(".layer-col[data-layer='conv2'] button.remove-filter");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before);
    assertThat(filters("conv2")).isEqualTo(before);
    page.waitForFunction("n => document.querySelectorAll('#layer-maps button.tile').length === n", before);
  }

  /** The removal recommendations the UI marks: exactly the filters GET /api/recommendations lists. */
  private static final String MARKED_AS_LISTED = "() => { const r = window.revacnn.store.state.recommendations; if (!r) return false;"
      + " const listed = r.layers.flatMap(l => l.removals.map(x => x.filter)).sort().join();"
      + " const marked = [...document.querySelectorAll('button.node.recommended')].map(n => n.dataset.id).sort().join();"
      + " return listed === marked; }";

  @Test
  @Order(6)
  void recommendedRemovalsAreMarkedAndExplained() throws Exception {
    browser.tab("network");
    if (page.isVisible("#layer-panel-close")) page.click("#layer-panel-close"); // room for the filter detail
    page.waitForFunction(MARKED_AS_LISTED);
    // plant a duplicate: net2net copies a filter exactly, so once the copy is old enough to be judged
    // (500 steps), one of the pair is recommended as redundant. Plain SGD keeps the twins identical
    // (the same gradients, no optimiser state; Adam's fresh moments for the copy would pull them apart)
    page.click("#btn-pause");
    browser.waitForRunState("paused");
    int before = filters("conv2");
    assertThat(session.submit(new org.revacnn.session.Command.SetHyperparameters(0.01f, 0f, null, null, "sgd")).get().ok()).isTrue();
    page.selectOption("#grow-init", "net2net");
    page.click(".layer-col[data-layer='conv2'] button.add-filter");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before + 1);
    long grown = session.latest().step();
    assertThat(session.submit(new org.revacnn.session.Command.Step(500)).get().ok()).isTrue();
    page.waitForFunction("s => window.revacnn.store.state.snapshot?.step >= s", (double) (grown + 500));
    browser.waitForRunState("paused");
    String redundant = ".layer-col[data-layer='conv2'] button.node[data-recommended=redundant]";
    page.waitForSelector(redundant);
    page.waitForFunction(MARKED_AS_LISTED);
    String id = page.getAttribute(redundant, "data-id");
    String twin = (String) page.evaluate("f => window.revacnn.store.state.recommendations.layers"
        + ".flatMap(l => l.removals).find(r => r.filter === f).twin", id);
    assertThat(twin).startsWith("conv2/f");
    // the server itself lists the pair (which of the two goes may swap as their importance changes)
    JsonNode listed = null;
    for (JsonNode layer : served.getJson("/api/recommendations").get("layers")) {
      for (JsonNode r : layer.get("removals")) {
        String pair = r.get("filter").asText() + "," + r.get("twin").asText();
        if (pair.equals(id + "," + twin) || pair.equals(twin + "," + id)) listed = r;
      }
    }
    assertThat(listed).as("the server lists the pair %s, %s", id, twin).isNotNull();
    assertThat(listed.get("reason").asText()).isEqualTo("redundant");
    assertThat(page.getAttribute(redundant, "aria-label")).contains("recommended for removal").contains(twin);
    assertThat(page.textContent(redundant + " .rec-badge")).isEqualTo("=");

    // the detail panel explains it; its twin is one click away; keyboard: the node is a focusable button
    page.focus(".layer-col[data-layer='conv2'] button.node[data-id='" + id + "']");
    page.keyboard().press("Enter");
    page.waitForFunction("f => document.querySelector('#detail-id').textContent.startsWith(f)", id);
    page.waitForSelector("#detail-rec:not([hidden])");
    assertThat(page.textContent("#detail-rec-title")).contains("redundant");
    assertThat(page.textContent("#detail-rec-text")).contains(twin);
    assertThat(page.textContent("#detail-twin")).contains(twin);
    assertThat(page.textContent("#detail-rec-text")).contains("cosine similarity");
    assertThat(page.isEnabled("#detail-remove")).isTrue();
    page.waitForFunction("() => document.querySelector('#detail-act-caption').textContent.includes('image #')");
    page.waitForTimeout(300);
    shot("network");

    // freeze candidates get a hint beside the layer's freeze toggle: the one injected here, or whatever the
    // server's next answer lists (the page polls every 5 s); either way the hints match the store's list
    page.evaluate("() => window.revacnn.store.setRecommendations({step: 0, layers: [], freeze: [{layer: 'conv3',"
        + " reason: 'tiny-updates', detail: 'its update ratio has stayed tiny'}]})");
    page.waitForFunction("() => { const all = (window.revacnn.store.state.recommendations || {}).freeze || [];"
        + " const f = all.filter(c => document.querySelector(`.layer-col[data-layer='${c.layer}'] button.freeze`)"
        + "?.getAttribute('aria-pressed') !== 'true');"
        + " const shown = [...document.querySelectorAll('.layer-col button.freeze-hint:not([hidden])')];"
        + " return f.length > 0 && shown.length === f.length && f.every(c => shown.some(h =>"
        + " h.closest('.layer-col').dataset.layer === c.layer"
        + " && h.getAttribute('aria-label') === `Freezing ${c.layer} is suggested: ${c.detail}`)); }");

    // removing the recommended filter: the marks follow the new recommendations
    page.click("#detail-remove");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === n", before);
    assertThat(filters("conv2")).isEqualTo(before);
    page.waitForFunction("f => !document.querySelector(`button.node[data-id='${f}']`)", id);
    page.waitForFunction("() => window.revacnn.store.state.recommendations?.step > 0");
    page.waitForFunction(MARKED_AS_LISTED);
    page.selectOption("#grow-init", "random");
    assertThat(session.submit(new org.revacnn.session.Command.SetHyperparameters(0.002f, 0.9f, null, null, "adam")).get().ok()).isTrue();
    page.click("#btn-resume");
    browser.waitForRunState("running");
  }

  @Test
  @Order(7)
  void uploadingAnImageMakesItTheProbe() throws Exception {
    page.click(".layer-col[data-layer='conv1'] button.layer-title");
    page.waitForFunction("() => document.querySelector('#layer-maps-note').textContent.includes('image #')");
    page.setInputFiles("#probe-file", BrowserUnderTest.upload("disc.png", Color.WHITE, new Color(200, 30, 30)));
    page.waitForFunction("() => window.revacnn.store.state.snapshot?.probe?.index === null");
    assertThat(probeIndex()).isEqualTo("uploaded");
    page.waitForFunction("() => document.querySelector('#probe-caption').textContent.startsWith('uploaded')");
    assertThat(page.getAttribute("#probe-img", "src")).startsWith("data:image/png");
    assertThat(page.evaluate("() => document.querySelector('#probe-img').naturalWidth")).isEqualTo(32);
    // the layer panel says why it has no maps; the filter detail too
    page.waitForSelector("#layer-maps-upload:not([hidden])");
    assertThat(page.isVisible("#layer-maps")).isFalse();
    page.waitForTimeout(300);
    shot("layer-uploaded");

    // back to a validation image: the maps return
    page.fill("#probe-index", "3");
    page.click("#probe-form button[type=submit]");
    page.waitForFunction("() => window.revacnn.store.state.snapshot?.probe?.index === 3");
    page.waitForFunction("() => document.querySelector('#layer-maps-note').textContent.includes('image #3')");
    assertThat(page.isVisible("#layer-maps-upload")).isFalse();
    page.waitForFunction("() => document.querySelector('#probe-img').src.endsWith('/api/images/validation/3')");
  }

  @Test
  @Order(8)
  void statsChartGainsPointsAndShowsSteeringMarkers() {
    browser.tab("stats");
    page.waitForFunction("() => document.querySelector('path.line-loss')?.getAttribute('d')?.length > 0");
    double points = ((Number) page.evaluate("() => window.revacnn.store.state.series.steps.length")).doubleValue();
    page.waitForFunction("n => window.revacnn.store.state.series.steps.length > n", points);
    // the add/remove-filter steering from before shows as markers
    page.waitForFunction("() => document.querySelectorAll('#chart-loss g.marker').length >= 2");

    page.fill("#hp-learningRate", "0.003");
    page.click("#hp-apply");
    page.waitForFunction("() => document.querySelector('#hp-status').textContent === 'Applied.'");
    page.waitForSelector("#chart-loss g.marker-set-hyperparameters");
    // the chart rescales while training, so the 8-px marker can slide from under the pointer: retry the hover
    for (int attempt = 1; ; attempt++) {
      page.hover("#chart-loss g.marker-set-hyperparameters rect.hit", new Page.HoverOptions().setForce(true));
      try {
        page.waitForFunction("() => document.querySelector('#stats-tooltip').textContent.includes('learning rate')",
            null, new Page.WaitForFunctionOptions().setTimeout(2_000));
        break;
      } catch (com.microsoft.playwright.TimeoutError e) {
        if (attempt == 5) throw e;
        page.mouse().move(5, 5);
      }
    }
    assertThat(session.latest().hyperparameters().learningRate()).isEqualTo(0.003f);
    shot("stats");
  }

  @Test
  @Order(9)
  void invalidValuesAreRejectedBeforeSending() {
    page.fill("#hp-momentum", "abc");
    page.click("#hp-apply");
    assertThat(page.textContent("#hp-momentum-error")).contains("must be a number");
    page.fill("#hp-momentum", "1.5");
    page.click("#hp-apply");
    assertThat(page.textContent("#hp-momentum-error")).contains("[0, 1)");
    page.click("#hp-revert");
    page.waitForFunction("() => document.querySelector('#hp-momentum').value === '0.9'"); // redrawn at the next frame
  }

  @Test
  @Order(10)
  void tsneViewDrawsRealMapsAndFollowsTheRadioButtons() throws Exception {
    browser.tab("tsne");
    page.waitForFunction("() => document.querySelectorAll('section.tsne-panel').length === 5");
    // every conv/dense layer's map (one dot per filter) and the image map, from the real endpoints
    // (t-SNE runs on one background thread beside training: on a loaded machine the first maps take a while)
    for (String layer : List.of("conv1", "conv2", "conv3", "output")) {
      try {
        page.waitForFunction("([l, n]) => document.querySelectorAll(`section[data-panel='${l}'][data-kind='weights'] circle`).length === n",
            List.of(layer, filters(layer)), new Page.WaitForFunctionOptions().setTimeout(40_000));
      } catch (com.microsoft.playwright.TimeoutError e) {
        throw new AssertionError("no weights map of " + layer + ": " + page.evaluate("l => { const p = document.querySelector("
            + "`section[data-panel='${l}']`); return p.dataset.kind + ' / ' + p.querySelectorAll('circle').length + ' dots / '"
            + " + p.querySelector('.panel-message').textContent; }", layer), e);
      }
    }
    int images = served.getJson("/api/tsne/images").get("points").size();
    assertThat(images).isPositive();
    page.waitForFunction("n => document.querySelectorAll(\"section[data-panel='images'] circle\").length === n", images);
    assertThat(page.isHidden("section[data-panel='conv1'] .panel-message")).isTrue();

    // the radio switch asks for the other kind and moves the dots to its map
    page.waitForTimeout(800); // the dots' transition to the latest map
    String positions = "l => [...document.querySelectorAll(`section[data-panel='${l}'] circle`)]"
        + ".map(c => c.dataset.id + '@' + c.getAttribute('cx') + ',' + c.getAttribute('cy')).sort().join('|')";
    String before = (String) page.evaluate(positions, "conv2");
    browser.requests.clear();
    page.click("input[name=tsne-kind][value=gradients]");
    page.waitForFunction("() => document.querySelector(\"section[data-panel='conv2']\").dataset.kind === 'gradients'");
    assertThat(browser.requests).anyMatch(u -> u.endsWith("/api/tsne?layer=conv2&kind=gradients"));
    assertThat(page.textContent("section[data-panel='conv2'] h3")).contains("gradients");
    page.waitForTimeout(800);
    assertThat((String) page.evaluate(positions, "conv2")).as("dots moved to the gradients map").isNotEqualTo(before);

    // hover: the filter's id and statistics. The last dot is drawn on top: others can sit on one
    // spot (dead filters have the same, zero, gradients) and take the hover of a dot below them
    Locator dot = page.locator("section[data-panel='conv2'] circle").last();
    String id = dot.getAttribute("data-id");
    dot.hover(new Locator.HoverOptions().setForce(true));
    page.waitForSelector("#tsne-tooltip:not([hidden])");
    assertThat(page.textContent("#tsne-tooltip")).startsWith(id).contains("L1").contains("Taylor");
    page.waitForTimeout(200);
    shot("tsne");

    // click: the filter is selected in the Network view
    dot.click(new Locator.ClickOptions().setForce(true));
    page.waitForFunction("f => window.revacnn.store.state.selection?.filter === f", id);
    browser.tab("network");
    page.waitForFunction("f => document.querySelector(`button.node[data-id='${f}']`)?.classList.contains('selected')", id);
    page.waitForFunction("f => document.querySelector('#detail-id').textContent.startsWith(f)", id);
  }

  @Test
  @Order(11)
  void testViewShowsPredictionsAndAConfusionMatrix() throws Exception {
    browser.tab("test");
    page.waitForFunction("() => document.querySelectorAll('#test-grid figure.pred').length > 0");
    assertThat(page.locator("#confusion rect.cell").count()).isEqualTo(100);
    // the rotated column labels stay inside the card
    String outside = "id => { const card = document.getElementById(id).closest('.card').getBoundingClientRect();"
        + " return [...document.querySelectorAll(`#${id} text, #${id} rect`)].map(e => e.getBoundingClientRect())"
        + ".filter(b => b.left < card.left || b.right > card.right || b.top < card.top || b.bottom > card.bottom).length; }";
    assertThat(page.evaluate(outside, "confusion")).as("confusion matrix parts outside its card").isEqualTo(0);
    assertThat(page.evaluate(outside, "per-class")).as("per-class accuracy parts outside its card").isEqualTo(0);
    assertThat(page.textContent("#test-accuracy")).endsWith("%");
    assertThat(page.locator("#per-class g.row").count()).isEqualTo(10);
    page.locator("#confusion rect.cell[role=button]").first().click();
    page.waitForFunction("() => document.querySelector('#grid-title').textContent.includes('predicted as')");
    page.click("#grid-all");
    page.waitForFunction("() => document.querySelector('#grid-title').textContent.startsWith('Predictions')");
    // classify an upload: the top classes' probabilities
    page.setInputFiles("#test-upload", BrowserUnderTest.upload("square.png", new Color(20, 20, 60), Color.YELLOW));
    page.waitForSelector("#upload-card:not([hidden])");
    page.waitForFunction("() => document.querySelectorAll('#upload-bars .bar-row').length === 3");
    page.click("#upload-use"); // classifying alone leaves the probe alone (UiLayoutIT); this makes it the probe
    page.waitForFunction("() => window.revacnn.store.state.snapshot?.probe?.index === null");
    double total = ((Number) page.evaluate("() => [...document.querySelectorAll('#upload-bars .bar-row')]"
        + ".map(r => parseFloat(r.getAttribute('title').split(': ')[1])).reduce((a, b) => a + b, 0)")).doubleValue();
    assertThat(total).as("summed top-3 probabilities in percent").isGreaterThan(0).isLessThanOrEqualTo(100.5);
    assertThat(page.getAttribute("#upload-preview", "src")).startsWith("data:image/png");
    page.waitForTimeout(300);
    shot("test");
  }

  @Test
  @Order(12)
  void readableAtFullHd() {
    page.setViewportSize(1920, 1080);
    browser.tab("network");
    // the Test view's upload is the probe now, and the Network view shows it
    page.waitForFunction("() => document.querySelector('#probe-caption').textContent.startsWith('uploaded')");
    page.waitForFunction("() => document.querySelector('#probe-img').src.startsWith('data:image/png')");
    page.waitForTimeout(500);
    shot("network-1920");
    browser.tab("stats");
    page.waitForTimeout(300);
    shot("stats-1920");
  }
}
