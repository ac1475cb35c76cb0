package org.revacnn.engine;

/**
 * Single-precision matrix products on row-major {@code float[]} storage with offsets and leading
 * dimensions. Every method either overwrites C ({@code accumulate == false}) or adds to it.
 * Stateless and thread-safe: callers parallelise over whole products, never inside one.
 */
public final class Gemm {
  private Gemm() {}

  /** C[m x n] (+)= A[m x k] * B[k x n]. */
  public static void nn(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
      for (int p = 0; p < k; p++) {
        float aip = a[aOff + i * lda + p];
        int bp = bOff + p * ldb;
        for (int j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
      }
    }
  }

  /** C[m x n] (+)= A[m x k] * B^T, where B is stored as [n x k]. */
  public static void nt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ai = aOff + i * lda;
      for (int j = 0; j < n; j++) {
        int bj = bOff + j * ldb;
        float sum = 0f;
        for (int p = 0; p < k; p++) sum += a[ai + p] * b[bj + p];
        int idx = cOff + i * ldc + j;
        c[idx] = accumulate ? c[idx] + sum : sum;
      }
    }
  }

  /** C[m x n] (+)= A^T * B[k x n], where A is stored as [k x m]. */
  public static void tn(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
      float[] c, int cOff, int ldc, boolean accumulate) {
    for (int i = 0; i < m; i++) {
      int ci = cOff + i * ldc;
      if (!accumulate) java.util.Arrays.fill(c, ci, ci + n, 0f);
    }
    for (int p = 0; p < k; p++) {
      int ap = aOff + p * lda;
      int bp = bOff + p * ldb;
      for (int i = 0; i < m; i++) {
        float api = a[ap + i];
        int ci = cOff + i * ldc;
        for (int j = 0; j < n; j++) c[ci + j] += api * b[bp + j];
      }
    }
  }
}
