package org.revacnn.data;

import java.util.SplittableRandom;

/**
 * Which training images are held out for validation: {@code min(maxCount, floor(n * maxFraction))}
 * of the {@code n} training images, chosen by a seeded permutation, so the same seed and data
 * always hold out the same images. The held-out images never appear in the training part.
 *
 * <p>{@link #DEFAULT} holds out 1,000 images, or 10% when the training data has fewer than 10,000.
 *
 * @param maxCount the most images to hold out, at least 0
 * @param maxFraction the largest fraction of the training data to hold out, in {@code [0, 1)}
 * @param seed the seed of the permutation
 */
public record ValidationSplit(int maxCount, double maxFraction, long seed) {
  public static final long DEFAULT_SEED = 1_000_003L;
  public static final ValidationSplit DEFAULT = new ValidationSplit(1_000, 0.1, DEFAULT_SEED);

  public ValidationSplit {
    if (maxCount < 0) {
      throw new IllegalArgumentException("validation count must be >= 0, got " + maxCount);
    }
    if (!(maxFraction >= 0 && maxFraction < 1)) {
      throw new IllegalArgumentException("validation fraction must be in [0, 1), got " + maxFraction);
    }
  }

  /** Holds out nothing: the validation part is empty. */
  public static ValidationSplit none() {
    return new ValidationSplit(0, 0, DEFAULT_SEED);
  }

  /** Holds out {@code count} images, but never more than half the training data. */
  public static ValidationSplit ofCount(int count, long seed) {
    return new ValidationSplit(count, 0.5, seed);
  }

  /** Holds out {@code fraction} of the training data. */
  public static ValidationSplit ofFraction(double fraction, long seed) {
    return new ValidationSplit(Integer.MAX_VALUE, fraction, seed);
  }

  /** How many of {@code trainingCount} images are held out. */
  public int heldOutCount(int trainingCount) {
    return (int) Math.min(maxCount, Math.floor(trainingCount * maxFraction));
  }

  /** {@code mask[i]} is true when image {@code i} of {@code trainingCount} is held out. */
  public boolean[] heldOutMask(int trainingCount) {
    int heldOut = heldOutCount(trainingCount);
    int[] order = new int[trainingCount];
    for (int i = 0; i < trainingCount; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(seed);
    boolean[] mask = new boolean[trainingCount];
    // partial Fisher-Yates: the first `heldOut` slots become a uniform random subset
    for (int i = 0; i < heldOut; i++) {
      int j = i + random.nextInt(trainingCount - i);
      int chosen = order[j];
      order[j] = order[i];
      order[i] = chosen;
      mask[chosen] = true;
    }
    return mask;
  }
}
