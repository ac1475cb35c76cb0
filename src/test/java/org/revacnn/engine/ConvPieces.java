package org.revacnn.engine;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.SplittableRandom;

/**
 * CPU time per image of each piece of one convolution layer's forward and backward (im2col, the
 * three GEMMs, col2im), interleaved in rounds so that machine noise hits all pieces alike.
 * Usage: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.revacnn.engine.ConvPieces [inChannels size filters]  (default 16 16 20: the paper's conv2)
 */
public final class ConvPieces {
  static final ThreadMXBean TM = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) {
    int cin = args.length > 0 ? Integer.parseInt(args[0]) : 16;
    int size = args.length > 1 ? Integer.parseInt(args[1]) : 16;
    int filters = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    Shape in = new Shape(cin, size, size);
    int rows = cin * 25, cols = size * size;
    SplittableRandom r = new SplittableRandom(1);
    float[] x = new float[in.size()], w = new float[filters * rows], y = new float[filters * cols];
    float[] col = new float[rows * cols], dw = new float[filters * rows], dx = new float[in.size()];
    for (float[] a : new float[][] {x, w, y}) for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
    float[] pb = new float[Gemm.packedSize(rows, cols)];
    float[] pa = new float[Gemm.packedASize(filters, rows)];
    float[] padded = new float[Im2col.paddedSize(in, 2)];
    String[] names = {"im2col", "nn", "nt", "tn", "col2im", "im2colPacked", "nnPacked"};
    Runnable[] pieces = {
        () -> Im2col.expand(x, 0, in, 5, 1, 2, size, size, col, 0, cols),
        () -> Gemm.nn(filters, cols, rows, w, 0, rows, col, 0, cols, y, 0, cols, false),
        () -> Gemm.nt(filters, rows, cols, y, 0, cols, col, 0, cols, dw, 0, rows, true),
        () -> Gemm.tn(rows, cols, filters, w, 0, rows, y, 0, cols, col, 0, cols, false),
        () -> Im2col.collapse(col, 0, cols, 5, 1, 2, size, size, dx, 0, in),
        () -> Im2col.expandPacked(x, 0, in, 5, 2, padded, pb, 0, rows),
        () -> Gemm.nnPacked(filters, cols, rows, Gemm.packA(filters, rows, w, 0, rows, pa), pb, y, 0, cols, false)};
    double[] best = new double[pieces.length];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    for (int round = 0; round < 30; round++) {
      for (int p = 0; p < pieces.length; p++) {
        long t0 = TM.getCurrentThreadCpuTime();
        int n = 0;
        while (TM.getCurrentThreadCpuTime() - t0 < 50_000_000L) {
          pieces[p].run();
          n++;
        }
        double us = (TM.getCurrentThreadCpuTime() - t0) / 1e3 / n;
        if (round >= 5) best[p] = Math.min(best[p], us);
      }
    }
    double flops = 2.0 * filters * rows * cols;
    for (int p = 0; p < pieces.length; p++) {
      String rate = p >= 1 && p <= 3 || p == 6 ? String.format("  %.1f GFLOP/s", flops / best[p] / 1e3) : "";
      System.out.printf("%-7s %8.1f us%s%n", names[p], best[p], rate);
    }
  }
}
