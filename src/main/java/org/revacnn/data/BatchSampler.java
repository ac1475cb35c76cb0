package org.revacnn.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Draws training batches from an {@link ImageSet}: each epoch visits every image once in a new
 * seeded random order; batches are always full and run on into the next epoch when an epoch's
 * images run out. Each image is normalised and, per {@link Augmentation}, mirrored and shifted.
 *
 * <p>Batches are written into caller-provided arrays: {@code images} as {@code [n][C][H][W]}
 * floats ({@code batchSize * shape.size()} long at least) and {@code labels}
 * ({@code batchSize} long at least); nothing is allocated per batch. Mutable: owned by the one
 * thread that trains. The same seed and calls give the same batches.
 */
public final class BatchSampler {
  private final ImageSet set;
  private final int batchSize;
  private final Normalization normalization;
  private final Augmentation augmentation;
  private final SplittableRandom random;
  private final int[] order;
  private int epoch;
  private int position;

  public BatchSampler(ImageSet set, int batchSize, Normalization normalization, Augmentation augmentation, long seed) {
    if (set.isEmpty()) {
      throw new IllegalArgumentException("cannot sample batches from an empty set");
    }
    if (batchSize <= 0) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (normalization.channels() != set.shape().channels()) {
      throw new IllegalArgumentException("normalisation has " + normalization.channels() + " channels, images have "
          + set.shape());
    }
    this.set = set;
    this.batchSize = batchSize;
    this.normalization = normalization;
    this.augmentation = Objects.requireNonNull(augmentation);
    this.random = new SplittableRandom(seed);
    this.order = new int[set.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    shuffle();
  }

  public int batchSize() {
    return batchSize;
  }

  /** The floats one batch needs: {@code batchSize * shape.size()}. */
  public int floatsPerBatch() {
    return batchSize * set.shape().size();
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

  /** Overwrites {@code images[0 .. floatsPerBatch())} and {@code labels[0 .. batchSize)} with the next batch. */
  public void nextBatch(float[] images, int[] labels) {
    if (images.length < floatsPerBatch() || labels.length < batchSize) {
      throw new IllegalArgumentException("a batch needs " + floatsPerBatch() + " floats and " + batchSize
          + " labels, got " + images.length + " and " + labels.length);
    }
    int imageSize = set.shape().size();
    int maxShift = augmentation.maxShift();
    for (int n = 0; n < batchSize; n++) {
      if (position == order.length) {
        epoch++;
        position = 0;
        shuffle();
      }
      int index = order[position++];
      boolean mirror = augmentation.horizontalFlip() && random.nextBoolean();
      int shiftX = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
      int shiftY = maxShift == 0 ? 0 : random.nextInt(-maxShift, maxShift + 1);
      normalization.writeTransformed(set, index, mirror, shiftX, shiftY, images, n * imageSize);
      labels[n] = set.label(index);
    }
  }

  private void shuffle() {
    for (int i = order.length - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int swap = order[i];
      order[i] = order[j];
      order[j] = swap;
    }
  }
}
