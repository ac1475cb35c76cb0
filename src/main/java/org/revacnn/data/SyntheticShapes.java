package org.revacnn.data;

import java.util.List;
import java.util.SplittableRandom;
import org.revacnn.engine.Shape;

/**
 * The built-in data set: 32x32 RGB images of ten procedurally drawn shapes and textures. Each
 * image has a random position, size, period or phase, a random background colour, a random
 * foreground colour (independent of the class, at least a fixed luma step away from the
 * background) and random per-pixel noise, so colour alone says little about the class.
 *
 * <p>Image {@code i} of a set depends only on the seed and {@code i} (label {@code i % 10}, so
 * every prefix of 10 images is balanced): the same seed gives identical bytes. Stateless.
 */
public final class SyntheticShapes {
  public static final Shape SHAPE = new Shape(3, 32, 32);
  public static final List<String> CLASS_NAMES = List.of("circle", "square", "triangle", "cross",
      "horizontal stripes", "vertical stripes", "checkerboard", "ring", "diagonal stripes", "dots");
  public static final int DEFAULT_TRAIN_COUNT = 10_000;
  public static final int DEFAULT_TEST_COUNT = 1_000;
  public static final long DEFAULT_SEED = 42L;

  private static final int SIDE = 32;
  private static final int MIN_LUMA_STEP = 70;
  private static final int MAX_NOISE = 24;
  private static final long TEST_STREAM = 0x7E57_5E75L;

  private SyntheticShapes() {}

  /** {@code trainCount} training images (less the validation part) and {@code testCount} test images. */
  public static Datasets datasets(int trainCount, int testCount, long seed, ValidationSplit split) {
    if (trainCount <= 0 || testCount < 0) {
      throw new IllegalArgumentException("need a positive training count and a non-negative test count, got "
          + trainCount + " and " + testCount);
    }
    SplitWriter training = new SplitWriter(SHAPE, trainCount, split);
    draw(trainCount, seed, training);
    return new Datasets("synthetic shapes (seed " + seed + ")", training.train(CLASS_NAMES),
        training.validation(CLASS_NAMES), generate(testCount, seed ^ TEST_STREAM));
  }

  /** {@code count} images from the stream of {@code seed}. */
  public static ImageSet generate(int count, long seed) {
    SplitWriter writer = SplitWriter.keepingAll(SHAPE, count);
    draw(count, seed, writer);
    return writer.train(CLASS_NAMES);
  }

  private static void draw(int count, long seed, SplitWriter writer) {
    byte[] image = new byte[SHAPE.size()];
    boolean[] mask = new boolean[SIDE * SIDE];
    for (int i = 0; i < count; i++) {
      int label = i % CLASS_NAMES.size();
      SplittableRandom random = new SplittableRandom(new SplittableRandom(seed ^ (i * 0x9E37_79B9_7F4A_7C15L)).nextLong());
      drawMask(label, random, mask);
      paint(mask, random, image);
      writer.put(i, label, image, 0);
    }
  }

  /** Marks the foreground pixels of one instance of class {@code label} (pixel centres at x + 0.5). */
  private static void drawMask(int label, SplittableRandom random, boolean[] mask) {
    double centreX = random.nextDouble(10, 22);
    double centreY = random.nextDouble(10, 22);
    double size = random.nextDouble();       // 0..1, scaled per class below
    double period = random.nextDouble(0, 1); // 0..1, scaled per class below
    double phaseX = random.nextDouble(0, 16);
    double phaseY = random.nextDouble(0, 16);
    boolean flip = random.nextBoolean();
    for (int y = 0; y < SIDE; y++) {
      for (int x = 0; x < SIDE; x++) {
        double dx = x + 0.5 - centreX;
        double dy = y + 0.5 - centreY;
        mask[y * SIDE + x] = switch (label) {
          case 0 -> circle(dx, dy, 5 + 5 * size);
          case 1 -> Math.max(Math.abs(dx), Math.abs(dy)) <= 4 + 5 * size;
          case 2 -> triangle(dx, dy, 6 + 5 * size);
          case 3 -> cross(dx, dy, 6 + 5 * size, 1.5 + size);
          case 4 -> stripe(y + phaseY, 4 + 4 * period);
          case 5 -> stripe(x + phaseX, 4 + 4 * period);
          case 6 -> checker(x + phaseX, y + phaseY, 3 + 3 * period);
          case 7 -> ring(dx, dy, 6 + 5 * size, 2 + period);
          case 8 -> stripe((flip ? x - y : x + y) + phaseX, 5 + 4 * period);
          case 9 -> dots(x + phaseX, y + phaseY, 6 + 3 * period, 1.3 + 0.7 * size);
          default -> throw new IllegalArgumentException("no class " + label);
        };
      }
    }
  }

  private static boolean circle(double dx, double dy, double radius) {
    return dx * dx + dy * dy <= radius * radius;
  }

  /** An upright triangle, apex at the top, inside a box of half-size {@code half}. */
  private static boolean triangle(double dx, double dy, double half) {
    double fromApex = dy + half; // 0 at the apex, 2*half at the base
    return fromApex >= 0 && fromApex <= 2 * half && Math.abs(dx) <= fromApex / 2;
  }

  private static boolean cross(double dx, double dy, double armLength, double halfThickness) {
    double ax = Math.abs(dx);
    double ay = Math.abs(dy);
    return (ax <= halfThickness && ay <= armLength) || (ay <= halfThickness && ax <= armLength);
  }

  private static boolean ring(double dx, double dy, double outerRadius, double thickness) {
    double distance = Math.sqrt(dx * dx + dy * dy);
    return distance <= outerRadius && distance >= outerRadius - thickness;
  }

  private static boolean stripe(double position, double period) {
    return Math.floorMod((long) Math.floor(position * 2 / period), 2) == 0;
  }

  private static boolean checker(double x, double y, double cell) {
    return Math.floorMod((long) Math.floor(x / cell) + (long) Math.floor(y / cell), 2) == 0;
  }

  private static boolean dots(double x, double y, double spacing, double radius) {
    double dx = x + 0.5 - spacing * Math.rint((x + 0.5) / spacing);
    double dy = y + 0.5 - spacing * Math.rint((y + 0.5) / spacing);
    return dx * dx + dy * dy <= radius * radius;
  }

  /** Fills {@code image} (channel-major) with a random foreground and background colour plus noise. */
  private static void paint(boolean[] mask, SplittableRandom random, byte[] image) {
    int[] background = randomColour(random);
    int[] foreground;
    do {
      foreground = randomColour(random);
    } while (Math.abs(luma(foreground) - luma(background)) < MIN_LUMA_STEP);
    int noise = random.nextInt(MAX_NOISE + 1);
    for (int c = 0; c < 3; c++) {
      for (int p = 0; p < SIDE * SIDE; p++) {
        int value = (mask[p] ? foreground[c] : background[c]) + random.nextInt(-noise, noise + 1);
        image[c * SIDE * SIDE + p] = (byte) Math.clamp(value, 0, 255);
      }
    }
  }

  private static int[] randomColour(SplittableRandom random) {
    return new int[] {random.nextInt(256), random.nextInt(256), random.nextInt(256)};
  }

  private static double luma(int[] colour) {
    return 0.299 * colour[0] + 0.587 * colour[1] + 0.114 * colour[2];
  }
}
