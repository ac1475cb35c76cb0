package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.microsoft.playwright.Locator;
import com.microsoft.playwright.options.BoundingBox;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Architecture;
import org.revacnn.session.SessionFixtures;

/**
 * The skip connections of an in-process resnet20 in the network view at 1366x768 (issues 12 and 14):
 * its 21 convs (19 and two 1x1 projections, the blocks' inner convs included) are columns, and its 9
 * skips are arcs below them, 2 of them dashed projections, each from the column of the layer before
 * its block to the column of the conv it is added into, named on hover; zoomed into a range of
 * layers, the arcs that touch it are still drawn. The paper's model draws none. The session stays
 * paused: the view draws from the architecture.
 */
class UiSkipsIT extends SharedPageTestBase {
  private static final String ARCS = "svg.network-skips g.skip";

  UiSkipsIT() {
    super(false, SessionFixtures.config().withModel("resnet20").withDivergence(1e9, 100));
  }

  @BeforeAll
  void waitForEveryLayer() {
    page.waitForFunction("() => document.querySelectorAll('.layer-col').length === 22");
  }

  @Test
  @Order(1)
  void everySkipOfResnet20IsAnArcBelowTheColumns() {
    List<Architecture.Skip> skips = session.architecture().skips();
    assertThat(skips).hasSize(9);
    page.waitForFunction("n => document.querySelectorAll('svg.network-skips g.skip').length === n", skips.size());
    Locator arcs = page.locator(ARCS);
    assertThat(arcs.count()).isEqualTo(9);
    assertThat(page.locator(ARCS + ".projection").count()).isEqualTo(2);
    assertThat(page.locator(ARCS + ".identity").count()).isEqualTo(7);
    double columnsBottom = bottomOfColumns();
    double legendTop = page.locator("#network-canvas .legend").boundingBox().y;
    for (Architecture.Skip skip : skips) {
      Locator arc = page.locator(ARCS + "[data-block='" + skip.block() + "']");
      assertThat(arc.getAttribute("data-from")).isEqualTo(skip.from());
      assertThat(arc.getAttribute("data-to")).isEqualTo(skip.to());
      assertThat(arc.getAttribute("data-shortcut")).isEqualTo(skip.shortcut());
      List<Double> at = geometry(skip.block());
      // from the centre of one column to the centre of the other, below every column, above the legend
      assertThat(at.get(0)).as("start of %s", skip.block()).isCloseTo(centreOf(skip.from()), offset(1.0));
      assertThat(at.get(1)).as("end of %s", skip.block()).isCloseTo(centreOf(skip.to()), offset(1.0));
      assertThat(at.get(2)).isGreaterThanOrEqualTo(columnsBottom);
      assertThat(at.get(3)).isLessThanOrEqualTo(legendTop);
      assertThat(at.get(3) - at.get(2)).as("deep enough to see").isGreaterThanOrEqualTo(8);
    }
    assertThat(page.locator(ARCS + "[data-block='res4'] title").textContent())
        .contains("projection shortcut (1×1 conv conv10)").contains("conv7's output is added into conv9's output");
    assertThat(page.locator(ARCS + "[data-block='res1'] title").textContent()).contains("identity shortcut");
    assertThat(page.isVisible(".legend-skip")).isTrue();
    browser.screenshot("network-resnet20-skips");
  }

  @Test
  @Order(2)
  void hoveringAnArcPicksItOutAboveTheColumns() {
    BoundingBox box = page.locator(ARCS + "[data-block='res4'] path.skip-line").boundingBox();
    page.mouse().move(box.x + box.width / 2, box.y + box.height - 1);
    page.waitForFunction("() => document.querySelector('svg.network-skips g.skip:hover')?.dataset.block === 'res4'");
  }

