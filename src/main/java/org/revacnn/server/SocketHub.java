package org.revacnn.server;

import io.javalin.websocket.WsBinaryMessageContext;
import io.javalin.websocket.WsCloseContext;
import io.javalin.websocket.WsConnectContext;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import org.revacnn.engine.Architecture;
import org.revacnn.session.Command;
import org.revacnn.session.EngineInfo;
import org.revacnn.session.Session;
import org.revacnn.session.Snapshot;
import org.revacnn.session.SnapshotDemand;

/**
 * The {@code /ws} endpoint: greets each client, turns its messages into session commands and
 * answers them, and broadcasts snapshots and architecture changes. One broadcaster thread polls
 * the session's latest snapshot, serialises each new one once, at most at the session's snapshot
 * rate (sooner right after a command, so its effect shows at once), and hands the text to every
 * client's own sender ({@link ClientConnection}); nothing here ever blocks on a socket. It also
 * announces what trains: an {@code engine} message when the engine's state or capabilities
 * change, and a fresh hello to every client when a new attached run has connected. A forked run
 * (docs/PROTOCOL.md "Fork") has a snapshot stream and network per branch: each client is shown
 * one branch (its choice, by {@code show-branch}; the first by default), and its commands without
 * a {@code branch} go there. Each client's view message says which layers' detail it needs; the
 * session is told the union, and every snapshot is packed once for that union.
 */
final class SocketHub implements AutoCloseable {
  /** History points sent in the hello message. */
  static final int HELLO_HISTORY_POINTS = 2000;
  private static final long POLL_MILLIS = 5;
  private static final long POLL_NANOS = POLL_MILLIS * 1_000_000;

  private final Session session;
  private final Map<String, ClientConnection> clients = new ConcurrentHashMap<>();
  private final Map<String, SnapshotDemand> views = new ConcurrentHashMap<>();
  private volatile SnapshotDemand demand = SnapshotDemand.NONE;
  private final ExecutorService answers = Executors.newVirtualThreadPerTaskExecutor();
  private final Thread broadcaster;
  private volatile boolean running = true;
  private volatile boolean flushNextSnapshot;
  /** The latest snapshot sent of each branch, by branch id. */
  private final Map<String, String> latestSnapshotJson = new ConcurrentHashMap<>();
  /** The network last announced of each branch, by branch id. */
  private final Map<String, Architecture> announcedArchitecture = new ConcurrentHashMap<>();
  private EngineInfo announcedEngine;

  SocketHub(Session session) {
    this.session = session;
    if (session.architecture() != null) announcedArchitecture.put(Session.FIRST_BRANCH, session.architecture());
    this.announcedEngine = session.engine();
    this.broadcaster = Thread.ofPlatform().daemon().name("revacnn-broadcaster").unstarted(this::broadcastLoop);
    broadcaster.start();
  }

  int clientCount() {
    return clients.size();
  }

  void onConnect(WsConnectContext context) {
    ClientConnection client = new ClientConnection(context.session);
    synchronized (this) {
      announceChanges();  // the clients already here hear of a change before the hello takes it as announced
      client.offerControl(hello(null));
    }
    String snapshot = latestSnapshotJson.get(session.branchIds().getFirst());
    if (snapshot != null) client.offerSnapshot(snapshot);
    clients.put(context.sessionId(), client);
    client.start();
  }

  /**
   * Parses a command and queues it for the session, or answers an error at once: for an
   * unreadable message, or when the client already has {@link CommandQuota#MAX_PENDING}
   * commands waiting.
   */
  void onMessage(WsMessageContext context) {
    ClientConnection client = clients.get(context.sessionId());
    if (client == null) return;
    Protocol.Request request;
    try {
      request = Protocol.parseRequest(context.message());
    } catch (Protocol.BadRequest e) {
      client.offerAnswer(Protocol.error(e.id(), e.getMessage()));
      return;
    }
    if (request.view() != null) {
      views.put(context.sessionId(), request.view());
      updateDemand();
      client.offerAnswer(Protocol.viewAck(request.id(), request.view()));
      return;
    }
    if (request.command() instanceof Command.ShowBranch show) {
      showBranch(client, request.id(), show.branch());
      return;
    }
    if (!client.quota().tryAcquire()) {
      client.offerAnswer(Protocol.error(request.id(), CommandQuota.FULL));
      return;
    }
    String branch = request.branch() != null ? request.branch() : shown(client);
    session.submit(branch, request.command()).whenCompleteAsync((result, failure) -> {
      client.quota().release();
      announceChanges();
      client.offerAnswer(failure == null ? Protocol.answer(request.id(), result)
          : Protocol.error(request.id(), "internal error (details in the server log)"));
      flushNextSnapshot = true;
      LockSupport.unpark(broadcaster);
    }, answers);
  }

  /**
   * Shows {@code client} branch {@code id} from now on: an ack, then a hello of that branch (its
   * network and history) and its latest snapshot; an id that is not live is an error, changing nothing.
   */
  private synchronized void showBranch(ClientConnection client, String requestId, String id) {
    Session view;
    try {
      if (id == null) throw new IllegalArgumentException("show-branch needs branch: the id of a live branch");
      view = session.branch(id);
    } catch (IllegalArgumentException e) {
      client.offerAnswer(Protocol.error(requestId, e.getMessage()));
      return;
    }
    client.showBranch(id);
    client.offerAnswer(Protocol.answer(requestId, org.revacnn.session.CommandResult.ok(Map.of("branch", id))));
    client.offerControl(hello(id));
    if (view.latest() != null) client.offerSnapshot(Protocol.snapshot(view.latest(), demand));
  }

