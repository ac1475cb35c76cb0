package org.revacnn.data;

import java.util.List;
import org.revacnn.engine.Shape;

/**
 * Receives the images of a training set one by one, as a reader decodes them, and writes each
 * straight into the training or the held-out validation array, so a split never copies the whole
 * set. Owned by the one reader thread that fills it; every index must be put exactly once.
 */
final class SplitWriter {
  private final Shape shape;
  private final boolean[] heldOut;
  private final int[] destination;
  private final byte[] trainPixels;
  private final byte[] trainLabels;
  private final byte[] validationPixels;
  private final byte[] validationLabels;

  SplitWriter(Shape shape, int count, ValidationSplit split) {
    this.shape = shape;
    this.heldOut = split.heldOutMask(count);
    this.destination = new int[count];
    int trainCount = 0;
    int validationCount = 0;
    for (int i = 0; i < count; i++) {
      destination[i] = heldOut[i] ? validationCount++ : trainCount++;
    }
    trainPixels = new byte[Math.multiplyExact(trainCount, shape.size())];
    trainLabels = new byte[trainCount];
    validationPixels = new byte[validationCount * shape.size()];
    validationLabels = new byte[validationCount];
  }

  /** A writer that keeps every image: for test sets. */
  static SplitWriter keepingAll(Shape shape, int count) {
    return new SplitWriter(shape, count, ValidationSplit.none());
  }

  /** Copies image {@code index}: {@code shape.size()} channel-major bytes from {@code source[offset..]}. */
  void put(int index, int label, byte[] source, int offset) {
    int to = destination[index];
    if (heldOut[index]) {
      System.arraycopy(source, offset, validationPixels, to * shape.size(), shape.size());
      validationLabels[to] = (byte) label;
    } else {
      System.arraycopy(source, offset, trainPixels, to * shape.size(), shape.size());
      trainLabels[to] = (byte) label;
    }
  }

  ImageSet train(List<String> classNames) {
    return new ImageSet(shape, trainPixels, trainLabels, classNames);
  }

  ImageSet validation(List<String> classNames) {
    return new ImageSet(shape, validationPixels, validationLabels, classNames);
  }
}
