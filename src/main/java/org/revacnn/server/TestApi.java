package org.revacnn.server;

import io.javalin.http.Context;
import java.util.Arrays;
import org.revacnn.data.ImageSet;
import org.revacnn.session.Evaluation;
import org.revacnn.session.Session;
import org.revacnn.session.TrainingSession;

/**
 * The test view's endpoints (docs/PROTOCOL.md): {@code GET /api/test} evaluates the live network on
 * up to the whole test set (validation when there is none) on the training thread and keeps the
 * report ({@link TestReports}); {@code /api/test/predictions} and {@code /api/test/sprite} then read
 * a page of it, all images or one confusion cell's, without touching the network. Every parameter is
 * checked before anything is evaluated or kept, so a bad request changes nothing (400 saying why).
 */
final class TestApi {
  static final int DEFAULT_TEST_IMAGES = 1000;
  static final int DEFAULT_PAGE = 100;
  /** The longest page: one sprite sheet's worth. */
  static final int MAX_PAGE = RestApi.MAX_SPRITE_IMAGES;
  private static final String JSON = "application/json";

  private final Session session;
  private final TestReports reports = new TestReports();

  TestApi(Session session) {
    this.session = session;
  }

  /** {@code GET /api/test[?count=N][&limit=L][&branch=ID]}: evaluates the first N images (of the branch ID), keeps the report, answers its summary and first L predictions. */
  void test(Context context) {
    TrainingSession local = RestApi.inProcess(RestApi.branch(session, context), "test-view");
    boolean hasTest = !local.data().test().isEmpty();
    ImageSet set = hasTest ? local.data().test() : local.data().validation();
    if (set.isEmpty()) throw new IllegalArgumentException("the dataset has neither test nor validation images");
    int count = RestApi.intParameter(context, "count", Math.min(DEFAULT_TEST_IMAGES, set.size()), 1, set.size());
    int limit = pageLength(context);
    Evaluation.Result result = RestApi.await(local.query(net -> Evaluation.run(net, set, local.normalization(), count, Evaluation.CHUNK)));
    TestReport report = reports.add(hasTest ? "test" : "validation", set, result);
    TestReport.Page first = report.page(null, null, report.select(null, null), 0, limit);
    context.contentType(JSON).result(Protocol.json(report.summary(first)));
  }

  /** {@code GET /api/test/predictions?report=R&offset=O&limit=L&actual=A&predicted=P} (all optional): one page of a kept report. */
  void predictions(Context context) {
    RestApi.requireSupported(session, "test-view");
    PageQuery query = PageQuery.of(context, reports);
    context.contentType(JSON).result(Protocol.json(query.report().page(query.actual(), query.predicted(), query.images(),
        query.offset(), query.limit())));
  }

  /** {@code GET /api/test/sprite?...}, the parameters of a page: its images as one PNG sprite sheet, in page order. */
  void sprite(Context context) {
    RestApi.requireSupported(session, "test-view");
    PageQuery query = PageQuery.of(context, reports);
    int[] page = query.pageImages();
    if (page.length == 0) throw new IllegalArgumentException("the page has no images (the cell is empty)");
    context.contentType("image/png").header("Cache-Control", "no-cache")
        .result(ImagePng.sprite(query.report().set(), page, RestApi.SPRITE_COLUMNS));
  }

  private static int pageLength(Context context) {
    return RestApi.intParameter(context, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
  }

  /**
   * A checked page request: the report, the cell (null: any class), the images of the cell and where the page starts.
   *
   * @param images every image of the cell, ascending
   */
  private record PageQuery(TestReport report, Integer actual, Integer predicted, int[] images, int offset, int limit) {
    static PageQuery of(Context context, TestReports reports) {
      String id = context.queryParam("report");
      TestReport report = reports.get(id == null ? null : RestApi.integer("report", id, 1, Integer.MAX_VALUE));
      Integer actual = classParameter(context, "actual", report);
      Integer predicted = classParameter(context, "predicted", report);
      int limit = pageLength(context);
      int[] images = report.select(actual, predicted);
      int offset = RestApi.intParameter(context, "offset", 0, 0, Math.max(0, images.length - 1));
      return new PageQuery(report, actual, predicted, images, offset, limit);
    }

    private static Integer classParameter(Context context, String name, TestReport report) {
      String text = context.queryParam(name);
      return text == null ? null : RestApi.integer(name, text, 0, report.classes() - 1);
    }

    int[] pageImages() {
      return Arrays.copyOfRange(images, offset, Math.min(images.length, offset + limit));
    }
  }
}
