package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.microsoft.playwright.WebSocketRoute;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The page against the engine contract of issue 11 (hello carrying EngineInfo, `engine` messages,
 * architecture null while waiting), before an attach server exists: the page talks to the real
 * built-in server through a WebSocket proxy in the browser (Playwright's routeWebSocket) that
 * rewrites what the server says into what an attach server would say: a hello with no network
 * while waiting for a run; an attached run's EngineInfo (unsupported features, a layer's
 * refusals), a PyTorch module path for conv2 (layer1.0.conv1, renamed back in commands), extra
 * batchnorm/flatten/other layers and a conv layer without thumbnails; then the run ending. REST
 * requests and commands reach the real server. A later test against a real attached run checks
 * the same DOM hooks. Last, a model as wide as an attached resnet18 (layers of hundreds of filters)
 * on the built-in engine: its columns must not overlap.
 */
class UiEngineIT extends SharedPageTestBase {
  private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();
  private static final String RENAMED = "layer1.0.conv1";
  private static final String RESIDUAL = "its output feeds a residual addition";
  private static final String NO_INSERT = "only a conv inside an nn.Sequential can be followed by an inserted conv";
  private static final String WAITING = "waiting for a PyTorch run to connect";
  private static final String ENDED = "the run ended at step 1 (finished); waiting for a new run";
  /** What an attached PyTorch run cannot do (docs/PROTOCOL.md, EngineInfo.unsupported), each with its reason. */
  private static final Map<String, String> UNSUPPORTED = Map.of(
      "reset", "an attached PyTorch run builds its own model; start a new run instead",
      "set-probe", "the run chose its probe images when it attached",
      "test-view", "an attached run has no test split on the server",
      "classify", "an attached run classifies nothing for the server",
      "activation-maps", "an attached run sends per-filter sums, not maps",
      "image-map", "an attached run sends no image vectors",
      "recommendations", "an attached run sends no APoZ or Taylor statistics",
      "checkpoint-download", "the run saves its own checkpoints",
      "weights-download", "the weights stay in the run");
  /** Endpoints of the unsupported features: the page must never ask for them. */
  private static final List<String> UNSUPPORTED_ENDPOINTS = List.of("/api/recommendations", "/api/test", "/api/classify",
      "/api/activations", "/api/tsne/images", "/api/checkpoint", "/api/weights");

  private final Proxy proxy = new Proxy();

  UiEngineIT() {
    super(false); // paused: the checks need one step at most
  }

  @BeforeAll
  void throughTheProxy() {
    page.routeWebSocket(Pattern.compile("/ws(\\?.*)?$"), proxy::connect);
  }

  /** What an attach server would say instead of the built-in server, per test. */
  private enum Mode { OLDER_SERVER, WAITING, ATTACHED }

  /** Sits between the page and the server's /ws, rewriting the server's messages as the mode says. */
  private static final class Proxy {
    volatile Mode mode = Mode.OLDER_SERVER;
    volatile WebSocketRoute pageSide;

    void connect(WebSocketRoute route) {
      pageSide = route;
      WebSocketRoute server = route.connectToServer();
      server.onMessage(frame -> {
        String rewritten = fromServer(frame.text());
        if (rewritten != null) route.send(rewritten);
      });
      route.onMessage(frame -> server.send(frame.text().replaceAll("\"layer1\\.0\\.conv1(/f\\d+)?\"", "\"conv2$1\"")));
    }

    /** The server's message as the page gets it, or null to drop it. */
    String fromServer(String text) {
      try {
        return switch (mode) {
          case OLDER_SERVER -> text;
          case WAITING -> waiting(text);
          case ATTACHED -> attached(text.replaceAll("\"conv2(/f\\d+)?\"", "\"" + RENAMED + "$1\""));
        };
      } catch (Exception e) {
        throw new IllegalStateException("cannot rewrite " + text, e);
      }
    }

    /** No run yet: a hello without network, dataset or snapshot; nothing else. */
    private String waiting(String text) throws Exception {
      ObjectNode message = (ObjectNode) JSON.readTree(text);
      if (!message.path("type").asText().equals("hello")) return null;
      ObjectNode payload = (ObjectNode) message.get("payload");
      payload.put("protocolVersion", Protocol.VERSION).putNull("architecture").putNull("dataset").remove("snapshot");
      payload.set("engine", engine("waiting", WAITING, Map.of()));
      return JSON.writeValueAsString(message);
    }

