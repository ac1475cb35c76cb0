package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.SessionFixtures;

/**
 * save-checkpoint from a client, over WebSocket and REST, on a loopback server: absolute paths,
 * "..", and existing names without "overwrite" are refused; plain names land in the checkpoint
 * folder; the download keeps working.
 */
class CheckpointFolderApiTest {
  @TempDir
  Path dir;

  @Test
  void clientsSaveOnlyIntoTheCheckpointFolder() throws Exception {
    Path folder = dir.resolve("checkpoints");
    try (TestServer server = TestServer.start(SessionFixtures.config().withCheckpointDir(folder), null);
        SocketClient client = server.connect()) {
      client.awaitType("hello");
      for (Map<String, Object> attack : java.util.List.<Map<String, Object>>of(Map.of("name", dir.resolve("x.ckpt").toString()),
          Map.of("name", "../../x.ckpt"), Map.of("name", "../x", "overwrite", true), Map.of("path", dir.resolve("y.ckpt").toString()))) {
        client.send("save-checkpoint", "bad", attack);
        JsonNode answer = client.awaitAnswer("bad");
        assertThat(answer.path("type").asText()).as("%s", attack).isEqualTo("error");
      }
      try (var files = Files.walk(dir)) {
        assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
      }

      client.send("save-checkpoint", "ok", Map.of("name", "mine"));
      assertThat(client.awaitAnswer("ok").at("/payload/changes/file").asText()).isEqualTo("mine.ckpt");
      assertThat(folder.resolve("mine.ckpt")).isRegularFile();

      var again = server.post("/api/commands", "{\"type\":\"save-checkpoint\",\"id\":\"r\",\"payload\":{\"name\":\"mine\"}}");
      assertThat(again.statusCode()).isEqualTo(400);
      assertThat(again.body()).contains("already exists").doesNotContain(folder.toString());
      var outside = server.post("/api/commands", "{\"type\":\"save-checkpoint\",\"payload\":{\"name\":\"/etc/x.ckpt\"}}");
      assertThat(outside.statusCode()).isEqualTo(400);
      assertThat(outside.body()).contains("plain file name");
      var replaced = server.post("/api/commands", "{\"type\":\"save-checkpoint\",\"payload\":{\"name\":\"mine\",\"overwrite\":true}}");
      assertThat(replaced.statusCode()).isEqualTo(200);

      var download = server.getBytes("/api/checkpoint");
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.body().length).isPositive();
    }
  }
}
