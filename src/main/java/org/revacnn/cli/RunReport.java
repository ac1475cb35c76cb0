package org.revacnn.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import org.revacnn.data.Datasets;
import org.revacnn.engine.Architecture;
import org.revacnn.server.Protocol;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.Evaluation;
import org.revacnn.session.History;
import org.revacnn.session.Run;
import org.revacnn.session.RunConfig;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SteeringEntry;

/**
 * One self-contained HTML page comparing kept runs ({@code revacnn report}): a table of the runs,
 * their loss, accuracy and throughput curves overlaid (drawn in the page by web/js/runs-chart.js and
 * report.js, with D3 from its WebJar, all inlined, the runs' histories inlined as JSON), each run's
 * steering log, its final architecture (from its checkpoint) and, when asked, that checkpoint's
 * test accuracy. The page loads nothing: a Content-Security-Policy allows no fetch, and every
 * script and style is in the file. Stateless.
 */
final class RunReport {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

  private RunReport() {}

  /**
   * What the report shows of one run.
   *
   * @param architecture its checkpoint's network, or null
   * @param checkpointProblem why there is no architecture (no checkpoint, or one that cannot be read), or null
   * @param test its checkpoint's accuracy on its test images, or null when not measured
   * @param testProblem why it was not measured, or null
   */
  record Entry(String name, RunConfig config, History.View history, Architecture architecture, String checkpointProblem,
      TestAccuracy test, String testProblem) {
    long steps() {
      return history.loss().length == 0 ? 0 : history.firstStep() + (long) history.stride() * history.loss().length - 1;
    }

    double bestValidation() {
      return history.validation().stream().mapToDouble(History.ValidationPoint::accuracy).max().orElse(Double.NaN);
    }

    double finalValidation() {
      return history.validation().isEmpty() ? Double.NaN : history.validation().getLast().accuracy();
    }
  }

  /** The accuracy of a run's checkpoint (saved at {@code step}) on the {@code images} test images of its data. */
  record TestAccuracy(double accuracy, int images, long step) {}

  /** A run's curves as the page's JSON data holds them. */
  record Curves(String name, History.View history) {}

  /**
   * The run {@code name} of {@code runs}: its config, its history in at most {@code maxPoints}
   * points, its checkpoint's network and, with {@code test}, that network's accuracy on the test
   * images of the data the run was started with (loaded again, as {@code revacnn eval} does).
   */
  static Entry read(RunsFolder runs, String name, int maxPoints, boolean test) throws IOException {
    Run run = runs.open(name);
    RunConfig config = runs.config(run);
    History history;
    try {
      history = RunLogReader.restore(run.historyFile()).history();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("the run '" + name + "' has no history.jsonl in " + run.folder());
    }
    Checkpoint.Contents saved = null;
    String problem = null;
    if (!Files.exists(run.checkpointFile())) {
      problem = "no checkpoint";
    } else {
      try {
        saved = Checkpoint.read(run.checkpointFile(), SessionConfig.defaults());
      } catch (Checkpoint.CheckpointException e) {
        problem = e.getMessage();
      }
    }
    TestAccuracy accuracy = null;
    String testProblem = test ? null : "not measured (revacnn report --test measures it)";
    if (test && saved == null) testProblem = "not measured: " + problem;
    else if (test && config.data() == null) testProblem = "not measured: the run's config.json does not say which data it used";
    else if (test) {
      try {
        accuracy = testAccuracy(saved, config);
      } catch (IllegalArgumentException e) {
        testProblem = "not measured: " + e.getMessage();
      }
    }
    return new Entry(name, config, history.view(maxPoints), saved == null ? null : saved.state().architecture(), problem,
        accuracy, testProblem);
  }

  /** The checkpoint's accuracy on the test images of the run's data. */
  private static TestAccuracy testAccuracy(Checkpoint.Contents saved, RunConfig config) {
    DataArguments data = new DataArguments();
    data.data = config.data();
    data.validation = config.validationImages() != null ? config.validationImages() : 0;
    Datasets datasets = data.load();
    if (datasets.test().isEmpty()) throw new IllegalArgumentException(datasets.description() + " has no test images");
    Evaluation.Result result = EvalCommand.evaluate(saved, datasets.test(), datasets.description());
    return new TestAccuracy(result.accuracy(), result.images(), saved.sessionStep());
  }