    /** An attached run: EngineInfo in the hello, extra parameter-free layers, conv3 without thumbnails. */
    private String attached(String text) throws Exception {
      ObjectNode message = (ObjectNode) JSON.readTree(text);
      switch (message.path("type").asText()) {
        case "hello" -> {
          ObjectNode payload = (ObjectNode) message.get("payload");
          payload.put("protocolVersion", Protocol.VERSION);
          withPyTorchLayers((ObjectNode) payload.get("architecture"));
          payload.set("engine", engine("attached", null,
              Map.of(RENAMED, Map.of("add-filters", RESIDUAL), "conv1", Map.of("insert-layer", NO_INSERT))));
          if (payload.hasNonNull("snapshot")) withoutThumbnails((ObjectNode) payload.get("snapshot"));
        }
        case "architecture" -> withPyTorchLayers((ObjectNode) message.get("payload"));
        case "snapshot" -> withoutThumbnails((ObjectNode) message.get("payload"));
        default -> { }
      }
      return JSON.writeValueAsString(message);
    }

    private static void withPyTorchLayers(ObjectNode architecture) {
      ArrayNode layers = (ArrayNode) architecture.get("layers");
      int conv1 = indexOf(layers, "conv1");
      layers.insert(conv1 + 1, JSON.createObjectNode().put("id", "bn1").put("kind", "batchnorm"));
      int output = indexOf(layers, "output");
      layers.insert(output, JSON.createObjectNode().put("id", "head.0").put("kind", "other"));
      layers.insert(output, JSON.createObjectNode().put("id", "flatten").put("kind", "flatten"));
    }

    private static int indexOf(ArrayNode layers, String id) {
      for (int i = 0; i < layers.size(); i++) {
        if (layers.get(i).path("id").asText().equals(id)) return i;
      }
      throw new AssertionError("no layer " + id + " in " + layers);
    }

    /** conv3 as a layer whose weights the engine sends no thumbnail of. */
    private static void withoutThumbnails(ObjectNode snapshot) {
      for (JsonNode layer : snapshot.withArray("layers")) {
        if (layer.path("id").asText().equals("conv3")) ((ObjectNode) layer).put("thumbnailSize", 0).remove("thumbnails");
      }
    }

    /** EngineInfo of a PyTorch run on 2 processes in state {@code state}. */
    static ObjectNode engine(String state, String message, Map<String, Map<String, String>> refused) {
      ObjectNode engine = JSON.createObjectNode().put("kind", "pytorch").put("state", state).put("run", 1)
          .put("framework", "torch 1.13.0a0").put("device", "cpu").put("worldSize", 2).put("message", message);
      ArrayNode ranks = engine.putArray("ranks");
      ranks.addObject().put("rank", 0).put("checksum", "9b2e11");
      ranks.addObject().put("rank", 1).put("checksum", "9b2e11");
      engine.set("unsupported", JSON.valueToTree(UNSUPPORTED));
      engine.set("refused", JSON.valueToTree(refused));
      return engine;
    }

    /** Sends the page an `engine` message, as an attach server does when EngineInfo changes. */
    void sendEngine(ObjectNode engine) {
      ObjectNode message = JSON.createObjectNode().put("type", "engine");
      message.set("payload", engine);
      pageSide.send(message.toString());
    }
  }

  /** Loads the page afresh through the proxy in {@code mode}, forgetting the requests made so far. */
  private void reload(Mode mode, String path) {
    proxy.mode = mode;
    page.navigate("about:blank"); // a real load even where only the hash would change
    browser.requests.clear();
    browser.navigate(path);
    page.waitForFunction("() => window.revacnn.store.state.versions.hello > 0");
  }

  private String text(String selector) {
    return page.textContent(selector).trim();
  }

  private void assertUnavailable(String selector, String reason) {
    page.waitForFunction("s => document.querySelector(s).disabled", selector);
    assertThat(page.getAttribute(selector, "data-unavailable")).as(selector).isEqualTo(reason);
    assertThat(page.getAttribute(selector, "title")).as(selector).isEqualTo("Unavailable: " + reason);
  }

  private void assertNoUnsupportedRequests() {
    assertThat(browser.requests).as("requests since the page loaded").anyMatch(url -> url.endsWith("/js/main.js"));
    assertThat(browser.requests).as("requests").noneMatch(url -> UNSUPPORTED_ENDPOINTS.stream().anyMatch(url::contains));
  }

  @Test
  @Order(1)
  void aHelloWithoutEngineMeansTheBuiltinEngine() {
    reload(Mode.OLDER_SERVER, "/#network");
    page.waitForSelector(".layer-col[data-layer='conv1'] button.node");
    assertThat(page.evaluate("() => window.revacnn.store.state.engine.kind")).isEqualTo("builtin");
    assertThat(page.isHidden("#engine-line")).isTrue();
    assertThat(page.isHidden("#engine-waiting")).isTrue();
    assertThat(page.evaluate("() => document.querySelectorAll('[data-unavailable]').length")).isEqualTo(0);
    assertThat(text(".layer-col[data-layer='conv2'] .layer-title")).isEqualTo("conv2");
    // recommendations are polled as before
    page.waitForFunction("() => window.revacnn.store.state.versions.recommendations > 0");
    assertThat(browser.requests).anyMatch(url -> url.contains("/api/recommendations"));
  }

