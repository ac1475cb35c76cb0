package org.revacnn.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.revacnn.engine.Shape;

/** Writes small data files in the formats the readers take, with pixel values derived from their position. */
final class TestFiles {
  private TestFiles() {}

  /** The value every generated pixel of record {@code record}, channel {@code c}, offset {@code p} gets. */
  static int pixelValue(int record, int channel, int position) {
    return (record * 7 + channel * 50 + position) & 0xFF;
  }

  /** A CIFAR-10 binary file with the given labels. */
  static Path writeCifar(Path file, int... labels) throws IOException {
    byte[] bytes = new byte[labels.length * CifarBinaryReader.RECORD_BYTES];
    for (int r = 0; r < labels.length; r++) {
      int offset = r * CifarBinaryReader.RECORD_BYTES;
      bytes[offset] = (byte) labels[r];
      for (int c = 0; c < 3; c++) {
        for (int p = 0; p < 1024; p++) {
          bytes[offset + 1 + c * 1024 + p] = (byte) pixelValue(r, c, p);
        }
      }
    }
    Files.createDirectories(file.getParent());
    return Files.write(file, bytes);
  }

  /** An IDX images file of {@code count} images of rows x columns; gzipped when the name ends in .gz. */
  static Path writeIdxImages(Path file, int magic, int count, int rows, int columns) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(count);
    out.writeInt(rows);
    out.writeInt(columns);
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < rows * columns; p++) {
        out.writeByte(pixelValue(i, 0, p));
      }
    }
    return write(file, bytes.toByteArray());
  }

  static Path writeIdxLabels(Path file, int magic, int... labels) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(magic);
    out.writeInt(labels.length);
    for (int label : labels) {
      out.writeByte(label);
    }
    return write(file, bytes.toByteArray());
  }

  static Path write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    if (!file.getFileName().toString().endsWith(".gz")) {
      return Files.write(file, bytes);
    }
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(bytes);
    }
    return file;
  }

  /** A solid-colour RGB image file; the format comes from the extension (png or jpg). */
  static Path writeImage(Path file, int width, int height, int rgb) throws IOException {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        image.setRGB(x, y, rgb);
      }
    }
    return writeImage(file, image);
  }

  static Path writeImage(Path file, BufferedImage image) throws IOException {
    Files.createDirectories(file.getParent());
    String name = file.getFileName().toString();
    String format = name.substring(name.lastIndexOf('.') + 1);
    if (!ImageIO.write(image, format.equals("jpg") ? "jpeg" : format, file.toFile())) {
      throw new IOException("no writer for " + format);
    }
    return file;
  }

  /**
   * A valid black 1-bit greyscale PNG of {@code width x height} pixels, written without ever holding
   * its pixels: rows of zeros are deflated as they are made, so a 20000x20000 image is a ~50 KB file.
   */
  static Path writeBlankPng(Path file, int width, int height) throws IOException {
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    byte[] row = new byte[1 + (width + 7) / 8]; // filter byte 0 (none), then the packed bits
    try (OutputStream deflate = new DeflaterOutputStream(compressed, new Deflater(Deflater.BEST_COMPRESSION), 1 << 16)) {
      for (int y = 0; y < height; y++) deflate.write(row);
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    // IHDR: width, height, bit depth 1, colour type 0 (grey), compression, filter, interlace 0
    ByteBuffer header = ByteBuffer.allocate(13).putInt(width).putInt(height).put(new byte[] {1, 0, 0, 0, 0});
    pngChunk(png, "IHDR", header.array());
    pngChunk(png, "IDAT", compressed.toByteArray());
    pngChunk(png, "IEND", new byte[0]);
    return write(file, png.toByteArray());
  }

  private static void pngChunk(ByteArrayOutputStream png, String type, byte[] data) throws IOException {
    DataOutputStream out = new DataOutputStream(png);
    out.writeInt(data.length);
    byte[] typeBytes = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(typeBytes);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(typeBytes);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }

  /** A set of {@code count} tiny images whose every pixel is {@code image index * 10 + channel}. */
  static ImageSet numberedSet(int count, int channels, int side, int classes) {
    Shape shape = new Shape(channels, side, side);
    byte[] pixels = new byte[count * shape.size()];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      labels[i] = i % classes;
      for (int c = 0; c < channels; c++) {
        Arrays.fill(pixels, (i * channels + c) * shape.plane(), (i * channels + c + 1) * shape.plane(),
            (byte) (i * 10 + c));
      }
    }
    List<String> names = IntStream.range(0, classes).mapToObj(k -> "class" + k).toList();
    return ImageSet.of(shape, pixels, labels, names);
  }
}
