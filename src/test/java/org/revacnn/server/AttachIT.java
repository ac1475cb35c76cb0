package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole attach path with real parts: {@code serve --attach} on a real port, the PyTorch
 * example training the paper's model on synthetic data in its own process over the real WebSocket
 * transport, steered over REST as a user would: hyperparameters, add and remove filters, undo, a
 * refused command that changes nothing, a checkpoint in the server's folder; then the run drops.
 */
class AttachIT {
  @TempDir
  Path checkpoints;

  @Test
  void aPyTorchRunIsWatchedAndSteeredOverRest() throws Exception {
    try (AttachedExample example = AttachedExample.start(checkpoints)) {
      JsonNode engine = example.rest("GET", "/api/engine", null);
      assertThat(engine.path("kind").asText()).isEqualTo("pytorch");
      assertThat(engine.path("framework").asText()).startsWith("torch ");
      assertThat(engine.path("device").asText()).isEqualTo("cpu");
      assertThat(engine.path("worldSize").asInt()).isEqualTo(1);
      var first = example.awaitSnapshot(0, s -> Double.isFinite(s.loss()));

      JsonNode lr = command(example, "{\"type\":\"set-hyperparameters\",\"payload\":{\"learningRate\":0.02,\"batchSize\":8}}", 200);
      assertThat(lr.path("payload").path("changes").path("learningRate").path("to").asDouble()).isEqualTo(0.02, within());
      var after = example.awaitSnapshot(first.step(), s -> Math.abs(s.hyperparameters().learningRate() - 0.02f) < 1e-6
          && s.hyperparameters().batchSize() == 8);
      assertThat(after.loss()).isFinite();

      JsonNode added = command(example, "{\"type\":\"add-filters\",\"payload\":{\"layer\":\"3\",\"count\":2,\"init\":\"net2net\"}}", 200);
      assertThat(texts(added.path("payload").path("changes").path("addedFilters"))).containsExactly("3/f20", "3/f21");
      assertThat(conv(example, "3").path("filters").asInt()).isEqualTo(22);
      command(example, "{\"type\":\"remove-filters\",\"payload\":{\"layer\":\"3\",\"filters\":[\"3/f0\"]}}", 200);
      assertThat(texts(conv(example, "3").path("unitIds"))).hasSize(21).doesNotContain("3/f0");
      command(example, "{\"type\":\"undo\",\"payload\":{}}", 200);
      assertThat(texts(conv(example, "3").path("unitIds"))).hasSize(22).contains("3/f0");

      String checksum = example.rest("GET", "/api/engine", null).path("ranks").get(0).path("checksum").asText();
      command(example, "{\"type\":\"pause\",\"payload\":{}}", 200);
      String paused = example.rest("GET", "/api/engine", null).path("ranks").get(0).path("checksum").asText();
      JsonNode refused = command(example, "{\"type\":\"add-filters\",\"payload\":{\"layer\":\"1\",\"count\":1}}", 400);
      assertThat(refused.path("payload").path("message").asText()).contains("cannot add filters to 1");
      assertThat(example.rest("GET", "/api/engine", null).path("ranks").get(0).path("checksum").asText())
          .as("a refused command changes no weight").isEqualTo(paused).isNotEqualTo(checksum);

      JsonNode saved = command(example, "{\"type\":\"save-checkpoint\",\"payload\":{\"name\":\"attached\"}}", 200);
      assertThat(saved.path("payload").path("changes").path("file").asText()).isEqualTo("attached.ckpt");
      assertThat(Files.size(checkpoints.resolve("attached.ckpt"))).isPositive();
      command(example, "{\"type\":\"resume\",\"payload\":{}}", 200);

      var latest = example.awaitSnapshot(after.step(), s -> s.state().equals("running"));
      assertThat(latest.layers().stream().filter(l -> l.kind().equals("conv")).map(l -> l.filterIds().size()).toList())
          .containsExactly(16, 22, 20);
      assertThat(example.session.history().steering()).extracting(e -> e.type())
          .containsExactly("set-hyperparameters", "add-filters", "remove-filters", "undo", "pause", "save-checkpoint", "resume");

      example.run.destroy();
      example.awaitState("dropped", 30);
    }
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-6);
  }

  private static JsonNode command(AttachedExample example, String body, int status) throws Exception {
    JsonNode answer = example.rest("POST", "/api/commands", body);
    assertThat(answer.path("httpStatus").asInt()).as(body + " -> " + answer).isEqualTo(status);
    return answer;
  }

  private static JsonNode conv(AttachedExample example, String id) throws Exception {
    for (JsonNode layer : example.rest("GET", "/api/architecture", null).path("layers")) {
      if (layer.path("id").asText().equals(id)) return layer;
    }
    throw new AssertionError("no layer " + id);
  }

  private static List<String> texts(JsonNode array) {
    return StreamSupport.stream(array.spliterator(), false).map(JsonNode::asText).toList();
  }
}
