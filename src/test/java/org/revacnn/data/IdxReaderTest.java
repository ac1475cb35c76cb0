package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.engine.Shape;

class IdxReaderTest {
  private static final int IMAGES = IdxReader.IMAGES_MAGIC;
  private static final int LABELS = IdxReader.LABELS_MAGIC;

  @TempDir Path directory;

  @Test
  void readsPlainTrainingAndGzippedTestFiles() throws Exception {
    TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte"), IMAGES, 3, 28, 28);
    TestFiles.writeIdxLabels(directory.resolve("train-labels-idx1-ubyte"), LABELS, 5, 0, 4);
    TestFiles.writeIdxImages(directory.resolve("t10k-images-idx3-ubyte.gz"), IMAGES, 2, 28, 28);
    TestFiles.writeIdxLabels(directory.resolve("t10k-labels-idx1-ubyte.gz"), LABELS, 7, 2);

    Datasets data = IdxReader.read(directory, IdxReader.DIGIT_CLASS_NAMES, ValidationSplit.none());

    assertThat(data.shape()).isEqualTo(new Shape(1, 28, 28));
    assertThat(data.train().size()).isEqualTo(3);
    assertThat(data.train().label(0)).isEqualTo(5);
    assertThat(data.train().pixel(2, 0, 1, 3)).isEqualTo(TestFiles.pixelValue(2, 0, 28 + 3));
    assertThat(data.test().size()).isEqualTo(2);
    assertThat(data.test().label(1)).isEqualTo(2);
    assertThat(data.test().pixel(1, 0, 27, 27)).isEqualTo(TestFiles.pixelValue(1, 0, 783));
  }

  @Test
  void testFilesAreOptional() throws Exception {
    writeTraining(4, 4);
    Datasets data = IdxReader.read(directory, IdxReader.FASHION_CLASS_NAMES, ValidationSplit.ofCount(1, 3));
    assertThat(data.train().size()).isEqualTo(3);
    assertThat(data.validation().size()).isEqualTo(1);
    assertThat(data.test().isEmpty()).isTrue();
    assertThat(data.classNames().get(9)).isEqualTo("Ankle boot");
  }

  @Test
  void missingDirectoryAndMissingFilesAreClearErrors() throws IOException {
    Path missing = directory.resolve("absent");
    assertThatThrownBy(() -> read(missing)).isInstanceOf(DataException.class)
        .hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
    TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte"), IMAGES, 1, 2, 2);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining("train-labels-idx1-ubyte");
  }

  @Test
  void badMagicNumberNamesTheFile() throws IOException {
    Path images = TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte"), 0x00000802, 2, 2, 2);
    TestFiles.writeIdxLabels(directory.resolve("train-labels-idx1-ubyte"), LABELS, 0, 1);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining(images.toString()).hasMessageContaining("bad IDX magic number 0x00000802")
        .hasMessageContaining("expected 0x00000803");
  }

  @Test
  void mismatchedImageAndLabelCountsNameBothFiles() throws IOException {
    Path images = TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte.gz"), IMAGES, 3, 2, 2);
    Path labels = TestFiles.writeIdxLabels(directory.resolve("train-labels-idx1-ubyte"), LABELS, 0, 1);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining(images + " holds 3 images but " + labels + " holds 2 labels");
  }

  @Test
  void labelOutOfRangeNamesTheEntry() throws IOException {
    TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte"), IMAGES, 3, 2, 2);
    Path labels = TestFiles.writeIdxLabels(directory.resolve("train-labels-idx1-ubyte"), LABELS, 0, 1, 200);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining(labels.toString()).hasMessageContaining("entry 2 (byte offset 10)")
        .hasMessageContaining("label 200, out of range 0..9");
  }

  @Test
  void truncatedImagesNameTheEntryWhereTheyEnd() throws IOException {
    Path images = writeTraining(3, 2);
    byte[] bytes = Files.readAllBytes(images);
    Files.write(images, Arrays.copyOf(bytes, bytes.length - 5));
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining(images.toString()).hasMessageContaining("ends in entry 1");
  }

  @Test
  void bytesBeyondTheHeaderCountAreNotAWholeNumberOfEntries() throws IOException {
    Path images = writeTraining(2, 2);
    Files.write(images, new byte[] {1}, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining(images.toString()).hasMessageContaining("not a whole number of entries");
  }

  @Test
  void corruptGzipIsAnUnreadableFile() throws IOException {
    writeTraining(2, 2);
    Files.delete(directory.resolve("train-labels-idx1-ubyte"));
    Path labels = Files.write(directory.resolve("train-labels-idx1-ubyte.gz"), new byte[] {1, 2, 3, 4});
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining("cannot read " + labels);
  }

  @Test
  void aLoneTestFileIsAnError() throws IOException {
    writeTraining(2, 2);
    TestFiles.writeIdxImages(directory.resolve("t10k-images-idx3-ubyte"), IMAGES, 1, 2, 2);
    assertThatThrownBy(() -> read(directory)).isInstanceOf(DataException.class)
        .hasMessageContaining("t10k-labels-idx1-ubyte");
  }

  private Path writeTraining(int count, int side) throws IOException {
    TestFiles.writeIdxLabels(directory.resolve("train-labels-idx1-ubyte"), LABELS, new int[count]);
    return TestFiles.writeIdxImages(directory.resolve("train-images-idx3-ubyte"), IMAGES, count, side, side);
  }

  private static Datasets read(Path directory) throws DataException {
    return IdxReader.read(directory, IdxReader.DIGIT_CLASS_NAMES, ValidationSplit.none());
  }
}
