package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.SessionFixtures;

/**
 * The network view on a model too big for a node per filter (issue 12): 20 conv layers of 64..512
 * filters, 5,376 in all, trained in-process at 1366x768. Every layer stays in view as a grid of cells
 * on one canvas; the animation's frame rate is measured in the page (requestAnimationFrame over 5 s)
 * while snapshots arrive, and asserted loosely as a regression guard (the figure goes to
 * docs/BENCHMARKS.md); a click on a cell selects its filter; layers zoom in to nodes and out; the
 * search finds a filter; cells are coloured and ordered by a statistic; they are still when paused.
 */
class UiScaleIT extends SharedPageTestBase {
  /** 4 x 64 + 4 x 128 + 6 x 256 + 6 x 512 = 5,376 filters in 20 conv layers of 3x3 kernels, pooled 5 times down to 1x1. */
  static final String WIDE_MODEL = "conv64k3-conv64k3nopool-conv64k3nopool-conv64k3"
      + "-conv128k3nopool-conv128k3nopool-conv128k3nopool-conv128k3"
      + "-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3nopool-conv256k3"
      + "-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3nopool-conv512k3";
  private static final int CONV_LAYERS = 20;
  private static final int FILTERS = 5376;
  /**
   * Loose guards against a regression (the target is 50 at 10 Hz; see docs/BENCHMARKS.md for
   * the real figures, which are printed). Measured 54-60 with the server's snapshots and 36-60 at
   * 10 Hz with other work loading the 2 cores (load 5-12), 12-30 at 10 Hz before the snapshot's
   * costs were cut: the guards sit below that noise, and far above what one DOM rebuild per
   * snapshot (the first view) gives.
   */
  private static final double MIN_FPS = 20;
  private static final double MIN_FPS_AT_10_HZ = 15;

