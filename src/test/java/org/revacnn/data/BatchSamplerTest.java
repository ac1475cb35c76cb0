package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.revacnn.engine.Shape;
import org.junit.jupiter.api.Test;

class BatchSamplerTest {
  private static final ImageSet SET = TestFiles.numberedSet(10, 2, 4, 3);
  private static final Normalization RAW = Normalization.of(new double[] {0, 0}, new double[] {1.0 / 255, 1.0 / 255});

  @Test
  void everyEpochVisitsEveryImageOnceAndBatchesRunOnAcrossEpochs() {
    BatchSampler sampler = new BatchSampler(SET, RAW, Augmentation.NONE, 1);
    float[] images = new float[4 * 32];
    int[] labels = new int[4];
    List<Integer> drawn = new ArrayList<>();
    for (int batch = 0; batch < 5; batch++) {
      sampler.nextBatch(labels.length, images, labels);
      for (int n = 0; n < 4; n++) {
        int index = Math.round(images[n * 32]) / 10; // every pixel of image i is i*10 + channel
        assertThat(images[n * 32 + 16]).isEqualTo(index * 10 + 1);
        assertThat(labels[n]).isEqualTo(SET.label(index));
        drawn.add(index);
      }
    }
    assertThat(drawn.subList(0, 10)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(drawn.subList(10, 20)).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(drawn.subList(0, 10)).isNotEqualTo(drawn.subList(10, 20));
    assertThat(sampler.epoch()).isEqualTo(1);
    assertThat(sampler.position()).isEqualTo(10);
    assertThat(sampler.epochProgress()).isEqualTo(2.0);
    sampler.nextBatch(labels.length, images, labels);
    assertThat(sampler.epoch()).isEqualTo(2);
    assertThat(sampler.position()).isEqualTo(4);
  }

  @Test
  void sameSeedGivesSameBatches() {
    ImageSet set = SyntheticShapes.generate(50, 3);
    Normalization centred = Normalization.centred(3);
    BatchSampler first = new BatchSampler(set, centred, Augmentation.FLIP_AND_SHIFT_2, 77);
    BatchSampler second = new BatchSampler(set, centred, Augmentation.FLIP_AND_SHIFT_2, 77);
    float[] a = new float[8 * 3072];
    float[] b = new float[8 * 3072];
    int[] labelsA = new int[8];
    int[] labelsB = new int[8];
    for (int batch = 0; batch < 10; batch++) {
      first.nextBatch(8, a, labelsA);
      second.nextBatch(8, b, labelsB);
      assertThat(b).isEqualTo(a);
      assertThat(labelsB).isEqualTo(labelsA);
    }
  }

  @Test
  void withoutAugmentationImagesEqualTheNormalisedOriginals() {
    ImageSet set = SyntheticShapes.generate(20, 3);
    Normalization centred = Normalization.centred(3);
    BatchSampler sampler = new BatchSampler(set, centred, Augmentation.NONE, 5);
    float[] images = new float[20 * 3072];
    int[] labels = new int[20];
    sampler.nextBatch(labels.length, images, labels);
    List<float[]> originals = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      originals.add(centred.image(set, i));
    }
    for (int n = 0; n < 20; n++) {
      float[] image = Arrays.copyOfRange(images, n * 3072, (n + 1) * 3072);
      assertThat(originals.stream().anyMatch(original -> Arrays.equals(original, image))).isTrue();
    }
  }

  @Test
  void augmentationMirrorsAndShiftsWithinTheLimit() {
    // a 1-channel image with a single lit pixel: after augmentation it sits within 2 px of (x, y) or its mirror
    byte[] pixels = new byte[16 * 16];
    pixels[5 * 16 + 3] = (byte) 255;
    ImageSet set = ImageSet.of(new Shape(1, 16, 16), pixels, new int[] {0}, List.of("only"));
    BatchSampler sampler = new BatchSampler(set, Normalization.of(new double[] {0}, new double[] {1}),
        Augmentation.FLIP_AND_SHIFT_2, 9);
    float[] image = new float[256];
    boolean sawMirror = false;
    boolean sawUnmirrored = false;
    for (int draw = 0; draw < 200; draw++) {
      sampler.nextBatch(1, image, new int[1]);
      int lit = -1;
      for (int p = 0; p < 256; p++) {
        if (image[p] == 1f) {
          assertThat(lit).isEqualTo(-1);
          lit = p;
        }
      }
      int x = lit % 16;
      int y = lit / 16;
      assertThat(Math.abs(y - 5)).isLessThanOrEqualTo(2);
      sawUnmirrored |= Math.abs(x - 3) <= 2;
      sawMirror |= Math.abs(x - 12) <= 2;
      assertThat(Math.abs(x - 3) <= 2 || Math.abs(x - 12) <= 2).isTrue();
    }
    assertThat(sawMirror).isTrue();
    assertThat(sawUnmirrored).isTrue();
  }

  @Test
  void rejectsArraysTooSmallForABatch() {
    BatchSampler sampler = new BatchSampler(SET, RAW, Augmentation.NONE, 1);
    assertThatThrownBy(() -> sampler.nextBatch(4, new float[10], new int[4]))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("128 floats");
  }

  @Test
  void seekResumesExactlyWhereASamplerStoodWhateverTheBatchSizes() {
    ImageSet set = SyntheticShapes.generate(30, 3);
    Normalization centred = Normalization.centred(3);
    BatchSampler original = new BatchSampler(set, centred, Augmentation.FLIP_AND_SHIFT_2, 11);
    float[] images = new float[7 * 3072];
    int[] labels = new int[7];
    original.nextBatch(7, images, labels);
    original.nextBatch(5, images, labels);
    original.nextBatch(7, images, labels);
    original.nextBatch(7, images, labels);
    original.nextBatch(7, images, labels);
    BatchSampler resumed = new BatchSampler(set, centred, Augmentation.FLIP_AND_SHIFT_2, 11);
    resumed.seek(original.epoch(), original.position());
    float[] expected = new float[3 * 3072];
    float[] actual = new float[3 * 3072];
    int[] expectedLabels = new int[3];
    int[] actualLabels = new int[3];
    for (int batch = 0; batch < 15; batch++) {
      original.nextBatch(3, expected, expectedLabels);
      resumed.nextBatch(3, actual, actualLabels);
      assertThat(actual).isEqualTo(expected);
      assertThat(actualLabels).isEqualTo(expectedLabels);
    }
  }

  @Test
  void seekRejectsAPositionOutsideTheSet() {
    BatchSampler sampler = new BatchSampler(SET, RAW, Augmentation.NONE, 1);
    assertThatThrownBy(() -> sampler.seek(0, 11)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10 images");
  }
}
