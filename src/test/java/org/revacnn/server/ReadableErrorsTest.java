package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.SessionFixtures;

/**
 * Errors a person can read: no Java exception names, no file-system paths, a bad value echoed at
 * most about 100 characters; a binary frame gets an error instead of silence.
 */
class ReadableErrorsTest {
  private static TestServer server;
  @TempDir
  static Path folder;

  @BeforeAll
  static void start() throws Exception {
    // a file where the checkpoint folder should be: every save fails inside the file system
    Files.writeString(folder.resolve("not-a-folder"), "x");
    server = TestServer.start(SessionFixtures.config().withCheckpointDir(folder.resolve("not-a-folder")), null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aNullFilterIdIsExplainedInWords() throws Exception {
    String message = answer("remove-filters", Map.of("layer", "conv2", "filters", java.util.Arrays.asList((Object) null)));
    assertThat(message).isEqualTo("bad payload for 'remove-filters' field 'filters': element 0 must not be null");
  }

  @Test
  void aHugeNameIsEchoedClipped() throws Exception {
    String huge = "n".repeat(500_000);
    for (Map.Entry<String, Map<String, Object>> command : List.of(
        Map.entry("add-filters", Map.<String, Object>of("layer", huge, "count", 1)),
        Map.entry("save-checkpoint", Map.<String, Object>of("name", huge)),
        Map.entry(huge, Map.<String, Object>of()))) {
      String message = answer(command.getKey(), command.getValue());
      assertThat(message).hasSizeLessThan(400).contains("nnnn…");
    }
  }

  @Test
  void aFailedSaveNamesNoPath() throws Exception {
    String message = answer("save-checkpoint", Map.of("name", "mine"));
    assertThat(message).startsWith("cannot save the checkpoint:").doesNotContain(folder.toString()).doesNotContain("/")
        .doesNotContain("Exception");
  }

  @Test
  void aBinaryFrameGetsAnError() throws Exception {
    try (SocketClient client = server.connect()) {
      client.awaitType("hello");
      client.sendBinary(ByteBuffer.wrap("{\"type\":\"pause\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
      JsonNode error = client.awaitType("error");
      assertThat(error.at("/payload/message").asText()).contains("binary messages are not understood");
      assertThat(client.isOpen()).isTrue();
    }
  }

  @Test
  void restErrorsAreClippedToo() throws Exception {
    var response = server.get("/api/images/validation/" + "9".repeat(5000));
    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(SocketClient.JSON.readTree(response.body()).path("error").asText()).hasSizeLessThan(400).contains("…");
  }

  /** Sends one command over a WebSocket and returns the message of the error it must get. */
  private static String answer(String type, Map<String, Object> payload) throws Exception {
    try (SocketClient client = server.connect()) {
      client.awaitType("hello");
      client.send(type, "q", payload);
      JsonNode answer = client.awaitAnswer("q");
      assertThat(answer.path("type").asText()).as("%s", answer).isEqualTo("error");
      String message = answer.at("/payload/message").asText();
      assertThat(message).doesNotContain("java.").doesNotContain("Exception");
      return message;
    }
  }
}
