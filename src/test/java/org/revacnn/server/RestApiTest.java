package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.revacnn.engine.Param;
import org.revacnn.session.Checkpoint;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/** The REST API over real HTTP: what each endpoint returns, 400 for bad parameters, checkpoint download and resume. */
class RestApiTest {
  @AutoClose
  private static final TestServer server = TestServer.start(null);

  @Test
  void servesTheUiAndD3() throws Exception {
    HttpResponse<String> page = server.get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("/webjars/d3/7.9.0/dist/d3.min.js");
    HttpResponse<String> d3 = server.get("/webjars/d3/7.9.0/dist/d3.min.js");
    assertThat(d3.statusCode()).isEqualTo(200);
    assertThat(d3.body()).contains("7.9.0");
  }

  @Test
  void snapshotArchitectureDatasetAndHistory() throws Exception {
    assertThat(server.getJson("/api/snapshot").path("layers").size()).isEqualTo(server.session.architecture().layers().size());
    JsonNode architecture = server.getJson("/api/architecture");
    assertThat(architecture.at("/layers/0/id").asText()).isEqualTo("conv1");
    assertThat(architecture.at("/layers/0/unitIds/0").asText()).isEqualTo("conv1/f0");
    assertThat(architecture.at("/layers/0/outputShape/channels").asInt()).isEqualTo(16);
    JsonNode dataset = server.getJson("/api/dataset");
    assertThat(dataset.path("classNames").size()).isEqualTo(10);
    assertThat(dataset.at("/train/size").asInt()).isEqualTo(360);
    assertThat(dataset.at("/validation/size").asInt()).isEqualTo(40);
    assertThat(dataset.at("/test/size").asInt()).isEqualTo(100);
    assertThat(dataset.at("/test/classCounts").size()).isEqualTo(10);
    JsonNode history = server.getJson("/api/history?maxPoints=5");
    assertThat(history.path("loss").size()).isLessThanOrEqualTo(5);
    assertThat(history.has("steering")).isTrue();
  }

  @Test
  void weightsAreExportedAsJsonWithShapes() throws Exception {
    JsonNode weights = server.getJson("/api/weights");
    assertThat(weights.at("/params/conv1~1weights/shape").toString()).isEqualTo("[16,3,5,5]");
    assertThat(weights.at("/params/conv1~1weights/data").size()).isEqualTo(16 * 3 * 25);
    assertThat(weights.at("/architecture/layers/0/id").asText()).isEqualTo("conv1");
  }

  @Test
  void imagesArePngsOfTheDatasetSize() throws Exception {
    for (String split : List.of("train", "validation", "test")) {
      HttpResponse<byte[]> response = server.getBytes("/api/images/" + split + "/3");
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
      BufferedImage image = ImageIO.read(new ByteArrayInputStream(response.body()));
      assertThat(image.getWidth()).isEqualTo(32);
      assertThat(image.getHeight()).isEqualTo(32);
    }
  }

  @Test
  void testPredictionsHaveTop3AccuracyAndConfusion() throws Exception {
    JsonNode report = server.getJson("/api/test?count=30");
    assertThat(report.path("split").asText()).isEqualTo("test");
    assertThat(report.path("images").asInt()).isEqualTo(30);
    assertThat(report.at("/page/predictions").size()).isEqualTo(30);
    JsonNode first = report.at("/page/predictions/0");
    assertThat(first.path("top3").size()).isEqualTo(3);
    assertThat(first.path("probabilities").size()).isEqualTo(3);
    assertThat(first.path("label").asInt()).isEqualTo(SessionFixtures.data().test().label(0));
    assertThat(report.path("perClassAccuracy").size()).isEqualTo(10);
    int total = 0;
    for (JsonNode row : report.path("confusion")) for (JsonNode cell : row) total += cell.asInt();
    assertThat(total).isEqualTo(30);
    assertThat(report.path("accuracy").asDouble()).isBetween(0.0, 1.0);
  }

