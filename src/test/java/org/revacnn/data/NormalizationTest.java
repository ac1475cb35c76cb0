package org.revacnn.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.revacnn.engine.Shape;

class NormalizationTest {
  /** One 1-channel 3x3 image holding 0..8 row by row, and a second holding 255s. */
  private static final ImageSet NINE = ImageSet.of(new Shape(1, 3, 3),
      new byte[] {0, 1, 2, 3, 4, 5, 6, 7, 8, -1, -1, -1, -1, -1, -1, -1, -1, -1}, new int[] {0, 1}, List.of("a", "b"));

  @Test
  void centredMapsBytesToMinusHalfToHalf() {
    Normalization centred = Normalization.centred(3);
    assertThat(centred.normalise(0, 0)).isEqualTo(-0.5f);
    assertThat(centred.normalise(2, 255)).isEqualTo(0.5f);
    assertThat(centred.normalise(1, 51)).isCloseTo(-0.3f, within(1e-6f));
  }

  @Test
  void measuredOnTheTrainingSetGivesMeanZeroAndDeviationOne() {
    ImageSet set = SyntheticShapes.generate(200, 4);
    Normalization measured = Normalization.fromTrainingSet(set);
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      double sumOfSquares = 0;
      for (int i = 0; i < set.size(); i++) {
        float[] image = measured.image(set, i);
        for (int p = c * 1024; p < (c + 1) * 1024; p++) {
          sum += image[p];
          sumOfSquares += image[p] * image[p];
        }
      }
      double count = set.size() * 1024.0;
      assertThat(sum / count).isCloseTo(0, within(1e-4));
      assertThat(sumOfSquares / count).isCloseTo(1, within(1e-3));
    }
  }

  @Test
  void writeBatchPlacesImagesOneAfterAnother() {
    Normalization centred = Normalization.centred(1);
    float[] batch = new float[18];
    centred.writeBatch(NINE, 0, 2, batch);
    assertThat(batch[4]).isEqualTo(centred.normalise(0, 4));
    assertThat(batch[9]).isEqualTo(0.5f);
  }

  @Test
  void mirrorReversesEachRow() {
    Normalization identityLike = Normalization.of(new double[] {0}, new double[] {1.0 / 255});
    float[] out = new float[9];
    identityLike.writeTransformed(NINE, 0, true, 0, 0, out, 0);
    assertThat(out).containsExactly(2, 1, 0, 5, 4, 3, 8, 7, 6);
  }

  @Test
  void shiftMovesPixelsAndPadsWithZeros() {
    Normalization identityLike = Normalization.of(new double[] {0}, new double[] {1.0 / 255});
    float[] out = new float[9];
    identityLike.writeTransformed(NINE, 0, false, 1, 0, out, 0);
    assertThat(out).containsExactly(0, 0, 1, 0, 3, 4, 0, 6, 7);
    identityLike.writeTransformed(NINE, 0, false, -2, -1, out, 0);
    assertThat(out).containsExactly(5, 0, 0, 8, 0, 0, 0, 0, 0);
    identityLike.writeTransformed(NINE, 0, true, 1, 1, out, 0);
    assertThat(out).containsExactly(0, 0, 0, 0, 2, 1, 0, 5, 4);
  }

  @Test
  void paddingIsZeroAfterNormalisationNotBlack() {
    Normalization centred = Normalization.centred(1);
    float[] out = new float[9];
    centred.writeTransformed(NINE, 1, false, 0, 2, out, 0);
    assertThat(out).containsExactly(0, 0, 0, 0, 0, 0, 0.5f, 0.5f, 0.5f);
  }
}
