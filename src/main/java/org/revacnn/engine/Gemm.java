package org.revacnn.engine;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix products on row-major {@code float[]} storage with offsets and leading
 * dimensions: element (r, s) of a matrix X stored at offset {@code xOff} with leading dimension
 * {@code ldx} is {@code x[xOff + r * ldx + s]}.
 *
 * <p>Every method either overwrites C ({@code accumulate == false}: C = product) or adds to it
 * ({@code accumulate == true}: C = C + product). Any m, n, k >= 0 is allowed; with k == 0 the
 * product is zero, so C is zeroed (overwrite) or left unchanged (add). Elements of C outside the
 * m x n window are never touched.
 *
 * <p>The kernels use {@code jdk.incubator.vector} (the JVM needs {@code --add-modules
 * jdk.incubator.vector}). Each call runs on the calling thread only; callers parallelise over whole
 * products. Packing buffers are per-thread scratch that grows to the largest product seen, so the
 * steady state allocates nothing. Thread-safe.
 */
public final class Gemm {
  private Gemm() {}

  private static final VectorSpecies<Float> F = VectorWidth.SPECIES;
  /** Floats per vector: 8 with AVX2, 16 with AVX-512. */
  private static final int L = F.length();

  /**
   * Register tile of the packed kernel: MR rows of C by NR columns (two vectors), 8 accumulators.
   * A 4 x 3-vector tile (12 accumulators + 3 B vectors + 1 broadcast = all 16 AVX2 registers) made
   * C2 spill two accumulators to the stack every step and ran at 40 GFLOP/s; this one runs at 73.
   */
  private static final int MR = 4;
  private static final int NR = 2 * L;
  /**
   * Blocking of B for the packed kernel: at most KC rows deep (one NR-wide panel, KC * NR floats,
   * then fits in L1 next to the A strip) and about B_BLOCK_FLOATS in all (within L2).
   */
  private static final int KC = 256;
  private static final int B_BLOCK_FLOATS = 64 * 1024;
  /** Length of the k-slices of {@link #nt}: 20 rows of A take 40 KiB (256 and 1024 measured slower). */
  private static final int KC_DOT = 512;

  /** Per-thread packing buffers (grown on demand, never shrunk). */
  private static final class Scratch {
    final GrowingBuffer a = new GrowingBuffer();
    final GrowingBuffer b = new GrowingBuffer();
    final float[] tile = new float[MR * NR];
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  /** C[m x n] = A[m x k] * B[k x n] (or C += A * B when {@code accumulate}). */
  public static void nn(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (empty(m, n, k, c, cOff, ldc, accumulate)) return;
    Scratch s = SCRATCH.get();
    packedProduct(m, n, k, packA(m, k, a, aOff, lda, s), b, bOff, ldb, c, cOff, ldc, accumulate, s);
  }

  /** Width of the column panels of a packed B: two vectors. */
  static final int PANEL = NR;

  /**
   * Floats of B[k x n] in packed form, {@code pb[((j / PANEL) * k + p) * PANEL + j % PANEL] = B[p][j]}:
   * for each panel of PANEL columns, its k rows one after another (the last panel is padded; what
   * the padding holds does not matter).
   */
  static int packedSize(int k, int n) {
    return roundUp(n, NR) * k;
  }

  /** Floats of A[m x k] in packed form (see {@link #packedAIndex}). */
  static int packedASize(int m, int k) {
    return roundUp(m, MR) * k;
  }

  /**
   * Where A[i][p] of an A[m x k] goes in packed form: row strips of MR rows, each strip's k columns
   * one after another with the strip's MR entries side by side; rows past m are zero.
   */
  static int packedAIndex(int i, int p, int k) {
    return ((i / MR) * k + p) * MR + i % MR;
  }

  /**
   * C[m x n] = A[m x k] * B[k x n] (or C += A * B) with both operands already in packed form (A by
   * {@link #packA} or a producer writing {@link #packedAIndex} order, B as in {@link #packedSize}):
   * no copies, so A can be packed once for many products, and each k x PANEL panel of B (32 KB for
   * k = 500) stays in the L1 cache while every row strip of A passes it.
   */
  static void nnPacked(int m, int n, int k, float[] pa, float[] pb, float[] c, int cOff, int ldc, boolean accumulate) {
    if (empty(m, n, k, c, cOff, ldc, accumulate)) return;
    Scratch s = SCRATCH.get();
    for (int q = 0; q * NR < n; q++) {
      int nr = Math.min(NR, n - q * NR);
      for (int i0 = 0; i0 < m; i0 += MR) {
        tile(Math.min(MR, m - i0), nr, k, pa, i0 * k, pb, q * k * NR, c, cOff + i0 * ldc + q * NR, ldc, accumulate, s);
      }
    }
  }

