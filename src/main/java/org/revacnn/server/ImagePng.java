package org.revacnn.server;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Shape;

/** Encodes one dataset image as a PNG at its own size: grey for one channel, RGB for three. */
final class ImagePng {
  private ImagePng() {}

  static byte[] encode(ImageSet set, int index) {
    Shape shape = set.shape();
    boolean rgb = shape.channels() >= 3;
    BufferedImage image = new BufferedImage(shape.width(), shape.height(), rgb ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < shape.height(); y++) {
      for (int x = 0; x < shape.width(); x++) {
        if (rgb) {
          int r = set.pixel(index, 0, y, x);
          int g = set.pixel(index, 1, y, x);
          int b = set.pixel(index, 2, y, x);
          image.setRGB(x, y, (r << 16) | (g << 8) | b);
        } else {
          image.getRaster().setSample(x, y, 0, set.pixel(index, 0, y, x));
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
