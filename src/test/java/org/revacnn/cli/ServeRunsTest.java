package org.revacnn.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.revacnn.session.RunFixtures;
import org.revacnn.session.RunsFolder;

/** {@code revacnn serve --runs DIR --run NAME} (a child JVM) serves its runs folder: GET /api/runs marks its own run live, and the others' histories read. */
class ServeRunsTest {
  private static final String SERVING = "ReVACNN is serving at ";

  @TempDir
  Path dir;

  @Test
  void serveListsItsRunsFolderAndServesAKeptRunsHistory() throws Exception {
    Path runs = dir.resolve("runs");
    RunFixtures.trainedRun(new RunsFolder(runs), "earlier", 12);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
        Main.class.getName(), "serve", "--runs", runs.toString(), "--run", "served", "--port", "0", "--paused",
        "--data", "synthetic:200", "--validation", "20", "--checkpoint-dir", dir.resolve("checkpoints").toString()))
        .redirectErrorStream(true).start();
    try (BufferedReader output = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String url = null;
      for (String line; url == null && (line = output.readLine()) != null; ) {
        if (line.startsWith(SERVING)) url = line.substring(SERVING.length()).strip();
      }
      assertThat(url).as("serve printed its address").isNotNull();
      HttpClient http = HttpClient.newHttpClient();
      JsonNode listed = get(http, url + "api/runs");
      assertThat(listed.path("live").asText()).isEqualTo("served");
      assertThat(listed.path("folder").asText()).isEqualTo(runs.toAbsolutePath().toString());
      assertThat(listed.path("runs").findValuesAsText("name")).containsExactly("earlier", "served");
      assertThat(get(http, url + "api/history?run=earlier").path("loss")).hasSize(12);
    } finally {
      child.destroy();
      assertThat(child.waitFor(20, TimeUnit.SECONDS)).isTrue();
    }
  }

  private static JsonNode get(HttpClient http, String url) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(url + ": " + response.body()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }
}
