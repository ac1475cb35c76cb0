package org.revacnn.cli;

import org.revacnn.data.DataException;
import org.revacnn.data.DatasetSpec;
import org.revacnn.data.Datasets;
import org.revacnn.data.Downloader;
import org.revacnn.data.ValidationSplit;
import picocli.CommandLine.Option;

/** The data options shared by commands: which dataset, how much to hold out, whether to download. */
final class DataArguments {
  @Option(names = "--data", defaultValue = "synthetic",
      description = "Dataset: synthetic, synthetic:N, cifar10:DIR, mnist:DIR, fashion-mnist:DIR, folder:DIR (default: ${DEFAULT-VALUE}).")
  String data;

  @Option(names = "--validation", defaultValue = "1000",
      description = "Training images held out for validation (at most 10%% of them; default: ${DEFAULT-VALUE}).")
  int validation;

  @Option(names = "--download", description = "Fetch CIFAR-10 or MNIST into the given (or default) folder if missing, verifying sha256.")
  boolean download;

  /** Loads the data, turning a data error into one clear IllegalArgumentException. */
  Datasets load() {
    if (validation < 0) throw new IllegalArgumentException("--validation must be >= 0, got " + validation);
    try {
      ValidationSplit split = validation == 0 ? ValidationSplit.none()
          : new ValidationSplit(validation, 0.1, ValidationSplit.DEFAULT_SEED);
      return DatasetSpec.parse(data).load(split, download ? Downloader.overHttp() : null);
    } catch (DataException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }
}
