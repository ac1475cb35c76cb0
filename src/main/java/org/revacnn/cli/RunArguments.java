package org.revacnn.cli;

import org.revacnn.session.SessionConfig;
import picocli.CommandLine.Option;

/** The {@code --seed} and {@code --threads} options shared by the commands that train. */
final class RunArguments {
  @Option(names = "--seed", defaultValue = "1",
      description = "Seed for weights, data order, augmentation and dropout (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--threads", defaultValue = "2", description = "Training threads (default: ${DEFAULT-VALUE}).")
  int threads;

  /** {@code config} with this seed and thread count. */
  SessionConfig applyTo(SessionConfig config) {
    return config.withSeed(seed).withThreads(threads);
  }
}