  /** The live branch {@code client} is shown, or null (the first) when it chose none or its branch ended. */
  private String shown(ClientConnection client) {
    String id = client.branch();
    return id != null && session.branchIds().contains(id) ? id : null;
  }

  /** Commands are JSON text: a binary message gets an error instead of silence. */
  void onBinaryMessage(WsBinaryMessageContext context) {
    ClientConnection client = clients.get(context.sessionId());
    if (client != null) {
      client.offerAnswer(Protocol.error(null, "binary messages are not understood; send each command as a JSON text message"));
    }
  }

  void onClose(WsCloseContext context) {
    disconnect(context);
  }

  void disconnect(WsContext context) {
    ClientConnection client = clients.remove(context.sessionId());
    if (client != null) client.close(1000, "closed");
    if (views.remove(context.sessionId()) != null) updateDemand();
  }

  /** Tells the session what the views of all clients need, and sends the next snapshot as soon as it has it. */
  private synchronized void updateDemand() {
    demand = SnapshotDemand.union(views.values());
    session.demand(demand);
    flushNextSnapshot = true;
    LockSupport.unpark(broadcaster);
  }

  /**
   * The hello of branch {@code id} (null: the first) as it is now; what it announces becomes what
   * was last announced. Caller holds the lock.
   */
  private String hello(String id) {
    Session view = view(id);
    if (view == null) return hello(null);
    Architecture architecture = view.architecture();
    if (architecture != null) announcedArchitecture.put(id == null ? session.branchIds().getFirst() : id, architecture);
    announcedEngine = session.engine();
    return Protocol.hello(architecture, DatasetInfo.of(session), view.history().view(HELLO_HISTORY_POINTS), announcedEngine);
  }

  /**
   * Tells every client what changed since the last announcement: a new attached run gets a fresh
   * hello (its network, data and the history so far), otherwise a changed engine an engine
   * message and a changed network an architecture message.
   */
  private synchronized void announceChanges() {
    EngineInfo engine = session.engine();
    if (engine.run() != announcedEngine.run()) {
      String json = hello(null);
      latestSnapshotJson.clear();
      clients.values().forEach(c -> c.offerControl(json));
      return;
    }
    List<String> live = session.branchIds();
    for (ClientConnection c : clients.values()) {
      // its branch ended (keep-branch): it is shown the first from now on
      if (c.branch() != null && !live.contains(c.branch())) {
        c.showBranch(null);
        c.offerControl(hello(null));
      }
    }
    announcedArchitecture.keySet().retainAll(live);
    latestSnapshotJson.keySet().retainAll(live);
    for (String id : live) {
      Session view = view(id);
      Architecture now = view == null ? null : view.architecture();
      if (now != announcedArchitecture.get(id) && now != null) {
        announcedArchitecture.put(id, now);
        String json = Protocol.architecture(now);
        clientsShown(id).forEach(c -> c.offerControl(json));
      }
    }
    // by reference first: this runs several times per snapshot
    if (engine != announcedEngine && !engine.equals(announcedEngine)) {
      announcedEngine = engine;
      String json = Protocol.engine(engine);
      clients.values().forEach(c -> c.offerControl(json));
    }
  }

  /** Branch {@code id} (null: the first), or null when it has just ended. */
  private Session view(String id) {
    try {
      return session.branch(id);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** The clients shown branch {@code id}. */
  private List<ClientConnection> clientsShown(String id) {
    String first = session.branchIds().getFirst();
    return clients.values().stream().filter(c -> id.equals(c.branch() == null ? first : c.branch())).toList();
  }

  /**
   * Sleeps until a snapshot can be due (80% of the snapshot interval after the last one sent), then
   * looks every {@link #POLL_MILLIS} until the session has published a new one; an answered command
   * wakes it at once (its effect is sent without waiting). So an idle or paused server wakes a few
   * times per snapshot, not 200 times a second.
   */
  private void broadcastLoop() {
    Map<String, Snapshot> lastSent = new java.util.HashMap<>();
    long lastSentNanos = 0;
    while (running) {
      long intervalNanos = (long) (1e9 / session.snapshotHz());
      // a little slack so a 10 Hz publisher is never skipped for arriving a millisecond early
      long quietUntil = lastSentNanos + intervalNanos * 8 / 10;
      long now = System.nanoTime();
      LockSupport.parkNanos(this, flushNextSnapshot || now >= quietUntil ? POLL_NANOS : quietUntil - now);
      if (!running) return;
      announceChanges();
      now = System.nanoTime();
      if (session.latest() == null) {
        lastSentNanos = now;  // nothing to send yet (no run attached): look again in a while
        continue;
      }
      if (!(flushNextSnapshot || now >= quietUntil)) continue;
      boolean sent = false;
      for (String id : session.branchIds()) {
        Session view = view(id);
        Snapshot latest = view == null ? null : view.latest();
        if (latest == null || latest == lastSent.get(id)) continue;
        String json = Protocol.snapshot(latest, demand);
        latestSnapshotJson.put(id, json);
        synchronized (this) {
          clientsShown(id).forEach(c -> c.offerSnapshot(json));
        }
        lastSent.put(id, latest);
        sent = true;
      }
      if (!sent) continue;
      flushNextSnapshot = false;
      lastSentNanos = now;
    }
  }

  @Override
  public void close() {
    running = false;
    broadcaster.interrupt();
    clients.values().forEach(c -> c.close(1001, "server shutting down"));
    clients.clear();
    answers.shutdownNow();
  }
}