  /** Packs A[m x k] into this thread's scratch (see {@link #packA(int, int, float[], int, int, float[])}). */
  private static float[] packA(int m, int k, float[] a, int aOff, int lda, Scratch s) {
    return packA(m, k, a, aOff, lda, s.a.atLeast(packedASize(m, k)));
  }

  /**
   * Packs A[m x k] into {@code pa} (at least {@link #packedASize} floats) in row strips of MR:
   * pa[(t * k + p) * MR + r] = A[MR t + r][p], zero-padded; returns pa.
   */
  static float[] packA(int m, int k, float[] a, int aOff, int lda, float[] pa) {
    for (int i0 = 0; i0 < m; i0 += MR) {
      int base = i0 * k;
      for (int r = 0; r < MR; r++) {
        if (i0 + r < m) {
          int src = aOff + (i0 + r) * lda;
          for (int p = 0; p < k; p++) pa[base + p * MR + r] = a[src + p];
        } else {
          for (int p = 0; p < k; p++) pa[base + p * MR + r] = 0f;
        }
      }
    }
    return pa;
  }

  /**
   * C[m x n] = A[m x k] * B^T (or C += A * B^T when {@code accumulate}), where B is stored as
   * [n x k]: C[i][j] = sum_p A[i][p] * B[j][p], a dot product of two contiguous rows.
   */
  public static void nt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (m == 0 || n == 0) return;
    if (!accumulate) zero(m, n, c, cOff, ldc);
    // Per slice of k, the m x kc slice of A is copied to contiguous scratch (row i at i * kc): rows of
    // A at a power-of-two lda would otherwise all compete for the same cache sets. The 2-row strips
    // of B are read in place, once per slice.
    Scratch s = SCRATCH.get();
    float[] pa = s.a.atLeast(m * Math.min(k, KC_DOT));
    for (int p0 = 0; p0 < k; p0 += KC_DOT) {
      int kc = Math.min(KC_DOT, k - p0);
      for (int i = 0; i < m; i++) System.arraycopy(a, aOff + i * lda + p0, pa, i * kc, kc);
      int j = 0;
      for (; j + 2 <= n; j += 2) {
        int bj = bOff + j * ldb + p0;
        int i = 0;
        for (; i + 4 <= m; i += 4) dot4x2(kc, pa, i * kc, kc, b, bj, ldb, c, cOff + i * ldc + j, ldc);
        for (; i < m; i++) {
          int ci = cOff + i * ldc + j;
          c[ci] += dot(kc, pa, i * kc, b, bj);
          c[ci + 1] += dot(kc, pa, i * kc, b, bj + ldb);
        }
      }
      for (; j < n; j++) {
        int bj = bOff + j * ldb + p0;
        for (int i = 0; i < m; i++) c[cOff + i * ldc + j] += dot(kc, pa, i * kc, b, bj);
      }
    }
  }

  /** C[m x n] = A^T * B[k x n] (or C += A^T * B when {@code accumulate}), where A is stored as [k x m]. */
  public static void tn(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    if (empty(m, n, k, c, cOff, ldc, accumulate)) return;
    Scratch s = SCRATCH.get();
    float[] pa = s.a.atLeast(roundUp(m, MR) * k);
    // Same packed layout as in nn: pa[(t * k + p) * MR + r] = A^T[4t + r][p] = A[p][4t + r].
    for (int i0 = 0; i0 < m; i0 += MR) {
      int base = i0 * k;
      int mr = Math.min(MR, m - i0);
      for (int p = 0; p < k; p++) {
        int src = aOff + p * lda + i0;
        int dst = base + p * MR;
        for (int r = 0; r < mr; r++) pa[dst + r] = a[src + r];
        for (int r = mr; r < MR; r++) pa[dst + r] = 0f;
      }
    }
    packedProduct(m, n, k, pa, b, bOff, ldb, c, cOff, ldc, accumulate, s);
  }

