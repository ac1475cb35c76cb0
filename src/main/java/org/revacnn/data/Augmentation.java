package org.revacnn.data;

import java.util.Locale;

/**
 * Random training-time changes to each image: a mirror left to right (with probability 1/2) and
 * a move of up to {@code maxShift} pixels in x and in y, padding with zeros (the mean colour after
 * normalisation). A move by (dx, dy) in [-p, p] is the crop at offset (p - dx, p - dy) of the image
 * padded by p pixels on each side, so {@link #CROP_4_AND_FLIP} is the usual CIFAR recipe (random
 * crop with padding 4 and horizontal flip) and {@link #FLIP_AND_SHIFT_2} ConvNetJS's CIFAR-10 demo.
 * Immutable.
 */
public record Augmentation(boolean horizontalFlip, int maxShift) {
  public static final Augmentation NONE = new Augmentation(false, 0);
  public static final Augmentation FLIP_AND_SHIFT_2 = new Augmentation(true, 2);
  public static final Augmentation CROP_4_AND_FLIP = new Augmentation(true, 4);

  /** The names {@link #parse} accepts, in the order help lists them. */
  public static final String NAMES = "flip-shift2, crop4flip, none";

  public Augmentation {
    if (maxShift < 0) {
      throw new IllegalArgumentException("maxShift must be >= 0, got " + maxShift);
    }
  }

  /** {@code flip-shift2} (the paper's), {@code crop4flip} (random crop of the 4-pixel-padded image, flip) or {@code none}. */
  public static Augmentation parse(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "flip-shift2" -> FLIP_AND_SHIFT_2;
      case "crop4flip" -> CROP_4_AND_FLIP;
      case "none" -> NONE;
      default -> throw new IllegalArgumentException("unknown augmentation '" + name + "'; choose one of " + NAMES);
    };
  }
}
