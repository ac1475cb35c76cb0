package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * 200 generated bad messages (seeded): malformed JSON, trailing garbage, wrong shapes, unknown
 * types and fields, wrongly typed (never coerced), null and out-of-range values, unknown ids. Each
 * gets a readable error (no Java exception names); the weights, the steering log and the
 * connection survive.
 */
class MalformedCommandsTest {
  private static final int CASES = 200;

  /** Templates of bad messages; {@code %s} is filled with a random id. Every one must be rejected. */
  private static final List<String> BAD = List.of(
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":0}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":-0.5}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":1e39}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":\"fast\"}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":\"0.1\"}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"batchSize\":0}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"batchSize\":4097}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"batchSize\":-3}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"batchSize\":2.5}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"batchSize\":true}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"momentum\":1.0}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"weightDecay\":-1}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"optimizer\":\"rmsprop\"}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"speed\":3}}",
      "{\"type\":\"step\",\"id\":\"%s\",\"payload\":{\"batches\":0}}",
      "{\"type\":\"step\",\"id\":\"%s\",\"payload\":{\"batches\":-7}}",
      "{\"type\":\"step\",\"id\":\"%s\",\"payload\":{\"batches\":100000000}}",
      "{\"type\":\"step\",\"id\":\"%s\",\"payload\":{\"batches\":\"2\"}}",
      "{\"type\":\"step\",\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":\"add-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv9\",\"count\":1}}",
      "{\"type\":\"add-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"count\":0}}",
      "{\"type\":\"add-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"count\":1,\"init\":\"sideways\"}}",
      "{\"type\":\"add-filters\",\"id\":\"%s\",\"payload\":{\"layer\":42,\"count\":1}}",
      "{\"type\":\"add-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"pool1\",\"count\":1}}",
      "{\"type\":\"remove-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"filters\":[\"conv2/f99\"]}}",
      "{\"type\":\"remove-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"filters\":[]}}",
      "{\"type\":\"remove-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"filters\":\"conv2/f1\"}}",
      "{\"type\":\"insert-layer\",\"id\":\"%s\",\"payload\":{\"after\":\"conv1\",\"kind\":\"lstm\",\"filters\":3}}",
      "{\"type\":\"insert-layer\",\"id\":\"%s\",\"payload\":{\"after\":\"nowhere\",\"kind\":\"conv\",\"filters\":3}}",
      "{\"type\":\"insert-layer\",\"id\":\"%s\",\"payload\":{\"after\":\"pool1\",\"kind\":\"conv\"}}",
      "{\"type\":\"remove-layer\",\"id\":\"%s\",\"payload\":{\"layer\":\"output\"}}",
      "{\"type\":\"remove-layer\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv77\"}}",
      "{\"type\":\"freeze\",\"id\":\"%s\",\"payload\":{\"layer\":\"pool1\"}}",
      "{\"type\":\"unfreeze\",\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":\"set-probe\",\"id\":\"%s\",\"payload\":{\"image\":-1}}",
      "{\"type\":\"set-probe\",\"id\":\"%s\",\"payload\":{\"image\":1000000}}",
      "{\"type\":\"set-probe\",\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":\"undo\",\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":\"pause\",\"id\":\"%s\",\"payload\":{\"now\":true}}",
      "{\"type\":\"pause\",\"id\":\"%s\",\"payload\":[1,2]}",
      "{\"type\":\"explode\",\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":17,\"id\":\"%s\"}",
      "{\"id\":\"%s\",\"payload\":{}}",
      "{\"type\":\"pause\",\"id\":\"%s\",\"extra\":1}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":null}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"learningRate\":\"NaN\"}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"momentum\":\"Infinity\"}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"optimizer\":5}}",
      "{\"type\":\"set-hyperparameters\",\"id\":\"%s\",\"payload\":{\"optimizer\":null}}",
      "{\"type\":\"remove-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"filters\":[null]}}",
      "{\"type\":\"remove-filters\",\"id\":\"%s\",\"payload\":{\"layer\":\"conv2\",\"filters\":[7]}}",
      "{\"type\":\"save-checkpoint\",\"id\":\"%s\",\"payload\":{\"name\":5}}",
      "{\"type\":\"save-checkpoint\",\"id\":\"%s\",\"payload\":{\"path\":\"/tmp/x.ckpt\"}}",
      "{\"type\":\"save-checkpoint\",\"id\":\"%s\",\"payload\":{\"name\":\"../x\"}}",
      "{\"type\":\"set-probe\",\"id\":\"%s\",\"payload\":{\"image\":\"3\"}}");

  /** A valid message followed by more text: refused whole (never cut: a cut could leave the valid part). */
  private static final List<String> TRAILING = List.of("{\"type\":\"pause\",\"id\":\"%s\"}}",
      "{\"type\":\"resume\",\"id\":\"%s\"} {\"type\":\"resume\"}", "{\"type\":\"resume\",\"id\":\"%s\"}x");

  /** Messages with no readable id. */
  private static final List<String> UNREADABLE = List.of("", "{", "[1,2,3]", "42", "\"pause\"", "null",
      "{\"type\":\"pause\",\"id\":5}", "{\"type\":\"pause\" \"id\":\"x\"}", "{'type':'pause'}", "\u0000\u0001");

  @Test
  void everyBadMessageGetsAnErrorAndChangesNothing() throws Exception {
    try (TestServer server = TestServer.start(null); SocketClient client = server.connect()) {
      client.awaitType("hello");
      long weightsBefore = server.weightHash();
      int loggedBefore = server.session.history().steering().size();
      SplittableRandom random = new SplittableRandom(20261125);
      List<String> sent = new ArrayList<>();
      for (int i = 0; i < CASES; i++) {
        int kind = random.nextInt(6);
        String message = kind == 0 ? unreadable(random)
            : (kind == 1 ? TRAILING.get(random.nextInt(TRAILING.size())) : BAD.get(random.nextInt(BAD.size()))).formatted("bad-" + i);
        sent.add(message);
        client.send(message);
      }
      for (int i = 0; i < CASES; i++) {
        JsonNode answer = client.await(m -> !m.path("type").asText().equals("snapshot")
            && !m.path("type").asText().equals("architecture"), java.time.Duration.ofSeconds(20));
        assertThat(answer.path("type").asText()).as("answer %d: %s", i, answer).isEqualTo("error");
        assertThat(answer.at("/payload/message").asText()).isNotBlank().doesNotContain("java.", "Exception");
      }
      assertThat(server.weightHash()).isEqualTo(weightsBefore);
      assertThat(server.session.history().steering()).hasSize(loggedBefore);
      client.send("{\"type\":\"set-probe\",\"id\":\"still-here\",\"payload\":{\"image\":1}}");
      assertThat(client.awaitAnswer("still-here").path("type").asText()).isEqualTo("ack");
      assertThat(client.isOpen()).isTrue();
      assertThat(server.session.history().steering()).hasSize(loggedBefore + 1);
      assertThat(sent).hasSize(CASES);
    }
  }

  /** Garbage: a fixed unreadable message, or a valid one cut short at a random point. */
  private static String unreadable(SplittableRandom random) {
    if (random.nextBoolean()) return UNREADABLE.get(random.nextInt(UNREADABLE.size()));
    String whole = BAD.get(random.nextInt(BAD.size())).formatted("cut");
    return whole.substring(0, 1 + random.nextInt(whole.length() - 1));
  }
}
