package org.revacnn.cli;

import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.revacnn.session.RunsFolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code revacnn runs}: the kept runs as a table; {@code revacnn runs rm NAME} deletes one. */
@Command(name = "runs", mixinStandardHelpOptions = true, subcommands = RunsCommand.Remove.class,
    description = "List the kept runs (name, dataset, model, steps, best validation accuracy, last change).")
public final class RunsCommand implements Callable<Integer> {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());

  @Mixin
  RunsArgument runs;

  @Override
  public Integer call() throws java.io.IOException {
    RunsFolder folder = runs.folder();
    List<RunsFolder.Summary> all = folder.list();
    if (all.isEmpty()) {
      System.out.println("no runs in " + folder.folder());
      return 0;
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"NAME", "DATASET", "MODEL", "STEPS", "BEST VAL ACC", "LAST CHANGE"});
    for (RunsFolder.Summary run : all) {
      rows.add(new String[] {run.name(), run.dataset(), run.model(), String.valueOf(run.steps()),
          Double.isNaN(run.bestValidationAccuracy()) ? "-" : String.format("%.4f", run.bestValidationAccuracy()),
          TIME.format(run.lastChange())});
    }
    print(rows);
    for (RunsFolder.Summary run : all) {
      if (run.problem() != null) System.out.println(run.name() + ": " + run.problem());
    }
    return 0;
  }

  /** Prints rows as columns padded to their widest cell, numbers right-aligned. */
  private static void print(List<String[]> rows) {
    int[] widths = new int[rows.getFirst().length];
    for (String[] row : rows) {
      for (int c = 0; c < row.length; c++) widths[c] = Math.max(widths[c], row[c].length());
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < row.length; c++) {
        boolean number = c == 3 || c == 4;
        String format = "%" + (number ? "" : "-") + widths[c] + "s";
        line.append(c == 0 ? "" : "  ").append(String.format(format, row[c]));
      }
      System.out.println(line.toString().stripTrailing());
    }
  }

  /** {@code revacnn runs rm NAME}: deletes a run's folder, asking nothing. */
  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Delete a run (its folder: config, history, checkpoint).")
  static final class Remove implements Callable<Integer> {
    @Mixin
    RunsArgument runs;

    @ParentCommand
    RunsCommand parent;

    @Parameters(paramLabel = "NAME", description = "The run's name (a plain name, as `revacnn runs` lists it).")
    String name;

    @Override
    public Integer call() throws java.io.IOException {
      RunsFolder folder = (runs.runs != null ? runs : parent.runs).folder();
      folder.remove(name);
      System.out.println("removed run " + name + " from " + folder.folder());
      return 0;
    }
  }
}
