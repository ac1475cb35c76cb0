package org.revacnn.server;

import java.util.List;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Shape;
import org.revacnn.session.Session;

/** What {@code GET /api/dataset} and the hello message say about the data: description, image shape, classes, split sizes. */
public record DatasetInfo(String description, Shape shape, List<String> classNames, Split train, Split validation, Split test) {

  /** One part of the data: how many images, and how many of each class (indexed by label). */
  public record Split(int size, int[] classCounts) {
    static Split of(ImageSet set) {
      return new Split(set.size(), set.classCounts());
    }
  }

  /** The in-process engine's data; for an attached run what it told: its classes and its input shape. */
  public static DatasetInfo of(Session session) {
    if (session.inProcess().isPresent()) return of(session.inProcess().get().data());
    Split none = new Split(0, new int[0]);
    Architecture architecture = session.architecture();
    return new DatasetInfo(session.dataDescription(), architecture == null ? null : architecture.input(), session.classNames(),
        none, none, none);
  }

  public static DatasetInfo of(Datasets data) {
    return new DatasetInfo(data.description(), data.shape(), data.classNames(), Split.of(data.train()),
        Split.of(data.validation()), Split.of(data.test()));
  }
}
