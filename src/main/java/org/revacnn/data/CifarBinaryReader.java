package org.revacnn.data;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.CoderResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.revacnn.engine.Shape;

/**
 * Reads the binary version of CIFAR-10: records of 3,073 bytes, a label byte then the 32x32 red,
 * green and blue planes (already this package's channel-major layout).
 *
 * <p>A directory holds any of {@code data_batch_1.bin .. data_batch_5.bin} (training, at least one
 * required), {@code test_batch.bin} or else {@code test_batch_first1000.bin} (test, optional) and
 * {@code batches.meta.txt} (class names, one a line; the standard names when absent). Stateless.
 */
public final class CifarBinaryReader {
  public static final Shape SHAPE = new Shape(3, 32, 32);
  public static final int RECORD_BYTES = 1 + 3 * 32 * 32;
  public static final List<String> TRAINING_FILES =
      List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
  /** Test files in order of preference: the full test set, else its first 1,000 images. */
  public static final List<String> TEST_FILES = List.of("test_batch.bin", "test_batch_first1000.bin");
  public static final String CLASS_NAMES_FILE = "batches.meta.txt";
  public static final List<String> DEFAULT_CLASS_NAMES = List.of(
      "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck");

  private static final int RECORDS_PER_READ = 1_000;
  /** Labels are one byte: at most 256 classes. */
  static final int MAX_CLASSES = 256;
  static final int MAX_NAME_LENGTH = 100;
  private static final int MAX_CLASS_NAMES_BYTES = 64 * 1024;

  private CifarBinaryReader() {}

  /**
   * Reads every CIFAR-10 file present in {@code directory}, holding out validation images as
   * {@code split} says. A folder with only a test file (for evaluation) gives an empty training set.
   */
  public static Datasets read(Path directory, ValidationSplit split) throws DataException {
    DataFiles.requireDirectory(directory, "CIFAR-10");
    List<String> classNames = readClassNames(directory);
    List<Path> trainingFiles = new ArrayList<>();
    for (String name : TRAINING_FILES) {
      if (Files.isRegularFile(directory.resolve(name))) {
        trainingFiles.add(directory.resolve(name));
      }
    }
    ImageSet test = ImageSet.empty(SHAPE, classNames);
    for (String name : TEST_FILES) {
      if (Files.isRegularFile(directory.resolve(name))) {
        test = readFile(directory.resolve(name), classNames);
        break;
      }
    }
    if (trainingFiles.isEmpty() && test.isEmpty()) {
      throw new DataException("no CIFAR-10 file in " + directory + ": expected some of " + TRAINING_FILES + " or " + TEST_FILES);
    }
    int total = 0;
    for (Path file : trainingFiles) {
      total = Math.addExact(total, recordCount(file));
    }
    SplitWriter training = new SplitWriter(SHAPE, total, split);
    int index = 0;
    for (Path file : trainingFiles) {
      index = readRecords(file, classNames, training, index);
    }
    return new Datasets("CIFAR-10 from " + directory, training.train(classNames), training.validation(classNames), test);
  }

  /** Reads one file of CIFAR-10 records. */
  public static ImageSet readFile(Path file, List<String> classNames) throws DataException {
    if (!Files.isRegularFile(file)) {
      throw new DataException("CIFAR-10 file " + file + " does not exist");
    }
    SplitWriter writer = SplitWriter.keepingAll(SHAPE, recordCount(file));
    readRecords(file, classNames, writer, 0);
    return writer.train(classNames);
  }

  /**
   * The names in {@code batches.meta.txt}, or the standard ten when the file is absent: UTF-8 text,
   * one name a line (blank lines ignored), 1 to {@value #MAX_CLASSES} names of at most
   * {@value #MAX_NAME_LENGTH} characters. An error says what is wrong and where.
   */
  static List<String> readClassNames(Path directory) throws DataException {
    Path file = directory.resolve(CLASS_NAMES_FILE);
    if (!Files.isRegularFile(file)) {
      return DEFAULT_CLASS_NAMES;
    }
    long size = DataFiles.sizeOf(file);
    if (size > MAX_CLASS_NAMES_BYTES) {
      throw new DataException(file + " is " + size + " bytes; a list of class names is at most " + MAX_CLASS_NAMES_BYTES);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw DataFiles.cannotRead(file, e);
    }
    List<String> lines = utf8Text(file, bytes).lines().toList();
    List<String> names = new ArrayList<>();
    for (int line = 0; line < lines.size(); line++) {
      String name = lines.get(line).strip();
      if (name.isEmpty()) continue;
      if (name.length() > MAX_NAME_LENGTH || name.chars().anyMatch(Character::isISOControl)) {
        throw new DataException(file + " line " + (line + 1) + " is not a class name: expected up to " + MAX_NAME_LENGTH
            + " printable characters");
      }
      names.add(name);
    }
    if (names.isEmpty() || names.size() > MAX_CLASSES) {
      throw new DataException(file + " lists " + names.size() + " class names, expected 1 to " + MAX_CLASSES + " (one a line)");
    }
    return names;
  }

  /** {@code bytes} as UTF-8, or an error naming the first byte that is not UTF-8 and where it is. */
  private static String utf8Text(Path file, byte[] bytes) throws DataException {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(in, out, true);
    if (result.isError()) {
      int offset = in.position();
      int line = 1;
      for (int i = 0; i < offset; i++) if (bytes[i] == '\n') line++;
      throw new DataException(String.format("%s is not UTF-8 text: byte 0x%02x at offset %d (line %d); expected class"
          + " names, one a line", file, bytes[offset] & 0xFF, offset, line));
    }
    return out.flip().toString();
  }

  private static int recordCount(Path file) throws DataException {
    long size = DataFiles.sizeOf(file);
    if (size == 0 || size % RECORD_BYTES != 0) {
      throw new DataException(file + " has " + size + " bytes, not a whole number of " + RECORD_BYTES
          + "-byte CIFAR-10 records (" + size / RECORD_BYTES + " records and " + size % RECORD_BYTES + " bytes over)");
    }
    return Math.toIntExact(size / RECORD_BYTES);
  }

  /** Puts every record of {@code file} into {@code writer} from index {@code firstIndex}; returns the next index. */
  private static int readRecords(Path file, List<String> classNames, SplitWriter writer, int firstIndex)
      throws DataException {
    int count = recordCount(file);
    byte[] buffer = new byte[RECORDS_PER_READ * RECORD_BYTES];
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      for (int done = 0; done < count; ) {
        int chunk = Math.min(RECORDS_PER_READ, count - done);
        int read = in.readNBytes(buffer, 0, chunk * RECORD_BYTES);
        if (read != chunk * RECORD_BYTES) {
          throw new DataException(file + " ended early at byte " + ((long) done * RECORD_BYTES + read)
              + " (record " + (done + read / RECORD_BYTES) + ")");
        }
        for (int r = 0; r < chunk; r++) {
          int offset = r * RECORD_BYTES;
          int label = Byte.toUnsignedInt(buffer[offset]);
          int record = done + r;
          if (label >= classNames.size()) {
            throw new DataException(file + ": record " + record + " (byte offset " + (long) record * RECORD_BYTES
                + ") has label " + label + ", out of range 0.." + (classNames.size() - 1));
          }
          writer.put(firstIndex + record, label, buffer, offset + 1);
        }
        done += chunk;
      }
    } catch (IOException e) {
      throw DataFiles.cannotRead(file, e);
    }
    return firstIndex + count;
  }
}
