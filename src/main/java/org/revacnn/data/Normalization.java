package org.revacnn.data;

import java.util.Arrays;
import java.util.Objects;
import org.revacnn.engine.Shape;

/**
 * Maps stored bytes to the floats a network sees: {@code (value/255 - mean[c]) / std[c]} per
 * channel, through a 256-entry table per channel. Either fixed ({@link #centred}: mean 0.5, std 1,
 * as ConvNetJS does) or measured once on a training set ({@link #fromTrainingSet}).
 *
 * <p>Writes go into caller-provided {@code float[]} laid out channel-major per image
 * ({@code ((n*C + c)*H + y)*W + x}); nothing is allocated per image. Immutable, so thread-safe.
 */
public final class Normalization {
  private final double[] mean;
  private final double[] standardDeviation;
  private final float[][] table;

  private Normalization(double[] mean, double[] standardDeviation) {
    this.mean = mean;
    this.standardDeviation = standardDeviation;
    this.table = new float[mean.length][256];
    for (int c = 0; c < mean.length; c++) {
      if (!(standardDeviation[c] > 0)) {
        throw new IllegalArgumentException("standard deviation of channel " + c + " must be > 0, got " + standardDeviation[c]);
      }
      for (int value = 0; value < 256; value++) {
        table[c][value] = (float) ((value / 255.0 - mean[c]) / standardDeviation[c]);
      }
    }
  }

  /** {@code value/255 - 0.5} on every channel. */
  public static Normalization centred(int channels) {
    double[] mean = new double[channels];
    double[] deviation = new double[channels];
    Arrays.fill(mean, 0.5);
    Arrays.fill(deviation, 1.0);
    return new Normalization(mean, deviation);
  }

  /** Explicit per-channel mean and standard deviation, both on the 0..1 scale. */
  public static Normalization of(double[] mean, double[] standardDeviation) {
    if (mean.length != standardDeviation.length || mean.length == 0) {
      throw new IllegalArgumentException("need as many means as deviations, at least one: "
          + mean.length + " and " + standardDeviation.length);
    }
    return new Normalization(mean.clone(), standardDeviation.clone());
  }

  /**
   * The per-channel mean and (population) standard deviation of {@code set} on the 0..1 scale,
   * so the training data comes out with mean 0 and deviation 1 per channel.
   */
  public static Normalization fromTrainingSet(ImageSet set) {
    if (set.isEmpty()) {
      throw new IllegalArgumentException("cannot measure the normalisation of an empty set");
    }
    Shape shape = set.shape();
    long[][] histogram = new long[shape.channels()][256];
    byte[] pixels = set.pixelArray();
    int plane = shape.plane();
    for (int i = 0; i < set.size(); i++) {
      for (int c = 0; c < shape.channels(); c++) {
        long[] counts = histogram[c];
        int start = (i * shape.channels() + c) * plane;
        for (int p = start; p < start + plane; p++) {
          counts[pixels[p] & 0xFF]++;
        }
      }
    }
    double[] mean = new double[shape.channels()];
    double[] deviation = new double[shape.channels()];
    for (int c = 0; c < shape.channels(); c++) {
      double total = 0;
      double sum = 0;
      double sumOfSquares = 0;
      for (int value = 0; value < 256; value++) {
        double x = value / 255.0;
        total += histogram[c][value];
        sum += histogram[c][value] * x;
        sumOfSquares += histogram[c][value] * x * x;
      }
      mean[c] = sum / total;
      // a constant channel would give deviation 0: fall back to 1 so it maps to 0, not NaN
      double variance = sumOfSquares / total - mean[c] * mean[c];
      deviation[c] = variance > 1e-12 ? Math.sqrt(variance) : 1.0;
    }
    return new Normalization(mean, deviation);
  }

  public int channels() {
    return mean.length;
  }

  public double mean(int channel) {
    return mean[channel];
  }

  public double standardDeviation(int channel) {
    return standardDeviation[channel];
  }

  /** The float a stored byte {@code value} (0..255) of {@code channel} becomes. */
  public float normalise(int channel, int value) {
    return table[channel][value];
  }

  /** One image, normalised, in a new array: for probe images. */
  public float[] image(ImageSet set, int index) {
    float[] out = new float[set.shape().size()];
    write(set, index, out, 0);
    return out;
  }

  /** Overwrites {@code destination[offset ..]} with image {@code index}, normalised, unaugmented. */
  public void write(ImageSet set, int index, float[] destination, int offset) {
    checkChannels(set.shape());
    Objects.checkIndex(index, set.size());
    byte[] pixels = set.pixelArray();
    int plane = set.shape().plane();
    int source = index * set.shape().size();
    for (int c = 0; c < channels(); c++) {
      float[] lookup = table[c];
      int from = source + c * plane;
      int to = offset + c * plane;
      for (int p = 0; p < plane; p++) {
        destination[to + p] = lookup[pixels[from + p] & 0xFF];
      }
    }
  }

  /**
   * Overwrites {@code destination[0 .. count*size)} with images {@code from .. from+count-1} in
   * order, normalised and unaugmented: for evaluation.
   */
  public void writeBatch(ImageSet set, int from, int count, float[] destination) {
    Objects.checkFromIndexSize(from, count, set.size());
    for (int n = 0; n < count; n++) {
      write(set, from + n, destination, n * set.shape().size());
    }
  }

  /**
   * Overwrites {@code destination[offset ..]} with image {@code index} normalised, mirrored left to
   * right when {@code mirror}, then moved right by {@code shiftX} and down by {@code shiftY}
   * pixels (negative moves left or up). Pixels moved in from outside the image are 0, the value
   * of the mean colour after normalisation.
   */
  public void writeTransformed(ImageSet set, int index, boolean mirror, int shiftX, int shiftY,
      float[] destination, int offset) {
    checkChannels(set.shape());
    Objects.checkIndex(index, set.size());
    byte[] pixels = set.pixelArray();
    int height = set.shape().height();
    int width = set.shape().width();
    int source = index * set.shape().size();
    for (int c = 0; c < channels(); c++) {
      float[] lookup = table[c];
      for (int y = 0; y < height; y++) {
        int sourceY = y - shiftY;
        int rowOut = offset + (c * height + y) * width;
        if (sourceY < 0 || sourceY >= height) {
          Arrays.fill(destination, rowOut, rowOut + width, 0f);
          continue;
        }
        int rowIn = source + (c * height + sourceY) * width;
        for (int x = 0; x < width; x++) {
          int shiftedX = x - shiftX;
          if (shiftedX < 0 || shiftedX >= width) {
            destination[rowOut + x] = 0f;
          } else {
            int sourceX = mirror ? width - 1 - shiftedX : shiftedX;
            destination[rowOut + x] = lookup[pixels[rowIn + sourceX] & 0xFF];
          }
        }
      }
    }
  }

  private void checkChannels(Shape shape) {
    if (shape.channels() != channels()) {
      throw new IllegalArgumentException("normalisation has " + channels() + " channels, images have " + shape);
    }
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(standardDeviation) + "]";
  }
}
