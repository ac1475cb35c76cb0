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
