package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.revacnn.engine.GemmTest.Case;
import org.revacnn.engine.GemmTest.Op;

/**
 * Runs the GEMM variants and a convolution's forward and backward passes against scalar
 * references, at whatever width the engine of this class's loader has (see
 * {@link VectorWidthLoader}); returns {bits per vector, GEMM panel width}. Sizes are small and odd:
 * a 512-bit species on an AVX2 machine runs in software.
 */
public final class KernelsAtWidth implements Callable<int[]> {

  @Override
  public int[] call() {
    gemms();
    // rows of 8 take the packed route at every width (whole vectors, or half vectors of 16 lanes)
    assertThat(Im2col.packable(new Shape(3, 8, 8), 5, 1, 2, 8, 8)).isTrue();
    convolution(3, 8, 8, 5, 5, 1, 2, 3);   // packed im2col, transposed-convolution input gradient, chunks of images
    convolution(2, 16, 16, 3, 3, 1, 1, 2); // packed, rows of whole 512-bit vectors
    convolution(1, 4, 12, 3, 3, 1, 1, 2);  // rows of 12: packed at 128 and 256 bits, general path at 512
    convolution(3, 9, 7, 5, 3, 1, 1, 2);   // odd rows: general im2col, tn and col2im
    convolution(2, 9, 9, 3, 3, 2, 0, 2);   // stride 2
    return new int[] {VectorWidth.bits(), Gemm.PANEL};
  }

  /** nn, nt and tn around the tile, panel and block edges of every width, with offsets, strides, and both modes. */
  private static void gemms() {
    long seed = 1;
    for (Op op : Op.values()) {
      for (boolean add : new boolean[] {false, true}) {
        GemmTest.check(new Case(op, 1, 1, 1, 0, 0, add, seed++));
        GemmTest.check(new Case(op, 3, 5, 2, 1, 3, add, seed++));
        GemmTest.check(new Case(op, 5, 67, 7, 2, 1, add, seed++));
        GemmTest.check(new Case(op, 9, 37, 33, 0, 5, add, seed++));
        GemmTest.check(new Case(op, 6, 300, 260, 3, 2, add, seed++)); // past the k block (256) and the B block (256 columns)
      }
      GemmTest.check(new Case(op, 5, 7, 600, 1, 1, true, seed++));    // past nt's k slice (512)
    }
  }

  /**
   * The layer's output, input gradient and parameter gradients against direct sums in double:
   * y[i][f][o] = b[f] + sum_{c,ky,kx} W[f][c][ky][kx] x[i][c][o*s - p + k], and with dL/dy = R,
   * dW[f][c][ky][kx] = sum_{i,o} R[i][f][o] x[i][c][o*s - p + k], db[f] = sum_{i,o} R[i][f][o],
   * dx[i][c][t] = sum over (f, ky, kx, o) with o*s - p + k = t of R[i][f][o] W[f][c][ky][kx].
   */
  private static void convolution(int cin, int h, int w, int filters, int k, int stride, int pad, int batch) {
    Conv conv = new Conv("conv", cin, filters, k, stride, pad);
    SplittableRandom random = new SplittableRandom(cin * 131L + h * 7L + w);
    float[] wt = fill(conv.weights().value(), random);
    float[] b = fill(conv.bias().value(), random);
    Shape in = new Shape(cin, h, w);
    float[] x = fill(new float[batch * in.size()], random);
    Frame frame = conv.newFrame();
    Tensor y = conv.forward(frame, new Tensor(batch, in, x.clone()), Pass.inference());
    Shape out = y.shape();
    float[] r = fill(new float[batch * out.size()], random);
    float[] dx = conv.backward(frame, new Tensor(batch, out, r.clone()), true).data();

    double[] yRef = new double[y.data().length];
    double[] dwRef = new double[wt.length];
    double[] dbRef = new double[b.length];
    double[] dxRef = new double[x.length];
    for (int i = 0; i < batch; i++) {
      for (int f = 0; f < filters; f++) {
        for (int o = 0; o < out.plane(); o++) {
          int oy = o / out.width(), ox = o % out.width();
          int yi = i * out.size() + f * out.plane() + o;
          yRef[yi] = b[f];
          dbRef[f] += r[yi];
          for (int c = 0; c < cin; c++) {
            for (int ky = 0; ky < k; ky++) {
              for (int kx = 0; kx < k; kx++) {
                int iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                int wi = ((f * cin + c) * k + ky) * k + kx;
                int xi = i * in.size() + (c * h + iy) * w + ix;
                yRef[yi] += (double) wt[wi] * x[xi];
                dwRef[wi] += (double) r[yi] * x[xi];
                dxRef[xi] += (double) r[yi] * wt[wi];
              }
            }
          }
        }
      }
    }
    String layer = "conv " + in + " k" + k + " s" + stride + " p" + pad + " at " + VectorWidth.bits() + " bits: ";
    expectClose(layer + "output", y.data(), yRef);
    expectClose(layer + "input gradient", dx, dxRef);
    expectClose(layer + "weight gradient", frame.grads()[0], dwRef);
    expectClose(layer + "bias gradient", frame.grads()[1], dbRef);
  }

  private static void expectClose(String what, float[] actual, double[] expected) {
    assertThat(actual).as(what).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      assertThat((double) actual[i]).as("%s [%d]", what, i).isCloseTo(expected[i], within(1e-4 * (1 + Math.abs(expected[i]))));
    }
  }

  private static float[] fill(float[] a, SplittableRandom random) {
    for (int i = 0; i < a.length; i++) a[i] = (float) (random.nextDouble() * 2 - 1);
    return a;
  }
}
