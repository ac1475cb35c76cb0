package org.revacnn.data;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.revacnn.engine.Shape;

/**
 * An immutable, in-memory set of labelled images stored as unsigned bytes.
 *
 * <p>Layout: image {@code i}, channel {@code c}, row {@code y}, column {@code x} is byte
 * {@code ((i*C + c)*H + y)*W + x} of one {@code byte[]} (channel-major within each image), so
 * 50,000 CIFAR-10 images take 150 MB. Labels are {@code 0 .. classNames.size()-1}.
 *
 * <p>Immutable and therefore safe to share between threads; nothing hands out the arrays.
 */
public final class ImageSet {
  private final Shape shape;
  private final byte[] pixels;
  private final byte[] labels;
  private final List<String> classNames;

  /** Takes ownership of the arrays: only code in this package that never touches them again calls it. */
  ImageSet(Shape shape, byte[] pixels, byte[] labels, List<String> classNames) {
    this.shape = Objects.requireNonNull(shape);
    this.classNames = List.copyOf(classNames);
    if (this.classNames.isEmpty() || this.classNames.size() > 256) {
      throw new IllegalArgumentException("need 1 to 256 class names, got " + this.classNames.size());
    }
    if ((long) labels.length * shape.size() != pixels.length) {
      throw new IllegalArgumentException(
          "pixels hold " + pixels.length + " bytes, expected " + labels.length + " images of " + shape);
    }
    for (int i = 0; i < labels.length; i++) {
      if (Byte.toUnsignedInt(labels[i]) >= this.classNames.size()) {
        throw new IllegalArgumentException("label " + Byte.toUnsignedInt(labels[i]) + " of image " + i
            + " is out of range 0.." + (this.classNames.size() - 1));
      }
    }
    this.pixels = pixels;
    this.labels = labels;
  }

  /** Copies the given pixels ({@code n*shape.size()} bytes, layout as above) and labels. */
  public static ImageSet of(Shape shape, byte[] pixels, int[] labels, List<String> classNames) {
    byte[] labelBytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= classNames.size()) {
        throw new IllegalArgumentException("label " + labels[i] + " of image " + i
            + " is out of range 0.." + (classNames.size() - 1));
      }
      labelBytes[i] = (byte) labels[i];
    }
    return new ImageSet(shape, pixels.clone(), labelBytes, classNames);
  }

  /** A set with no images, e.g. a missing test set. */
  public static ImageSet empty(Shape shape, List<String> classNames) {
    return new ImageSet(shape, new byte[0], new byte[0], classNames);
  }

  public int size() {
    return labels.length;
  }

  public boolean isEmpty() {
    return labels.length == 0;
  }

  public Shape shape() {
    return shape;
  }

  public List<String> classNames() {
    return classNames;
  }

  public int classCount() {
    return classNames.size();
  }

  public int label(int index) {
    return Byte.toUnsignedInt(labels[Objects.checkIndex(index, labels.length)]);
  }

  /** The value 0..255 of one pixel channel. */
  public int pixel(int index, int channel, int y, int x) {
    Objects.checkIndex(index, labels.length);
    Objects.checkIndex(channel, shape.channels());
    Objects.checkIndex(y, shape.height());
    Objects.checkIndex(x, shape.width());
    return Byte.toUnsignedInt(pixels[((index * shape.channels() + channel) * shape.height() + y) * shape.width() + x]);
  }

  /** A copy of one image's {@code shape.size()} bytes, channel-major. */
  public byte[] imageBytes(int index) {
    Objects.checkIndex(index, labels.length);
    int start = index * shape.size();
    return Arrays.copyOfRange(pixels, start, start + shape.size());
  }

  /** How many images carry each label, indexed by label. */
  public int[] classCounts() {
    int[] counts = new int[classNames.size()];
    for (byte label : labels) {
      counts[Byte.toUnsignedInt(label)]++;
    }
    return counts;
  }

  /** A new set holding copies of the images at {@code indices}, in that order. */
  public ImageSet subset(int[] indices) {
    int imageSize = shape.size();
    byte[] newPixels = new byte[indices.length * imageSize];
    byte[] newLabels = new byte[indices.length];
    for (int i = 0; i < indices.length; i++) {
      int source = Objects.checkIndex(indices[i], labels.length);
      System.arraycopy(pixels, source * imageSize, newPixels, i * imageSize, imageSize);
      newLabels[i] = labels[source];
    }
    return new ImageSet(shape, newPixels, newLabels, classNames);
  }

  /** A new set holding copies of images {@code from} (inclusive) to {@code to} (exclusive). */
  public ImageSet range(int from, int to) {
    Objects.checkFromToIndex(from, to, labels.length);
    int imageSize = shape.size();
    return new ImageSet(shape, Arrays.copyOfRange(pixels, from * imageSize, to * imageSize),
        Arrays.copyOfRange(labels, from, to), classNames);
  }

  /** The first {@code count} images (all of them when there are fewer), e.g. a quick evaluation sample. */
  public ImageSet first(int count) {
    return range(0, Math.min(count, labels.length));
  }

  /** Splits this set into a training part and a held-out validation part as {@code split} chooses. */
  public TrainValidation split(ValidationSplit split) {
    boolean[] held = split.heldOutMask(labels.length);
    int heldCount = 0;
    for (boolean h : held) {
      heldCount += h ? 1 : 0;
    }
    int[] trainIndices = new int[labels.length - heldCount];
    int[] validationIndices = new int[heldCount];
    for (int i = 0, t = 0, v = 0; i < labels.length; i++) {
      if (held[i]) {
        validationIndices[v++] = i;
      } else {
        trainIndices[t++] = i;
      }
    }
    return new TrainValidation(subset(trainIndices), subset(validationIndices));
  }

  /** The result of {@link #split}: both parts keep the original order of their images. */
  public record TrainValidation(ImageSet train, ImageSet validation) {}

  /** Read access for the batch code in this package: never written. */
  byte[] pixelArray() {
    return pixels;
  }
}
