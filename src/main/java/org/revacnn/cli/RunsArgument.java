package org.revacnn.cli;

import java.nio.file.Path;
import org.revacnn.session.RunsFolder;
import picocli.CommandLine.Option;

/** The {@code --runs DIR} option: where runs are kept. */
final class RunsArgument {
  @Option(names = "--runs", description = "Folder the runs are kept in, one folder per run (default: ~/.revacnn/runs).")
  Path runs;

  RunsFolder folder() {
    return new RunsFolder(runs != null ? runs : RunsFolder.defaultPath());
  }
}
