package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The vectorised 2x2 stride-2 pooling against a brute-force reference, ties included. */
class MaxPoolTest {

  @ParameterizedTest(name = "{0} channels of {1}x{2}")
  @CsvSource({"2, 32, 32", "3, 16, 16", "2, 8, 8", "1, 6, 6", "2, 7, 9", "1, 2, 34", "1, 4, 48"})
  void twoByTwoPoolingPicksTheFirstMaximumOfEachWindow(int channels, int height, int width) {
    Shape in = new Shape(channels, height, width);
    int batch = 2;
    SplittableRandom random = new SplittableRandom(height * 31L + width);
    float[] x = new float[batch * in.size()];
    // few distinct values, so that many windows hold a tie
    for (int i = 0; i < x.length; i++) x[i] = random.nextInt(4) - 1.5f;
    MaxPool pool = new MaxPool("pool", 2, 2);
    Frame frame = pool.newFrame();
    Tensor y = pool.forward(frame, new Tensor(batch, in, x.clone()), Pass.inference());
    Shape out = y.shape();
    assertThat(out).isEqualTo(new Shape(channels, height / 2, width / 2));

    float[] g = new float[y.data().length];
    for (int i = 0; i < g.length; i++) g[i] = i + 1;
    float[] dx = pool.backward(frame, new Tensor(batch, out, g), true).data();

    float[] expectedY = new float[g.length];
    float[] expectedDx = new float[x.length];
    for (int plane = 0; plane < batch * channels; plane++) {
      for (int oy = 0; oy < out.height(); oy++) {
        for (int ox = 0; ox < out.width(); ox++) {
          int corner = plane * in.plane() + 2 * oy * width + 2 * ox;
          int[] window = {corner, corner + 1, corner + width, corner + width + 1};
          int best = window[0];
          for (int at : window) if (x[at] > x[best]) best = at;
          int o = plane * out.plane() + oy * out.width() + ox;
          expectedY[o] = x[best];
          expectedDx[best] += g[o];
        }
      }
    }
    assertThat(y.data()).containsExactly(expectedY);
    assertThat(dx).containsExactly(expectedDx);
  }
}
