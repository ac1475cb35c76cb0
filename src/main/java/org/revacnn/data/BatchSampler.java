package org.revacnn.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws training batches from an {@link ImageSet}: each epoch visits every image once in a new
 * seeded random order; a batch runs on into the next epoch when an epoch's images run out. Each
 * image is normalised and, per {@link Augmentation}, mirrored and shifted.
 *
 * <p>Everything random is a function of (seed, epoch, position), so {@link #seek} resumes a
 * sampler exactly where a saved one stood, and the batch size may change between calls.
 * Batches are written into caller-provided arrays: {@code images} as {@code [n][C][H][W]} floats
 * and {@code labels}; nothing is allocated per image. Mutable: owned by the one thread that trains.
 */
public final class BatchSampler {
  private static final long AUGMENTATION_STREAM = 0x5DEECE66DL;

  private final ImageSet set;
  private final Normalization normalization;
  private final Augmentation augmentation;
  private final long seed;
  private final int[] order;
  private int epoch;
  private int position;

  public BatchSampler(ImageSet set, Normalization normalization, Augmentation augmentation, long seed) {
    if (set.isEmpty()) {
      throw new IllegalArgumentException("cannot sample batches from an empty set");
    }
    if (normalization.channels() != set.shape().channels()) {
      throw new IllegalArgumentException("normalisation has " + normalization.channels() + " channels, images have "
          + set.shape());
    }
    this.set = set;
    this.normalization = normalization;
    this.augmentation = Objects.requireNonNull(augmentation);
    this.seed = seed;
    this.order = new int[set.size()];
    shuffle();
  }

  /** Completed epochs: 0 during the first. */
  public int epoch() {
    return epoch;
  }

  /** Images already drawn in the current epoch. */
  public int position() {
    return position;
  }

  /** Epochs done as a fraction, e.g. 2.5 halfway through the third. */
  public double epochProgress() {
    return epoch + (double) position / order.length;
  }

  /** Moves to a saved (epoch, position); the next batch is the one a sampler standing there would draw. */
  public void seek(int savedEpoch, int savedPosition) {
    if (savedEpoch < 0 || savedPosition < 0 || savedPosition > order.length) {
      throw new IllegalArgumentException("sampler position (" + savedEpoch + ", " + savedPosition + ") is outside a set of "
          + order.length + " images");
    }
    epoch = savedEpoch;
    position = savedPosition;
    shuffle();
  }

  /** Overwrites {@code images[0 .. count * imageSize)} and {@code labels[0 .. count)} with the next batch. */
  public void nextBatch(int count, float[] images, int[] labels) {
    int imageSize = set.shape().size();
    if (count <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + count);
    }
    if (images.length < count * imageSize || labels.length < count) {
      throw new IllegalArgumentException("a batch of " + count + " needs " + count * imageSize + " floats and " + count
          + " labels, got " + images.length + " and " + labels.length);
    }
    int maxShift = augmentation.maxShift();
    for (int n = 0; n < count; n++) {
      if (position == order.length) {
        epoch++;
        position = 0;
        shuffle();
      }
      SplittableRandom random = new SplittableRandom(mix(seed ^ AUGMENTATION_STREAM, (long) epoch * order.length + position));
      int index = order[position++];
      boolean mirror = augmentation.horizontalFlip() && random.nextBoolean();
      int shiftX = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
      int shiftY = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
      normalization.writeTransformed(set, index, mirror, shiftX, shiftY, images, n * imageSize);
      labels[n] = set.label(index);
    }
  }

  /** The order of the current epoch: a Fisher-Yates shuffle seeded by (seed, epoch). */
  private void shuffle() {
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    SplittableRandom random = new SplittableRandom(mix(seed, epoch));
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }

  /** SplitMix64's finaliser over (a, b): a well-spread seed for each stream. */
  private static long mix(long a, long b) {
    long z = a + 0x9E3779B97F4A7C15L * (b + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
