package org.revacnn.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.revacnn.engine.Shape;

/**
 * Reads MNIST and Fashion-MNIST in the IDX format: {@code train-images-idx3-ubyte},
 * {@code train-labels-idx1-ubyte} (required) and {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte} (optional test set), each plain or with {@code .gz}.
 *
 * <p>IDX layout: a big-endian magic ({@code 0x00000803} images, {@code 0x00000801} labels), the
 * dimension sizes as big-endian ints, then unsigned bytes. Images become one channel of
 * rows x columns (28x28 for MNIST). Stateless.
 */
public final class IdxReader {
  public static final int IMAGES_MAGIC = 0x00000803;
  public static final int LABELS_MAGIC = 0x00000801;
  public static final List<String> DIGIT_CLASS_NAMES = List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
  public static final List<String> FASHION_CLASS_NAMES = List.of(
      "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

  private IdxReader() {}

  /** Reads the training (and, when present, the test) files of {@code directory}. */
  public static Datasets read(Path directory, List<String> classNames, ValidationSplit split) throws DataException {
    DataFiles.requireDirectory(directory, "IDX (MNIST)");
    Path trainImages = find(directory, "train-images-idx3-ubyte");
    Path trainLabels = find(directory, "train-labels-idx1-ubyte");
    if (trainImages == null || trainLabels == null) {
      throw new DataException("no MNIST training files in " + directory
          + ": expected train-images-idx3-ubyte and train-labels-idx1-ubyte (plain or .gz)");
    }
    byte[] labels = readLabels(trainLabels, classNames);
    SplitWriter training = readImages(trainImages, trainLabels, labels, split);
    ImageSet train = training.train(classNames);
    ImageSet validation = training.validation(classNames);

    Path testImages = find(directory, "t10k-images-idx3-ubyte");
    Path testLabels = find(directory, "t10k-labels-idx1-ubyte");
    ImageSet test = ImageSet.empty(train.shape(), classNames);
    if (testImages != null && testLabels != null) {
      SplitWriter testWriter =
          readImages(testImages, testLabels, readLabels(testLabels, classNames), ValidationSplit.none());
      test = testWriter.train(classNames);
      if (!test.shape().equals(train.shape())) {
        throw new DataException(testImages + " holds " + test.shape() + " images but " + trainImages
            + " holds " + train.shape());
      }
    } else if (testImages != null || testLabels != null) {
      throw new DataException("incomplete MNIST test set in " + directory
          + ": need both t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (plain or .gz)");
    }
    return new Datasets("IDX images from " + directory, train, validation, test);
  }

  /** The plain file if present, else the {@code .gz} one, else null. */
  private static Path find(Path directory, String name) {
    for (String candidate : List.of(name, name + ".gz")) {
      if (Files.isRegularFile(directory.resolve(candidate))) {
        return directory.resolve(candidate);
      }
    }
    return null;
  }

  private static byte[] readLabels(Path file, List<String> classNames) throws DataException {
    try (DataInputStream in = open(file)) {
      int count = readHeader(in, file, LABELS_MAGIC, 1)[0];
      byte[] labels = readBody(in, file, count, 1, "labels");
      for (int i = 0; i < count; i++) {
        int label = Byte.toUnsignedInt(labels[i]);
        if (label >= classNames.size()) {
          throw new DataException(file + ": entry " + i + " (byte offset " + (8 + i) + ") has label " + label
              + ", out of range 0.." + (classNames.size() - 1));
        }
      }
      return labels;
    } catch (IOException e) {
      throw DataFiles.cannotRead(file, e);
    }
  }

  private static SplitWriter readImages(Path file, Path labelFile, byte[] labels, ValidationSplit split)
      throws DataException {
    try (DataInputStream in = open(file)) {
      int[] dimensions = readHeader(in, file, IMAGES_MAGIC, 3);
      int count = dimensions[0];
      if (count != labels.length) {
        throw new DataException(file + " holds " + count + " images but " + labelFile + " holds "
            + labels.length + " labels");
      }
      Shape shape = new Shape(1, dimensions[1], dimensions[2]);
      byte[] pixels = readBody(in, file, count, shape.size(), "images");
      SplitWriter writer = new SplitWriter(shape, count, split);
      for (int i = 0; i < count; i++) {
        writer.put(i, Byte.toUnsignedInt(labels[i]), pixels, i * shape.size());
      }
      return writer;
    } catch (IOException e) {
      throw DataFiles.cannotRead(file, e);
    }
  }

  private static DataInputStream open(Path file) throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    return new DataInputStream(file.getFileName().toString().endsWith(".gz")
        ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
  }

  /** Checks the magic number and returns the {@code dimensionCount} sizes that follow it. */
  private static int[] readHeader(DataInputStream in, Path file, int expectedMagic, int dimensionCount)
      throws IOException, DataException {
    try {
      int magic = in.readInt();
      if (magic != expectedMagic) {
        throw new DataException(String.format("%s: bad IDX magic number 0x%08X at byte offset 0, expected 0x%08X (%s)",
            file, magic, expectedMagic, expectedMagic == IMAGES_MAGIC ? "unsigned-byte images" : "unsigned-byte labels"));
      }
      int[] dimensions = new int[dimensionCount];
      for (int d = 0; d < dimensionCount; d++) {
        dimensions[d] = in.readInt();
        if (dimensions[d] <= 0) {
          throw new DataException(file + ": IDX dimension " + d + " (byte offset " + (4 + 4 * d) + ") is "
              + dimensions[d] + ", expected a positive size");
        }
      }
      return dimensions;
    } catch (EOFException e) {
      throw new DataException(file + " is too short for an IDX header", e);
    }
  }

  /** Reads exactly {@code count} entries of {@code entryBytes} and checks that nothing follows them. */
  private static byte[] readBody(InputStream in, Path file, int count, int entryBytes, String what)
      throws IOException, DataException {
    long expected = (long) count * entryBytes;
    if (expected > Integer.MAX_VALUE - 16) {
      throw new DataException(file + ": header promises " + count + " " + what + " of " + entryBytes
          + " bytes, too many to hold in memory");
    }
    byte[] body = in.readNBytes((int) expected);
    if (body.length != expected) {
      throw new DataException(file + ": header promises " + count + " " + what + " of " + entryBytes
          + " bytes but the data ends in entry " + body.length / entryBytes + " (" + body.length + " of "
          + expected + " bytes)");
    }
    if (in.read() != -1) {
      throw new DataException(file + " has bytes after the " + count + " " + what
          + " its header promises: not a whole number of entries");
    }
    return body;
  }
}