  /** The page for {@code entries}, in their order (which also picks their colours). */
  static String html(List<Entry> entries) {
    String names = String.join(", ", entries.stream().map(Entry::name).toList());
    StringBuilder page = new StringBuilder(400_000);
    page.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; ")
        .append("style-src 'unsafe-inline'; img-src data: blob:\">\n")
        .append("<title>revacnn report: ").append(escape(names)).append("</title>\n<style>").append(resource("report.css"))
        .append("</style></head><body>\n<h1>Runs compared: ").append(escape(names)).append("</h1>\n")
        .append("<p class=\"made\">Made by revacnn report on ").append(TIME.format(Instant.now())).append(".</p>\n");
    summary(page, entries);
    page.append("""
        <div class="controls"><label>Smoothing <input type="range" id="smoothing" min="0" max="0.999" step="0.001" value="0.9">
        <output id="smoothing-value">auto</output></label> <label><input type="checkbox" id="log-loss"> Log loss</label>
        <span id="x-axis"></span></div>
        """);
    for (String metric : List.of("loss", "accuracy", "throughput")) {
      page.append("<div class=\"chart\"><svg id=\"chart-").append(metric).append("\"></svg><div class=\"downloads\">");
      for (String format : List.of("csv", "svg", "png")) {
        page.append("<button type=\"button\" data-chart=\"").append(metric).append("\" data-format=\"").append(format).append("\">")
            .append(format.toUpperCase(Locale.ROOT)).append("</button>");
      }
      page.append("</div></div>\n");
    }
    for (int i = 0; i < entries.size(); i++) details(page, entries.get(i), i);
    List<Curves> data = entries.stream().map(e -> new Curves(e.name(), e.history())).toList();
    page.append("<script type=\"application/json\" id=\"report-data\">").append(Protocol.json(Map.of("runs", data)).replace("<", "\\u003c"))
        .append("</script>\n<script>").append(scriptSafe(d3())).append("</script>\n<script type=\"module\">\n")
        .append(scriptSafe(resource("/web/js/runs-chart.js"))).append('\n').append(scriptSafe(resource("report.js")))
        .append("</script>\n</body></html>\n");
    return page.toString();
  }