  UiScaleIT() {
    super(true, SessionFixtures.config().withModel(WIDE_MODEL).withDivergence(1e9, 100)
        .withHyperparameters(Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.0005f)));
  }

  @BeforeAll
  void waitForEveryLayer() {
    page.waitForFunction("n => document.querySelectorAll('.layer-col').length === n", CONV_LAYERS + 1);
  }

  @Test
  @Order(1)
  void everyLayerIsInViewAsCells() {
    int filters = session.architecture().layers().stream()
        .filter(l -> l.kind().equals("conv")).mapToInt(l -> l.filters()).sum();
    assertThat(filters).isEqualTo(FILTERS);
    // no sideways scrolling, every column's header and cells inside the canvas
    assertThat(page.evaluate("() => { const c = document.querySelector('#network-canvas'); return c.scrollWidth <= c.clientWidth; }"))
        .isEqualTo(true);
    BoundingBox area = page.locator("#network-canvas").boundingBox();
    for (var column : page.locator(".layer-col .layer-title, canvas.cells").all()) {
      BoundingBox box = column.boundingBox();
      assertThat(box.x).as("left of %s", column.getAttribute("data-layer")).isGreaterThanOrEqualTo(area.x);
      assertThat(box.x + box.width).isLessThanOrEqualTo(area.x + area.width);
      assertThat(box.y + box.height).isLessThanOrEqualTo(area.y + area.height);
    }
    // one canvas per compact layer, not a DOM node per filter
    assertThat(page.locator(".layer-col[data-mode='cells'] canvas.cells").count()).isGreaterThanOrEqualTo(16);
    assertThat(page.locator("button.node").count()).isLessThan(100);
    assertThat(page.isVisible("#network-viewbar")).isTrue();
    browser.screenshot("scale-overview");
  }

  /**
   * Frames a second while training, first with the server's own snapshots (publishing one of this
   * model takes the training thread ~0.4 s, so they arrive at ~2 Hz), then with the latest one also
   * replayed in the page from its JSON text every 100 ms (parsed and applied to the store as the
   * socket does, the step advanced so the cells keep jittering, the probe's activations moved so the
   * paths change): >= 10 snapshots a second. A snapshot changes no layer header, and the overview
   * redraws its bundles of paths at most twice a second.
   */
  @Test
  @Order(2)
  void theAnimationKeepsItsFrameRateWhileSnapshotsArrive() {
    page.waitForFunction("() => window.revacnn.store.state.snapshot.step >= 2", null,
        new Page.WaitForFunctionOptions().setTimeout(60_000));
    Map<String, Object> fromServer = measure("the server's snapshots");
    Object chars = page.evaluate("""
        async () => {
          const store = window.revacnn.store;
          // the latest snapshot as the wire carries it (protocol 4: the REST body is the message's payload)
          const text = `{"type":"snapshot","payload":${await (await fetch('/api/snapshot')).text()}}`;
          let step = store.state.snapshot.step;
          window.replay = setInterval(() => {
            const message = JSON.parse(text);
            message.payload.step = ++step;
            // the probe's activations move as a training run's do: every other replay shifts each 8-bit layer's by a tenth of its range
            for (const l of message.payload.layers) {
              if (l.activation?.format === 'u8' && step % 2) l.activation.min -= 0.1 * (l.activation.max - l.activation.min);
            }
            store.apply(message);
          }, 100);
          return text.length;
        }""");
    System.out.println("UiScaleIT snapshot JSON chars: " + chars);
    Map<String, Object> replayed = measure("10 Hz: the server's snapshots and replays");
    page.evaluate("() => clearInterval(window.replay)");
    // a 100 ms timer on a busy page fires late: at least half of them
    assertThat(number(replayed, "snapshotsPerSecond")).as("snapshots a second").isGreaterThanOrEqualTo(5);
    assertThat(number(replayed, "jitterPx")).as("largest cell jitter, px").isPositive();
    assertThat(number(replayed, "cellRedrawsPerSecond")).as("cell redraws a second (jitter)").isGreaterThan(MIN_FPS_AT_10_HZ / 2);
    // a snapshot changes no layer header, and the overview's bundles follow it at most twice a second
    assertThat(number(replayed, "headMutations")).as("changes to the layer headers").isZero();
    assertThat(number(replayed, "pathUpdatesPerSecond")).as("updates of the paths a second").isPositive().isLessThanOrEqualTo(2.5);
    assertThat(number(fromServer, "fps")).as("frames a second, server's snapshots").isGreaterThanOrEqualTo(MIN_FPS);
    assertThat(number(replayed, "fps")).as("frames a second, 10 Hz").isGreaterThanOrEqualTo(MIN_FPS_AT_10_HZ);
  }

  /**
   * Counts animation frames in the page over 5 s, with the snapshots applied, cell redraws and the
   * network view's render time meanwhile, and the browser's main-thread time (CDP Performance
   * metrics, s); prints them.
   */
  private Map<String, Object> measure(String feed) {
    CDPSession cdp = page.context().newCDPSession(page);
    cdp.send("Performance.enable");
    Map<String, Double> before = metrics(cdp);
    @SuppressWarnings("unchecked")
    Map<String, Object> measured = (Map<String, Object>) page.evaluate("""
        async () => {
          const s = window.revacnn.store.state;
          const net = window.revacnn.views.network;
          const snapshots = s.versions.snapshot, cellFrames = net.cellFrames();
          // the network view's own time per render (a snapshot, or any other change of the store)
          const render = net.render;
          let renderMs = 0, renders = 0;
          net.render = (state) => { const t = performance.now(); render(state); renderMs += performance.now() - t; renders++; };
          // what the snapshots rewrite: layer headers (nothing: they show no snapshot's numbers) and the paths (bundles, in batches)
          let headMutations = 0, pathBatches = 0;
          const heads = new MutationObserver(list => { headMutations += list.length; });
          document.querySelectorAll('.layer-head').forEach(h => heads.observe(h, { subtree: true, childList: true, attributes: true, characterData: true }));
          const paths = new MutationObserver(() => { pathBatches++; });
          paths.observe(document.querySelector('svg.network-paths'), { subtree: true, childList: true, attributes: true });
          let frames = 0, worst = 0;
          const t0 = performance.now();
          let last = t0;
          await new Promise(done => requestAnimationFrame(function tick(now) {
            frames++; worst = Math.max(worst, now - last); last = now;
            if (now - t0 < 5000) requestAnimationFrame(tick); else done();
          }));
          const seconds = (last - t0) / 1000;
          net.render = render;
          heads.disconnect();
          paths.disconnect();
          return { msPerNetworkRender: renderMs / renders, renders, seconds, fps: frames / seconds, headMutations, pathUpdatesPerSecond: pathBatches / seconds,
            snapshotsPerSecond: (s.versions.snapshot - snapshots) / seconds, cellRedrawsPerSecond: (net.cellFrames() - cellFrames) / seconds, worstFrameMs: worst, jitterPx: net.cellJitter() };
        }""");
    Map<String, Double> after = metrics(cdp);
    StringBuilder costs = new StringBuilder();
    for (String k : List.of("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")) {
      costs.append(k).append('=').append(String.format("%.3f", after.get(k) - before.get(k))).append(' ');
    }
    cdp.detach();
    System.out.println("UiScaleIT costs " + feed + ": " + costs);
    System.out.printf("UiScaleIT frame rate, %d filters in %d conv layers, 1366x768, %s: %s%n", FILTERS, CONV_LAYERS, feed, measured);
    return measured;
  }

  private static Map<String, Double> metrics(CDPSession cdp) {
    Map<String, Double> out = new HashMap<>();
    for (var m : cdp.send("Performance.getMetrics").getAsJsonArray("metrics")) {
      out.put(m.getAsJsonObject().get("name").getAsString(), m.getAsJsonObject().get("value").getAsDouble());
    }
    return out;
  }

  private static double number(Map<String, Object> measured, String key) {
    return ((Number) measured.get(key)).doubleValue();
  }

  @Test
  @Order(4)
  void aClickOnACellSelectsItsFilter() {
    String layer = "conv15";
    int index = 301;
    clickCell(layer, index);
    page.waitForFunction("id => document.querySelector('#detail-id').title === 'id ' + id", layer + "/f" + index);
    assertThat(page.evaluate("() => window.revacnn.store.state.selection")).isEqualTo(Map.of("layer", layer, "filter", layer + "/f" + index));
  }

  @Test
  @Order(5)
  void cellsOrderedByAStatisticPutTheHighestFirst() {
    page.selectOption("#cell-stat", "activation");
    page.selectOption("#cell-order", "stat");
    String layer = "conv9";
    // the first cell is the filter with the largest probe activation in the latest snapshot
    page.waitForSelector(".layer-col[data-layer='" + layer + "'] canvas.cells[data-order='stat']");
    clickCell(layer, 0);
    String expected = (String) page.evaluate("l => { const layer = window.revacnn.store.state.snapshot.layers.find(x => x.id === l);"
        + " let best = 0; layer.activation.forEach((v, i) => { if (+v > +layer.activation[best]) best = i; }); return layer.filterIds[best]; }", layer);
    assertThat(page.evaluate("() => window.revacnn.store.state.selection.filter")).isEqualTo(expected);
    page.selectOption("#cell-order", "id");
    page.selectOption("#cell-stat", "jitter");
  }

  @Test
  @Order(6)
  void aLayerTitleZoomsInToNodesAndAllLayersZoomsOut() {
    page.click(".layer-col[data-layer='conv15'] .layer-title");
    page.waitForFunction("() => document.querySelector('#network-canvas').dataset.zoom === 'conv15..conv15'");
    page.waitForFunction("() => document.querySelectorAll(\".layer-col[data-layer='conv15'] button.node canvas.thumb\").length === 512");
    // its neighbours as context cells, paths between them, the others gone
    assertThat(page.getAttribute(".layer-col[data-layer='conv14']", "data-mode")).isEqualTo("cells");
    assertThat(page.getAttribute(".layer-col[data-layer='conv16']", "data-mode")).isEqualTo("cells");
    assertThat(page.locator(".layer-col").count()).isEqualTo(3);
    assertThat(page.locator("svg.network-paths path").count()).isPositive();
    browser.screenshot("scale-zoomed");
    page.click("#zoom-all");
    page.waitForFunction("n => document.querySelectorAll('.layer-col').length === n", CONV_LAYERS + 1);
    assertThat(page.getAttribute(".layer-col[data-layer='conv15']", "data-mode")).isEqualTo("cells");
    assertThat(page.evaluate("() => document.querySelector('#network-canvas').dataset.zoom")).isEqualTo("");
    // a range: conv2..conv3 as nodes
    page.selectOption("#zoom-from", "conv2");
    page.selectOption("#zoom-to", "conv3");
    page.click("#zoom-go");
    page.waitForFunction("() => document.querySelectorAll(\".layer-col[data-layer='conv3'] button.node\").length === 64"
        + " && document.querySelectorAll(\".layer-col[data-layer='conv2'] button.node\").length === 64");
    page.click("#zoom-all");
    page.waitForFunction("n => document.querySelectorAll('.layer-col').length === n", CONV_LAYERS + 1);
  }

  @Test
  @Order(7)
  void theSearchZoomsToAFilterAndSelectsIt() {
    page.fill("#find-filter", "CONV18/f300");
    page.press("#find-filter", "Enter");
    page.waitForSelector(".layer-col[data-layer='conv18'] button.node.selected[data-id='conv18/f300']");
    assertThat(page.evaluate("() => document.querySelector('#detail-id').title")).isEqualTo("id conv18/f300");
    assertThat(page.textContent("#find-error")).isEmpty();
    page.fill("#find-filter", "conv18/f9999");
    page.press("#find-filter", "Enter");
    assertThat(page.textContent("#find-error")).isEqualTo("No filter conv18/f9999 in this network");
    page.click("#zoom-all");
    page.waitForFunction("n => document.querySelectorAll('.layer-col').length === n", CONV_LAYERS + 1);
  }

  /** Paused, the cells stop jittering (and the later tests click cells whose statistics no longer change). */
  @Test
  @Order(3)
  void cellsAreStillWhilePaused() {
    page.click("#btn-pause");
    browser.waitForRunState("paused");
    page.waitForFunction("() => window.revacnn.views.network.cellJitter() === 0");
  }

  /** Clicks the cell at position {@code position} (id order: filter index) of a compact layer where it sits when still. */
  private void clickCell(String layer, int position) {
    String canvas = ".layer-col[data-layer='" + layer + "'] canvas.cells";
    assertThat(page.getAttribute(".layer-col[data-layer='" + layer + "']", "data-mode")).isEqualTo("cells");
    BoundingBox box = page.locator(canvas).boundingBox();
    int pitch = Integer.parseInt(page.getAttribute(canvas, "data-pitch"));
    int rows = Integer.parseInt(page.getAttribute(canvas, "data-rows"));
    int pad = Integer.parseInt(page.getAttribute(canvas, "data-pad"));
    int size = Integer.parseInt(page.getAttribute(canvas, "data-size"));
    int column = position / rows;
    int row = position % rows;
    page.mouse().click(box.x + pad + column * pitch + size / 2.0, box.y + pad + row * pitch + size / 2.0);
  }
}
