package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.data.ImageSet;
import org.revacnn.session.SessionFixtures;

/**
 * The test view's endpoints over real HTTP on the fixture's 100 test images (10 classes): a report's
 * summary and first page, paging through all of it, one confusion cell's images, page sprites,
 * kept and dropped reports, and 400s for bad parameters that leave the reports and the model as they were.
 */
class TestApiTest {
  @AutoClose
  private static final TestServer server = TestServer.start(null);
  private static final ImageSet TEST = SessionFixtures.data().test();

  @Test
  void aReportHasTheSummaryAndItsFirstPage() throws Exception {
    JsonNode report = server.getJson("/api/test?count=100&limit=30");
    assertThat(report.path("split").asText()).isEqualTo("test");
    assertThat(report.path("images").asInt()).isEqualTo(100);
    assertThat(report.path("perClassAccuracy").size()).isEqualTo(10);
    assertThat(confusionTotal(report, null, null)).isEqualTo(100);
    JsonNode page = report.path("page");
    assertThat(page.path("report").asInt()).isEqualTo(report.path("report").asInt());
    assertThat(page.path("total").asInt()).isEqualTo(100);
    assertThat(page.path("offset").asInt()).isEqualTo(0);
    assertThat(indices(page)).isEqualTo(range(0, 30));
    JsonNode first = page.at("/predictions/0");
    assertThat(first.path("label").asInt()).isEqualTo(TEST.label(0));
    assertThat(first.path("top3").size()).isEqualTo(3);
    assertThat(first.path("probabilities").size()).isEqualTo(3);
    assertThat(server.getJson("/api/test?count=40").at("/page/predictions").size()).as("default page of 100, of 40 images").isEqualTo(40);
  }

  @Test
  void pagesCoverEveryImageOnceInOrder() throws Exception {
    int id = server.getJson("/api/test?count=100&limit=1").path("report").asInt();
    List<Integer> seen = new ArrayList<>();
    for (int offset = 0; offset < 100; offset += 30) {
      JsonNode page = server.getJson("/api/test/predictions?report=" + id + "&offset=" + offset + "&limit=30");
      assertThat(page.path("offset").asInt()).isEqualTo(offset);
      assertThat(page.path("total").asInt()).isEqualTo(100);
      assertThat(page.path("predictions").size()).isEqualTo(Math.min(30, 100 - offset));
      seen.addAll(indices(page));
    }
    assertThat(seen).isEqualTo(range(0, 100));
  }

  @Test
  void aConfusionCellPageHoldsExactlyItsImages() throws Exception {
    JsonNode report = server.getJson("/api/test?count=100");
    int id = report.path("report").asInt();
    List<Integer> all = new ArrayList<>();
    for (int actual = 0; actual < 10; actual++) {
      JsonNode row = server.getJson("/api/test/predictions?report=" + id + "&actual=" + actual + "&limit=1000");
      assertThat(row.path("total").asInt()).isEqualTo(confusionTotal(report, actual, null));
      for (int predicted = 0; predicted < 10; predicted++) {
        JsonNode cell = server.getJson("/api/test/predictions?report=" + id + "&actual=" + actual + "&predicted=" + predicted + "&limit=1000");
        assertThat(cell.path("total").asInt()).isEqualTo(report.at("/confusion/" + actual + "/" + predicted).asInt());
        assertThat(cell.path("actual").asInt()).isEqualTo(actual);
        assertThat(cell.path("predicted").asInt()).isEqualTo(predicted);
        for (JsonNode p : cell.path("predictions")) {
          assertThat(TEST.label(p.path("index").asInt())).isEqualTo(actual);
          assertThat(p.path("label").asInt()).isEqualTo(actual);
          assertThat(p.at("/top3/0").asInt()).isEqualTo(predicted);
        }
        all.addAll(indices(cell));
      }
    }
    assertThat(all).hasSize(100).doesNotHaveDuplicates();
  }

  @Test
  void aCellPageSpriteShowsThePagesImagesInOrder() throws Exception {
    JsonNode report = server.getJson("/api/test?count=100");
    int[] cell = busiestCell(report);
    String query = "?report=" + report.path("report").asInt() + "&actual=" + cell[0] + "&predicted=" + cell[1] + "&offset=1&limit=25";
    List<Integer> page = indices(server.getJson("/api/test/predictions" + query));
    HttpResponse<byte[]> response = server.getBytes("/api/test/sprite" + query);
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
    BufferedImage sprite = ImageIO.read(new ByteArrayInputStream(response.body()));
    assertThat(sprite.getWidth()).isEqualTo(Math.min(20, page.size()) * 32);
    assertThat(sprite.getHeight()).isEqualTo((page.size() + 19) / 20 * 32);
    for (int k = 0; k < page.size(); k++) {
      int image = page.get(k);
      for (int[] at : new int[][] {{0, 0}, {31, 17}, {12, 30}}) {
        int rgb = sprite.getRGB((k % 20) * 32 + at[0], (k / 20) * 32 + at[1]) & 0xFFFFFF;
        int expected = (TEST.pixel(image, 0, at[1], at[0]) << 16) | (TEST.pixel(image, 1, at[1], at[0]) << 8) | TEST.pixel(image, 2, at[1], at[0]);
        assertThat(rgb).as("tile %d = image %d at %d,%d", k, image, at[0], at[1]).isEqualTo(expected);
      }
    }
  }

