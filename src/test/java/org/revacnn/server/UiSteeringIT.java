package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import java.awt.Color;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Conv;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.engine.Param;
import org.revacnn.session.Command;
import org.revacnn.session.SessionFixtures;

/**
 * Steering from the page as a new user does it (issue 10, UI items 2, 5, 13-16 and 18), in a real
 * browser against the real server with a small synthetic session, paused (snapshots still come at
 * 10 Hz; the t-SNE check trains a few batches first for the statistics it colours by). One page
 * is shared by the ordered tests (each builds on the network the one before left); console errors
 * must stay empty.
 */
class UiSteeringIT extends SharedPageTestBase {
  private static final String SCALE_NOTE = "each filter scaled to its own range";

  UiSteeringIT() {
    super(false); // paused: these checks need no training, and the shared cores go to the browser
  }

  private int filters(String layer) {
    for (Architecture.LayerInfo l : session.architecture().layers()) {
      if (l.id().equals(layer)) return l.filters();
    }
    throw new AssertionError("no layer " + layer);
  }

  private void waitForNodes(String layer, int count) {
    page.waitForFunction("([l, n]) => document.querySelectorAll(`.layer-col[data-layer='${l}'] button.node`).length === n",
        List.of(layer, count));
  }

  /** Waits for a layer's column (an empty box itself: its nodes are placed absolutely, so never "visible"). */
  private void waitForLayer(String layer) {
    page.waitForFunction("l => document.querySelector(`.layer-col[data-layer='${l}']`)", layer);
  }

  /** Runs {@code command} through the session's queue (from the test, as another client would). */
  private void command(Command command) {
    assertThat(session.submit(command).join().ok()).as(command.toString()).isTrue();
  }

  /** Item 14: a filter whose weights are 1000x smaller than its neighbours' still spans the whole colour range. */
  @Test
  @Order(1)
  void aLowContrastFilterIsDrawnWithFullContrast() {
    browser.tab("network");
    waitForNodes("conv1", filters("conv1"));
    session.query(net -> {
      Param weights = ((Conv) net.layer("conv1")).weights();
      for (int i = 0; i < weights.unitSize(); i++) weights.value()[i] *= 1e-3f; // filter conv1/f0
      return null;
    }).join();
    command(new Command.SetProbe(0, null, null)); // any accepted command publishes a snapshot
    String range = "() => { const c = document.querySelector(\".layer-col[data-layer='conv1'] button.node[data-id='conv1/f0'] canvas\");"
        + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let lo = 255, hi = 0;"
        + " for (let i = 0; i < d.length; i += 4) for (let k = 0; k < 3; k++) { lo = Math.min(lo, d[i + k]); hi = Math.max(hi, d[i + k]); }"
        + " return [lo, hi]; }";
    page.waitForFunction("() => { const [lo, hi] = (" + range + ")(); return hi - lo >= 250; }");
    // the scale is stated where thumbnails are drawn
    assertThat(page.textContent("#network .legend")).contains(SCALE_NOTE);
    page.click(".layer-col[data-layer='conv1'] button.layer-title");
    page.waitForSelector("#layer-panel:not([hidden])");
    assertThat(page.textContent("#layer-weights-note")).contains(SCALE_NOTE);
    page.click("#layer-panel-close");
  }

  /** Item 2: once a filter is removed no button targets it. */
  @Test
  @Order(2)
  void noButtonTargetsARemovedFilter() {
    int before = filters("conv2");
    Locator last = page.locator(".layer-col[data-layer='conv2'] button.node").last();
    String id = last.getAttribute("data-id");
    last.click(new Locator.ClickOptions().setForce(true));
    page.waitForFunction("f => document.querySelector('#detail-id').textContent.startsWith(f)", id);
    page.click("#detail-remove");
    waitForNodes("conv2", before - 1);
    String minus = ".layer-col[data-layer='conv2'] button.remove-filter";
    page.waitForFunction("s => document.querySelector(s).disabled", minus);
    assertThat(page.getAttribute(minus, "title")).doesNotContain(id);
    assertThat(page.evaluate("() => window.revacnn.store.state.selection")).isNull();
    assertThat(page.isVisible("#detail-remove")).isFalse();
  }

