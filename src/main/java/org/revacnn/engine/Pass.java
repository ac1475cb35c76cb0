package org.revacnn.engine;

import java.util.SplittableRandom;

/**
 * What a forward pass needs besides its input: whether it is training (dropout active) and the
 * shard's own seeded random source, derived from (network seed, step, shard) so that results do
 * not depend on which thread runs the shard.
 */
public record Pass(boolean training, SplittableRandom random) {
  public static Pass inference() {
    return new Pass(false, new SplittableRandom(0));
  }
}
