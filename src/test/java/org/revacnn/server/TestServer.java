package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.revacnn.engine.Param;
import org.revacnn.session.BranchedSession;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * A small synthetic session (paused, on its own training thread) served on a free loopback port,
 * as serve does: as a run that can fork ({@link BranchedSession}), {@link #session} its first branch.
 */
final class TestServer implements AutoCloseable {
  final TrainingSession session;
  final BranchedSession branched;
  final WebServer server;
  final HttpClient http = HttpClient.newHttpClient();

  private TestServer(BranchedSession branched, WebServer server) {
    this.session = branched.branch(null);
    this.branched = branched;
    this.server = server;
  }

  static TestServer start(String token) {
    return start(SessionFixtures.config(), token);
  }

  static TestServer start(SessionConfig config, String token) {
    TestServer server = serveUnstarted(config, token);
    server.session.start(false);
    return server;
  }

  /** Serves a session whose training thread is not started yet: commands wait in its queue until {@code session.start}. */
  static TestServer serveUnstarted(SessionConfig config, String token) {
    return serveUnstarted(config, token, null);
  }

  /**
   * As {@link #serveUnstarted(SessionConfig, String)}, listing the runs of {@code runs} (null: none);
   * forks are kept there when its live run exists.
   */
  static TestServer serveUnstarted(SessionConfig config, String token, KeptRuns runs) {
    TrainingSession session = new TrainingSession(config, SessionFixtures.data());
    boolean kept = runs != null && runs.folder().exists(runs.live());
    BranchedSession branched = new BranchedSession(session, kept ? runs.folder() : null, kept ? runs.folder().open(runs.live()) : null);
    return new TestServer(branched, WebServer.start(branched, new WebServer.Options("127.0.0.1", 0, token), runs));
  }

  URI uri(String scheme, String pathAndQuery) {
    return URI.create(scheme + "://127.0.0.1:" + server.port() + pathAndQuery);
  }

  SocketClient connect() {
    return SocketClient.connect(uri("ws", "/ws"));
  }

  HttpResponse<String> get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("http", pathAndQuery)).GET();
    if (headers.length > 0) request.headers(headers);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** GETs {@code pathAndQuery}, which must answer 200 with JSON, and parses the answer. */
  JsonNode getJson(String pathAndQuery) throws IOException, InterruptedException {
    HttpResponse<String> response = get(pathAndQuery);
    assertThat(response.statusCode()).as("%s: %s", pathAndQuery, response.body()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
    return SocketClient.JSON.readTree(response.body());
  }

  /** POSTs the command {@code json} to /api/commands, which must accept it (200), and parses the answer. */
  JsonNode command(String json) throws IOException, InterruptedException {
    HttpResponse<String> response = post("/api/commands", json);
    assertThat(response.statusCode()).as(json + " -> " + response.body()).isEqualTo(200);
    return SocketClient.JSON.readTree(response.body());
  }

  HttpResponse<byte[]> getBytes(String pathAndQuery) throws IOException, InterruptedException {
    return http.send(HttpRequest.newBuilder(uri("http", pathAndQuery)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  HttpResponse<String> post(String pathAndQuery, String body, String... headers) throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri("http", pathAndQuery))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    if (headers.length > 0) request.headers(headers);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * Waits until the session is paused after a step command (whose ack published a "running"
   * snapshot) and returns the step it paused at.
   */
  long awaitPaused() throws InterruptedException {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (System.nanoTime() < deadline) {
      var latest = session.latest();
      if (latest.state().equals("paused")) return latest.step();
      Thread.sleep(5);
    }
    throw new AssertionError("the session did not pause within 30 s");
  }

  /** CRC-32 of every parameter value and optimiser state, read on the training thread. */
  long weightHash() throws Exception {
    return session.query(net -> {
      CRC32 crc = new CRC32();
      for (Param p : net.params()) {
        update(crc, p.value());
        for (Map.Entry<String, float[]> state : p.states().entrySet()) update(crc, state.getValue());
      }
      return crc.getValue();
    }).get(20, TimeUnit.SECONDS);
  }

  private static void update(CRC32 crc, float[] values) {
    ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(values);
    crc.update(bytes.array());
  }

  @Override
  public void close() {
    server.close();
    branched.close();
  }
}