  @Test
  @Order(3)
  void zoomedIntoARangeTheArcsThatTouchItStayDrawn() {
    page.mouse().move(0, 0);
    page.locator(".layer-col[data-layer='conv9'] .layer-title").click();
    // a narrow column's title zooms into its layer; a full one's opens its panel: zoom with the bar then
    if (!"conv9..conv9".equals(page.locator("#network-canvas").getAttribute("data-zoom"))) {
      page.selectOption("#zoom-from", "conv9");
      page.selectOption("#zoom-to", "conv9");
      page.click("#zoom-go");
    }
    page.waitForFunction("() => document.querySelector('#network-canvas').dataset.zoom === 'conv9..conv9'");
    // shown: conv8, conv9, conv10 (conv8 and conv10 as context); res3 (conv5 -> conv7) is off to the left
    page.waitForFunction("() => [...document.querySelectorAll('svg.network-skips g.skip')].map(g => g.dataset.block).join() === 'res4,res5'");
    // measured once the zoom's transition (a scale of the whole picture) has settled
    page.waitForFunction("() => getComputedStyle(document.querySelector('svg.network-skips')).transform === 'none'");
    double legendTop = page.locator("#network-canvas .legend").boundingBox().y;
    for (String block : List.of("res4", "res5")) {
      List<Double> at = geometry(block);
      assertThat(at.get(1) - at.get(0)).as("span of %s", block).isGreaterThan(20);
      assertThat(at.get(3)).isLessThanOrEqualTo(legendTop);
    }
    // res4 ends on conv9's column; res5 leaves it and runs to the right edge, its conv12 being off to the right
    assertThat(geometry("res4").get(1)).isCloseTo(centreOf("conv9"), offset(1.0));
    assertThat(geometry("res5").get(0)).isCloseTo(centreOf("conv9"), offset(1.0));
    assertThat(geometry("res5").get(1)).isGreaterThan(centreOf("conv10"));
    page.click("#zoom-all");
    page.waitForFunction("() => document.querySelectorAll('svg.network-skips g.skip').length === 9");
  }

  @Test
  @Order(4)
  void thePaperModelDrawsNoSkip() {
    try (TestServer paper = TestServer.start(SessionFixtures.config(), null);
        BrowserUnderTest other = BrowserUnderTest.open(paper.server)) {
      other.page.waitForFunction("() => document.querySelectorAll('.layer-col').length === 4");
      assertThat(other.page.locator(ARCS).count()).isZero();
      assertThat(other.page.isVisible(".legend-skip")).isFalse();
      assertThat(other.consoleErrors).isEmpty();
    }
  }

  /**
   * Where the arc of {@code block} is drawn, in page px: [x where it starts, x where it ends, top, bottom]
   * (the path's own geometry: a bounding box of an SVG stroke is widened by Chromium).
   */
  @SuppressWarnings("unchecked")
  private List<Double> geometry(String block) {
    List<Number> at = (List<Number>) page.evaluate("b => { const p = document.querySelector(`svg.network-skips g.skip[data-block='${b}'] path.skip-line`);"
        + " const s = p.ownerSVGElement.getBoundingClientRect(); const box = p.getBBox();"
        + " const a = p.getPointAtLength(0), z = p.getPointAtLength(p.getTotalLength());"
        + " return [s.left + a.x, s.left + z.x, s.top + box.y, s.top + box.y + box.height]; }", block);
    return at.stream().map(Number::doubleValue).toList();
  }

  /** The x of the centre of a layer's column (the middle of its nodes or cells). */
  private double centreOf(String layer) {
    return ((Number) page.evaluate("id => { const r = [...document.querySelectorAll(`.layer-col[data-layer='${id}'] button.node, "
        + ".layer-col[data-layer='${id}'] canvas.cells`)].map(e => e.getBoundingClientRect());"
        + " return (Math.min(...r.map(b => b.left)) + Math.max(...r.map(b => b.right))) / 2; }", layer)).doubleValue();
  }

  /** The lowest bottom edge of a node or a canvas of cells. */
  private double bottomOfColumns() {
    return ((Number) page.evaluate("() => Math.max(...[...document.querySelectorAll('.layer-col button.node, .layer-col canvas.cells')]"
        + ".map(e => e.getBoundingClientRect().bottom))")).doubleValue();
  }
}
