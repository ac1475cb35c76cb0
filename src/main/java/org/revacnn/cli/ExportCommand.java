package org.revacnn.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.WeightExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Writes a checkpoint's weights and input preprocessing as JSON and NumPy .npy files for use in other tools. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = "Export a checkpoint's weights: weights.json, architecture.json, preprocessing.json (input"
        + " normalisation) and one .npy file per parameter.")
public final class ExportCommand implements Callable<Integer> {
  @Mixin
  CheckpointArgument checkpoint;

  @Option(names = "--out", defaultValue = "revacnn-weights", description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Override
  public Integer call() throws Exception {
    Checkpoint.Contents saved = checkpoint.load();
    List<Path> files = WeightExport.write(saved.state(), saved.normalization(), out);
    System.out.println("wrote " + files.size() + " files to " + out.toAbsolutePath());
    return 0;
  }
}
