package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/** im2col and col2im (including the fast "same" path) against their definition, written naively. */
class Im2colTest {

  @RepeatedTest(value = 200, name = "seed {currentRepetition}")
  void expandAndCollapseMatchTheDefinition(RepetitionInfo repetition) {
    SplittableRandom draw = Seeds.random(repetition);
    int channels = Seeds.between(draw, 1, 3);
    int height = Seeds.between(draw, 1, 9);
    int width = Seeds.between(draw, 1, 9);
    int kernel = Seeds.between(draw, 1, 7);
    int stride = Seeds.between(draw, 1, 3);
    int pad = Seeds.between(draw, 0, 4);
    int colOffsetImages = Seeds.between(draw, 0, 3);
    int outH = (height + 2 * pad - kernel) / stride + 1;
    int outW = (width + 2 * pad - kernel) / stride + 1;
    if (height + 2 * pad < kernel || width + 2 * pad < kernel) return;
    Shape s = new Shape(channels, height, width);
    int planeOut = outH * outW;
    int rows = channels * kernel * kernel;
    int rowStride = planeOut * (colOffsetImages + 1);
    int colOffset = planeOut * colOffsetImages;
    SplittableRandom random = new SplittableRandom(channels * 1000L + height * 100L + width * 10L + kernel);
    float[] x = new float[s.size() + 5];
    for (int i = 0; i < x.length; i++) x[i] = (float) random.nextDouble();
    float[] col = new float[rows * rowStride];
    java.util.Arrays.fill(col, 99f);
    Im2col.expand(x, 5, s, kernel, stride, pad, outH, outW, col, colOffset, rowStride);
    float[] expectedGrad = new float[s.size() + 5];
    for (int c = 0; c < channels; c++) {
      for (int ky = 0; ky < kernel; ky++) {
        for (int kx = 0; kx < kernel; kx++) {
          int row = (c * kernel + ky) * kernel + kx;
          for (int oy = 0; oy < outH; oy++) {
            for (int ox = 0; ox < outW; ox++) {
              int iy = oy * stride - pad + ky;
              int ix = ox * stride - pad + kx;
              boolean inside = iy >= 0 && iy < height && ix >= 0 && ix < width;
              float expected = inside ? x[5 + (c * height + iy) * width + ix] : 0f;
              int at = row * rowStride + colOffset + oy * outW + ox;
              assertThat(col[at]).isEqualTo(expected);
              if (inside) expectedGrad[5 + (c * height + iy) * width + ix] += (row + 1) * 0.5f + oy;
            }
          }
        }
      }
    }
    // fill the columns with values whose scatter-add is easy to predict: (row + 1) / 2 + oy
    for (int row = 0; row < rows; row++) {
      for (int oy = 0; oy < outH; oy++) {
        for (int ox = 0; ox < outW; ox++) col[row * rowStride + colOffset + oy * outW + ox] = (row + 1) * 0.5f + oy;
      }
    }
    float[] grad = new float[s.size() + 5];
    Im2col.collapse(col, colOffset, rowStride, kernel, stride, pad, outH, outW, grad, 5, s);
    assertThat(grad).containsExactly(expectedGrad);
  }
}
