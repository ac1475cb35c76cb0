package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticShapesTest {
  @Test
  void sameSeedGivesIdenticalBytesAndAnotherSeedDiffers() {
    ImageSet first = SyntheticShapes.generate(200, 7);
    ImageSet again = SyntheticShapes.generate(200, 7);
    ImageSet other = SyntheticShapes.generate(200, 8);
    for (int i = 0; i < 200; i++) {
      assertThat(again.imageBytes(i)).isEqualTo(first.imageBytes(i));
      assertThat(other.imageBytes(i)).isNotEqualTo(first.imageBytes(i));
    }
  }

  @Test
  void imageDependsOnlyOnSeedAndIndex() {
    ImageSet small = SyntheticShapes.generate(30, 3);
    ImageSet large = SyntheticShapes.generate(300, 3);
    for (int i = 0; i < 30; i++) {
      assertThat(large.imageBytes(i)).isEqualTo(small.imageBytes(i));
    }
  }

  @Test
  void classesAreBalanced() {
    ImageSet set = SyntheticShapes.generate(1_000, 1);
    assertThat(set.classCounts()).containsOnly(100);
    assertThat(set.shape()).isEqualTo(SyntheticShapes.SHAPE);
    assertThat(set.classNames()).hasSize(10);
  }

  @Test
  void defaultDatasetsSplitTrainingIntoValidationAndKeepTestSeparate() {
    Datasets data = SyntheticShapes.datasets(10_000, 1_000, SyntheticShapes.DEFAULT_SEED, ValidationSplit.DEFAULT);
    assertThat(data.train().size()).isEqualTo(9_000);
    assertThat(data.validation().size()).isEqualTo(1_000);
    assertThat(data.test().size()).isEqualTo(1_000);
    assertThat(data.test().imageBytes(0)).isNotEqualTo(SyntheticShapes.generate(1, SyntheticShapes.DEFAULT_SEED).imageBytes(0));
  }

  @Test
  void tenThousandImagesTakeWellUnderASecond() {
    SyntheticShapes.generate(2_000, 99); // warm up
    long start = System.nanoTime();
    SyntheticShapes.generate(10_000, 100);
    long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
    assertThat(elapsedMillis).isLessThan(2_000);
  }

  @Test
  void meanColourSaysLittleAboutTheClass() {
    // colours are drawn independently of the class: per-class mean colours stay near the global mean
    ImageSet set = SyntheticShapes.generate(2_000, 11);
    double[][] classMean = new double[10][3];
    for (int i = 0; i < set.size(); i++) {
      byte[] image = set.imageBytes(i);
      for (int c = 0; c < 3; c++) {
        long sum = 0;
        for (int p = c * 1024; p < (c + 1) * 1024; p++) {
          sum += image[p] & 0xFF;
        }
        classMean[set.label(i)][c] += sum / 1024.0 / 200;
      }
    }
    for (double[] mean : classMean) {
      assertThat(Arrays.stream(mean).max().orElseThrow()).isLessThan(145);
      assertThat(Arrays.stream(mean).min().orElseThrow()).isGreaterThan(110);
    }
  }

  @Test
  void everyClassDrawsSomeForegroundAndSomeBackground() {
    ImageSet set = SyntheticShapes.generate(100, 5);
    for (int i = 0; i < set.size(); i++) {
      byte[] image = set.imageBytes(i);
      int min = 255;
      int max = 0;
      for (int p = 0; p < 1024; p++) {
        int luma = (int) (0.299 * (image[p] & 0xFF) + 0.587 * (image[1024 + p] & 0xFF) + 0.114 * (image[2048 + p] & 0xFF));
        min = Math.min(min, luma);
        max = Math.max(max, luma);
      }
      assertThat(max - min).as("contrast of image %d (%s)", i, set.classNames().get(set.label(i))).isGreaterThan(40);
    }
  }
}