  private static void summary(StringBuilder page, List<Entry> entries) {
    page.append("<table class=\"runs\"><thead><tr><th></th><th>Run</th><th>Dataset</th><th>Model (start)</th><th>Steps</th>")
        .append("<th>Best validation</th><th>Final validation</th><th>Test accuracy</th><th>Started</th></tr></thead><tbody>\n");
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      page.append("<tr><td><span class=\"swatch\" data-run-colour=\"").append(i).append("\"></span></td><td>").append(escape(e.name()))
          .append("</td><td>").append(escape(e.config().dataset())).append("</td><td>").append(escape(e.config().model()))
          .append("</td><td class=\"number\">").append(e.steps()).append("</td><td class=\"number\">").append(percent(e.bestValidation()))
          .append("</td><td class=\"number\">").append(percent(e.finalValidation()))
          .append("</td><td class=\"number\">").append(testCell(e)).append("</td><td>").append(escape(started(e.config().created())))
          .append("</td></tr>\n");
    }
    page.append("</tbody></table>\n");
  }

  /** A run's steering log and final architecture. */
  private static void details(StringBuilder page, Entry e, int index) {
    page.append("<section class=\"run\"><h2><span class=\"swatch\" data-run-colour=\"").append(index).append("\"></span>")
        .append(escape(e.name())).append("</h2>\n<h3>Steering log</h3>\n");
    List<SteeringEntry> steering = e.history().steering().stream().filter(s -> !s.type().equals("step")).toList();
    if (steering.isEmpty()) {
      page.append("<p>No steering actions.</p>\n");
    } else {
      page.append("<table class=\"steering\"><thead><tr><th>Step</th><th>Epoch</th><th>Time</th><th>Action</th><th>Given</th>")
          .append("<th>Changed</th></tr></thead><tbody>\n");
      for (SteeringEntry s : steering) {
        page.append("<tr><td class=\"number\">").append(s.step()).append("</td><td class=\"number\">").append(s.epoch())
            .append("</td><td>").append(s.wallMillis() > 0 ? TIME.format(Instant.ofEpochMilli(s.wallMillis())) : "")
            .append("</td><td>").append(escape(s.type())).append("</td><td><code>").append(escape(Protocol.json(s.payload())))
            .append("</code></td><td><code>").append(escape(Protocol.json(s.result()))).append("</code></td></tr>\n");
      }
      page.append("</tbody></table>\n");
    }
    if (e.history().droppedSteering() > 0) {
      page.append("<p>").append(e.history().droppedSteering()).append(" older entries were dropped from the log.</p>\n");
    }
    page.append("<h3>Final architecture</h3>\n");
    if (e.architecture() == null) {
      page.append("<p>Unknown: ").append(escape(e.checkpointProblem())).append(".</p>\n</section>\n");
      return;
    }
    page.append("<table class=\"architecture\"><thead><tr><th>Layer</th><th>Kind</th><th>Output</th><th>Size</th><th>Frozen</th>")
        .append("</tr></thead><tbody>\n");
    layers(page, e.architecture().layers(), "");
    page.append("</tbody></table>\n</section>\n");
  }

  private static void layers(StringBuilder page, List<Architecture.LayerInfo> layers, String indent) {
    for (Architecture.LayerInfo l : layers) {
      page.append("<tr><td>").append(indent).append(escape(l.id())).append("</td><td>").append(escape(l.kind())).append("</td><td>")
          .append(l.outputShape()).append("</td><td>").append(size(l)).append("</td><td>").append(l.frozen() ? "frozen" : "")
          .append("</td></tr>\n");
      layers(page, l.main(), indent + "&nbsp;&nbsp;main: ");
      layers(page, l.shortcut(), indent + "&nbsp;&nbsp;shortcut: ");
    }
  }

  /** What sizes a layer: filters and kernel, units, pool size or dropout rate. */
  private static String size(Architecture.LayerInfo l) {
    return switch (l.kind()) {
      case "conv" -> l.filters() + " filters " + l.kernelSize() + "x" + l.kernelSize() + (l.stride() > 1 ? " stride " + l.stride() : "");
      case "dense" -> l.units() + " units";
      case "pool" -> l.size() + "x" + l.size();
      case "dropout" -> String.format(Locale.ROOT, "%.0f%%", 100 * l.rate());
      default -> "";
    };
  }

  private static String testCell(Entry e) {
    if (e.test() == null) return "<span title=\"" + escape(e.testProblem()) + "\">-</span>";
    return percent(e.test().accuracy()) + "<br><small>" + e.test().images() + " images, checkpoint at step " + e.test().step()
        + "</small>";
  }

  /** When a run started, to the second, from config.json's ISO-8601 time (as written when it is not one). */
  private static String started(String created) {
    try {
      return TIME.format(Instant.parse(created));
    } catch (java.time.format.DateTimeParseException | NullPointerException e) {
      return created;
    }
  }

  private static String percent(double accuracy) {
    return Double.isNaN(accuracy) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * accuracy);
  }

  static String escape(String text) {
    if (text == null) return "";
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  /** Text that cannot end the script element it is in ({@code </script>}) nor open a comment in it. */
  private static String scriptSafe(String text) {
    return text.replace("</", "<\\/").replace("<!--", "<\\!--");
  }

  /** D3 from its WebJar on the classpath, in the version the UI serves. */
  private static String d3() {
    Properties pom = new Properties();
    try (InputStream in = RunReport.class.getResourceAsStream("/META-INF/maven/org.webjars.npm/d3/pom.properties")) {
      if (in == null) throw new IllegalStateException("D3's WebJar is not on the classpath");
      pom.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return resource("/META-INF/resources/webjars/d3/" + pom.getProperty("version") + "/dist/d3.min.js");
  }

  /** A text resource: relative names beside this class, absolute ones from the classpath root. */
  private static String resource(String name) {
    try (InputStream in = RunReport.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("the resource " + name + " is missing from the jar");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
