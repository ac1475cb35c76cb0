package org.revacnn.engine;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Unfolds one image's patches into columns and folds them back. For an image x with C channels,
 * the column matrix is {@code col[(c*K + ky)*K + kx][oy*Wo + ox] = x[c][oy*S - P + ky][ox*S - P + kx]},
 * zero where the index falls in the padding. Several images sit side by side as column blocks;
 * the caller keeps the matrix small enough to stay in cache.
 */
final class Im2col {
  private Im2col() {}

  private static final VectorSpecies<Float> F = VectorWidth.SPECIES;
  private static final int L = F.length();
  /** Half vectors, for planes whose rows are whole half vectors only (8 wide with 16 lanes). */
  private static final VectorSpecies<Float> HALF = VectorWidth.HALF;

  /**
   * Overwrites columns {@code [colOffset, colOffset + Ho*Wo)} of every row of {@code col} (rows
   * {@code rowStride} floats apart) with the patches of the image at {@code x[offset..]}.
   */
  static void expand(float[] x, int offset, Shape s, int k, int stride, int pad, int outH, int outW, float[] col,
      int colOffset, int rowStride) {
    if (stride == 1 && outH == s.height() && outW == s.width()) {
      expandSame(x, offset, s, k, pad, col, colOffset, rowStride);
      return;
    }
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * s.plane();
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int rowBase = ((c * k + ky) * k + kx) * rowStride + colOffset;
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
   * Whether {@link #expandPacked} handles this layer: the "same" case (stride 1, output as large as
   * the input) with rows a whole number of half vectors.
   */
  static boolean packable(Shape s, int k, int stride, int pad, int outH, int outW) {
    return stride == 1 && outH == s.height() && outW == s.width() && s.width() % HALF.length() == 0;
  }

  /** Floats of the zero-bordered copy of an image that {@link #expandPacked} needs. */
  static int paddedSize(Shape s, int pad) {
    return s.channels() * (s.height() + 2 * pad) * (s.width() + 2 * pad);
  }

  /**
   * Copies the image at {@code x[offset..]} into {@code padded} with a zero border of width pad:
   * {@code padded[c][y + pad][x + pad] = image[c][y][x]}, planes (H + 2 pad) x (W + 2 pad).
   */
  static void pad(float[] x, int offset, Shape s, int pad, float[] padded) {
    int h = s.height();
    int w = s.width();
    int wp = w + 2 * pad;
    int planePadded = (h + 2 * pad) * wp;
    Arrays.fill(padded, 0, s.channels() * planePadded, 0f);
    for (int c = 0; c < s.channels(); c++) {
      for (int y = 0; y < h; y++) {
        System.arraycopy(x, offset + (c * h + y) * w, padded, c * planePadded + (y + pad) * wp + pad, w);
      }
    }
  }

  /**
   * im2col for the "same" case written straight into {@link Gemm}'s packed form: entry (p, j) of
   * the column matrix, p = (c*K + ky)*K + kx and j = jOffset + oy*W + ox, goes to
   * {@code pb[((j / PANEL) * rows + p) * PANEL + j % PANEL]}. The image is first copied into
   * {@code padded} with a zero border of width pad, so that every tap (ky, kx) reads whole vectors,
   * {@code col[p][oy*W + ox..+V] = padded[c][oy + ky][ox + kx..+V]}, with no bounds to test; V is the
   * vector length when it divides W, else half of it. Needs {@link #packable} and jOffset a multiple
   * of V (PANEL is a multiple of both).
   */
  static void expandPacked(float[] x, int offset, Shape s, int k, int pad, float[] padded, float[] pb, int jOffset,
      int rows) {
    pad(x, offset, s, pad, padded);
    if (s.width() % L == 0) copyPatches(F, s, k, pad, padded, pb, jOffset, rows);
    else copyPatches(HALF, s, k, pad, padded, pb, jOffset, rows);
  }

  /**
   * The copies of {@link #expandPacked} in vectors of species v (a constant at both call sites, so
   * that C2 compiles each inlined copy to vector moves): one vector of positions at a time, all taps
   * in order, so the writes run straight down a panel.
   */
  private static void copyPatches(VectorSpecies<Float> v, Shape s, int k, int pad, float[] padded, float[] pb,
      int jOffset, int rows) {
    int h = s.height();
    int w = s.width();
    int wp = w + 2 * pad;
    int planePadded = (h + 2 * pad) * wp;
    int panel = Gemm.PANEL;
    for (int oy = 0; oy < h; oy++) {
      for (int ox = 0; ox < w; ox += v.length()) {
        int j = jOffset + oy * w + ox;
        int dst = (j / panel) * rows * panel + j % panel;
        for (int c = 0; c < s.channels(); c++) {
          for (int ky = 0; ky < k; ky++) {
            int src = c * planePadded + (oy + ky) * wp + ox;
            for (int kx = 0; kx < k; kx++, dst += panel) FloatVector.fromArray(v, padded, src + kx).intoArray(pb, dst);
          }
        }
      }
    }
  }

  /**
   * Adds the entries of columns {@code [colOffset, colOffset + Ho*Wo)} (rows {@code rowStride}
   * floats apart) to their input positions (col2im) in the image at {@code g[offset..]}, which the
   * caller has zeroed.
   */
  static void collapse(float[] col, int colOffset, int rowStride, int k, int stride, int pad, int outH, int outW,
      float[] g, int offset, Shape s) {
    if (stride == 1 && outH == s.height() && outW == s.width()) {
      collapseSame(col, colOffset, rowStride, k, pad, g, offset, s);
      return;
    }
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * s.plane();
      for (int ky = 0; ky < k; ky++) {
        for (int kx = 0; kx < k; kx++) {
          int rowBase = ((c * k + ky) * k + kx) * rowStride + colOffset;
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

  /**
   * The common "same" case (stride 1, output as large as the input): for a tap (ky, kx) the valid
   * output rows read one contiguous run of the input plane shifted by dx = kx - pad, so the whole
   * run is copied at once and the |dx| columns per row that wrapped round the border are zeroed.
   */
  private static void expandSame(float[] x, int offset, Shape s, int k, int pad, float[] col, int colOffset, int rowStride) {
    int h = s.height();
    int w = s.width();
    int plane = s.plane();
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * plane;
      for (int ky = 0; ky < k; ky++) {
        int dy = ky - pad;
        int oyStart = Math.max(0, -dy);
        int oyEnd = Math.min(h, h - dy);
        for (int kx = 0; kx < k; kx++) {
          int dx = kx - pad;
          int rowBase = ((c * k + ky) * k + kx) * rowStride + colOffset;
          if (oyStart >= oyEnd || Math.abs(dx) >= w) {
            Arrays.fill(col, rowBase, rowBase + plane, 0f);
            continue;
          }
          Arrays.fill(col, rowBase, rowBase + oyStart * w, 0f);
          Arrays.fill(col, rowBase + oyEnd * w, rowBase + plane, 0f);
          // col[oy*w + ox] = x[(oy + dy)*w + ox + dx] for the whole run, trimmed to stay inside the plane
          int dst = rowBase + oyStart * w;
          int src = imageBase + (oyStart + dy) * w + dx;
          int length = (oyEnd - oyStart) * w;
          int skipFront = Math.max(0, -dx);
          int skipBack = Math.max(0, dx);
          System.arraycopy(x, src + skipFront, col, dst + skipFront, length - skipFront - skipBack);
          zeroWrappedColumns(col, dst, oyEnd - oyStart, w, dx);
        }
      }
    }
  }

  /** col2im for the "same" case: zero the wrapped columns of each tap's run, then add the run in one pass. */
  private static void collapseSame(float[] col, int colOffset, int rowStride, int k, int pad, float[] g, int offset, Shape s) {
    int h = s.height();
    int w = s.width();
    int plane = s.plane();
    for (int c = 0; c < s.channels(); c++) {
      int imageBase = offset + c * plane;
      for (int ky = 0; ky < k; ky++) {
        int dy = ky - pad;
        int oyStart = Math.max(0, -dy);
        int oyEnd = Math.min(h, h - dy);
        for (int kx = 0; kx < k; kx++) {
          int dx = kx - pad;
          if (oyStart >= oyEnd || Math.abs(dx) >= w) continue;
          int src = ((c * k + ky) * k + kx) * rowStride + colOffset + oyStart * w;
          int dst = imageBase + (oyStart + dy) * w + dx;
          zeroWrappedColumns(col, src, oyEnd - oyStart, w, dx);
          int skipFront = Math.max(0, -dx);
          int length = (oyEnd - oyStart) * w - skipFront - Math.max(0, dx);
          src += skipFront;
          dst += skipFront;
          VectorOps.add(col, src, g, dst, length);
        }
      }
    }
  }

  /** Zeros, in each of {@code rows} rows of width w starting at {@code base}, the |dx| columns that read across the border. */
  private static void zeroWrappedColumns(float[] col, int base, int rows, int w, int dx) {
    if (dx == 0) return;
    int from = dx < 0 ? 0 : w - dx;
    int to = dx < 0 ? -dx : w;
    // a plain loop: |dx| is 1 or 2 here, far too short for a call to Arrays.fill per row
    for (int r = 0, row = base; r < rows; r++, row += w) {
      for (int j = from; j < to; j++) col[row + j] = 0f;
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