  /**
   * C (+)= Apacked * B for B stored [k x n], blocked as kc x nc blocks of B: each block is packed by
   * {@link #packB} and multiplied into all rows of C one MR x NR tile at a time by {@link #kernel}.
   * The first k-block overwrites or adds as asked; later k-blocks add. Tiles cut by the edges of C
   * are computed into a scratch tile and copied.
   */
  private static void packedProduct(int m, int n, int k, float[] pa, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate, Scratch s) {
    int kcMax = Math.min(k, KC);
    int nc = Math.max(1, B_BLOCK_FLOATS / (kcMax * NR)) * NR;
    float[] pb = s.b.atLeast(Math.min(nc, roundUp(n, NR)) * kcMax);
    for (int p0 = 0; p0 < k; p0 += KC) {
      int kc = Math.min(KC, k - p0);
      boolean add = accumulate || p0 > 0;
      for (int j0 = 0; j0 < n; j0 += nc) {
        int ncur = Math.min(nc, n - j0);
        packB(kc, ncur, b, bOff + p0 * ldb + j0, ldb, pb);
        for (int i0 = 0; i0 < m; i0 += MR) {
          int mr = Math.min(MR, m - i0);
          int ia = i0 * k + p0 * MR;
          for (int q = 0; q * NR < ncur; q++) {
            tile(mr, Math.min(NR, ncur - q * NR), kc, pa, ia, pb, q * kc * NR, c, cOff + i0 * ldc + j0 + q * NR, ldc, add, s);
          }
        }
      }
    }
  }

  /**
   * One mr x nr block of C (mr <= MR, nr <= NR) from a strip of packed A and a panel of packed B:
   * straight into C when full, else through a scratch tile of which only mr x nr is copied.
   */
  private static void tile(int mr, int nr, int k, float[] pa, int ia, float[] pb, int ib, float[] c, int ic, int ldc,
      boolean accumulate, Scratch s) {
    if (mr == MR && nr == NR) {
      kernel(k, pa, ia, pb, ib, c, ic, ldc, accumulate);
      return;
    }
    float[] tile = s.tile;
    kernel(k, pa, ia, pb, ib, tile, 0, NR, false);
    for (int r = 0; r < mr; r++) {
      int row = ic + r * ldc;
      for (int t = 0; t < nr; t++) c[row + t] = accumulate ? c[row + t] + tile[r * NR + t] : tile[r * NR + t];
    }
  }

  /**
   * Packs B[0..k)[j0..j0+nc) (row p at {@code b[src + p * ldb]}) into NR-column panels,
   * pb[(q * k + p) * NR + s] = B[p][j0 + q * NR + s], zero-padding the last panel. Rows are read
   * front to back: walking a panel down k rows at a power-of-two ldb would thrash the caches.
   */
  private static void packB(int k, int nc, float[] b, int src, int ldb, float[] pb) {
    int full = nc / NR;
    int rest = nc - full * NR;
    for (int p = 0; p < k; p++, src += ldb) {
      int dst = p * NR;
      for (int q = 0; q < full; q++, dst += k * NR) {
        int from = src + q * NR;
        FloatVector.fromArray(F, b, from).intoArray(pb, dst);
        FloatVector.fromArray(F, b, from + L).intoArray(pb, dst + L);
      }
      if (rest > 0) {
        System.arraycopy(b, src + full * NR, pb, dst, rest);
        Arrays.fill(pb, dst + rest, dst + NR, 0f);
      }
    }
  }

  /**
   * The MR x NR register tile: C[r][s] (+)= sum_p pa[ia + p * MR + r] * pb[ib + p * NR + s], held in
   * 8 vector accumulators (4 rows x 2 vectors) and updated with one fused multiply-add per vector.
   */
  private static void kernel(int k, float[] pa, int ia, float[] pb, int ib, float[] c, int ic, int ldc,
      boolean accumulate) {
    FloatVector c00 = FloatVector.zero(F), c01 = c00;
    FloatVector c10 = c00, c11 = c00;
    FloatVector c20 = c00, c21 = c00;
    FloatVector c30 = c00, c31 = c00;
    for (int p = 0; p < k; p++, ia += MR, ib += NR) {
      FloatVector b0 = FloatVector.fromArray(F, pb, ib);
      FloatVector b1 = FloatVector.fromArray(F, pb, ib + L);
      FloatVector a = FloatVector.broadcast(F, pa[ia]);
      c00 = a.fma(b0, c00);
      c01 = a.fma(b1, c01);
      a = FloatVector.broadcast(F, pa[ia + 1]);
      c10 = a.fma(b0, c10);
      c11 = a.fma(b1, c11);
      a = FloatVector.broadcast(F, pa[ia + 2]);
      c20 = a.fma(b0, c20);
      c21 = a.fma(b1, c21);
      a = FloatVector.broadcast(F, pa[ia + 3]);
      c30 = a.fma(b0, c30);
      c31 = a.fma(b1, c31);
    }
    store(c00, c, ic, accumulate);
    store(c01, c, ic + L, accumulate);
    ic += ldc;
    store(c10, c, ic, accumulate);
    store(c11, c, ic + L, accumulate);
    ic += ldc;
    store(c20, c, ic, accumulate);
    store(c21, c, ic + L, accumulate);
    ic += ldc;
    store(c30, c, ic, accumulate);
    store(c31, c, ic + L, accumulate);
  }

