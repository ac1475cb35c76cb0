package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Shape;

/** Reads the real CIFAR-10 and MNIST files when they are present (see {@link SharedData}), else skips. */
class RealDataTest {
  @Test
  void cifar10TrainingSetHas5000ImagesPerClassAndTheKnownFirstFrog() throws DataException {
    Path directory = SharedData.directory("cifar10");

    Datasets data = CifarBinaryReader.read(directory, ValidationSplit.none());

    assertThat(data.train().size()).isEqualTo(50_000);
    assertThat(data.train().classCounts()).containsOnly(5_000);
    assertThat(data.classNames()).isEqualTo(CifarBinaryReader.DEFAULT_CLASS_NAMES);
    assertThat(data.train().label(0)).isEqualTo(6); // frog
    assertThat(new int[] {data.train().pixel(0, 0, 0, 0), data.train().pixel(0, 1, 0, 0), data.train().pixel(0, 2, 0, 0)})
        .containsExactly(59, 62, 63);
    assertThat(data.train().label(49_999)).isEqualTo(1);
    assertThat(data.train().pixel(49_999, 2, 31, 31)).isEqualTo(161);
    // test_batch.bin is absent here: the first 1,000 official test images stand in
    assertThat(data.test().size()).isEqualTo(1_000);
    assertThat(data.test().label(0)).isEqualTo(3);
    assertThat(data.test().pixel(0, 0, 0, 0)).isEqualTo(158);

    Normalization measured = Normalization.fromTrainingSet(data.train());
    assertThat(measured.mean(0)).isCloseTo(0.49139968, within(1e-6));
    assertThat(measured.standardDeviation(2)).isCloseTo(0.26158784, within(1e-6));
  }

  @Test
  void cifar10JpegTestSetHas1000ImagesPerClass() throws DataException {
    ImageSet test = CifarBinaryReader.readFile(SharedData.directory("cifar10-test-jpeg").resolve("test_batch.bin"),
        CifarBinaryReader.DEFAULT_CLASS_NAMES);
    assertThat(test.size()).isEqualTo(10_000);
    assertThat(test.classCounts()).containsOnly(1_000);
    assertThat(test.label(12_34)).isEqualTo(4); // record k has label k % 10
  }

  @Test
  void mnistHas60000TrainingAnd10000TestDigits() throws DataException {
    Datasets data = IdxReader.read(SharedData.directory("mnist"), IdxReader.DIGIT_CLASS_NAMES, ValidationSplit.none());

    assertThat(data.shape()).isEqualTo(new Shape(1, 28, 28));
    assertThat(data.train().size()).isEqualTo(60_000);
    assertThat(data.test().size()).isEqualTo(10_000);
    assertThat(data.train().classCounts()).containsExactly(5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949);
    assertThat(data.train().label(0)).isEqualTo(5);
    assertThat(data.test().label(0)).isEqualTo(7);
    int sum = 0;
    for (byte value : data.train().imageBytes(0)) {
      sum += value & 0xFF;
    }
    assertThat(sum).isEqualTo(27_525);
    assertThat(data.train().pixel(0, 0, 14, 15)).isEqualTo(0xFD);
    assertThat(Normalization.fromTrainingSet(data.train()).mean(0)).isCloseTo(0.1306604762738429, within(1e-9));
  }
}
