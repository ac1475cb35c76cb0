package org.revacnn.server;

import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.revacnn.attach.AttachedSession;

/**
 * The {@code /engine} endpoint of {@code serve --attach} (docs/ENGINE.md): one PyTorch run at a
 * time connects here (after the same token, Host and Origin checks as {@code /ws}). Its messages go
 * to the {@link AttachedSession} in arrival order; what the session sends it goes through the run's
 * own {@link ClientConnection} sender, so a slow run never blocks a browser or a REST call. A
 * second run while one is attached is closed with the reason.
 */
final class EngineEndpoint {
  /** WebSocket close code 1013 "try again later": another run holds the server. */
  static final int BUSY = 1013;

  private final AttachedSession session;
  private final Map<String, RunLink> runs = new ConcurrentHashMap<>();

  EngineEndpoint(AttachedSession session) {
    this.session = session;
  }

  /** One connected run: the session's way to send to it and to close it. */
  private record RunLink(ClientConnection connection) implements AttachedSession.Link {
    @Override
    public void send(String json) {
      connection.offerControl(json);
    }

    @Override
    public void close(String reason) {
      connection.close(1008, reason);
    }
  }

  void onConnect(WsConnectContext context) {
    ClientConnection connection = new ClientConnection(context.session);
    RunLink link = new RunLink(connection);
    if (!session.connect(link)) {
      connection.close(BUSY, "another run is attached; this server steers one run at a time");
      return;
    }
    runs.put(context.sessionId(), link);
    connection.start();
  }

  void onMessage(WsMessageContext context) {
    RunLink link = runs.get(context.sessionId());
    if (link != null) session.receive(link, context.message());
  }

  void onBinaryMessage(WsBinaryMessageContext context) {
    RunLink link = runs.get(context.sessionId());
    if (link != null) link.send(Protocol.error(null, "binary messages are not understood; send JSON text messages (docs/ENGINE.md)"));
  }

  void onClose(WsContext context) {
    RunLink link = runs.remove(context.sessionId());
    if (link == null) return;
    session.disconnected(link);
    link.connection().close(1000, "closed");
  }
}
