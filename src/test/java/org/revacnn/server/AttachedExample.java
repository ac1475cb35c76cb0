package org.revacnn.server;

import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.revacnn.attach.AttachedSession;

/**
 * {@code serve --attach} on a free loopback port with the real PyTorch example
 * ({@code examples/torch_train.py --data synthetic}, the paper's model) attached over the real
 * WebSocket transport, for the integration tests. Skips (with the reason) where Debian's
 * python3-torch or python3-websocket is missing.
 */
final class AttachedExample implements AutoCloseable {
  static final String PYTHON = "/usr/bin/python3";

  final AttachedSession session;
  final WebServer server;
  final Process run;
  final Path log;

  private AttachedExample(AttachedSession session, WebServer server, Process run, Path log) {
    this.session = session;
    this.server = server;
    this.run = run;
    this.log = log;
  }

  /** Starts the server and the example (batch 4, one thread), and waits until the run has attached. */
  static AttachedExample start(Path checkpoints) throws Exception {
    assumeThat(pythonHas("torch", "websocket")).as("Debian's python3-torch and python3-websocket are needed: "
        + "apt-get install python3-torch python3-websocket").isTrue();
    AttachedSession session = new AttachedSession(checkpoints);
    WebServer server = WebServer.start(session, new WebServer.Options("127.0.0.1", 0, null));
    Path log = Files.createTempFile("revacnn-example", ".log");
    ProcessBuilder builder = new ProcessBuilder(List.of(PYTHON, "examples/torch_train.py", "--data", "synthetic", "--model", "paper",
        "--batch", "4", "--epochs", "1000", "--attach", "http://127.0.0.1:" + server.port()))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("OMP_NUM_THREADS", "1");
    AttachedExample example = new AttachedExample(session, server, builder.start(), log);
    example.awaitState("attached", 120);
    return example;
  }

  private static boolean pythonHas(String... modules) throws InterruptedException {
    try {
      Process check = new ProcessBuilder(PYTHON, "-c", "import " + String.join(", ", modules)).redirectErrorStream(true).start();
      return check.waitFor(60, TimeUnit.SECONDS) && check.exitValue() == 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits until the engine's state is {@code state}; fails with the run's output otherwise. */
  void awaitState(String state, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (session.engine().state().equals(state)) return;
      if (!run.isAlive() && state.equals("attached")) break;
      Thread.sleep(50);
    }
    throw new AssertionError("the run did not become " + state + " (now " + session.engine().state() + "); its output:\n"
        + Files.readString(log));
  }

  /** Waits for a snapshot at a later step than {@code after} whose settings satisfy {@code wanted}. */
  org.revacnn.session.Snapshot awaitSnapshot(long after, java.util.function.Predicate<org.revacnn.session.Snapshot> wanted)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      var latest = session.latest();
      if (latest != null && latest.step() > after && wanted.test(latest)) return latest;
      Thread.sleep(20);
    }
    throw new AssertionError("no matching snapshot after step " + after + "; latest " + session.latest() + "; output:\n"
        + Files.readString(log));
  }

  JsonNode rest(String method, String path, String body) throws Exception {
    var uri = java.net.URI.create("http://127.0.0.1:" + server.port() + path);
    var request = java.net.http.HttpRequest.newBuilder(uri).method(method, body == null
        ? java.net.http.HttpRequest.BodyPublishers.noBody() : java.net.http.HttpRequest.BodyPublishers.ofString(body)).build();
    var response = java.net.http.HttpClient.newHttpClient().send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
    JsonNode json = SocketClient.JSON.readTree(response.body());
    ((com.fasterxml.jackson.databind.node.ObjectNode) json).put("httpStatus", response.statusCode());
    return json;
  }

  @Override
  public void close() throws Exception {
    run.destroy();
    if (!run.waitFor(20, TimeUnit.SECONDS)) run.destroyForcibly();
    server.close();
    session.close();
    Files.deleteIfExists(log);
  }
}
