package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens on HTTP and WebSocket, cross-origin refusal, the loopback Host check, size limits. */
class AccessControlTest {
  private static final String TOKEN = "s3cret-token";
  private static TestServer guarded;
  private static TestServer open;

  @BeforeAll
  static void start() {
    guarded = TestServer.start(TOKEN);
    open = TestServer.start(null);
  }

  @AfterAll
  static void stop() {
    guarded.close();
    open.close();
  }

  @Test
  void withATokenEveryRequestNeedsIt() throws Exception {
    assertThat(guarded.get("/api/snapshot").statusCode()).isEqualTo(401);
    assertThat(guarded.get("/").statusCode()).isEqualTo(401);
    assertThat(guarded.get("/api/snapshot?token=wrong").statusCode()).isEqualTo(401);
    assertThat(guarded.get("/api/snapshot", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    assertThat(guarded.get("/api/snapshot", "Authorization", "Bearer " + TOKEN).statusCode()).isEqualTo(200);
    // RFC 7235: the scheme is case-insensitive
    assertThat(guarded.get("/api/snapshot", "Authorization", "bearer " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(guarded.get("/api/snapshot", "Authorization", "BEARER  " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(guarded.get("/api/snapshot", "Authorization", "Basic " + TOKEN).statusCode()).isEqualTo(401);
    assertThat(guarded.post("/api/commands", "{\"type\":\"pause\"}").statusCode()).isEqualTo(401);
  }

  @Test
  void aTokenInTheUrlSetsACookieThatLaterRequestsCarry() throws Exception {
    HttpResponse<String> first = guarded.get("/?token=" + TOKEN);
    assertThat(first.statusCode()).isEqualTo(200);
    String cookie = first.headers().firstValue("Set-Cookie").orElseThrow();
    assertThat(cookie).contains("HttpOnly").contains("SameSite=Strict");
    String pair = cookie.substring(0, cookie.indexOf(';'));
    assertThat(guarded.get("/api/architecture", "Cookie", pair).statusCode()).isEqualTo(200);
    assertThat(guarded.get("/api/architecture", "Cookie", pair.substring(0, pair.indexOf('=') + 1) + "nope").statusCode())
        .isEqualTo(401);
  }

  @Test
  void theWebSocketNeedsTheTokenToo() throws Exception {
    assertThatThrownBy(() -> SocketClient.connect(guarded.uri("ws", "/ws"))).rootCause().hasMessageContaining("status code 401");
    try (SocketClient client = SocketClient.connect(guarded.uri("ws", "/ws?token=" + TOKEN))) {
      assertThat(client.awaitType("hello")).isNotNull();
    }
    try (SocketClient client = SocketClient.connect(guarded.uri("ws", "/ws"), Map.of("Authorization", "Bearer " + TOKEN), true)) {
      assertThat(client.awaitType("hello")).isNotNull();
    }
  }

  @Test
  void aForeignOriginIsRefused() throws Exception {
    assertThatThrownBy(() -> SocketClient.connect(open.uri("ws", "/ws"), Map.of("Origin", "http://evil.example"), true))
        .rootCause().hasMessageContaining("status code 403");
    assertThatThrownBy(() -> SocketClient.connect(open.uri("ws", "/ws"), Map.of("Origin", "http://127.0.0.1:1"), true))
        .rootCause().hasMessageContaining("status code 403");
    String self = "http://127.0.0.1:" + open.server.port();
    try (SocketClient client = SocketClient.connect(open.uri("ws", "/ws"), Map.of("Origin", self), true)) {
      assertThat(client.awaitType("hello")).isNotNull();
    }
    assertThat(open.post("/api/commands", "{\"type\":\"pause\"}", "Origin", "http://evil.example").statusCode()).isEqualTo(403);
  }

  @Test
  void aRequestForAnotherHostNameIsRefusedWithoutAToken() throws Exception {
    // what a DNS-rebinding page sends: our address, its own host name (java.net.http cannot set Host)
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", open.server.port())) {
      socket.getOutputStream().write(("GET /api/snapshot HTTP/1.1\r\nHost: evil.example:" + open.server.port()
          + "\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertThat(response).startsWith("HTTP/1.1 403").contains("only answers requests addressed to localhost");
    }
  }

  @Test
  void withoutATokenOnlyLoopbackHostNamesAreAnswered() {
    assertThatThrownBy(() -> new WebServer.Options("0.0.0.0", 0, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(WebServer.Options.of("0.0.0.0", 0, null).token()).hasSizeGreaterThanOrEqualTo(32);
    assertThat(WebServer.Options.of("127.0.0.1", 0, null).token()).isNull();
    // a DNS-rebinding page reaches 127.0.0.1 under its own host name
    assertThat(AccessControl.isLoopback("evil.example")).isFalse();
  }

  @Test
  void oversizedMessagesAreRefused() throws Exception {
    String huge = "{\"type\":\"pause\",\"id\":\"" + "x".repeat(WebServer.MAX_MESSAGE_BYTES + 10) + "\"}";
    try (SocketClient client = open.connect()) {
      client.awaitType("hello");
      client.send(huge);
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (client.isOpen() && System.nanoTime() < deadline) Thread.sleep(5);
      assertThat(client.isOpen()).isFalse();
    }
    String body = "{\"type\":\"pause\",\"id\":\"" + "y".repeat((int) WebServer.MAX_REQUEST_BYTES + 10) + "\"}";
    var tooLarge = open.post("/api/commands", body);
    assertThat(tooLarge.statusCode()).isEqualTo(413);
    assertThat(SocketClient.JSON.readTree(tooLarge.body()).path("error").asText()).contains("larger than the limit of 4 MiB");
  }
}
