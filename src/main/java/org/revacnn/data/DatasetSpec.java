package org.revacnn.data;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import org.revacnn.engine.Shape;

/**
 * A data source named on the command line, parsed by {@link #parse} and turned into
 * {@link Datasets} by {@link #load}. Immutable.
 *
 * <p>Accepted forms: {@code synthetic}, {@code synthetic:N} (N training images),
 * {@code cifar10[:DIR]}, {@code mnist[:DIR]}, {@code fashion-mnist:DIR}, {@code folder:DIR}.
 * Without a DIR, {@code cifar10} and {@code mnist} use {@link Downloader#defaultDirectory}.
 */
public sealed interface DatasetSpec {
  String ACCEPTED_FORMS =
      "synthetic, synthetic:N, cifar10, cifar10:DIR, mnist, mnist:DIR, fashion-mnist:DIR, folder:DIR";

  /**
   * Reads (or generates) the data, holding out validation images as {@code split} says. When
   * {@code downloader} is not null, CIFAR-10 and MNIST are first fetched into their directory if
   * missing; other sources ignore it.
   */
  Datasets load(ValidationSplit split, Downloader downloader) throws DataException;

  /** The built-in synthetic shapes (see {@link SyntheticShapes}). */
  record Synthetic(int trainCount, int testCount, long seed) implements DatasetSpec {
    @Override
    public Datasets load(ValidationSplit split, Downloader downloader) {
      return SyntheticShapes.datasets(trainCount, testCount, seed, split);
    }
  }

  /** A directory of CIFAR-10 binary files (see {@link CifarBinaryReader}). */
  record Cifar10(Path directory) implements DatasetSpec {
    @Override
    public Datasets load(ValidationSplit split, Downloader downloader) throws DataException {
      if (downloader != null) {
        downloader.ensureCifar10(directory);
      }
      return CifarBinaryReader.read(directory, split);
    }
  }

  /** A directory of MNIST or Fashion-MNIST IDX files (see {@link IdxReader}). */
  record Mnist(Path directory, boolean fashion) implements DatasetSpec {
    @Override
    public Datasets load(ValidationSplit split, Downloader downloader) throws DataException {
      if (downloader != null && !fashion) {
        downloader.ensureMnist(directory);
      }
      return IdxReader.read(directory, fashion ? IdxReader.FASHION_CLASS_NAMES : IdxReader.DIGIT_CLASS_NAMES, split);
    }
  }

  /** A folder with one sub-folder of images per class (see {@link ImageFolderReader}). */
  record Folder(Path directory, Shape target) implements DatasetSpec {
    @Override
    public Datasets load(ValidationSplit split, Downloader downloader) throws DataException {
      return ImageFolderReader.read(directory, target, split);
    }
  }

  static DatasetSpec parse(String text) throws DataException {
    String trimmed = text == null ? "" : text.strip();
    int colon = trimmed.indexOf(':');
    String kind = colon < 0 ? trimmed : trimmed.substring(0, colon);
    String argument = colon < 0 ? null : trimmed.substring(colon + 1);
    if (argument != null && argument.isBlank()) {
      throw new DataException("dataset '" + text + "' has nothing after ':'; accepted forms: " + ACCEPTED_FORMS);
    }
    return switch (kind) {
      case "synthetic" -> new Synthetic(argument == null ? SyntheticShapes.DEFAULT_TRAIN_COUNT : count(text, argument),
          SyntheticShapes.DEFAULT_TEST_COUNT, SyntheticShapes.DEFAULT_SEED);
      case "cifar10" -> new Cifar10(argument == null ? Downloader.defaultDirectory("cifar10") : path(text, argument));
      case "mnist" -> new Mnist(argument == null ? Downloader.defaultDirectory("mnist") : path(text, argument), false);
      case "fashion-mnist" -> new Mnist(requireDirectory(text, argument), true);
      case "folder" -> new Folder(requireDirectory(text, argument), ImageFolderReader.DEFAULT_SHAPE);
      default -> throw new DataException("unknown dataset '" + text + "'; accepted forms: " + ACCEPTED_FORMS);
    };
  }

  private static int count(String text, String argument) throws DataException {
    try {
      int count = Integer.parseInt(argument.replace("_", ""));
      if (count >= 10) {
        return count;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new DataException("dataset '" + text + "': N must be a whole number of at least 10 training images");
  }

  private static Path requireDirectory(String text, String argument) throws DataException {
    if (argument == null) {
      throw new DataException("dataset '" + text + "' needs a directory, e.g. " + text + ":/path/to/data; accepted forms: "
          + ACCEPTED_FORMS);
    }
    return path(text, argument);
  }

  private static Path path(String text, String argument) throws DataException {
    try {
      return Path.of(argument);
    } catch (InvalidPathException e) {
      throw new DataException("dataset '" + text + "': '" + argument + "' is not a valid path: " + e.getReason());
    }
  }
}
