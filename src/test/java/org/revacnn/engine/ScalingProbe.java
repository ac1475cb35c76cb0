package org.revacnn.engine;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

/**
 * Training img/s of the paper's model at one batch size and thread count, with the process's CPU
 * seconds per wall second beside it (2.0 means both threads were busy the whole time).
 * Usage: java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes
 * org.revacnn.engine.ScalingProbe [batch] [threads] [seconds]
 */
public final class ScalingProbe {
  public static void main(String[] args) {
    int batch = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 4;
    Shape input = new Shape(3, 32, 32);
    SplittableRandom random = new SplittableRandom(1);
    float[] images = new float[batch * input.size()];
    for (int i = 0; i < images.length; i++) images[i] = (float) (random.nextDouble() * 2 - 1);
    int[] labels = random.ints(batch, 0, 10).toArray();
    Hyperparameters hyper = Hyperparameters.defaults().withOptimizer(OptimizerKind.SGD).withLearningRate(0.01f)
        .withBatchSize(batch);
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (Network net = Network.build(NetworkSpec.parse("conv16-conv20-conv20", input, 10), 1)) {
      net.setThreads(threads);
      for (int round = 0; round < 4; round++) {
        long cpu0 = os.getProcessCpuTime();
        long t0 = System.nanoTime();
        long n = 0;
        while (System.nanoTime() - t0 < seconds * 1e9) {
          net.trainStep(images, labels, batch, hyper);
          n += batch;
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        System.out.printf("batch %d threads %d: %.0f img/s, %.2f CPU s per wall s, %.0f img per CPU s%n",
            batch, threads, n / wall, cpu / wall, n / cpu);
      }
    }
  }
}
