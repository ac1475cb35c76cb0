package org.revacnn.data;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import org.revacnn.engine.Shape;

/**
 * Turns a decoded image into this package's channel-major bytes at a target shape by area
 * averaging (each target pixel is the coverage-weighted mean of the source pixels under it, so
 * shrinking does not alias; enlarging repeats pixels). Three channels are red, green, blue; one
 * channel is luma {@code 0.299 R + 0.587 G + 0.114 B}. Alpha is ignored. Stateless.
 */
final class ImageResizer {
  private ImageResizer() {}

  static byte[] resize(BufferedImage image, Shape target) {
    if (target.channels() != 1 && target.channels() != 3) {
      throw new IllegalArgumentException("image targets need 1 or 3 channels, got " + target);
    }
    int sourceWidth = image.getWidth();
    int sourceHeight = image.getHeight();
    float[][] planes = channelPlanes(image, target.channels());
    AxisWeights columns = AxisWeights.of(sourceWidth, target.width());
    AxisWeights rows = AxisWeights.of(sourceHeight, target.height());
    byte[] out = new byte[target.size()];
    float[] rowResized = new float[sourceHeight * target.width()];
    for (int c = 0; c < target.channels(); c++) {
      float[] plane = planes[c];
      // horizontal pass: every source row to the target width
      for (int y = 0; y < sourceHeight; y++) {
        for (int x = 0; x < target.width(); x++) {
          rowResized[y * target.width() + x] = columns.apply(plane, y * sourceWidth, 1, x);
        }
      }
      // vertical pass: every target column to the target height
      for (int y = 0; y < target.height(); y++) {
        for (int x = 0; x < target.width(); x++) {
          float value = rows.apply(rowResized, x, target.width(), y);
          out[(c * target.height() + y) * target.width() + x] = (byte) Math.clamp(Math.round(value), 0, 255);
        }
      }
    }
    return out;
  }

  /** The source as {@code channels} float planes of 0..255, row-major. */
  private static float[][] channelPlanes(BufferedImage image, int channels) {
    int width = image.getWidth();
    int height = image.getHeight();
    float[][] planes = new float[channels][width * height];
    Raster raster = image.getRaster();
    boolean grey = image.getType() == BufferedImage.TYPE_BYTE_GRAY || image.getType() == BufferedImage.TYPE_USHORT_GRAY;
    // read grey samples directly: getRGB would pass them through a linear-to-sRGB conversion
    float greyScale = image.getType() == BufferedImage.TYPE_USHORT_GRAY ? 255f / 65535f : 1f;
    int[] argb = grey ? null : image.getRGB(0, 0, width, height, null, 0, width);
    for (int i = 0; i < width * height; i++) {
      float red, green, blue;
      if (grey) {
        red = green = blue = raster.getSample(i % width, i / width, 0) * greyScale;
      } else {
        red = (argb[i] >> 16) & 0xFF;
        green = (argb[i] >> 8) & 0xFF;
        blue = argb[i] & 0xFF;
      }
      if (channels == 3) {
        planes[0][i] = red;
        planes[1][i] = green;
        planes[2][i] = blue;
      } else {
        planes[0][i] = 0.299f * red + 0.587f * green + 0.114f * blue;
      }
    }
    return planes;
  }

  /**
   * For one axis, which source pixels each target pixel covers and with what weight: target pixel
   * {@code t} covers source interval {@code [t*s/T, (t+1)*s/T)}; weights are overlaps divided by {@code s/T}.
   */
  private record AxisWeights(int[] firstSource, float[][] weights) {
    static AxisWeights of(int sourceSize, int targetSize) {
      double scale = (double) sourceSize / targetSize;
      int[] first = new int[targetSize];
      float[][] weights = new float[targetSize][];
      for (int t = 0; t < targetSize; t++) {
        double start = t * scale;
        double end = (t + 1) * scale;
        int from = (int) Math.floor(start);
        int to = Math.min(sourceSize, (int) Math.ceil(end));
        first[t] = from;
        weights[t] = new float[to - from];
        for (int s = from; s < to; s++) {
          weights[t][s - from] = (float) ((Math.min(end, s + 1) - Math.max(start, s)) / scale);
        }
      }
      return new AxisWeights(first, weights);
    }

    /** The weighted sum for target {@code t} of {@code values[offset + s*stride]}. */
    float apply(float[] values, int offset, int stride, int t) {
      float sum = 0;
      float[] w = weights[t];
      for (int k = 0; k < w.length; k++) {
        sum += w[k] * values[offset + (firstSource[t] + k) * stride];
      }
      return sum;
    }
  }
}