  private static void store(FloatVector v, float[] c, int i, boolean accumulate) {
    (accumulate ? v.add(FloatVector.fromArray(F, c, i)) : v).intoArray(c, i);
  }

  /**
   * C[r][s] += sum_{p < kc} A[ia + r * lda + p] * B[ib + s * ldb + p] for a 4 x 2 tile: eight
   * vector accumulators run along p (a 4 x 3 tile needs all 16 AVX2 registers and spills), then each
   * is summed across its lanes; the last kc mod L terms are added in scalar.
   */
  private static void dot4x2(int kc, float[] a, int ia, int lda, float[] b, int ib, int ldb,
      float[] c, int ic, int ldc) {
    int a1 = ia + lda, a2 = a1 + lda, a3 = a2 + lda;
    int b1 = ib + ldb;
    FloatVector s00 = FloatVector.zero(F), s01 = s00;
    FloatVector s10 = s00, s11 = s00;
    FloatVector s20 = s00, s21 = s00;
    FloatVector s30 = s00, s31 = s00;
    int kv = F.loopBound(kc);
    for (int p = 0; p < kv; p += L) {
      FloatVector v0 = FloatVector.fromArray(F, b, ib + p);
      FloatVector v1 = FloatVector.fromArray(F, b, b1 + p);
      FloatVector u = FloatVector.fromArray(F, a, ia + p);
      s00 = u.fma(v0, s00);
      s01 = u.fma(v1, s01);
      u = FloatVector.fromArray(F, a, a1 + p);
      s10 = u.fma(v0, s10);
      s11 = u.fma(v1, s11);
      u = FloatVector.fromArray(F, a, a2 + p);
      s20 = u.fma(v0, s20);
      s21 = u.fma(v1, s21);
      u = FloatVector.fromArray(F, a, a3 + p);
      s30 = u.fma(v0, s30);
      s31 = u.fma(v1, s31);
    }
    c[ic] += VectorOps.laneSum(s00) + scalarDot(kv, kc, a, ia, b, ib);
    c[ic + 1] += VectorOps.laneSum(s01) + scalarDot(kv, kc, a, ia, b, b1);
    ic += ldc;
    c[ic] += VectorOps.laneSum(s10) + scalarDot(kv, kc, a, a1, b, ib);
    c[ic + 1] += VectorOps.laneSum(s11) + scalarDot(kv, kc, a, a1, b, b1);
    ic += ldc;
    c[ic] += VectorOps.laneSum(s20) + scalarDot(kv, kc, a, a2, b, ib);
    c[ic + 1] += VectorOps.laneSum(s21) + scalarDot(kv, kc, a, a2, b, b1);
    ic += ldc;
    c[ic] += VectorOps.laneSum(s30) + scalarDot(kv, kc, a, a3, b, ib);
    c[ic + 1] += VectorOps.laneSum(s31) + scalarDot(kv, kc, a, a3, b, b1);
  }

  /** sum_{p < kc} a[ia + p] * b[ib + p], vectorised along p. */
  private static float dot(int kc, float[] a, int ia, float[] b, int ib) {
    FloatVector s = FloatVector.zero(F);
    int kv = F.loopBound(kc);
    for (int p = 0; p < kv; p += L) {
      s = FloatVector.fromArray(F, a, ia + p).fma(FloatVector.fromArray(F, b, ib + p), s);
    }
    return VectorOps.laneSum(s) + scalarDot(kv, kc, a, ia, b, ib);
  }

  /** sum_{from <= p < to} a[ia + p] * b[ib + p]. */
  private static float scalarDot(int from, int to, float[] a, int ia, float[] b, int ib) {
    float s = 0f;
    for (int p = from; p < to; p++) s += a[ia + p] * b[ib + p];
    return s;
  }

  /**
   * Handles the products with nothing to multiply: none when m or n is 0; with k == 0 the product is
   * zero, so C is zeroed (overwrite) or left as it is (add). Returns whether the call is done.
   */
  private static boolean empty(int m, int n, int k, float[] c, int cOff, int ldc, boolean accumulate) {
    if (m == 0 || n == 0) return true;
    if (k > 0) return false;
    if (!accumulate) zero(m, n, c, cOff, ldc);
    return true;
  }

  private static void zero(int m, int n, float[] c, int cOff, int ldc) {
    for (int i = 0; i < m; i++) Arrays.fill(c, cOff + i * ldc, cOff + i * ldc + n, 0f);
  }

  private static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }
}
