package org.revacnn.cli;

import java.nio.file.Path;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.SessionConfig;
import picocli.CommandLine.Option;

/** The {@code --checkpoint FILE} option shared by commands that read a saved network. */
final class CheckpointArgument {
  @Option(names = "--checkpoint", required = true, description = "Checkpoint file written by train or serve.")
  Path checkpoint;

  /** Reads and validates the checkpoint, turning a bad file into one clear IllegalArgumentException. */
  Checkpoint.Contents load() {
    try {
      return Checkpoint.read(checkpoint, SessionConfig.defaults());
    } catch (Checkpoint.CheckpointException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  @Override
  public String toString() {
    return checkpoint.toString();
  }
}
