package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.junit.jupiter.api.Test;

/** The per-client sender against a Jetty session that never finishes a write: a client that has stalled completely. */
class ClientConnectionTest {
  /** Every text handed to the fake session, and the close code if it was closed. */
  private final List<String> written = new CopyOnWriteArrayList<>();
  private final List<Integer> closeCodes = new CopyOnWriteArrayList<>();

  private Session stalledSession() {
    return (Session) Proxy.newProxyInstance(Session.class.getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) ->
        switch (method.getName()) {
          case "sendText" -> {
            written.add((String) args[0]); // the callback is never completed
            yield null;
          }
          case "isOpen" -> closeCodes.isEmpty();
          case "close" -> {
            if (args != null && args.length == 3) {
              closeCodes.add((Integer) args[0]);
              ((Callback) args[2]).succeed();
            }
            yield null;
          }
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "stalled session";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }

  @Test
  void aStalledClientKeepsOnlyTheNewestSnapshotAndNeverBlocksTheCaller() throws Exception {
    ClientConnection client = new ClientConnection(stalledSession());
    client.start();
    client.offerSnapshot("first");
    awaitWritten(1);
    long start = System.nanoTime();
    for (int i = 0; i < 10_000; i++) client.offerSnapshot("snapshot " + i);
    assertThat((System.nanoTime() - start) / 1e9).as("seconds to offer 10,000 snapshots").isLessThan(2);
    assertThat(written).containsExactly("first");
    assertThat(client.droppedSnapshots()).isEqualTo(9_999);
    client.close(1000, "done");
  }

  @Test
  void aClientThatFallsTooFarBehindOnMessagesThatMustArriveIsDisconnected() throws Exception {
    ClientConnection client = new ClientConnection(stalledSession());
    client.start();
    client.offerControl("hello");
    awaitWritten(1);
    for (int i = 0; i <= ClientConnection.CONTROL_CAPACITY; i++) client.offerControl("ack " + i);
    assertThat(closeCodes).containsExactly(1008);
    assertThat(client.isOpen()).isFalse();
  }

  private void awaitWritten(int count) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (written.size() < count && System.nanoTime() < deadline) Thread.sleep(1);
    assertThat(written).hasSize(count);
  }
}
