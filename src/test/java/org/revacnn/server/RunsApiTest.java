package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.session.History;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunLogReader;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionFixtures;

/** {@code GET /api/runs} and {@code GET /api/history?run=NAME} on a real server over a temporary runs folder. */
class RunsApiTest {
  @TempDir
  static Path dir;
  private static RunsFolder runs;
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    runs = new RunsFolder(dir.resolve("runs"));
    RunFixtures.trainedRun(runs, "plain", 30);
    RunFixtures.steeredRun(runs, "grown", 24, 2);
    Files.writeString(dir.resolve("secret.jsonl"), "{\"kind\":\"step\",\"step\":1}\n");
    server = TestServer.serveUnstarted(SessionFixtures.config(), null, new KeptRuns(runs, "grown"));
    server.session.start(false);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void listsEveryRunWithItsSummaryAndMarksTheLiveOne() throws Exception {
    JsonNode body = server.getJson("/api/runs");
    assertThat(body.path("folder").asText()).isEqualTo(runs.folder().toString());
    assertThat(body.path("live").asText()).isEqualTo("grown");
    JsonNode list = body.path("runs");
    assertThat(list).hasSize(2);
    JsonNode grown = list.get(0);
    JsonNode plain = list.get(1);
    assertThat(grown.path("name").asText()).isEqualTo("grown");
    assertThat(grown.path("live").asBoolean()).isTrue();
    assertThat(plain.path("live").asBoolean()).isFalse();
    assertThat(plain.path("name").asText()).isEqualTo("plain");
    assertThat(plain.path("steps").asLong()).isEqualTo(30);
    assertThat(grown.path("steps").asLong()).isEqualTo(24);
    assertThat(plain.path("model").asText()).isEqualTo(SessionFixtures.config().model());
    assertThat(plain.path("dataset").asText()).isEqualTo(SessionFixtures.data().description());
    double best = RunLogReader.restore(runs.open("plain").historyFile()).history().validation().stream()
        .mapToDouble(History.ValidationPoint::accuracy).max().orElseThrow();
    assertThat(plain.path("bestValidationAccuracy").asDouble()).isEqualTo(best);
    assertThat(java.time.Instant.parse(plain.path("lastChange").asText()))
        .isEqualTo(Files.getLastModifiedTime(runs.open("plain").historyFile()).toInstant());
    assertThat(plain.path("problem").isNull()).isTrue();
  }

  @Test
  void aRunsHistoryIsReadFromItsLogAsTheLiveHistoryIsServed() throws Exception {
    History logged = RunLogReader.restore(runs.open("grown").historyFile()).history();
    JsonNode body = server.getJson("/api/history?run=grown&maxPoints=5");
    assertThat(body.path("loss")).hasSize(5);
    assertThat(body.path("stride").asInt()).isEqualTo(5);
    JsonNode full = server.getJson("/api/history?run=grown");
    assertThat(full.path("loss")).hasSize(24);
    assertThat(full.path("firstStep").asLong()).isEqualTo(1);
    assertThat(full.toString()).isEqualTo(Protocol.json(logged.view(RestApi.DEFAULT_HISTORY_POINTS)));
    assertThat(full.path("steering").findValuesAsText("type")).contains("add-filters");
    // the other run's own history, not the live session's
    assertThat(server.getJson("/api/history?run=plain").path("loss")).hasSize(30);
    assertThat(server.getJson("/api/history").path("loss")).isEmpty();
  }

  @Test
  void bodiesHaveTheStructureOfTheirGoldenFiles() throws Exception {
    java.util.List<String> differences = new java.util.ArrayList<>();
    golden("api-runs", server.getJson("/api/runs"), differences);
    golden("api-history", server.getJson("/api/history?run=grown&maxPoints=100"), differences);
    assertThat(differences).isEmpty();
  }

  private static void golden(String name, JsonNode actual, java.util.List<String> differences) throws Exception {
    try (var in = RunsApiTest.class.getResourceAsStream("/golden/" + name + ".json")) {
      assertThat(in).as("golden/" + name + ".json").isNotNull();
      GoldenJsonTest.compare(name, SocketClient.JSON.readTree(in), actual, differences);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"..", "../x", "/etc/passwd", "a/b", "", "../secret.jsonl", ".hidden"})
  void aRunNameThatIsNotAPlainNameIsRefusedWith400(String name) throws Exception {
    var response = server.get("/api/history?run=" + URLEncoder.encode(name, StandardCharsets.UTF_8));
    assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
    assertThat(SocketClient.JSON.readTree(response.body()).path("error").asText())
        .startsWith("a run name must be a plain file name, not a path");
  }

  @ParameterizedTest
  @ValueSource(strings = {"missing", "secret.jsonl", "plain.ckpt"})
  void aNameOfNoRunIs404(String name) throws Exception {
    var response = server.get("/api/history?run=" + name);
    assertThat(response.statusCode()).as(response.body()).isEqualTo(404);
    assertThat(SocketClient.JSON.readTree(response.body()).path("error").asText())
        .isEqualTo("no run named '" + name + "' in the runs folder (GET /api/runs lists them)");
  }

  @Test
  void aBadMaxPointsIs400AsForTheLiveHistory() throws Exception {
    assertThat(server.get("/api/history?run=plain&maxPoints=0").statusCode()).isEqualTo(400);
  }

  @Test
  void aServerWithoutARunsFolderListsNoneAndRefusesARunsHistoryWith409() throws Exception {
    try (TestServer bare = TestServer.start(null)) {
      JsonNode body = bare.getJson("/api/runs");
      assertThat(body.path("folder").isNull()).isTrue();
      assertThat(body.path("live").isNull()).isTrue();
      assertThat(body.path("runs")).isEmpty();
      var response = bare.get("/api/history?run=plain");
      assertThat(response.statusCode()).isEqualTo(409);
      assertThat(SocketClient.JSON.readTree(response.body()).path("error").asText()).isEqualTo(RunsApi.NO_FOLDER);
    }
  }
}
