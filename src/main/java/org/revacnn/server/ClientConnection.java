package org.revacnn.server;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * One WebSocket client and its own sender thread (a virtual thread), so a slow client never
 * holds up training or other clients. Outgoing data is bounded: one snapshot slot where the
 * newest snapshot replaces an unsent one (latest wins; the replaced one is dropped), and a small
 * queue of messages that must not be dropped (hello, architecture, acks, errors). A message is
 * only handed to Jetty after the previous one has been written, so Jetty buffers at most one.
 * A client whose must-deliver queue overflows, or whose one write has stalled for
 * {@link #SEND_TIMEOUT_SECONDS}, is disconnected. The answers to its own messages wait for room
 * instead, which slows a client that floods commands down to the pace at which it reads the
 * answers; its unanswered commands are counted by its {@link CommandQuota}.
 */
final class ClientConnection {
  static final int CONTROL_CAPACITY = 256;
  static final long SEND_TIMEOUT_SECONDS = 30;

  private final Session session;
  private final BlockingQueue<String> control = new ArrayBlockingQueue<>(CONTROL_CAPACITY);
  private final AtomicReference<String> snapshot = new AtomicReference<>();
  private final Semaphore wakeUp = new Semaphore(0);
  private final AtomicLong droppedSnapshots = new AtomicLong();
  private final CommandQuota quota = new CommandQuota();
  private final Thread sender;
  private volatile boolean open = true;
  /** The branch this client is shown (docs/PROTOCOL.md "Fork"); null: the run's first. */
  private volatile String branch;

  ClientConnection(Session session) {
    this.session = session;
    this.sender = Thread.ofVirtual().name("revacnn-ws-sender").unstarted(this::sendLoop);
  }

  void start() {
    sender.start();
  }

  /** Offers the newest snapshot; an unsent older one is dropped. Never blocks. */
  void offerSnapshot(String json) {
    if (snapshot.getAndSet(json) != null) droppedSnapshots.incrementAndGet();
    wakeUp.release();
  }

  /** Queues a message that must arrive (in order); a client too far behind is disconnected. Never blocks. */
  void offerControl(String json) {
    if (!control.offer(json)) {
      close(1008, "client too slow: more than " + CONTROL_CAPACITY + " messages waiting");
      return;
    }
    wakeUp.release();
  }

  /**
   * Queues the answer to one of this client's own messages, waiting while the queue is full;
   * disconnects a client that has read nothing for {@link #SEND_TIMEOUT_SECONDS}.
   */
  void offerAnswer(String json) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SEND_TIMEOUT_SECONDS);
    try {
      while (open) {
        if (control.offer(json, 100, TimeUnit.MILLISECONDS)) {
          wakeUp.release();
          return;
        }
        if (System.nanoTime() > deadline) {
          close(1008, "client too slow: its answers have waited " + SEND_TIMEOUT_SECONDS + " s");
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  String branch() {
    return branch;
  }

  /** Shows this client branch {@code id} from now on (null: the first); an unsent snapshot of the old one is dropped. */
  void showBranch(String id) {
    branch = id;
    snapshot.set(null);
  }

  CommandQuota quota() {
    return quota;
  }

  long droppedSnapshots() {
    return droppedSnapshots.get();
  }

  boolean isOpen() {
    return open && session.isOpen();
  }

  /** Stops the sender; closes the socket with {@code code} and {@code reason} when it is still open. */
  void close(int code, String reason) {
    open = false;
    sender.interrupt();
    if (session.isOpen()) session.close(code, reason, Callback.NOOP);
  }

  private void sendLoop() {
    try {
      while (open) {
        wakeUp.acquire();
        wakeUp.drainPermits();
        for (String message; open && (message = control.poll()) != null; ) send(message);
        String latest = snapshot.getAndSet(null);
        if (open && latest != null) send(latest);
      }
    } catch (InterruptedException e) {
      // closed
    } catch (ExecutionException | TimeoutException e) {
      close(1011, "send failed or stalled: " + e.getClass().getSimpleName());
    }
  }

  /** Hands one message to Jetty and waits until it has been written. */
  private void send(String message) throws InterruptedException, ExecutionException, TimeoutException {
    if (!session.isOpen()) {
      open = false;
      return;
    }
    Callback.Completable written = new Callback.Completable();
    session.sendText(message, written);
    written.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }
}
