package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The convolution's forward pass (every im2col and GEMM route) against a direct six-loop convolution. */
class ConvForwardTest {

  @ParameterizedTest(name = "{0}x{1}x{2} -> {3} filters k{4} s{5} p{6}, batch {7}")
  @CsvSource({
      "3, 32, 32, 16, 5, 1, 2, 3",   // the paper's conv1: packed im2col, one image per GEMM
      "16, 16, 16, 20, 5, 1, 2, 2",  // conv2
      "20, 8, 8, 20, 5, 1, 2, 9",    // conv3: several images per GEMM, last chunk short
      "4, 8, 24, 7, 3, 1, 1, 2",     // filters not a multiple of the register tile
      "3, 9, 7, 5, 3, 1, 1, 2",      // rows not whole vectors: general im2col
      "2, 9, 9, 3, 3, 2, 0, 2"})     // stride 2
  void matchesTheDirectConvolution(int cin, int h, int w, int filters, int k, int stride, int pad, int batch) {
    Conv conv = new Conv("conv", cin, filters, k, stride, pad);
    SplittableRandom random = new SplittableRandom(cin * 131L + h * 7L + w);
    fill(conv.weights().value(), random);
    fill(conv.bias().value(), random);
    Shape in = new Shape(cin, h, w);
    float[] x = new float[batch * in.size()];
    fill(x, random);
    Tensor y = conv.forward(conv.newFrame(), new Tensor(batch, in, x.clone()), Pass.inference());
    Shape out = y.shape();

    float[] wt = conv.weights().value();
    for (int i = 0; i < batch; i++) {
      for (int f = 0; f < filters; f++) {
        for (int oy = 0; oy < out.height(); oy++) {
          for (int ox = 0; ox < out.width(); ox++) {
            double sum = conv.bias().value()[f];
            for (int c = 0; c < cin; c++) {
              for (int ky = 0; ky < k; ky++) {
                for (int kx = 0; kx < k; kx++) {
                  int iy = oy * stride - pad + ky;
                  int ix = ox * stride - pad + kx;
                  if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                  sum += (double) wt[((f * cin + c) * k + ky) * k + kx] * x[i * in.size() + (c * h + iy) * w + ix];
                }
              }
            }
            float actual = y.data()[i * out.size() + (f * out.height() + oy) * out.width() + ox];
            assertThat(actual).as("image %d filter %d at (%d, %d)", i, f, oy, ox).isCloseTo((float) sum, within(1e-4f));
          }
        }
      }
    }
  }

  private static void fill(float[] a, SplittableRandom random) {
    for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
  }
}
