package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarBinaryReaderTest {
  @TempDir Path directory;

  @Test
  void readsTrainingFilesInOrderAndTheFirst1000TestFile() throws Exception {
    TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1, 2);
    TestFiles.writeCifar(directory.resolve("data_batch_3.bin"), 9, 8);
    TestFiles.writeCifar(directory.resolve("test_batch_first1000.bin"), 4);

    Datasets data = CifarBinaryReader.read(directory, ValidationSplit.none());

    assertThat(data.train().size()).isEqualTo(5);
    assertThat(List.of(0, 1, 2, 3, 4).stream().map(data.train()::label)).containsExactly(0, 1, 2, 9, 8);
    assertThat(data.validation().isEmpty()).isTrue();
    assertThat(data.test().size()).isEqualTo(1);
    assertThat(data.test().label(0)).isEqualTo(4);
    assertThat(data.classNames()).isEqualTo(CifarBinaryReader.DEFAULT_CLASS_NAMES);
    // record 1 of the first file: red plane first, then green, then blue, each row-major
    assertThat(data.train().pixel(1, 0, 0, 0)).isEqualTo(TestFiles.pixelValue(1, 0, 0));
    assertThat(data.train().pixel(1, 1, 2, 3)).isEqualTo(TestFiles.pixelValue(1, 1, 2 * 32 + 3));
    // the first record of data_batch_3 follows the three of data_batch_1
    assertThat(data.train().pixel(3, 2, 31, 31)).isEqualTo(TestFiles.pixelValue(0, 2, 1023));
  }

  @Test
  void prefersTheFullTestBatchAndReadsClassNames() throws Exception {
    TestFiles.writeCifar(directory.resolve("data_batch_2.bin"), 0, 1);
    TestFiles.writeCifar(directory.resolve("test_batch.bin"), 1, 1, 0);
    TestFiles.writeCifar(directory.resolve("test_batch_first1000.bin"), 0);
    Files.writeString(directory.resolve("batches.meta.txt"), "cat\ndog\n\n");

    Datasets data = CifarBinaryReader.read(directory, ValidationSplit.none());

    assertThat(data.test().size()).isEqualTo(3);
    assertThat(data.classNames()).containsExactly("cat", "dog");
  }

  @Test
  void holdsOutValidationImagesFromTheTrainingFiles() throws Exception {
    TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);

    Datasets data = CifarBinaryReader.read(directory, ValidationSplit.ofCount(3, 5));

    assertThat(data.train().size()).isEqualTo(7);
    assertThat(data.validation().size()).isEqualTo(3);
    assertThat(data.test().isEmpty()).isTrue();
    boolean[] heldOut = ValidationSplit.ofCount(3, 5).heldOutMask(10);
    int validationIndex = 0;
    for (int record = 0; record < 10; record++) {
      if (heldOut[record]) {
        assertThat(data.validation().label(validationIndex++)).isEqualTo(record);
      }
    }
  }

  @Test
  void classNamesThatAreNotUtf8TextSayWhichByteIsWrongAndWhere() throws Exception {
    TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1);
    Path meta = Files.write(directory.resolve("batches.meta.txt"), new byte[] {'c', 'a', 't', '\n', 'd', (byte) 0xff, 'g', '\n'});
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class)
        .hasMessage(meta + " is not UTF-8 text: byte 0xff at offset 5 (line 2); expected class names, one a line");
  }

  @Test
  void classNamesWithControlCharactersOrTooManyLinesAreRefused() throws Exception {
    TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1);
    Path meta = Files.write(directory.resolve("batches.meta.txt"), "cat\ndo\u0000g\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageStartingWith(meta + " line 2 is not a class name");
    Files.writeString(meta, "x\n".repeat(300));
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessage(meta + " lists 300 class names, expected 1 to 256 (one a line)");
    Files.writeString(meta, "chat\nchien\n");
    assertThat(CifarBinaryReader.read(directory, ValidationSplit.none()).classNames()).containsExactly("chat", "chien");
  }

  @Test
  void missingDirectoryIsOneClearError() {
    Path missing = directory.resolve("nowhere");
    assertThatThrownBy(() -> CifarBinaryReader.read(missing, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(missing.toString()).hasMessageContaining("does not exist");
  }

  @Test
  void directoryWithoutAnyCifarFileIsAnError() {
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining("no CIFAR-10 file")
        .hasMessageContaining("data_batch_1.bin").hasMessageContaining("test_batch.bin");
  }

  @Test
  void directoryWithOnlyATestFileGivesAnEmptyTrainingSetForEvaluation() throws Exception {
    TestFiles.writeCifar(directory.resolve("test_batch.bin"), 1, 2, 3);
    Datasets d = CifarBinaryReader.read(directory, ValidationSplit.none());
    assertThat(d.train().isEmpty()).isTrue();
    assertThat(d.test().size()).isEqualTo(3);
  }

  @Test
  void sizeThatIsNotAWholeNumberOfRecordsNamesTheFile() throws IOException {
    Path file = TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1);
    Files.write(file, new byte[] {1, 2, 3}, StandardOpenOption.APPEND);
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(file.toString())
        .hasMessageContaining("6149 bytes").hasMessageContaining("2 records and 3 bytes over");
  }

  @Test
  void labelOutOfRangeNamesTheRecordAndItsOffset() throws IOException {
    Path file = TestFiles.writeCifar(directory.resolve("data_batch_1.bin"), 0, 1, 10);
    assertThatThrownBy(() -> CifarBinaryReader.read(directory, ValidationSplit.none()))
        .isInstanceOf(DataException.class).hasMessageContaining(file.toString())
        .hasMessageContaining("record 2 (byte offset 6146)").hasMessageContaining("label 10, out of range 0..9");
  }

  @Test
  void readFileReportsAMissingFile() {
    Path missing = directory.resolve("data_batch_9.bin");
    assertThatThrownBy(() -> CifarBinaryReader.readFile(missing, CifarBinaryReader.DEFAULT_CLASS_NAMES))
        .isInstanceOf(DataException.class).hasMessageContaining(missing.toString());
  }
}
