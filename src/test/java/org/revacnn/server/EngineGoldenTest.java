package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.analytics.TsneKind;
import org.revacnn.attach.AttachedSession;
import org.revacnn.attach.RecordingLink;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;

/**
 * docs/ENGINE.md pinned on the server's side: every golden message a real agent sent
 * ({@code golden/engine-*.json}, captured from the Python agent, whose own test checks it still
 * sends them) is read by the server without an error, in the order a run sends them, and what the
 * server sends a run has the structure of {@code engine-command.json} and
 * {@code engine-vectors-request.json}, which the agent's test feeds to the agent.
 */
class EngineGoldenTest {
  @TempDir
  Path checkpoints;

  @Test
  void theServerReadsEveryMessageOfTheAgentAndSendsWhatTheAgentReads() throws Exception {
    AttachedSession session = new AttachedSession(checkpoints);
    RecordingLink run = new RecordingLink();
    List<String> differences = new ArrayList<>();
    try (session) {
      assertThat(session.connect(run)).isTrue();
      session.receive(run, golden("hello"));
      session.receive(run, golden("snapshot"));
      assertThat(run.sent).as("no errors for the hello and snapshot").isEmpty();
      assertThat(session.latest().layers()).hasSize(11);

      CompletableFuture<CommandResult> added = session.submit(new Command.AddFilters("3", 2, "net2net", null, null));
      JsonNode command = run.last();
      GoldenJsonTest.compare("engine-command", json(golden("command")), command, differences);
      session.receive(run, golden("architecture"));
      session.receive(run, golden("ack").replace("\"id\": \"c1\"", "\"id\": \"" + command.path("id").asText() + "\""));
      assertThat(added.join().ok()).isTrue();
      assertThat(session.architecture().layers().get(3).filters()).isEqualTo(22);

      session.filterMap("3", TsneKind.WEIGHTS);
      JsonNode request = run.last();
      GoldenJsonTest.compare("engine-vectors-request", json(golden("vectors-request")), request, differences);
      session.receive(run, golden("error"));
      session.receive(run, golden("bye"));
      assertThat(run.ofType("error")).as("nothing the agent sent was refused").isEmpty();
      assertThat(session.engine().state()).isEqualTo("ended");
    }
    assertThat(differences).isEmpty();
  }

  private static JsonNode json(String text) throws IOException {
    return SocketClient.JSON.readTree(text);
  }

  private static String golden(String name) throws IOException {
    try (InputStream in = EngineGoldenTest.class.getResourceAsStream("/golden/engine-" + name + ".json")) {
      assertThat(in).as("golden/engine-" + name + ".json").isNotNull();
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
