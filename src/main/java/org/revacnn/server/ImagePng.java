package org.revacnn.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Shape;

/**
 * Encodes dataset images as PNG at their own size, grey for one channel, RGB for three: one image,
 * or a sprite sheet of chosen images (the i-th at column {@code i % columns}, row {@code i / columns}),
 * so that a page of thumbnails costs one request.
 */
final class ImagePng {
  private ImagePng() {}

  static byte[] encode(ImageSet set, int index) {
    return sprite(set, index, 1, 1);
  }

  /** Images {@code from .. from + count - 1} in rows of {@code columns} tiles (fewer when count is smaller). */
  static byte[] sprite(ImageSet set, int from, int count, int columns) {
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) indices[i] = from + i;
    return sprite(set, indices, columns);
  }

  /** Images {@code indices[0], indices[1], ...} in that order, in rows of {@code columns} tiles (fewer when there are fewer images). */
  static byte[] sprite(ImageSet set, int[] indices, int columns) {
    int count = indices.length;
    Shape shape = set.shape();
    boolean rgb = shape.channels() >= 3;
    int across = Math.min(columns, count);
    int down = (count + columns - 1) / columns;
    BufferedImage image = new BufferedImage(across * shape.width(), down * shape.height(),
        rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    for (int i = 0; i < count; i++) {
      int left = (i % columns) * shape.width();
      int top = (i / columns) * shape.height();
      for (int y = 0; y < shape.height(); y++) {
        for (int x = 0; x < shape.width(); x++) {
          if (rgb) {
            int r = set.pixel(indices[i], 0, y, x);
            int g = set.pixel(indices[i], 1, y, x);
            int b = set.pixel(indices[i], 2, y, x);
            image.setRGB(left + x, top + y, (r << 16) | (g << 8) | b);
          } else {
            image.getRaster().setSample(left + x, top + y, 0, set.pixel(indices[i], 0, y, x));
          }
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(image, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