  /** Items 15 (identity fits itself) and 16 (labels in network order, ids kept). */
  @Test
  @Order(3)
  void anIdentityInsertFitsItsWidthAndTheNewLayerIsNamedByPosition() {
    browser.dismissToasts();
    int width = filters("conv2");
    page.selectOption("#insert-after", "pool2");
    page.selectOption("#insert-kind", "conv");
    page.check("#insert-pool");
    page.selectOption("#insert-init", "identity");
    assertThat(page.inputValue("#insert-size")).isEqualTo(String.valueOf(width));
    assertThat(page.isChecked("#insert-pool")).isFalse();
    page.click("#insert-btn");
    waitForLayer("conv4");
    assertThat(page.locator(".toast-error").count()).as("error toasts").isZero();
    assertThat(filters("conv4")).isEqualTo(width);

    // the inserted conv4 sits between conv2 and conv3 and reads as conv3; the old conv3 as conv4
    assertThat(page.evaluate("() => [...document.querySelectorAll('.layer-col')].map(c => c.dataset.layer)"))
        .isEqualTo(List.of("conv1", "conv2", "conv4", "conv3", "output"));
    page.waitForFunction("() => [...document.querySelectorAll('.layer-col .layer-title')].map(t => t.textContent).join()"
        + " === 'conv1,conv2,conv3,conv4,output'");
    assertThat(page.getAttribute(".layer-col[data-layer='conv4'] .layer-title", "title")).contains("id conv4");
    assertThat(page.textContent("#insert-after option[value=conv4]")).isEqualTo("conv3");
    page.click(".layer-col[data-layer='conv4'] button.layer-title");
    page.waitForFunction("() => document.querySelector('#layer-panel-title').textContent === 'Layer conv3 (id conv4)'");
    page.click("#layer-panel-close");
    page.locator(".layer-col[data-layer='conv4'] button.node").first().click(new Locator.ClickOptions().setForce(true));
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv3/f0')");
    page.click("#detail-clear");
  }

  /** Item 15: removing a layer offers to undo it, and undo says what it undid. */
  @Test
  @Order(4)
  void removingALayerOffersUndoAndUndoSaysWhatItUndid() {
    browser.dismissToasts();
    page.click(".layer-col[data-layer='conv4'] button.remove-layer");
    page.waitForFunction("() => !document.querySelector(\".layer-col[data-layer='conv4']\")");
    Locator undo = page.locator(".toast .toast-action");
    undo.waitFor();
    assertThat(undo.textContent()).isEqualTo("Undo");
    assertThat(page.textContent(".toast:has(.toast-action)")).contains("remove layer conv4");
    undo.click();
    waitForLayer("conv4");
    page.waitForFunction("() => [...document.querySelectorAll('.toast')].some(t => t.textContent.includes('undo: remove conv4'))");
    // the steering log says it too
    browser.tab("stats");
    page.waitForFunction("() => [...document.querySelectorAll('#steering-log li')].some(l => l.textContent.includes('undo: remove conv4'))");
  }

  /** Item 5: with an uploaded probe the filter panel shows no activation map, and says why. */
  @Test
  @Order(5)
  void anUploadedProbeShowsNoStaleActivationMap() {
    browser.tab("network");
    Locator node = page.locator(".layer-col[data-layer='conv1'] button.node").nth(1);
    String id = node.getAttribute("data-id");
    // a click on the selected node would clear the selection (and hide the panel)
    if (!"true".equals(node.getAttribute("aria-pressed"))) node.click(new Locator.ClickOptions().setForce(true));
    page.waitForFunction("id => document.querySelector('#detail-id').textContent.startsWith(id)", id);
    // the map shows once its request is answered
    page.waitForSelector("#detail-activation", new Page.WaitForSelectorOptions().setState(WaitForSelectorState.VISIBLE));
    assertThat(page.textContent("#detail-act-caption")).contains("image #");
    page.setInputFiles("#probe-file", BrowserUnderTest.upload("disc.png", Color.WHITE, new Color(200, 30, 30)));
    page.waitForFunction("() => window.revacnn.store.state.snapshot?.probe?.index === null");
    page.waitForFunction("() => document.querySelector('#detail-act-caption').textContent.includes('uploaded')");
    assertThat(page.isVisible("#detail-activation")).as("a map under the 'uploaded' caption").isFalse();
    page.fill("#probe-index", "2");
    page.click("#probe-form button[type=submit]");
    page.waitForFunction("() => document.querySelector('#detail-act-caption').textContent.includes('image #2')");
    assertThat(page.isVisible("#detail-activation")).isTrue();
  }

  /** Item 15: the learning rate a new optimiser will get shows before Apply. */
  @Test
  @Order(6)
  void switchingTheOptimiserShowsItsLearningRate() {
    browser.tab("stats");
    page.waitForFunction("() => document.querySelector('#hp-learningRate').value === '0.002'");
    page.selectOption("#hp-optimizer", "adadelta");
    String adadelta = String.valueOf((int) OptimizerKind.ADADELTA.defaultLearningRate());
    assertThat(page.inputValue("#hp-learningRate")).isEqualTo(adadelta);
    assertThat(page.textContent("#hp-learningRate-note")).contains("adadelta");
    page.selectOption("#hp-optimizer", "adam"); // the server's optimiser: its own rate again
    assertThat(page.inputValue("#hp-learningRate")).isEqualTo("0.002");
    page.selectOption("#hp-optimizer", "sgd");
    assertThat(Float.parseFloat(page.inputValue("#hp-learningRate"))).isEqualTo(OptimizerKind.SGD.defaultLearningRate());
    page.click("#hp-apply");
    page.waitForFunction("() => document.querySelector('#hp-status').textContent === 'Applied.'");
    assertThat(session.latest().hyperparameters().optimizer()).isEqualTo("sgd");
    assertThat(session.latest().hyperparameters().learningRate()).isEqualTo(OptimizerKind.SGD.defaultLearningRate());
  }

