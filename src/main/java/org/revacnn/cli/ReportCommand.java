package org.revacnn.cli;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.Callable;
import org.revacnn.session.RunsFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code revacnn report NAME [NAME...] --out report.html}: kept runs compared in one self-contained HTML file ({@link RunReport}). */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Compare kept runs in one self-contained HTML file: overlaid loss and accuracy curves, steering logs, "
        + "final architectures and accuracies. The file needs no server and loads nothing.")
public final class ReportCommand implements Callable<Integer> {
  @Parameters(paramLabel = "NAME", arity = "1..*", description = "Runs to compare (plain names, as `revacnn runs` lists them).")
  List<String> names;

  @Mixin
  RunsArgument runs;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "The HTML file to write (replaced if it exists).")
  Path out;

  @Option(names = "--max-points", defaultValue = "4000",
      description = "Most points per run and curve; longer runs are averaged into buckets (default: ${DEFAULT-VALUE}).")
  int maxPoints;

  @Option(names = "--test", description = "Also measure each run's checkpoint on the test images of the data it was started "
      + "with (loads that data again, as revacnn eval does).")
  boolean test;

  @Override
  public Integer call() throws Exception {
    if (maxPoints < 1 || maxPoints > 1_000_000) throw new IllegalArgumentException("--max-points must be in 1..1000000, got " + maxPoints);
    RunsFolder folder = runs.folder();
    List<RunReport.Entry> entries = new ArrayList<>();
    for (String name : new LinkedHashSet<>(names)) entries.add(RunReport.read(folder, name, maxPoints, test));
    Path target = out.toAbsolutePath();
    if (target.getParent() != null) Files.createDirectories(target.getParent());
    Files.writeString(target, RunReport.html(entries), StandardCharsets.UTF_8);
    System.out.println("wrote " + target + " comparing " + String.join(", ", entries.stream().map(RunReport.Entry::name).toList()));
    return 0;
  }
}
