package org.revacnn.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code revacnn} command line: one runnable jar, one sub-command per job. */
@Command(name = "revacnn", mixinStandardHelpOptions = true, version = "revacnn 0.1.0",
    description = "Watch and steer a convolutional neural network while it trains (ReVACNN for the JVM).",
    subcommands = {ServeCommand.class, TrainCommand.class, EvalCommand.class, ExportCommand.class, ExperimentCommand.class,
        BenchCommand.class, AnalyzeCommand.class, RunsCommand.class, ReportCommand.class,
        CommandLine.HelpCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured picocli instance; user errors print one line, not a stack trace. */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    cl.setExecutionExceptionHandler((ex, line, parsed) -> {
      if (ex instanceof IllegalArgumentException || ex instanceof java.io.UncheckedIOException
          || ex instanceof java.io.IOException || ex instanceof IllegalStateException) {
        line.getErr().println("error: " + ex.getMessage());
        return 2;
      }
      throw ex;
    });
    return cl;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}
