package org.revacnn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The commands end to end on tiny synthetic data: exit codes, files written, one-line errors. */
class CliTest {
  @TempDir
  Path dir;

  record Run(int exitCode, String out, String err) {}

  /** Runs the command line in this JVM, capturing standard output and picocli's error stream. */
  static Run run(String... args) {
    PrintStream originalOut = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringWriter err = new StringWriter();
    System.setOut(new PrintStream(out, true));
    try {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      int code = cl.execute(args);
      return new Run(code, out.toString(), err.toString());
    } finally {
      System.setOut(originalOut);
    }
  }

  @Test
  void trainEvalAndExportAChain() throws Exception {
    Path ckpt = dir.resolve("tiny.ckpt");
    Run train = run("train", "--data", "synthetic:200", "--validation", "20", "--epochs", "0.2", "--batch", "8",
        "--threads", "1", "--out", ckpt.toString());
    assertThat(train.exitCode()).as(train.err()).isZero();
    assertThat(Files.size(ckpt)).isPositive();
    Run eval = run("eval", "--checkpoint", ckpt.toString(), "--data", "synthetic:200", "--validation", "20", "--json");
    assertThat(eval.exitCode()).as(eval.err()).isZero();
    JsonNode result = new ObjectMapper().readTree(eval.out());
    assertThat(result.get("accuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(result.get("confusion").size()).isEqualTo(10);
    assertThat(result.get("perClassAccuracy").size()).isEqualTo(10);
    Run export = run("export", "--checkpoint", ckpt.toString(), "--out", dir.resolve("w").toString());
    assertThat(export.exitCode()).as(export.err()).isZero();
    assertThat(dir.resolve("w").resolve("conv1.weights.npy")).exists();
    JsonNode preprocessing = new ObjectMapper().readTree(dir.resolve("w").resolve("preprocessing.json").toFile());
    assertThat(preprocessing.get("mean").size()).isEqualTo(3);
    assertThat(preprocessing.get("mean").get(0).asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void trainTakesTheResNetRecipeAndKeepsItInTheCheckpoint() throws Exception {
    Path ckpt = dir.resolve("recipe.ckpt");
    Run train = run("train", "--data", "synthetic:200", "--validation", "20", "--epochs", "0.5", "--batch", "8",
        "--threads", "2", "--model", "conv4k3bn-fc5", "--optimizer", "sgd", "--nesterov", "--lr", "0.05", "--no-decay-bn-bias",
        "--label-smoothing", "0.1", "--cosine", "--warmup-epochs", "0.1", "--augment", "crop4flip", "--out", ckpt.toString());
    assertThat(train.exitCode()).as(train.err()).isZero();
    org.revacnn.session.Checkpoint.Contents saved = org.revacnn.session.Checkpoint.read(ckpt,
        org.revacnn.session.SessionConfig.defaults());
    assertThat(saved.config().augmentation()).isEqualTo(org.revacnn.data.Augmentation.CROP_4_AND_FLIP);
    assertThat(saved.hyperparameters().nesterov()).isTrue();
    assertThat(saved.hyperparameters().noNormDecay()).isTrue();
    assertThat(saved.hyperparameters().labelSmoothing()).isEqualTo(0.1f);
    // 180 images, 8 a step: every 1/20 epoch gets its rate, the first the warm-up's at 0.025 epochs: 0.05 * 0.025 / 0.1
    java.util.List<Float> rates = saved.history().steering().stream()
        .filter(e -> e.result().containsKey("learningRate"))
        .map(e -> ((Number) ((java.util.Map<?, ?>) e.result().get("learningRate")).get("to")).floatValue()).toList();
    assertThat(rates).hasSize(10);
    assertThat(rates.getFirst()).isCloseTo(0.0125f, org.assertj.core.api.Assertions.within(1e-6f));
    assertThat(rates.get(2)).isLessThan(0.05f).isGreaterThan(rates.get(9));
  }

  @Test
  void trainRefusesTwoSchedulesAndAnUnknownAugmentationWithTheReason() {
    Run both = run("train", "--data", "synthetic:40", "--cosine", "--one-cycle", "--out", dir.resolve("x.ckpt").toString());
    assertThat(both.exitCode()).isNotZero();
    assertThat(both.err()).contains("not both");
    Run unknown = run("train", "--data", "synthetic:40", "--augment", "crop8", "--out", dir.resolve("y.ckpt").toString());
    assertThat(unknown.exitCode()).isNotZero();
    assertThat(unknown.err()).contains("crop4flip");
    assertThat(dir.resolve("x.ckpt")).doesNotExist();
  }

  @Test
  void benchJsonIsOneLineOfJsonEndingInANewlineWithProgressOnlyOnStandardError() throws Exception {
    Run bench = run("bench", "--json", "--quick", "--seconds", "0.02", "--repeats", "1", "--warmup", "0.1",
        "--threads", "1", "--model", "conv4", "--batches", "4,6");
    assertThat(bench.exitCode()).as(bench.err()).isZero();
    assertThat(bench.out()).endsWith("}" + System.lineSeparator()).hasLineCount(1);
    JsonNode result = new ObjectMapper().readTree(bench.out());
    assertThat(result.get("model").asText()).isEqualTo("conv4");
    assertThat(result.get("train").get("batch4").get("threads1").asDouble()).isPositive();
    assertThat(result.get("train").get("batch6").get("threads1").asDouble()).isPositive();
    assertThat(result.get("train").has("batch64")).isFalse();
    assertThat(result.get("infer").get("batch64").get("threads1").asDouble()).isPositive();
  }

  @Test
  void growExperimentWritesCurvesAndASummary() throws Exception {
    Path out = dir.resolve("grow");
    Run grow = run("experiment", "grow", "--data", "synthetic:100", "--validation", "10", "--base", "conv4-conv4",
        "--grown", "conv4-conv5", "--layer", "conv2", "--before", "0.2", "--after", "0.2", "--batch", "5", "--window", "2",
        "--threads", "1", "--out", out.toString());
    assertThat(grow.exitCode()).as(grow.err()).isZero();
    List<String> csv = Files.readAllLines(out.resolve("grow.csv"));
    assertThat(csv.getFirst()).isEqualTo("step,scratch conv4-conv5,grown random,grown net2net,grown zero-out,untouched conv4-conv4");
    String svg = Files.readString(out.resolve("grow.svg"));
    assertThat(svg).startsWith("<svg").contains("grown net2net").contains("untouched conv4-conv4");
    assertThat(Files.readAllLines(out.resolve("summary.txt"))).hasSize(5);

    // the grown arms and the untouched one are forks of one base run: one curve up to the growth, then apart
    java.util.regex.Matcher at = java.util.regex.Pattern.compile("at step (\\d+)").matcher(svg);
    assertThat(at.find()).isTrue();
    int growthStep = Integer.parseInt(at.group(1));
    int rowsBefore = 0;
    boolean apart = false;
    for (String row : csv.subList(1, csv.size())) {
      String[] cells = row.split(",", -1);
      if (Integer.parseInt(cells[0]) <= growthStep) {
        rowsBefore++;
        assertThat(List.of(cells[3], cells[4], cells[5])).as(row).containsOnly(cells[2]);
      } else if (!cells[2].isEmpty() && !cells[2].equals(cells[5])) {
        apart = true;
      }
    }
    assertThat(rowsBefore).isPositive();
    assertThat(apart).as("the randomly grown arm trains apart from the untouched one").isTrue();
  }

  @Test
  void badInputIsOneLineErrorsWithExitCodeTwo() {
    for (String[] args : new String[][] {
        {"train", "--data", "cifar10:/nonexistent/dir"},
        {"train", "--model", "conv16-cnv2"},
        {"train", "--lr", "-1"},
        {"train", "--label-smoothing", "1"},
        {"bench", "--batches", "0"},
        {"eval", "--checkpoint", "/nonexistent.ckpt"},
        {"export", "--checkpoint", "/nonexistent.ckpt"},
        {"serve", "--attach", "--model", "conv8", "--port", "0"},
        {"serve", "--attach", "--data", "synthetic:100", "--paused"}}) {
      Run r = run(args);
      assertThat(r.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(r.err().strip()).as(String.join(" ", args)).startsWith("error: ").doesNotContain("\tat ");
    }
    assertThat(run("serve", "--attach", "--data", "synthetic:100", "--paused").err())
        .contains("--attach takes no --data, --paused: the PyTorch run brings its own model, data and settings");
  }
}
