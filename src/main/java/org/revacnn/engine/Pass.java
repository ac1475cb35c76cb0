package org.revacnn.engine;

import java.util.SplittableRandom;

/**
 * What a forward pass needs besides its input: whether it is training (dropout active), the
 * shard's own seeded random source, derived from (network seed, step, shard) so that results do
 * not depend on which thread runs the shard, and in a sharded training step the shard's link to
 * the whole batch's statistics (null when the shard's images are the whole batch).
 */
public record Pass(boolean training, SplittableRandom random, BatchStatistics.Shard batch) {
  public Pass(boolean training, SplittableRandom random) {
    this(training, random, null);
  }

  public static Pass inference() {
    return new Pass(false, new SplittableRandom(0));
  }
}
