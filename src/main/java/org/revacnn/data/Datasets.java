package org.revacnn.data;

import java.util.List;
import org.revacnn.engine.Shape;

/**
 * The three parts of one data source: the images to train on, the held-out validation images
 * (taken from the training data, see {@link ValidationSplit}) and the test images (possibly none).
 * All three share one shape and one list of class names. Immutable.
 *
 * @param description what was loaded, for logs and the UI (e.g. {@code "CIFAR-10 from /data/cifar10"})
 */
public record Datasets(String description, ImageSet train, ImageSet validation, ImageSet test) {
  public Datasets {
    for (ImageSet part : List.of(validation, test)) {
      if (!part.shape().equals(train.shape()) || !part.classNames().equals(train.classNames())) {
        throw new IllegalArgumentException("all parts need shape " + train.shape() + " and classes "
            + train.classNames() + ", got " + part.shape() + " and " + part.classNames());
      }
    }
  }

  public Shape shape() {
    return train.shape();
  }

  public List<String> classNames() {
    return train.classNames();
  }

  @Override
  public String toString() {
    return description + ": " + train.size() + " train, " + validation.size() + " validation, "
        + test.size() + " test images of " + shape() + " in " + classNames().size() + " classes";
  }
}
