package org.revacnn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunsFolder;

/** {@code revacnn report}: what the page holds, and names refused. (ReportIT opens the page in Chromium.) */
class ReportCommandTest {
  @TempDir
  static Path dir;
  private static Path runsDir;

  @BeforeAll
  static void keepTwoRuns() throws Exception {
    runsDir = dir.resolve("runs");
    RunsFolder runs = new RunsFolder(runsDir);
    RunFixtures.trainedRun(runs, "plain", 30);
    RunFixtures.steeredRun(runs, "grown", 24, 2);
  }

  @Test
  void writesOnePageWithBothRunsTheirSteeringArchitecturesAndEverythingInlined() throws Exception {
    Path out = dir.resolve("out/report.html");
    CliTest.Run made = CliTest.run("report", "grown", "plain", "--runs", runsDir.toString(), "--out", out.toString());
    assertThat(made.exitCode()).as(made.err()).isZero();
    assertThat(made.out()).contains("wrote " + out.toAbsolutePath() + " comparing grown, plain");
    String page = Files.readString(out);
    assertThat(page).contains("<title>revacnn report: grown, plain</title>");
    // the grown run's steering log and its checkpoint's conv2 with 20 + 2 filters; the plain run's start network
    assertThat(page).contains("<td>add-filters</td>").contains("22 filters 5x5").contains("20 filters 5x5");
    assertThat(page).contains("default-src 'none'");
    assertThat(page).doesNotContain("src=\"http").doesNotContain("href=\"http").doesNotContain("<link");
    assertThat(page).contains("d3js.org v7", "export function drawChart", "runFromHistory(r.name");
    // the data: both histories, in the order given
    int grown = page.indexOf("{\"name\":\"grown\"");
    int plain = page.indexOf("{\"name\":\"plain\"");
    assertThat(grown).isPositive();
    assertThat(plain).isGreaterThan(grown);
  }

  @Test
  void withTestEachCheckpointIsMeasuredOnItsRunsTestImagesAsEvalMeasuresIt() throws Exception {
    Path out = dir.resolve("tested.html");
    CliTest.Run made = CliTest.run("report", "grown", "--runs", runsDir.toString(), "--out", out.toString(), "--test");
    assertThat(made.exitCode()).as(made.err()).isZero();
    CliTest.Run eval = CliTest.run("eval", "--checkpoint", runsDir.resolve("grown/checkpoint.ckpt").toString(),
        "--data", "synthetic:400", "--validation", "40", "--json");
    assertThat(eval.exitCode()).as(eval.err()).isZero();
    var measured = new com.fasterxml.jackson.databind.ObjectMapper().readTree(eval.out());
    String cell = String.format(java.util.Locale.ROOT, "%.2f%%<br><small>%d images, checkpoint at step 24</small>",
        100 * measured.path("accuracy").asDouble(), measured.path("images").asInt());
    assertThat(Files.readString(out)).contains(cell);
    // without --test: not measured, and the page says how to
    Path plain = dir.resolve("untested.html");
    assertThat(CliTest.run("report", "grown", "--runs", runsDir.toString(), "--out", plain.toString()).exitCode()).isZero();
    assertThat(Files.readString(plain)).contains("title=\"not measured (revacnn report --test measures it)\">-</span>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../runs", "/etc/passwd", "a/b", "missing"})
  void aNameThatIsNotARunIsRefusedAndNothingIsWritten(String name) throws Exception {
    Path out = dir.resolve("refused.html");
    CliTest.Run refused = CliTest.run("report", "plain", name, "--runs", runsDir.toString(), "--out", out.toString());
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).startsWith("error: ").containsAnyOf("a run name must be a plain file name", "no run named 'missing'");
    assertThat(out).doesNotExist();
  }

  @Test
  void theOutputFileIsRequired() {
    CliTest.Run refused = CliTest.run("report", "plain", "--runs", runsDir.toString());
    assertThat(refused.exitCode()).isEqualTo(2);
    assertThat(refused.err()).contains("--out");
  }
}
