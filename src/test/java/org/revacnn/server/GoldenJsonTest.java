package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pins the protocol: every message and REST body the server produces must have the structure of
 * its file in {@code src/test/resources/golden/} (the examples in docs/PROTOCOL.md). Structure means
 * the same field names and JSON types, recursively; each element of an array must match one of the
 * golden array's elements (a snapshot's layers come in several forms). A golden {@code null} accepts any value (a nullable field) and a golden
 * {@code {}} any object (a free-form map such as a command's changes). What the server produced is
 * also written to {@code target/golden-actual/} for comparison.
 */
class GoldenJsonTest {
  private static TestServer server;

  @BeforeAll
  static void start() throws Exception {
    server = TestServer.start(null);
    assertThat(server.post("/api/commands", "{\"type\":\"step\",\"payload\":{\"batches\":3}}").statusCode()).isEqualTo(200);
    server.awaitPaused();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void webSocketMessages() throws Exception {
    try (SocketClient client = server.connect()) {
      check("ws-hello", client.awaitType("hello"));
      check("ws-snapshot", client.awaitType("snapshot"));
      client.send("set-probe", "7", Map.of("image", 2));
      check("ws-ack", client.awaitAnswer("7"));
      client.send("add-filters", "8", Map.of("layer", "conv9", "count", 1));
      check("ws-error", client.awaitAnswer("8"));
      client.send("add-filters", "9", Map.of("layer", "conv3", "count", 1));
      client.awaitAnswer("9");
      check("ws-architecture", client.latest("architecture"));
    }
  }

  @Test
  void restBodies() throws Exception {
    check("api-dataset", rest("/api/dataset", 200));
    check("api-engine", rest("/api/engine", 200));
    check("api-history", rest("/api/history?maxPoints=100", 200));
    JsonNode test = rest("/api/test?count=100", 200);
    check("api-test", test);
    int actual = test.at("/page/predictions/0/label").asInt();
    int predicted = test.at("/page/predictions/0/top3/0").asInt();
    check("api-test-page", rest("/api/test/predictions?actual=" + actual + "&predicted=" + predicted + "&limit=5", 200));
    check("api-activations", rest("/api/activations?image=0&layer=conv1", 200));
    check("api-error", rest("/api/test?count=-1", 400));
    check("ws-snapshot", wrap("snapshot", rest("/api/snapshot", 200)));
    check("ws-architecture", wrap("architecture", rest("/api/architecture", 200)));
  }

  @Test
  void analyticsBodies() throws Exception {
    check("api-tsne", rest("/api/tsne?layer=conv2&kind=activation-gradients", 200));
    check("api-tsne-images", rest("/api/tsne/images", 200));
    check("api-recommendations", rest("/api/recommendations", 200));
    check("api-error", rest("/api/tsne?layer=conv2&kind=colours", 400));
    check("api-error", rest("/api/tsne?layer=pool1", 400));
    check("api-error", rest("/api/tsne?kind=weights", 400));
  }

  private static JsonNode wrap(String type, JsonNode payload) {
    return SocketClient.JSON.createObjectNode().put("type", type).set("payload", payload);
  }

  private static JsonNode rest(String path, int status) throws Exception {
    var response = server.get(path);
    assertThat(response.statusCode()).as(path).isEqualTo(status);
    return SocketClient.JSON.readTree(response.body());
  }

  private final List<String> differences = new ArrayList<>();

  @AfterEach
  void everythingMatched() {
    assertThat(differences).as("differences from the golden files").isEmpty();
  }

  /** Records where {@code actual} differs in structure from {@code golden/<name>.json}. */
  private void check(String name, JsonNode actual) throws IOException {
    if (actual == null) {
      differences.add(name + ": not produced");
      return;
    }
    Path out = Path.of("target", "golden-actual", name + ".json");
    Files.createDirectories(out.getParent());
    Files.writeString(out, SocketClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(actual));
    try (InputStream in = GoldenJsonTest.class.getResourceAsStream("/golden/" + name + ".json")) {
      if (in == null) {
        differences.add(name + ": golden/" + name + ".json is missing");
        return;
      }
      compare(name, SocketClient.JSON.readTree(in), actual, differences);
    }
  }

  /** Collects every place where {@code actual} does not have the structure of {@code golden}. */
  static void compare(String at, JsonNode golden, JsonNode actual, List<String> differences) {
    if (golden.isNull()) return;
    if (golden.getNodeType() != actual.getNodeType()) {
      differences.add(at + ": expected " + golden.getNodeType() + ", got " + actual.getNodeType() + " " + abbreviate(actual));
      return;
    }
    if (golden.isObject()) {
      if (golden.isEmpty()) return;
      TreeSet<String> expected = names(golden.fieldNames());
      TreeSet<String> got = names(actual.fieldNames());
      if (!expected.equals(got)) {
        differences.add(at + ": expected fields " + expected + ", got " + got);
        return;
      }
      for (String field : expected) compare(at + "." + field, golden.get(field), actual.get(field), differences);
    } else if (golden.isArray() && !golden.isEmpty()) {
      for (int i = 0; i < actual.size(); i++) compareToAny(at + "[" + i + "]", golden, actual.get(i), differences);
    }
  }

  /** An array element must match one of the golden array's elements (its forms); else the first one's differences count. */
  private static void compareToAny(String at, JsonNode goldenForms, JsonNode actual, List<String> differences) {
    for (JsonNode form : goldenForms) {
      List<String> mismatches = new ArrayList<>();
      compare(at, form, actual, mismatches);
      if (mismatches.isEmpty()) return;
    }
    compare(at, goldenForms.get(0), actual, differences);
  }

  private static TreeSet<String> names(Iterator<String> fields) {
    TreeSet<String> names = new TreeSet<>();
    fields.forEachRemaining(names::add);
    return names;
  }

  private static String abbreviate(JsonNode node) {
    String text = node.toString();
    return text.length() > 80 ? text.substring(0, 80) + "..." : text;
  }
}
