package org.revacnn.engine;

import java.util.Arrays;

/**
 * Unfolds image patches into columns and folds them back. The column matrix for a batch of n
 * images is {@code col[(c*K + ky)*K + kx][i*Ho*Wo + oy*Wo + ox] = x[i][c][oy*S - P + ky][ox*S - P + kx]},
 * zero where the index falls in the padding.
 */
final class Im2col {
  private Im2col() {}

  /** Overwrites {@code col} with the patches of every image in {@code in}. */
  static void expand(Tensor in, int k, int stride, int pad, int outH, int outW, float[] col) {
    Shape s = in.shape();
    int n = in.batch();
    int planeOut = outH * outW;
    int columns = n * planeOut;
    float[] x = in.data();
    for (int c = 0; c < s.channels(); c++) {
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int row = ((c * k + ky) * k + kx) * columns;
          int oxStart = firstInside(kx - pad, stride);
          int oxEnd = Math.min(outW, lastInsideExclusive(kx - pad, stride, s.width()));
          for (int i = 0; i < n; i++) {
            int imageBase = (i * s.channels() + c) * s.plane();
            int rowBase = row + i * planeOut;
            for (int oy = 0; oy < outH; oy++) {
              int iy = oy * stride - pad + ky;
              int dst = rowBase + oy * outW;
              if (iy < 0 || iy >= s.height() || oxStart >= oxEnd) {
                Arrays.fill(col, dst, dst + outW, 0f);
                continue;
              }
              Arrays.fill(col, dst, dst + oxStart, 0f);
              int src = imageBase + iy * s.width() + oxStart * stride - pad + kx;
              if (stride == 1) {
                System.arraycopy(x, src, col, dst + oxStart, oxEnd - oxStart);
              } else {
                for (int ox = oxStart; ox < oxEnd; ox++, src += stride) col[dst + ox] = x[src];
              }
              Arrays.fill(col, dst + oxEnd, dst + outW, 0f);
            }
          }
        }
      }
    }
  }

  /** Overwrites {@code gradIn} with the sum of every column entry at its input position (col2im). */
  static void collapse(float[] col, int k, int stride, int pad, int outH, int outW, Tensor gradIn) {
    Shape s = gradIn.shape();
    int n = gradIn.batch();
    int planeOut = outH * outW;
    int columns = n * planeOut;
    float[] g = gradIn.data();
    Arrays.fill(g, 0f);
    for (int c = 0; c < s.channels(); c++) {
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int row = ((c * k + ky) * k + kx) * columns;
          int oxStart = firstInside(kx - pad, stride);
          int oxEnd = Math.min(outW, lastInsideExclusive(kx - pad, stride, s.width()));
          for (int i = 0; i < n; i++) {
            int imageBase = (i * s.channels() + c) * s.plane();
            int rowBase = row + i * planeOut;
            for (int oy = 0; oy < outH; oy++) {
              int iy = oy * stride - pad + ky;
              if (iy < 0 || iy >= s.height()) continue;
              int src = rowBase + oy * outW;
              int dst = imageBase + iy * s.width() + oxStart * stride - pad + kx;
              for (int ox = oxStart; ox < oxEnd; ox++, dst += stride) g[dst] += col[src + ox];
            }
          }
        }
      }
    }
  }

  /** Smallest ox >= 0 with ox*stride + offset >= 0. */
  private static int firstInside(int offset, int stride) {
    return offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  }

  /** Smallest ox with ox*stride + offset >= width (so valid ox are below it). */
  private static int lastInsideExclusive(int offset, int stride, int width) {
    int limit = width - offset; // need ox*stride < limit
    return limit <= 0 ? 0 : (limit + stride - 1) / stride;
  }
}
