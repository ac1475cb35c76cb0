package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Shape;

/** The CIFAR recipe's augmentation: a random crop of the image zero-padded by 4 pixels, mirrored half of the time. */
class CropAndFlipTest {
  private static final int SIDE = 8;
  private static final int CHANNELS = 3;
  private static final int PAD = 4;
  /** Value = byte value: a pixel's normalised value is its byte (mean 0, std 1/255). */
  private static final Normalization BYTES = Normalization.of(new double[] {0, 0, 0},
      new double[] {1.0 / 255, 1.0 / 255, 1.0 / 255});

  /** One image whose pixels are all different and non-zero, so each crop and flip gives a different picture. */
  private static ImageSet distinctPixels() {
    Shape shape = new Shape(CHANNELS, SIDE, SIDE);
    byte[] pixels = new byte[shape.size()];
    for (int i = 0; i < pixels.length; i++) pixels[i] = (byte) (i + 1);
    return ImageSet.of(shape, pixels, new int[] {0}, List.of("only"));
  }

  /** The SIDE x SIDE window at (left, top) of the image padded by PAD zeros on every side, optionally mirrored first. */
  private static float[] cropOfPadded(ImageSet set, boolean mirror, int left, int top) {
    int padded = SIDE + 2 * PAD;
    float[] canvas = new float[CHANNELS * padded * padded];
    byte[] pixels = set.pixelArray();
    for (int c = 0; c < CHANNELS; c++) {
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) {
          int sourceX = mirror ? SIDE - 1 - x : x;
          canvas[(c * padded + y + PAD) * padded + x + PAD] = pixels[(c * SIDE + y) * SIDE + sourceX] & 0xFF;
        }
      }
    }
    float[] crop = new float[CHANNELS * SIDE * SIDE];
    for (int c = 0; c < CHANNELS; c++) {
      for (int y = 0; y < SIDE; y++) {
        for (int x = 0; x < SIDE; x++) crop[(c * SIDE + y) * SIDE + x] = canvas[(c * padded + y + top) * padded + x + left];
      }
    }
    return crop;
  }

  @Test
  void everyDrawIsOneCropOfTheFourPixelPaddedImageMirroredOrNotAndAllOfThemOccur() {
    ImageSet set = distinctPixels();
    BatchSampler sampler = new BatchSampler(set, BYTES, Augmentation.CROP_4_AND_FLIP, 3);
    float[] image = new float[set.shape().size()];
    Set<String> seen = new HashSet<>();
    for (int draw = 0; draw < 2500; draw++) {
      sampler.nextBatch(1, image, new int[1]);
      List<String> matches = new java.util.ArrayList<>();
      for (boolean mirror : new boolean[] {false, true}) {
        for (int top = 0; top <= 2 * PAD; top++) {
          for (int left = 0; left <= 2 * PAD; left++) {
            if (java.util.Arrays.equals(image, cropOfPadded(set, mirror, left, top))) matches.add(mirror + " " + left + " " + top);
          }
        }
      }
      assertThat(matches).as("draw %d", draw).hasSize(1);
      seen.add(matches.getFirst());
    }
    // 2 flips x 9 x 9 offsets, each drawn with probability 1/162: 2,500 seeded draws would miss one by chance with p < 1e-4
    assertThat(seen).hasSize(2 * 9 * 9);
  }

  @Test
  void theSameSeedDrawsTheSameCropsAndAnotherSeedOthers() {
    ImageSet set = SyntheticShapes.generate(30, 3);
    Normalization centred = Normalization.centred(3);
    float[][] drawn = new float[3][16 * 3072];
    long[] seeds = {11, 11, 12};
    for (int run = 0; run < 3; run++) {
      BatchSampler sampler = new BatchSampler(set, centred, Augmentation.CROP_4_AND_FLIP, seeds[run]);
      sampler.nextBatch(16, drawn[run], new int[16]);
    }
    assertThat(drawn[1]).isEqualTo(drawn[0]);
    assertThat(drawn[2]).isNotEqualTo(drawn[0]);
  }

  @Test
  void namesParseToTheRecipesAndUnknownNamesAreRefusedWithTheChoices() {
    assertThat(Augmentation.parse("crop4flip")).isEqualTo(new Augmentation(true, 4));
    assertThat(Augmentation.parse("flip-shift2")).isEqualTo(Augmentation.FLIP_AND_SHIFT_2);
    assertThat(Augmentation.parse("NONE")).isEqualTo(Augmentation.NONE);
    assertThatThrownBy(() -> Augmentation.parse("crop8")).hasMessageContaining("crop4flip");
  }
}
