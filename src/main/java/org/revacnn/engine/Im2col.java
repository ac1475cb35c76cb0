package org.revacnn.engine;

import java.util.Arrays;

/**
 * Unfolds one image's patches into columns and folds them back. For an image x with C channels,
 * the column matrix is {@code col[(c*K + ky)*K + kx][oy*Wo + ox] = x[c][oy*S - P + ky][ox*S - P + kx]},
 * zero where the index falls in the padding. One image at a time keeps the matrix in cache.
 */
final class Im2col {
  private Im2col() {}

  /** Overwrites {@code col[0 .. C*K*K*Ho*Wo)} with the patches of the image at {@code x[offset..]}. */
  static void expand(float[] x, int offset, Shape s, int k, int stride, int pad, int outH, int outW, float[] col) {
    int planeOut = outH * outW;
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * s.plane();
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int rowBase = ((c * k + ky) * k + kx) * planeOut;
          int oxStart = firstInside(kx - pad, stride);
          int oxEnd = Math.min(outW, lastInsideExclusive(kx - pad, stride, s.width()));
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

  /**
   * Adds every column entry to its input position (col2im) in the image at {@code g[offset..]},
   * which the caller has zeroed.
   */
  static void collapse(float[] col, int k, int stride, int pad, int outH, int outW, float[] g, int offset, Shape s) {
    int planeOut = outH * outW;
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * s.plane();
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int rowBase = ((c * k + ky) * k + kx) * planeOut;
          int oxStart = firstInside(kx - pad, stride);
          int oxEnd = Math.min(outW, lastInsideExclusive(kx - pad, stride, s.width()));
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
