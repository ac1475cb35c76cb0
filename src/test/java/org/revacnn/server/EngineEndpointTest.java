package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.attach.AttachedSession;
import org.revacnn.attach.TinyRun;

/**
 * {@code serve --attach} on a real port: a scripted run connects to {@code /engine} with the
 * token, a browser's {@code /ws} sees it arrive, steer and leave, REST commands reach the run and
 * its answers come back, and what the run cannot do answers 409 with the reason.
 */
class EngineEndpointTest {
  private static final String TOKEN = "s3cret-token";

  @TempDir
  Path checkpoints;

  private AttachedSession session;
  private WebServer server;

  @BeforeEach
  void start() {
    session = new AttachedSession(checkpoints);
    server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, TOKEN));
  }

  @AfterEach
  void stop() {
    server.close();
    session.close();
  }

  private URI uri(String scheme, String path) {
    return URI.create(scheme + "://127.0.0.1:" + server.port() + path);
  }

  private SocketClient run() {
    return SocketClient.connect(uri("ws", "/engine"), Map.of("Authorization", "Bearer " + TOKEN), true);
  }

  private SocketClient browser() {
    return SocketClient.connect(uri("ws", "/ws?token=" + TOKEN));
  }

  private java.net.http.HttpResponse<String> rest(String method, String path, String body) throws Exception {
    var request = java.net.http.HttpRequest.newBuilder(uri("http", path)).header("Authorization", "Bearer " + TOKEN)
        .method(method, body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    return java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aBrowserSeesARunArriveTrainBeSteeredAndLeave() throws Exception {
    try (SocketClient browser = browser()) {
      JsonNode waiting = browser.awaitType("hello").path("payload");
      assertThat(waiting.path("protocolVersion").asInt()).isEqualTo(Protocol.VERSION);
      assertThat(waiting.path("engine").path("state").asText()).isEqualTo("waiting");
      assertThat(waiting.path("architecture").isNull()).isTrue();

      try (SocketClient run = run()) {
        run.send(TinyRun.hello());
        JsonNode attached = browser.awaitType("hello").path("payload");
        assertThat(attached.path("engine").path("state").asText()).isEqualTo("attached");
        assertThat(attached.path("architecture").path("layers").size()).isEqualTo(4);
        assertThat(attached.path("dataset").path("classNames").toString()).isEqualTo("[\"cat\",\"dog\"]");

        run.send(TinyRun.snapshot(3, 2.0, 0.01));
        assertThat(browser.awaitType("snapshot").path("payload").path("step").asLong()).isEqualTo(3);

        CompletableFuture<java.net.http.HttpResponse<String>> answer = CompletableFuture.supplyAsync(() -> {
          try {
            return rest("POST", "/api/commands", "{\"type\":\"set-hyperparameters\",\"id\":\"lr\",\"payload\":{\"learningRate\":0.05}}");
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
        JsonNode command = run.awaitType("set-hyperparameters");
        run.send(TinyRun.ack(command.path("id").asText(), "{\"learningRate\": {\"from\": 0.01, \"to\": 0.05}}"));
        var response = answer.join();
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("\"id\":\"lr\"").contains("\"to\":0.05");

        run.send("{\"type\": \"bye\", \"payload\": {\"reason\": \"finished\", \"step\": 3}}");
        JsonNode ended = browser.awaitType("engine").path("payload");
        assertThat(ended.path("state").asText()).isEqualTo("ended");
        assertThat(ended.path("message").asText()).contains("the run ended at step 3");
      }
      assertThat(session.history().steering()).hasSize(1);
    }
  }

  /** A run that does not take checksums requests, so GET /api/engine answers at once with its last checksums. */
  private static String helloWithoutChecksums() {
    return TinyRun.hello().replace("\"requests\": [\"checksums\", \"vectors\"]", "\"requests\": [\"vectors\"]");
  }

  @Test
  void restSaysWhatAnAttachedRunCannotDoAndDescribesTheEngine() throws Exception {
    try (SocketClient run = run()) {
      run.send(helloWithoutChecksums());
      JsonNode engine = awaitEngine("attached");
      assertThat(engine.path("kind").asText()).isEqualTo("pytorch");
      assertThat(engine.path("ranks").get(0).path("checksum").asText()).isEqualTo("aa11");
      var test = rest("GET", "/api/test", null);
      assertThat(test.statusCode()).isEqualTo(409);
      assertThat(test.body()).contains("an attached run brings its own data");
      assertThat(rest("GET", "/api/recommendations", null).statusCode()).isEqualTo(409);
      assertThat(rest("GET", "/api/checkpoint", null).statusCode()).isEqualTo(409);
      var reset = rest("POST", "/api/commands", "{\"type\":\"reset\",\"payload\":{}}");
      assertThat(reset.statusCode()).isEqualTo(400);
      assertThat(reset.body()).contains("cannot reset: an attached run builds its own model");
    }
  }

  @Test
  void theEngineEndpointAsksTheRunForChecksumsTakenNow() throws Exception {
    try (SocketClient run = run()) {
      run.send(TinyRun.hello());
      CompletableFuture<String> engine = CompletableFuture.supplyAsync(() -> {
        try {
          return rest("GET", "/api/engine", null).body();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      JsonNode request = run.awaitType("checksums");
      run.send("{\"type\": \"checksums\", \"id\": \"" + request.path("id").asText()
          + "\", \"payload\": {\"ranks\": [{\"rank\": 0, \"checksum\": \"fresh\"}]}}");
      assertThat(SocketClient.JSON.readTree(engine.join()).path("ranks").get(0).path("checksum").asText()).isEqualTo("fresh");
    }
  }

  @Test
  void oneRunAtATimeAndTheSameAccessRulesAsTheBrowsersSocket() throws Exception {
    try (SocketClient first = run()) {
      first.send(helloWithoutChecksums());
      awaitEngine("attached");
      try (SocketClient second = run()) {
        assertThat(second.awaitClose()).startsWith(EngineEndpoint.BUSY + " another run is attached");
      }
    }
    assertThatThrownBy(() -> SocketClient.connect(uri("ws", "/engine"), Map.of(), true))
        .as("no token").hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class).hasStackTraceContaining("401");
    assertThatThrownBy(() -> SocketClient.connect(uri("ws", "/engine"),
        Map.of("Authorization", "Bearer " + TOKEN, "Origin", "http://evil.example"), true))
        .as("a foreign page").hasCauseInstanceOf(java.net.http.WebSocketHandshakeException.class).hasStackTraceContaining("403");
  }

  @Test
  void aDroppedRunIsReportedAndTheNextOneAttaches() throws Exception {
    try (SocketClient run = run()) {
      run.send(helloWithoutChecksums());
      awaitEngine("attached");
    }
    assertThat(awaitEngine("dropped").path("message").asText()).contains("disconnected");
    try (SocketClient next = run()) {
      next.send(helloWithoutChecksums());
      assertThat(awaitEngine("attached").path("run").asInt()).isEqualTo(2);
    }
  }

  /** GET /api/engine until its state is {@code state} (the run's messages are handled asynchronously). */
  private JsonNode awaitEngine(String state) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    JsonNode engine;
    do {
      engine = SocketClient.JSON.readTree(rest("GET", "/api/engine", null).body());
      if (engine.path("state").asText().equals(state)) return engine;
      Thread.onSpinWait();
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the engine did not become " + state + ": " + engine);
  }
}