  @Test
  @Order(2)
  void waitingForARunShowsHowToConnectOne() {
    reload(Mode.WAITING, "/?token=s3cret#network");
    page.waitForSelector("#engine-waiting:not([hidden])");
    assertThat(text("#engine-waiting-title")).isEqualTo("Waiting for a PyTorch run");
    String origin = "http://127.0.0.1:" + served.server.port();
    assertThat(text("#engine-snippet")).isEqualTo("import revacnn   # the package in python/ of the revacnn repository\n"
        + "run = revacnn.attach(model, optimizer, url=\"" + origin + "\", token=\"s3cret\", probe=image)");
    page.click("#engine-copy");
    page.waitForFunction("() => document.querySelector('#engine-copy-status').textContent !== ''");
    assertThat(text("#engine-name")).isEqualTo("PyTorch · torch 1.13.0a0 · cpu · 2 processes · waiting for a run");
    browser.screenshot("engine-waiting");
    assertThat(page.getAttribute("#engine-line", "data-engine-state")).isEqualTo("waiting");
    assertThat(text("#run-state .label")).isEqualTo("waiting for a run");
    assertThat(page.locator(".layer-col").count()).isZero();
    assertThat(page.isHidden(".network-empty")).isTrue();
    // every steering control is off, with the reason
    for (String control : List.of("#btn-step", "#net-undo", "#insert-btn", "#probe-index")) assertUnavailable(control, WAITING);
    // every view draws a hello without network, and says why what is missing is missing
    browser.tab("stats");
    assertUnavailable("#hp-apply", WAITING);
    assertThat(text("#controls-unavailable")).isEqualTo("Steering is off: " + WAITING);
    assertUnavailable("#run-start", WAITING);
    browser.tab("tsne");
    page.waitForFunction("() => document.querySelector(\"section[data-panel='images'] .panel-message\").textContent"
        + ".includes('an attached run sends no image vectors')");
    browser.tab("test");
    assertThat(text("#test-view-unavailable")).isEqualTo("Evaluation is not available: " + UNSUPPORTED.get("test-view"));
    assertThat(text("#classify-unavailable")).contains(UNSUPPORTED.get("classify"));
    assertUnavailable("#test-run", UNSUPPORTED.get("test-view"));
    assertUnavailable("#test-upload", UNSUPPORTED.get("classify"));
    browser.tab("network");
    assertNoUnsupportedRequests();
  }

  @Test
  @Order(3)
  void anAttachedRunIsDrawnAndGreysOutWhatItCannotDo() {
    reload(Mode.ATTACHED, "/#network");
    String renamedColumn = ".layer-col[data-layer='" + RENAMED + "']";
    page.waitForSelector(renamedColumn + " button.node[data-id='" + RENAMED + "/f0']");
    assertThat(page.isHidden("#engine-waiting")).isTrue();
    assertThat(text("#engine-name")).isEqualTo("PyTorch · torch 1.13.0a0 · cpu · 2 processes");
    assertThat(page.isHidden("#engine-ranks-warning")).isTrue();
    // module paths are shown as they are (not renumbered), parameter-free layers named in the subtitle
    assertThat(text(renamedColumn + " .layer-title")).isEqualTo(RENAMED);
    assertThat(text(".layer-col[data-layer='conv1'] .layer-sub")).contains("batchnorm");
    page.waitForFunction("() => document.querySelector(\".layer-col[data-layer='conv3'] .layer-sub\").textContent.endsWith('flatten · other')");
    // conv3 has no thumbnails: its filters are still drawn, as swatches
    int conv3 = session.architecture().layers().stream().filter(l -> l.id().equals("conv3")).findFirst().orElseThrow().filters();
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv3'] button.node .swatch\").length === n", conv3);
    assertThat(page.locator(".layer-col[data-layer='conv3'] canvas.thumb").count()).isZero();
    // the layer's refusal greys out its "+", with the reason; another layer's "+" works
    assertUnavailable(renamedColumn + " .add-filter", RESIDUAL);
    page.click(".layer-col[data-layer='conv3'] .add-filter");
    page.waitForFunction("n => document.querySelectorAll(\".layer-col[data-layer='conv3'] button.node\").length === n", conv3 + 1);
    // a dotted filter id can be selected and removed (the command reaches the server's conv2)
    int renamed = page.locator(renamedColumn + " button.node").count();
    page.click(renamedColumn + " button.node[data-id='" + RENAMED + "/f3']");
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('" + RENAMED + "/f3')");
    assertThat(page.textContent("#detail-act-caption")).contains(UNSUPPORTED.get("activation-maps"));
    page.click("#detail-remove");
    page.waitForFunction("([s, n]) => document.querySelectorAll(s).length === n", List.of(renamedColumn + " button.node", renamed - 1));
    // the layer panel lists the refusal and says why there are no maps
    page.click(renamedColumn + " button.layer-title");
    page.waitForSelector("#layer-refused:not([hidden])");
    assertThat(text("#layer-refused li[data-command='add-filters']")).isEqualTo("No filters can be added: " + RESIDUAL);
    assertThat(text("#layer-maps-unavailable")).isEqualTo("Not available: " + UNSUPPORTED.get("activation-maps"));
    browser.screenshot("engine-attached");
    page.click("#layer-panel-close");
    // unsupported commands and features: disabled with the reason, the rest works
    assertUnavailable("#probe-index", UNSUPPORTED.get("set-probe"));
    assertThat(text("#probe-unavailable")).isEqualTo("The probe cannot be changed: " + UNSUPPORTED.get("set-probe"));
    assertThat(page.getAttribute("#insert-after option[value='" + RENAMED + "']", "disabled")).isNull();
    assertThat(page.getAttribute("#insert-after option[value='conv1']", "disabled")).isNotNull();
    assertThat(page.getAttribute("#insert-after option[value='conv1']", "title")).isEqualTo("Unavailable: " + NO_INSERT);
    browser.tab("stats");
    assertUnavailable("#run-start", UNSUPPORTED.get("reset"));
    assertThat(text("#run-unavailable")).isEqualTo("A new run cannot be started here: " + UNSUPPORTED.get("reset"));
    assertThat(page.isEnabled("#hp-apply")).isTrue();
    assertThat(page.isHidden("#controls-unavailable")).isTrue();
    page.click("#btn-step");
    page.waitForFunction("() => document.querySelector('#m-step').textContent === '1'");
    browser.tab("network");
    assertNoUnsupportedRequests();
  }