  @Test
  void activationMapsOfALayer() throws Exception {
    JsonNode maps = server.getJson("/api/activations?image=2&layer=conv2");
    assertThat(maps.path("filters").size()).isEqualTo(20);
    assertThat(maps.path("height").asInt()).isEqualTo(16);
    assertThat(maps.at("/filters/0/id").asText()).isEqualTo("conv2/f0");
    assertThat(maps.at("/filters/0/values").size()).isEqualTo(16 * 16);
    JsonNode pooled = server.getJson("/api/activations?image=2&layer=pool2");
    assertThat(pooled.at("/filters/5/id").asText()).isEqualTo("conv2/f5");
    assertThat(pooled.path("height").asInt()).isEqualTo(8);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/history?maxPoints=0", "/api/history?maxPoints=abc", "/api/test?count=0",
      "/api/test?count=101", "/api/test?count=1.5", "/api/activations?layer=conv1", "/api/activations?image=0",
      "/api/activations?image=40&layer=conv1", "/api/activations?image=-1&layer=conv1", "/api/activations?image=0&layer=conv9",
      "/api/images/holdout/0", "/api/images/train/360", "/api/images/test/x"})
  void badParametersGive400WithAMessage(String path) throws Exception {
    HttpResponse<String> response = server.get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(400);
    assertThat(SocketClient.JSON.readTree(response.body()).path("error").asText()).isNotBlank();
  }

  @Test
  void commandsOverHttp() throws Exception {
    HttpResponse<String> ok = server.post("/api/commands", "{\"type\":\"set-probe\",\"id\":\"p\",\"payload\":{\"image\":1}}");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(SocketClient.JSON.readTree(ok.body()).at("/payload/changes/image").asInt()).isEqualTo(1);
    HttpResponse<String> rejected = server.post("/api/commands", "{\"type\":\"set-hyperparameters\",\"id\":\"h\",\"payload\":{\"batchSize\":0}}");
    assertThat(rejected.statusCode()).isEqualTo(400);
    JsonNode error = SocketClient.JSON.readTree(rejected.body());
    assertThat(error.path("type").asText()).isEqualTo("error");
    assertThat(error.path("id").asText()).isEqualTo("h");
    assertThat(server.post("/api/commands", "{oops").statusCode()).isEqualTo(400);
  }

  @Test
  void aDownloadedCheckpointResumesWithIdenticalWeights(@TempDir Path folder) throws Exception {
    command("{\"type\":\"step\",\"payload\":{\"batches\":5}}");
    long start = server.awaitPaused();
    HttpResponse<byte[]> download = server.getBytes("/api/checkpoint");
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v).contains(".ckpt"));
    Path file = Files.write(folder.resolve("downloaded.ckpt"), download.body());

    command("{\"type\":\"step\",\"payload\":{\"batches\":7}}");
    assertThat(server.awaitPaused()).isEqualTo(start + 7);
    List<float[]> uninterrupted = server.session.query(RestApiTest::weights).get(20, TimeUnit.SECONDS);

    try (TrainingSession resumed = TrainingSession.resume(Checkpoint.read(file, SessionFixtures.config()),
        SessionFixtures.data(), SessionFixtures.config())) {
      SessionFixtures.train(resumed, 7);
      List<float[]> continued = SessionFixtures.weightsAndState(resumed);
      assertThat(continued).hasSameSizeAs(uninterrupted);
      for (int i = 0; i < continued.size(); i++) assertThat(continued.get(i)).isEqualTo(uninterrupted.get(i));
    }
  }

  private static void command(String json) throws Exception {
    assertThat(server.post("/api/commands", json).statusCode()).isEqualTo(200);
  }

  private static List<float[]> weights(org.revacnn.engine.Network net) {
    List<float[]> all = new java.util.ArrayList<>();
    for (Param p : net.params()) {
      all.add(p.value().clone());
      p.states().values().forEach(s -> all.add(s.clone()));
    }
    return all;
  }
}