  /** Item 18: a new run of a model typed in shorthand; a bad spec is refused and changes nothing. */
  @Test
  @Order(7)
  void aNewRunOfATypedModel() {
    browser.tab("stats");
    // the form starts from the live network: conv2 lost a filter, the identity conv4 (3x3, no pool) follows it
    int conv2 = filters("conv2");
    page.waitForFunction("s => document.querySelector('#run-model').value === s",
        "conv16-conv" + conv2 + "-conv" + conv2 + "k3nopool-conv20");
    assertThat(page.textContent("#run-dataset")).isEqualTo(SessionFixtures.data().description());
    assertThat(page.textContent("#run-form")).contains("fixed when the server starts");

    Architecture before = session.architecture();
    page.fill("#run-model", "conv8-zz");
    page.click("#run-start");
    page.click("#run-confirm-yes");
    page.waitForFunction("() => document.querySelector('#run-model-error').textContent.includes('unknown block')");
    assertThat(session.architecture()).usingRecursiveComparison().isEqualTo(before);

    page.fill("#run-model", "conv8-conv12");
    page.click("#run-start");
    assertThat(page.textContent("#run-confirm")).contains("cannot be undone");
    page.click("#run-confirm-yes");
    page.waitForFunction("() => document.querySelector('#run-status').textContent.startsWith('New run of conv8-conv12')");
    assertThat(session.architecture().layers()).filteredOn(l -> l.kind().equals("conv"))
        .extracting(Architecture.LayerInfo::filters).containsExactly(8, 12);
    browser.tab("network");
    waitForNodes("conv1", 8);
    waitForNodes("conv2", 12);
    assertThat(page.locator(".layer-col").count()).isEqualTo(3);
  }

  /** Item 13: each filter drawn as its thumbnail (or coloured by a statistic), panels filling the view at 1920x1080. */
  @Test
  @Order(8)
  void tsneDrawsFiltersAsThumbnailsAndFillsTheView() {
    long trained = session.latest().step() + 20;
    command(new Command.Step(20)); // statistics to colour by
    page.waitForFunction("n => window.revacnn.store.state.snapshot.step >= n", (double) trained);
    page.setViewportSize(1920, 1080);
    browser.tab("tsne");
    page.waitForFunction("() => document.querySelectorAll('section.tsne-panel').length === 4");
    String thumbs = "section[data-panel='conv1'] image.filter-thumb";
    page.waitForFunction("s => document.querySelectorAll(s).length === 8", thumbs, new Page.WaitForFunctionOptions().setTimeout(40_000));
    assertThat(page.locator("section[data-panel='conv1'] circle").count()).isEqualTo(8);
    assertThat(page.evaluate("s => [...document.querySelectorAll(s)].every(i => i.getAttribute('href').startsWith('data:image/png'))", thumbs))
        .isEqualTo(true);
    assertThat(page.textContent("#tsne-draw-note")).contains("RGB").contains(SCALE_NOTE);
    // the panels share the view's height instead of leaving most of it empty
    double filled = ((Number) page.evaluate("() => { const host = document.querySelector('#tsne-panels').getBoundingClientRect();"
        + " const bottom = Math.max(...[...document.querySelectorAll('section.tsne-panel')].map(p => p.getBoundingClientRect().bottom));"
        + " return (bottom - host.top) / host.height; }")).doubleValue();
    assertThat(filled).as("share of the t-SNE area's height the panels use").isGreaterThan(0.9);
    double mapHeight = ((Number) page.evaluate("() => document.querySelector(\"section[data-panel='conv1'] svg\")"
        + ".getBoundingClientRect().height")).doubleValue();
    assertThat(mapHeight).as("height of one map at 1920x1080").isGreaterThan(300);
    page.waitForTimeout(800);
    browser.screenshot("tsne-thumbnails-1920");

    // coloured by a statistic instead: dots, with a legend, in more than one colour
    page.selectOption("#tsne-draw", "l1Norm");
    page.waitForFunction("() => document.querySelector(\"section[data-panel='conv1']\").dataset.drawAs === 'l1Norm'");
    assertThat(page.locator(thumbs).count()).isZero();
    assertThat(((Number) page.evaluate("() => new Set([...document.querySelectorAll(\"section[data-panel='conv1'] circle\")]"
        + ".map(c => c.style.fill)).size")).intValue()).isGreaterThan(1);
    assertThat(page.textContent("section[data-panel='conv1'] .stat-legend")).contains("L1 norm");
    page.selectOption("#tsne-draw", "thumbnail");
    page.waitForFunction("s => document.querySelectorAll(s).length === 8", thumbs);
    browser.defaultViewport();
  }
}