  @Test
  @Order(4)
  void aRunThatEndsKeepsItsNetworkAndHistory() {
    proxy.sendEngine(Proxy.engine("ended", ENDED, Map.of()));
    page.waitForSelector("#engine-waiting:not([hidden])");
    assertThat(text("#engine-waiting-title")).isEqualTo("The run ended at step 1 (finished); waiting for a new run");
    browser.screenshot("engine-ended");
    assertThat(page.getAttribute("#engine-waiting", "data-engine-state")).isEqualTo("ended");
    assertThat(text("#run-state .label")).isEqualTo("run ended");
    assertThat(page.locator(".layer-col[data-layer='conv3'] button.node").count()).isPositive();
    assertUnavailable(".layer-col[data-layer='conv3'] .add-filter", ENDED);
    assertUnavailable("#btn-step", ENDED);
    assertThat(((Number) page.evaluate("() => window.revacnn.store.state.series.steps.length")).intValue()).isPositive();
    browser.tab("stats");
    assertThat(text("#controls-unavailable")).isEqualTo("Steering is off: " + ENDED);
    browser.tab("network");
  }

  /** Columns of nodes that would overlap (a wide model, as resnet18's) are laid out side by side; the canvas scrolls sideways. */
  @Test
  @Order(5)
  void aModelWiderThanTheViewScrollsSideways() {
    reload(Mode.OLDER_SERVER, "/#stats");
    page.fill("#run-model", "conv16-conv160-conv160");
    page.click("#run-start");
    page.click("#run-confirm-yes");
    browser.tab("network");
    page.waitForFunction("() => document.querySelectorAll(\".layer-col[data-layer='conv3'] button.node\").length === 160");
    String leastGap = "() => { const cols = [...document.querySelectorAll('.layer-col')]"
        + ".map(c => [...c.querySelectorAll('button.node')].map(b => b.getBoundingClientRect()));"
        + " let least = Infinity; for (let i = 1; i < cols.length; i++)"
        + " least = Math.min(least, Math.min(...cols[i].map(r => r.left)) - Math.max(...cols[i - 1].map(r => r.right)));"
        + " return least; }";
    assertThat(((Number) page.evaluate(leastGap)).doubleValue()).as("px between neighbouring columns").isGreaterThan(0);
    assertThat(page.evaluate("() => { const c = document.querySelector('#network-canvas'); return c.scrollWidth > c.clientWidth; }"))
        .isEqualTo(true);
    browser.screenshot("wide-model");
    // the far end is reached by scrolling: its last filter can be selected
    browser.dismissToasts();
    page.locator(".layer-col[data-layer='conv3'] button.node").last().click();
    page.waitForFunction("() => document.querySelector('#detail-id').textContent.startsWith('conv3/')");
  }
}
