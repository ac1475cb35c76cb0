package org.revacnn.data;

/**
 * Random training-time changes to each image: a mirror left to right (with probability 1/2) and
 * a move of up to {@code maxShift} pixels in x and in y, padding with zeros, as ConvNetJS's
 * CIFAR-10 demo does. Immutable.
 */
public record Augmentation(boolean horizontalFlip, int maxShift) {
  public static final Augmentation NONE = new Augmentation(false, 0);
  public static final Augmentation FLIP_AND_SHIFT_2 = new Augmentation(true, 2);

  public Augmentation {
    if (maxShift < 0) {
      throw new IllegalArgumentException("maxShift must be >= 0, got " + maxShift);
    }
  }
}