  @Test
  void onlyTheLatestReportsAreKept() throws Exception {
    int first = server.getJson("/api/test?count=10").path("report").asInt();
    int last = first;
    for (int i = 0; i < TestReports.KEPT; i++) last = server.getJson("/api/test?count=" + (11 + i)).path("report").asInt();
    assertThat(last).isEqualTo(first + TestReports.KEPT);
    HttpResponse<String> gone = server.get("/api/test/predictions?report=" + first);
    assertThat(gone.statusCode()).isEqualTo(404);
    assertThat(error(gone)).contains("test report " + first + " is not kept", "GET /api/test");
    JsonNode oldestKept = server.getJson("/api/test/predictions?report=" + (first + 1));
    assertThat(oldestKept.path("total").asInt()).isEqualTo(11);
    JsonNode latest = server.getJson("/api/test/predictions");
    assertThat(latest.path("report").asInt()).isEqualTo(last);
    assertThat(latest.path("total").asInt()).isEqualTo(10 + TestReports.KEPT);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/test?count=0", "/api/test?count=101", "/api/test?count=-1", "/api/test?count=1.5",
      "/api/test?count=50&limit=0", "/api/test?count=50&limit=1001", "/api/test?limit=x",
      "/api/test/predictions?offset=-1", "/api/test/predictions?offset=100", "/api/test/predictions?limit=0",
      "/api/test/predictions?limit=1001", "/api/test/predictions?actual=10", "/api/test/predictions?predicted=-1",
      "/api/test/predictions?actual=cat", "/api/test/predictions?report=0", "/api/test/predictions?report=x",
      "/api/test/sprite?offset=100", "/api/test/sprite?actual=1.0"})
  void badParametersGive400AndChangeNothing(String path) throws Exception {
    JsonNode before = server.getJson("/api/test?count=100");
    long weights = server.weightHash();
    HttpResponse<String> response = server.get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(400);
    assertThat(error(response)).startsWith("parameter '").contains("must be a whole number in").doesNotContain("Exception");
    JsonNode latest = server.getJson("/api/test/predictions");
    assertThat(latest.path("report").asInt()).as("no report made or dropped").isEqualTo(before.path("report").asInt());
    assertThat(latest.path("total").asInt()).isEqualTo(100);
    assertThat(server.weightHash()).as("the model is untouched").isEqualTo(weights);
  }

  @Test
  void errorsSayWhatWasExpected() throws Exception {
    JsonNode report = server.getJson("/api/test?count=100");
    int id = report.path("report").asInt();
    assertThat(error(server.get("/api/test/predictions?offset=100")))
        .isEqualTo("parameter 'offset' must be a whole number in 0..99, got '100'");
    assertThat(error(server.get("/api/test/predictions?actual=10"))).isEqualTo("parameter 'actual' must be a whole number in 0..9, got '10'");
    assertThat(error(server.get("/api/test?count=-1"))).isEqualTo("parameter 'count' must be a whole number in 1..100, got '-1'");
    int[] empty = emptyCell(report);
    String cell = "?report=" + id + "&actual=" + empty[0] + "&predicted=" + empty[1];
    JsonNode none = server.getJson("/api/test/predictions" + cell);
    assertThat(none.path("total").asInt()).isZero();
    assertThat(none.path("predictions").size()).isZero();
    HttpResponse<String> noSprite = server.get("/api/test/sprite" + cell);
    assertThat(noSprite.statusCode()).isEqualTo(400);
    assertThat(error(noSprite)).contains("the page has no images");
  }

  @Test
  void beforeAnyEvaluationThereIsNoReportToPage() throws Exception {
    try (TestServer fresh = TestServer.start(null)) {
      HttpResponse<String> response = fresh.get("/api/test/predictions");
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(error(response)).isEqualTo("no test report yet: GET /api/test evaluates one");
      assertThat(fresh.get("/api/test/sprite").statusCode()).isEqualTo(404);
    }
  }

  /** A confusion cell with no images (an untrained 10-class model has many), as {actual, predicted}. */
  private static int[] emptyCell(JsonNode report) {
    JsonNode confusion = report.path("confusion");
    for (int a = 0; a < 10; a++) for (int p = 0; p < 10; p++) if (confusion.get(a).get(p).asInt() == 0) return new int[] {a, p};
    throw new AssertionError("every cell holds images: " + confusion);
  }

  private static int[] busiestCell(JsonNode report) {
    int[] best = {0, 0};
    JsonNode confusion = report.path("confusion");
    for (int a = 0; a < 10; a++) for (int p = 0; p < 10; p++) {
      if (confusion.get(a).get(p).asInt() > confusion.get(best[0]).get(best[1]).asInt()) best = new int[] {a, p};
    }
    return best;
  }

  /** The images counted by the confusion matrix of {@code report}, of one actual class and/or one predicted class (null: any). */
  private static int confusionTotal(JsonNode report, Integer actual, Integer predicted) {
    int total = 0;
    for (int a = 0; a < 10; a++) for (int p = 0; p < 10; p++) {
      if ((actual == null || a == actual) && (predicted == null || p == predicted)) total += report.at("/confusion/" + a + "/" + p).asInt();
    }
    return total;
  }

  private static List<Integer> indices(JsonNode page) {
    List<Integer> indices = new ArrayList<>();
    for (JsonNode p : page.path("predictions")) indices.add(p.path("index").asInt());
    return indices;
  }

  private static List<Integer> range(int from, int to) {
    List<Integer> all = new ArrayList<>();
    for (int i = from; i < to; i++) all.add(i);
    return all;
  }

  private static String error(HttpResponse<String> response) throws Exception {
    return SocketClient.JSON.readTree(response.body()).path("error").asText();
  }
}
