package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.Run;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunLog;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * Fork, steer one branch, switch the shown branch, read each branch over REST ({@code ?branch=}) and
 * keep one, over a real port (REST and WebSocket). The run forks before it trains: training is
 * BranchedSessionTest's; this is about the API.
 */
class ForkApiTest {
  /** A narrow model: what is tested is the API, and its first passes (the Vector API's warm-up) are quick. */
  private static final SessionConfig SMALL = SessionFixtures.config().withModel("conv4-conv4-conv4");

  private static String conv2Filters(JsonNode architecture) {
    for (JsonNode layer : architecture.path("layers")) {
      if (layer.path("id").asText().equals("conv2")) return layer.path("filters").asText();
    }
    throw new AssertionError("no conv2 in " + architecture);
  }

  /** The REST reads of each branch after B grew conv2 by 2 (and took learning rate 0.5); none for a branch that is not live. */
  private static void assertBranchReads(TestServer server, String before) throws Exception {
    String grown = String.valueOf(Integer.parseInt(before) + 2);
    assertThat(conv2Filters(server.getJson("/api/architecture?branch=A"))).isEqualTo(before);
    assertThat(conv2Filters(server.getJson("/api/architecture?branch=B"))).isEqualTo(grown);
    assertThat(server.getJson("/api/snapshot?branch=B").path("hyperparameters").path("learningRate").asDouble()).isEqualTo(0.5);
    assertThat(server.getJson("/api/snapshot").path("hyperparameters").path("learningRate").asDouble()).isNotEqualTo(0.5);
    assertThat(server.getJson("/api/history?branch=B").path("steering").findValuesAsText("type")).contains("fork", "add-filters");
    assertThat(server.getJson("/api/history?branch=A").path("steering").findValuesAsText("type")).contains("fork")
        .doesNotContain("add-filters");
    assertThat(server.getJson("/api/tsne?layer=conv2&branch=B").path("points").size()).isEqualTo(Integer.parseInt(grown));
    assertThat(server.getJson("/api/tsne?layer=conv2").path("points").size()).isEqualTo(Integer.parseInt(before));
    for (String read : List.of("/api/architecture", "/api/snapshot", "/api/history", "/api/tsne?layer=conv2", "/api/recommendations",
        "/api/test", "/api/activations?image=0&layer=conv2")) {
      HttpResponse<String> unknown = server.get(read + (read.contains("?") ? "&" : "?") + "branch=Z");
      assertThat(unknown.statusCode()).as(read).isEqualTo(400);
      assertThat(unknown.body()).as(read).contains("no live branch 'Z'; the live branches are [A, B]");
    }
  }

  @Test
  void forkSteerSwitchAndKeepOverRestAndWebSocket(@TempDir Path dir) throws Exception {
    RunsFolder runs = new RunsFolder(dir);
    Run live = runs.create("live", RunFixtures.config(SMALL));
    try (TestServer server = TestServer.serveUnstarted(SMALL, null, new KeptRuns(runs, "live"))) {
      server.session.keepRun(RunLog.open(live.historyFile()), true);
      server.session.start(false);

      JsonNode forked = server.command("{\"type\":\"fork\",\"id\":\"f\"}");
      assertThat(forked.path("payload").path("changes").path("forked").asText()).isEqualTo("B");
      JsonNode listed = server.getJson("/api/runs");
      assertThat(listed.path("branches").toString()).isEqualTo("[{\"id\":\"A\",\"run\":\"live\"},{\"id\":\"B\",\"run\":\"live-fork1\"}]");
      assertThat(listed.path("live").asText()).isEqualTo("live");
      assertThat(listed.path("runs").findValuesAsText("name")).containsExactly("live", "live-fork1");
      assertThat(listed.path("runs").findValues("live")).allMatch(JsonNode::asBoolean);

      // REST: a command names its branch; A keeps its settings
      server.command("{\"type\":\"set-hyperparameters\",\"payload\":{\"branch\":\"B\",\"learningRate\":0.5}}");
      TrainingSession a = server.branched.branch("A");
      TrainingSession b = server.branched.branch("B");
      assertThat(b.latest().hyperparameters().learningRate()).isEqualTo(0.5f);
      assertThat(a.latest().hyperparameters().learningRate()).isNotEqualTo(0.5f);
      HttpResponse<String> bad = server.post("/api/commands", "{\"type\":\"resume\",\"payload\":{\"branch\":\"Z\"}}");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("no live branch 'Z'");
      assertThat(server.post("/api/commands", "{\"type\":\"resume\",\"payload\":{\"branch\":7}}").body()).contains("branch must be");
      assertThat(server.post("/api/commands", "{\"type\":\"fork\"}").body()).contains("already forked");
      assertThat(a.latest().state()).isEqualTo("paused");

      try (SocketClient client = server.connect()) {
        client.awaitType("hello");
        client.send("show-branch", "s0", Map.of("branch", "Z"));
        assertThat(client.awaitAnswer("s0").path("type").asText()).isEqualTo("error");
        client.send("show-branch", "s1", Map.of("branch", "B"));
        assertThat(client.awaitAnswer("s1").path("payload").path("changes").path("branch").asText()).isEqualTo("B");
        JsonNode hello = client.awaitType("hello");
        assertThat(hello.path("payload").path("history").path("steering").findValuesAsText("type")).contains("set-hyperparameters");

        // a command without branch goes to the branch shown: B grows, A does not
        String before = conv2Filters(hello.path("payload").path("architecture"));
        client.send("add-filters", "g", Map.of("layer", "conv2", "count", 2));
        assertThat(client.awaitAnswer("g").path("type").asText()).isEqualTo("ack");
        JsonNode grown = client.latest("architecture");  // announced before the ack
        assertThat(Integer.parseInt(conv2Filters(grown.path("payload")))).isEqualTo(Integer.parseInt(before) + 2);
        assertThat(conv2Filters(server.getJson("/api/architecture"))).isEqualTo(before);
        assertBranchReads(server, before);

        // keeping A ends B; its client is shown A again
        client.send("keep-branch", "k", Map.of("branch", "A"));
        assertThat(client.awaitAnswer("k").path("payload").path("changes").path("ended").toString()).isEqualTo("[\"B\"]");
        JsonNode back = client.latest("hello");  // sent before the ack
        assertThat(conv2Filters(back.path("payload").path("architecture"))).isEqualTo(before);
      }
      HttpResponse<String> ended = server.get("/api/architecture?branch=B");
      assertThat(ended.statusCode()).isEqualTo(400);
      assertThat(ended.body()).contains("no live branch 'B'; the live branches are [A]");
      JsonNode after = server.getJson("/api/runs");
      assertThat(after.path("branches").toString()).isEqualTo("[{\"id\":\"A\",\"run\":\"live\"}]");
      assertThat(after.path("runs").get(1).path("live").asBoolean()).isFalse();
      JsonNode forkHistory = server.getJson("/api/history?run=live-fork1");
      assertThat(forkHistory.path("steering").findValuesAsText("type")).contains("fork", "add-filters", "keep-branch");
    }
  }
}
