package org.revacnn.server;

import io.javalin.http.HttpStatus;
import java.util.ArrayDeque;
import org.revacnn.data.ImageSet;
import org.revacnn.session.Evaluation;

/**
 * The last {@link #KEPT} test reports, by id (1, 2, ... per server), so that the pages of one
 * evaluation stay consistent while other clients evaluate again. Thread-safe.
 */
final class TestReports {
  /** Reports kept (each holds, per image, its top-3 classes and their probabilities). */
  static final int KEPT = 4;

  private final ArrayDeque<TestReport> kept = new ArrayDeque<>();
  private int lastId;

  /** Keeps a new report under the next id, dropping the oldest beyond {@link #KEPT}. */
  synchronized TestReport add(String split, ImageSet set, Evaluation.Result result) {
    TestReport report = new TestReport(++lastId, split, set, result);
    kept.addLast(report);
    if (kept.size() > KEPT) kept.removeFirst();
    return report;
  }

  /** Report {@code id}, or the latest one when {@code id} is null; a 404 saying why when there is none. */
  synchronized TestReport get(Integer id) {
    if (kept.isEmpty()) throw new ApiError(HttpStatus.NOT_FOUND, "no test report yet: GET /api/test evaluates one");
    if (id == null) return kept.getLast();
    for (TestReport report : kept) if (report.id() == id) return report;
    throw new ApiError(HttpStatus.NOT_FOUND, "test report " + id + " is not kept (the server keeps the last " + KEPT
        + ", now " + kept.getFirst().id() + ".." + kept.getLast().id() + "): GET /api/test evaluates again");
  }
}
