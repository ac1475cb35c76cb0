package org.revacnn.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A queued task that fails in a way nobody planned for (here: an Error and an unchecked exception
 * of an unexpected type) becomes a readable error for its caller; the training thread lives on
 * and the session keeps training.
 */
class TaskFailureTest {
  @Test
  void anUnexpectedFailureInAQueryLeavesTheTrainingThreadRunning() throws Exception {
    try (TrainingSession s = SessionFixtures.session()) {
      s.start(false);
      CompletableFuture<Object> failed = s.query(net -> {
        throw new StackOverflowError("deep");
      });
      assertThatThrownBy(() -> failed.get(20, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
          .cause().isInstanceOf(IllegalStateException.class)
          .hasMessage("internal error while running a request; the session goes on (details in the server log)");
      CompletableFuture<Object> unsupported = s.query(net -> {
        throw new UnsupportedOperationException("surprise");
      });
      assertThatThrownBy(() -> unsupported.get(20, TimeUnit.SECONDS)).cause().isInstanceOf(IllegalStateException.class);

      assertThat(s.submit(new Command.Step(3)).get(20, TimeUnit.SECONDS).ok()).isTrue();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (s.sessionStep() < 3 && System.nanoTime() < deadline) Thread.onSpinWait();
      assertThat(s.sessionStep()).isEqualTo(3);
    }
  }

  @Test
  void anUnexpectedFailureInACommandBecomesAnErrorResult() throws Exception {
    try (TrainingSession s = SessionFixtures.session()) {
      CompletableFuture<CommandResult> result = s.submit("pause", () -> {
        throw new ClassCastException("unplanned");
      });
      s.step();
      assertThat(result.join().message()).isEqualTo("internal error while running 'pause'; the session goes on (details in the server log)");
      SessionFixtures.train(s, 2);
      assertThat(s.sessionStep()).isEqualTo(2);
    }
  }
}
