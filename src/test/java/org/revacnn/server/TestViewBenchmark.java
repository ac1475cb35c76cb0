package org.revacnn.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.revacnn.data.CifarBinaryReader;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.TrainingSession;

/**
 * What the test view costs with the whole CIFAR-10 test set: the paper model (2 training threads, as
 * serve runs it) evaluating 10,000 images over {@code GET /api/test?count=10000}, then a page of
 * predictions, a confusion cell's page and their sprite sheets, each timed over real HTTP (client
 * wall time, medians of {@code rounds}). The training images are the first 1,000 test images (only
 * the normalisation depends on them). Run:
 * <pre>
 *   java --add-modules jdk.incubator.vector -cp target/test-classes:target/classes:$(cat target/cp.txt) \
 *     org.revacnn.server.TestViewBenchmark ../shared/data/cifar10-test-jpeg/test_batch.bin [rounds=3]
 * </pre>
 */
public final class TestViewBenchmark {
  private TestViewBenchmark() {}

  public static void main(String[] args) throws Exception {
    ImageSet test = CifarBinaryReader.readFile(Path.of(args[0]), CifarBinaryReader.DEFAULT_CLASS_NAMES);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    ImageSet none = ImageSet.empty(test.shape(), test.classNames());
    Datasets data = new Datasets("CIFAR-10 test", test.first(1000), none, test);
    try (TrainingSession session = new TrainingSession(SessionConfig.defaults().withValidation(0, 500), data)) {
      session.start(false);
      try (WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null))) {
        String base = "http://127.0.0.1:" + server.port();
        HttpClient http = HttpClient.newHttpClient();
        time(http, base + "/api/test?count=100", 1); // warm-up of the server and the kernels
        report("GET /api/test?count=10000 (evaluates 10,000)", time(http, base + "/api/test?count=10000", rounds));
        report("GET /api/test/predictions?offset=5000&limit=100", time(http, base + "/api/test/predictions?offset=5000&limit=100", rounds * 10));
        String cell = "actual=3&predicted=" + busiest(http, base, 3);
        report("GET /api/test/predictions?" + cell + "&limit=100 (a cell)", time(http, base + "/api/test/predictions?" + cell + "&limit=100", rounds * 10));
        report("GET /api/test/sprite?" + cell + "&limit=100 (a cell)", time(http, base + "/api/test/sprite?" + cell + "&limit=100", rounds * 10));
        report("GET /api/test/sprite?offset=5000&limit=100", time(http, base + "/api/test/sprite?offset=5000&limit=100", rounds * 10));
      }
    }
  }

  /** The class most often predicted for images of class {@code actual} in the latest report (an untrained model leaves most cells empty). */
  private static int busiest(HttpClient http, String base, int actual) throws Exception {
    int best = 0;
    long most = -1;
    for (int predicted = 0; predicted < CifarBinaryReader.DEFAULT_CLASS_NAMES.size(); predicted++) {
      String url = base + "/api/test/predictions?limit=1&actual=" + actual + "&predicted=" + predicted;
      String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
      long total = SocketClient.JSON.readTree(body).path("total").asLong();
      if (total > most) {
        most = total;
        best = predicted;
      }
    }
    System.out.printf("  cell actual=%d predicted=%d holds %d images%n", actual, best, most);
    return best;
  }

  private static List<Double> time(HttpClient http, String url, int rounds) throws Exception {
    List<Double> millis = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      long start = System.nanoTime();
      HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
      millis.add((System.nanoTime() - start) / 1e6);
      if (response.statusCode() != 200) throw new IllegalStateException(url + " -> " + response.statusCode() + " " + new String(response.body()));
      if (i == 0) System.out.printf("  %s: %,d bytes%n", url.replaceFirst("http://[^/]+", ""), response.body().length);
    }
    return millis;
  }

  private static void report(String what, List<Double> millis) {
    List<Double> sorted = new ArrayList<>(millis);
    Collections.sort(sorted);
    System.out.printf("%-60s median %8.1f ms  (min %.1f, max %.1f, n=%d)%n", what, sorted.get(sorted.size() / 2), sorted.get(0),
        sorted.get(sorted.size() - 1), sorted.size());
  }
}
