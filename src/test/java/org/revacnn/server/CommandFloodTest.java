package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.revacnn.session.SessionFixtures;

/**
 * A client flooding commands over a real WebSocket: at most {@link CommandQuota#MAX_PENDING} of
 * its commands wait at a time, every other one gets a clear error at once, every message gets an
 * answer, and repeated pauses leave no trace in the steering log.
 */
class CommandFloodTest {
  private static final int FLOOD = 20_000;
  private static final int RUNNING_FLOOD = 2_000;

  @Test
  void twentyThousandPausesAreBoundedAndLeaveTheLogSmall() throws Exception {
    // the training thread starts only after the flood, so nothing is answered early and the bound is exact
    try (TestServer server = TestServer.serveUnstarted(SessionFixtures.config(), null); SocketClient client = server.connect()) {
      client.awaitType("hello");
      int loggedBefore = server.session.history().steering().size();
      client.send("resume", "r", java.util.Map.of());
      for (int i = 1; i < FLOOD; i++) client.send("{\"type\":\"pause\",\"id\":\"p" + i + "\"}");
      int refused = 0;
      for (int i = 1; i <= FLOOD - CommandQuota.MAX_PENDING; i++) {
        JsonNode answer = nextAnswer(client);
        assertThat(answer.path("type").asText()).as("answer %d: %s", i, answer).isEqualTo("error");
        assertThat(answer.at("/payload/message").asText()).startsWith("too many commands waiting: 64");
        refused++;
      }
      server.session.start(false);
      int acks = 0;
      int unchanged = 0;
      for (int i = 0; i < CommandQuota.MAX_PENDING; i++) {
        JsonNode answer = nextAnswer(client);
        assertThat(answer.path("type").asText()).as("%s", answer).isEqualTo("ack");
        acks++;
        if (answer.at("/payload/message").asText().equals("nothing changed: already paused")) unchanged++;
      }
      assertThat(refused).isEqualTo(FLOOD - CommandQuota.MAX_PENDING);
      assertThat(acks).isEqualTo(CommandQuota.MAX_PENDING);
      // resume, then one real pause; the other 62 pauses changed nothing
      assertThat(unchanged).isEqualTo(CommandQuota.MAX_PENDING - 2);
      assertThat(server.session.history().steering()).hasSize(loggedBefore + 2);
      assertThat(client.isOpen()).isTrue();
      // the quota is free again
      client.send("{\"type\":\"pause\",\"id\":\"after\"}");
      assertThat(client.awaitAnswer("after").path("type").asText()).isEqualTo("ack");
    }
  }

  @Test
  void aFloodOnARunningSessionLogsOnePause() throws Exception {
    try (TestServer server = TestServer.start(null); SocketClient client = server.connect()) {
      client.awaitType("hello");
      client.send("resume", "r", java.util.Map.of());
      assertThat(client.awaitAnswer("r").path("type").asText()).isEqualTo("ack");
      int loggedBefore = server.session.history().steering().size();
      for (int i = 0; i < RUNNING_FLOOD; i++) client.send("{\"type\":\"pause\",\"id\":\"p" + i + "\"}");
      int acks = 0;
      for (int i = 0; i < RUNNING_FLOOD; i++) {
        JsonNode answer = nextAnswer(client);
        if (answer.path("type").asText().equals("ack")) acks++;
        else assertThat(answer.at("/payload/message").asText()).startsWith("too many commands waiting");
      }
      assertThat(acks).isPositive();
      assertThat(server.session.history().steering()).hasSize(loggedBefore + 1);
      assertThat(server.session.latest().state()).isEqualTo("paused");
    }
  }

  private static JsonNode nextAnswer(SocketClient client) throws InterruptedException {
    return client.await(m -> m.path("type").asText().equals("ack") || m.path("type").asText().equals("error"), Duration.ofSeconds(20));
  }
}
