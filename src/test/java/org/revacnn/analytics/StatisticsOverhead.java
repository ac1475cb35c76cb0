package org.revacnn.analytics;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;
import org.revacnn.engine.StepListener;
import org.revacnn.engine.StepResult;

/**
 * How much of the training time the statistics take: the paper's model at batch 32 on 2 threads,
 * with FilterStatistics and ActivationStatistics (8 images every 50 steps) as timed listeners and
 * the snapshot's LayerReports at 10 Hz; prints each part's share of the wall time per round.
 * Usage: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.revacnn.analytics.StatisticsOverhead [rounds] [steps]
 */
public final class StatisticsOverhead {
  private StatisticsOverhead() {}

  /** Adds the time spent in {@code delegate} to {@code nanos[slot]}. */
  private record Timed(StepListener delegate, long[] nanos, int slot) implements StepListener {
    @Override
    public void afterBackward(Network network, long step) {
      long start = System.nanoTime();
      delegate.afterBackward(network, step);
      nanos[slot] += System.nanoTime() - start;
    }

    @Override
    public void afterStep(Network network, StepResult result) {
      long start = System.nanoTime();
      delegate.afterStep(network, result);
      nanos[slot] += System.nanoTime() - start;
    }
  }

  public static void main(String[] args) {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    Shape input = new Shape(3, 32, 32);
    int batch = 32;
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * input.size()];
    for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
    int[] labels = random.ints(batch, 0, 10).toArray();
    Hyperparameters hyper = Hyperparameters.defaults().withLearningRate(0.01f);
    try (Network net = Network.build(NetworkSpec.parse("conv16-conv20-conv20", input, 10), 7)) {
      net.setThreads(2);
      FilterStatistics gradients = new FilterStatistics();
      ActivationStatistics activations =
          new ActivationStatistics(Arrays.copyOf(images, 8 * input.size()), Arrays.copyOf(labels, 8), 50);
      long[] nanos = new long[3];
      net.addListener(new Timed(gradients, nanos, 0));
      net.addListener(new Timed(activations, nanos, 1));
      for (int s = 0; s < 100; s++) net.trainStep(images, labels, batch, hyper);
      for (int round = 0; round < rounds; round++) {
        Arrays.fill(nanos, 0);
        long start = System.nanoTime();
        long lastReport = start;
        for (int s = 0; s < steps; s++) {
          net.trainStep(images, labels, batch, hyper);
          if (System.nanoTime() - lastReport > 100_000_000L) {
            long reportStart = System.nanoTime();
            LayerReport.all(net, gradients, activations);
            nanos[2] += System.nanoTime() - reportStart;
            lastReport = System.nanoTime();
          }
        }
        double total = System.nanoTime() - start;
        System.out.printf("round %d: %.0f img/s; gradient statistics %.2f%%, activation statistics %.2f%%, "
            + "reports at 10 Hz %.2f%%, total %.2f%%%n", round, steps * batch / (total / 1e9), 100 * nanos[0] / total,
            100 * nanos[1] / total, 100 * nanos[2] / total, 100 * (nanos[0] + nanos[1] + nanos[2]) / total);
      }
    }
  }
}
