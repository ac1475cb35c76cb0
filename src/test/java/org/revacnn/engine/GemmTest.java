package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Checks {@link Gemm} against a double-precision oracle over edge and random shapes, offsets and strides. */
class GemmTest {

  enum Op { NN, NT, TN }

  /** One product: shape, padding around each operand, and the overwrite/add flag. */
  record Case(Op op, int m, int n, int k, int offPad, int ldPad, boolean accumulate, long seed) {
    @Override
    public String toString() {
      return op + " m=" + m + " n=" + n + " k=" + k + " off+" + offPad + " ld+" + ldPad + (accumulate ? " +=" : " =");
    }
  }

  /** A [rows x cols] operand stored at {@code off} with leading dimension {@code ld}, surrounded by random junk. */
  record Stored(float[] data, int off, int ld) {
    static Stored random(int rows, int cols, int offPad, int ldPad, SplittableRandom rnd) {
      int ld = cols + ldPad;
      float[] data = new float[offPad + rows * ld + offPad];
      for (int i = 0; i < data.length; i++) data[i] = (float) (rnd.nextDouble() * 2 - 1);
      return new Stored(data, offPad, ld);
    }

    double at(int r, int s) {
      return data[off + r * ld + s];
    }
  }

  /** Runs one case and compares every element of C's buffer (inside the window: the oracle; outside: untouched). */
  static void check(Case t) {
    SplittableRandom rnd = new SplittableRandom(t.seed);
    int m = t.m, n = t.n, k = t.k;
    Stored a = t.op == Op.TN ? Stored.random(k, m, t.offPad, t.ldPad, rnd)
        : Stored.random(m, k, t.offPad, t.ldPad, rnd);
    Stored b = t.op == Op.NT ? Stored.random(n, k, t.offPad, t.ldPad, rnd)
        : Stored.random(k, n, t.offPad, t.ldPad, rnd);
    Stored c = Stored.random(m, n, t.offPad, t.ldPad, rnd);
    float[] before = c.data.clone();

    switch (t.op) {
      case NN -> Gemm.nn(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c.data, c.off, c.ld, t.accumulate);
      case NT -> Gemm.nt(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c.data, c.off, c.ld, t.accumulate);
      case TN -> Gemm.tn(m, n, k, a.data, a.off, a.ld, b.data, b.off, b.ld, c.data, c.off, c.ld, t.accumulate);
    }

    boolean[] inside = new boolean[before.length];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        int idx = c.off + i * c.ld + j;
        double sum = t.accumulate ? before[idx] : 0;
        double magnitude = Math.abs(sum);
        for (int p = 0; p < k; p++) {
          double x = t.op == Op.TN ? a.at(p, i) : a.at(i, p);
          double y = t.op == Op.NT ? b.at(j, p) : b.at(p, j);
          sum += x * y;
          magnitude += Math.abs(x * y);
        }
        // Float rounding: relative to the sum of |terms|, growing like sqrt(k) (random-sign errors).
        double tol = 2e-6 * Math.sqrt(k + 1) * magnitude + 1e-6;
        inside[idx] = true;
        if (Math.abs(c.data[idx] - sum) > tol) fail("%s: C[%d][%d] = %s, expected %s", t, i, j, c.data[idx], sum);
      }
    }
    for (int idx = 0; idx < before.length; idx++) {
      if (!inside[idx] && Float.floatToRawIntBits(c.data[idx]) != Float.floatToRawIntBits(before[idx])) {
        fail("%s: wrote outside C at buffer index %d", t, idx);
      }
    }
  }

  /** Edge sizes around the kernels' tile widths (4 rows; 3 vectors of 8 or 16 columns; 3 dot rows). */
  static Stream<Arguments> edgeCases() {
    int[] sizes = {0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 23, 24, 25, 31, 33, 47, 48, 49, 65};
    List<Arguments> cases = new ArrayList<>();
    SplittableRandom rnd = new SplittableRandom(7);
    for (Op op : Op.values()) {
      for (int m : sizes) {
        for (int n : sizes) {
          int k = sizes[rnd.nextInt(sizes.length)];
          boolean acc = rnd.nextBoolean();
          int offPad = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1, 20);
          int ldPad = rnd.nextInt(3) == 0 ? 0 : rnd.nextInt(1, 20);
          cases.add(Arguments.of(new Case(op, m, n, k, offPad, ldPad, acc, rnd.nextLong())));
        }
      }
    }
    return cases.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("edgeCases")
  void matchesOracleOnEdgeShapes(Case t) {
    check(t);
  }

  /** Every k from 0 to 70 (vector tails of every length), and k past the nt slice length. */
  @Test
  void matchesOracleForEveryDepth() {
    SplittableRandom rnd = new SplittableRandom(11);
    for (Op op : Op.values()) {
      for (int k = 0; k <= 70; k++) {
        int m = 1 + rnd.nextInt(9);
        int n = 1 + rnd.nextInt(30);
        check(new Case(op, m, n, k, rnd.nextInt(5), rnd.nextInt(5), rnd.nextBoolean(), rnd.nextLong()));
      }
      for (int k : new int[] {511, 512, 513, 1025, 1500}) {
        check(new Case(op, 6, 7, k, 3, 2, false, rnd.nextLong()));
        check(new Case(op, 5, 4, k, 0, 0, true, rnd.nextLong()));
      }
    }
  }

  /** The engine's CNN shapes (conv via im2col for a shard of 2 images, and the dense layer). */
  @Test
  void matchesOracleOnNetworkShapes() {
    long seed = 3;
    for (boolean acc : new boolean[] {false, true}) {
      check(new Case(Op.NN, 16, 2 * 1024, 75, 0, 0, acc, seed++));
      check(new Case(Op.NN, 20, 2 * 256, 400, 0, 0, acc, seed++));
      check(new Case(Op.NN, 20, 2 * 64, 500, 0, 0, acc, seed++));
      check(new Case(Op.NT, 16, 75, 2 * 1024, 0, 0, acc, seed++));
      check(new Case(Op.NT, 20, 400, 2 * 256, 0, 0, acc, seed++));
      check(new Case(Op.NT, 20, 500, 2 * 64, 0, 0, acc, seed++));
      check(new Case(Op.TN, 400, 2 * 256, 20, 0, 0, acc, seed++));
      check(new Case(Op.TN, 500, 2 * 64, 20, 0, 0, acc, seed++));
      check(new Case(Op.NT, 2, 10, 320, 0, 0, acc, seed++));
      check(new Case(Op.TN, 10, 320, 2, 0, 0, acc, seed++));
      check(new Case(Op.NN, 2, 320, 10, 0, 0, acc, seed++));
    }
  }

  /** B is packed in blocks of k and n: shapes that span several blocks in one or both directions. */
  @Test
  void matchesOracleAcrossPackedBlocks() {
    check(new Case(Op.NN, 3, 40000, 2, 1, 1, true, 21));
    check(new Case(Op.TN, 5, 33000, 3, 4, 3, false, 22));
    check(new Case(Op.NN, 6, 700, 300, 2, 5, false, 23));
    check(new Case(Op.TN, 7, 500, 600, 0, 1, true, 24));
  }

  /** Reusing a thread's scratch after a larger call must not leak stale packed data into a smaller one. */
  @Test
  void smallAfterLargeOnSameThread() {
    check(new Case(Op.NN, 33, 70, 90, 0, 0, false, 31));
    check(new Case(Op.NN, 3, 5, 2, 0, 0, false, 32));
    check(new Case(Op.TN, 33, 70, 90, 0, 0, false, 33));
    check(new Case(Op.TN, 3, 5, 2, 0, 0, true, 34));
  }

  @Test
  void zeroDepthOverwritesWithZerosOrLeavesCUnchanged() {
    float[] c = {1, 2, 3, 4, 5, 6};
    Gemm.nn(2, 2, 0, new float[0], 0, 0, new float[0], 0, 2, c, 1, 3, true);
    assertThat(c).containsExactly(1, 2, 3, 4, 5, 6);
    Gemm.tn(2, 2, 0, new float[0], 0, 2, new float[0], 0, 2, c, 1, 3, false);
    assertThat(c).containsExactly(1, 0, 0, 4, 0, 0);
    float[] d = {7, 8};
    Gemm.nt(1, 2, 0, new float[0], 0, 0, new float[0], 0, 0, d, 0, 2, false);
    assertThat(d).containsExactly(0, 0);
  }

  @RepeatedTest(value = 150, name = "seed {currentRepetition}")
  void randomShapesMatchOracle(RepetitionInfo repetition) {
    SplittableRandom random = Seeds.random(repetition);
    check(new Case(Op.values()[Seeds.between(random, 0, 2)], Seeds.between(random, 0, 40), Seeds.between(random, 0, 80),
        Seeds.between(random, 0, 100), Seeds.between(random, 0, 9), Seeds.between(random, 0, 9), random.nextBoolean(),
        random.nextLong()));
  }
}
