package org.revacnn.engine;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the shards of one training step, each on its own thread, add up per-image sums over the
 * whole batch, so that batch norm normalises with the statistics of the whole batch however the
 * batch is cut. Every shard calls {@link Shard#sum} at the same points, in the same order (each
 * batch norm layer: twice forward, once backward); each call writes the shard's per-image values
 * into a batch-wide slot array, waits until every shard has written, and adds the slots up in
 * image order. Totals are therefore the same bits on every shard and for any number of shards.
 *
 * <p>Slot arrays alternate between calls: a shard that is through call k writes call k + 1's
 * values into the other array while a slower one may still be reading call k's; none can be two
 * calls ahead, since call k + 1 waits for all. Waiting spins on {@link Thread#yield} (the waits are
 * the shards' imbalance, and a shard squeezed onto the same CPU as its waiter gets the CPU). If a
 * shard fails, {@link #fail} makes the waiting ones throw the same failure instead of waiting forever.
 */
final class BatchStatistics {
  private final int batch;
  private final int shards;
  private final double[][] slots = new double[2][];
  private final int[] calls;
  private final AtomicInteger arrived = new AtomicInteger();
  private volatile int phase;
  private volatile Throwable failure;

  /** For a step of {@code batch} images in {@code shards} shards, sums at most {@code width} values per image. */
  BatchStatistics(int batch, int shards, int width) {
    this.batch = batch;
    this.shards = shards;
    slots[0] = new double[batch * width];
    slots[1] = new double[batch * width];
    calls = new int[shards];
  }

  /** Images in the whole batch. */
  int batch() {
    return batch;
  }

  /** The view shard {@code shard}, holding images [firstImage, firstImage + images), sums through. */
  Shard shard(int shard, int firstImage) {
    return new Shard(this, shard, firstImage);
  }

  /** Makes every shard waiting now or later throw {@code cause} (the first failure is kept). */
  void fail(Throwable cause) {
    if (failure == null) failure = cause;
  }

  /**
   * One shard's side of the batch.
   *
   * @param index      the shard's number, 0 first
   * @param firstImage the batch position of its first image
   */
  record Shard(BatchStatistics whole, int index, int firstImage) {
    /**
     * Given {@code perImage[i * width + k]}, value k of the shard's image i (for {@code images}
     * images), returns total[k] = the sum over every image of the batch, added in image order.
     */
    double[] sum(double[] perImage, int images, int width) {
      return whole.sum(this, perImage, images, width);
    }
  }

  private double[] sum(Shard shard, double[] perImage, int images, int width) {
    double[] slot = slots[calls[shard.index()]++ & 1];
    System.arraycopy(perImage, 0, slot, shard.firstImage() * width, images * width);
    awaitAll();
    double[] total = new double[width];
    for (int n = 0; n < batch; n++) {
      for (int k = 0; k < width; k++) total[k] += slot[n * width + k];
    }
    return total;
  }

  /** Returns once every shard has arrived here (a sense-reversing barrier: the last one moves the phase on). */
  private void awaitAll() {
    int myPhase = phase;
    if (arrived.incrementAndGet() == shards) {
      arrived.set(0);
      phase = myPhase + 1;
      return;
    }
    while (phase == myPhase) {
      Throwable t = failure;
      if (t instanceof RuntimeException r) throw r;
      if (t instanceof Error e) throw e;
      if (t != null) throw new IllegalStateException(t);
      Thread.yield();
    }
  }
}
