package org.revacnn.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A real {@code java.net.http} WebSocket client for tests: joins fragments, keeps every message in arrival order. */
final class SocketClient implements WebSocket.Listener, AutoCloseable {
  static final ObjectMapper JSON = new ObjectMapper();

  private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
  private final Map<String, JsonNode> latestByType = new java.util.concurrent.ConcurrentHashMap<>();
  private final StringBuilder partial = new StringBuilder();
  private final boolean reads;
  private volatile WebSocket socket;
  private volatile boolean closed;
  private final java.util.concurrent.CompletableFuture<String> closing = new java.util.concurrent.CompletableFuture<>();

  private SocketClient(boolean reads) {
    this.reads = reads;
  }

  /** Connects; {@code reads = false} makes a client that takes its first message and then never reads again. */
  static SocketClient connect(URI uri, Map<String, String> headers, boolean reads) {
    SocketClient client = new SocketClient(reads);
    WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10));
    headers.forEach(builder::header);
    client.socket = builder.buildAsync(uri, client).orTimeout(10, TimeUnit.SECONDS).join();
    return client;
  }

  static SocketClient connect(URI uri) {
    return connect(uri, Map.of(), true);
  }

  @Override
  public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
    partial.append(data);
    if (last) {
      try {
        JsonNode message = JSON.readTree(partial.toString());
        latestByType.put(message.path("type").asText(), message);
        messages.add(message);
      } catch (java.io.IOException e) {
        throw new IllegalStateException("server sent invalid JSON: " + partial, e);
      }
      partial.setLength(0);
    }
    if (reads || !last) webSocket.request(1);
    return null;
  }

  @Override
  public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
    closed = true;
    closing.complete(statusCode + " " + reason);
    return null;
  }

  @Override
  public void onError(WebSocket webSocket, Throwable error) {
    closed = true;
  }

  /** "code reason" of the close the server sent, waiting up to 10 s for it. */
  String awaitClose() {
    return closing.orTimeout(10, TimeUnit.SECONDS).join();
  }

  boolean isOpen() {
    return !closed && !socket.isInputClosed() && !socket.isOutputClosed();
  }

  void send(String text) {
    socket.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  void sendBinary(java.nio.ByteBuffer data) {
    socket.sendBinary(data, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  void send(String type, String id, Object payload) {
    send(JSON.createObjectNode().put("type", type).put("id", id).set("payload", JSON.valueToTree(payload)).toString());
  }

  /** The last message of this type received so far (awaited or skipped), or null. */
  JsonNode latest(String type) {
    return latestByType.get(type);
  }

  /** The next message matching {@code wanted}, skipping others; fails after {@code timeout}. */
  JsonNode await(Predicate<JsonNode> wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      JsonNode next = left > 0 ? messages.poll(left, TimeUnit.NANOSECONDS) : null;
      if (next == null) throw new AssertionError("no matching message within " + timeout);
      if (wanted.test(next)) return next;
    }
  }

  JsonNode awaitType(String type) throws InterruptedException {
    return await(m -> m.path("type").asText().equals(type), Duration.ofSeconds(20));
  }

  /** The answer (ack or error) to the command with this id. */
  JsonNode awaitAnswer(String id) throws InterruptedException {
    return await(m -> id.equals(m.path("id").asText(null)), Duration.ofSeconds(20));
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    socket.abort();
  }
}
