package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.SessionFixtures;

/** The /ws endpoint with a real client: greeting, snapshots, every command kind, architecture updates. */
class WebSocketTest {
  private static TestServer server;
  @TempDir
  static Path checkpoints;

  @BeforeAll
  static void start() {
    server = TestServer.start(SessionFixtures.config().withCheckpointDir(checkpoints), null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void greetsThenStreamsSnapshots() throws Exception {
    try (SocketClient client = server.connect()) {
      JsonNode hello = client.awaitType("hello");
      assertThat(hello.at("/payload/protocolVersion").asInt()).isEqualTo(Protocol.VERSION);
      assertThat(hello.at("/payload/architecture/layers/0/id").asText()).isEqualTo("conv1");
      assertThat(hello.at("/payload/dataset/classNames").size()).isEqualTo(10);
      assertThat(hello.at("/payload/history").has("loss")).isTrue();
      long first = client.awaitType("snapshot").at("/payload/wallMillis").asLong();
      long later = client.await(m -> m.path("type").asText().equals("snapshot")
          && m.at("/payload/wallMillis").asLong() > first, Duration.ofSeconds(10)).at("/payload/wallMillis").asLong();
      assertThat(later).isGreaterThan(first);
    }
  }

  @Test
  void acknowledgesEveryCommandKind() throws Exception {
    Path checkpoint = checkpoints.resolve("x.ckpt");
    try (SocketClient client = server.connect()) {
      client.awaitType("hello");
      ack(client, "resume", Map.of());
      ack(client, "pause", Map.of());
      ack(client, "step", Map.of("batches", 2));
      ack(client, "set-hyperparameters", Map.of("learningRate", 0.02, "batchSize", 8));
      JsonNode snapshot = client.await(m -> m.path("type").asText().equals("snapshot")
          && m.at("/payload/hyperparameters/batchSize").asInt() == 8, Duration.ofSeconds(10));
      assertThat(snapshot.at("/payload/hyperparameters/learningRate").asDouble()).isCloseTo(0.02, org.assertj.core.data.Offset.offset(1e-6));

      JsonNode added = ack(client, "add-filters", Map.of("layer", "conv2", "count", 2));
      assertThat(added.at("/payload/changes/addedFilters").size()).isEqualTo(2);
      // the new architecture is announced before the ack
      assertThat(client.latest("architecture").toString()).contains(added.at("/payload/changes/addedFilters/0").asText());

      ack(client, "remove-filters", Map.of("layer", "conv2", "filters", List.of("conv2/f0")));
      JsonNode inserted = ack(client, "insert-layer", Map.of("after", "pool2", "kind", "conv", "filters", 4, "kernelSize", 3));
      String newLayer = inserted.at("/payload/changes/addedLayers/0").asText();
      assertThat(newLayer).isNotEmpty();
      ack(client, "remove-layer", Map.of("layer", newLayer));
      ack(client, "freeze", Map.of("layer", "conv1"));
      ack(client, "unfreeze", Map.of("layer", "conv1"));
      ack(client, "set-probe", Map.of("image", 3));
      JsonNode saved = ack(client, "save-checkpoint", Map.of("name", "x"));
      assertThat(saved.at("/payload/changes/file").asText()).isEqualTo("x.ckpt");
      assertThat(Files.size(checkpoint)).isPositive();
      ack(client, "undo", Map.of());
      ack(client, "reset", Map.of());
      ack(client, "pause", Map.of());
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void anUnreadableMessageGetsAnErrorWithoutItsId() throws Exception {
    try (SocketClient client = server.connect()) {
      client.awaitType("hello");
      client.send("{not json");
      JsonNode error = client.awaitType("error");
      assertThat(error.has("id")).isFalse();
      assertThat(error.at("/payload/message").asText()).startsWith("malformed JSON");
      client.send("step", "s1", Map.of("batches", 0));
      assertThat(client.awaitAnswer("s1").at("/payload/message").asText()).contains("batches must be in 1..");
    }
  }

  private static JsonNode ack(SocketClient client, String type, Map<String, Object> payload) throws InterruptedException {
    String id = type + "-" + System.nanoTime();
    client.send(type, id, payload);
    JsonNode answer = client.awaitAnswer(id);
    assertThat(answer.path("type").asText()).as("%s answered %s", type, answer).isEqualTo("ack");
    return answer;
  }
}
