package org.revacnn.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ShardPoolTest {

  @Test
  void everyThreadRunsEachStepOnceAndTheirWorkIsVisibleAfterwards() {
    try (ShardPool pool = new ShardPool(2)) {
      int[] counts = new int[3];
      for (int step = 0; step < 200; step++) {
        ConcurrentHashMap<Integer, String> seen = new ConcurrentHashMap<>();
        pool.runOnAll(thread -> {
          seen.put(thread, Thread.currentThread().getName());
          counts[thread]++; // plain writes, read by the caller after runOnAll returns
        });
        assertThat(seen).containsOnlyKeys(0, 1, 2);
        assertThat(seen.get(0)).isEqualTo(Thread.currentThread().getName());
      }
      assertThat(counts).containsExactly(200, 200, 200);
    }
  }

  @Test
  void aWorkersFailureReachesTheCallerAndThePoolKeepsWorking() {
    try (ShardPool pool = new ShardPool(1)) {
      assertThatThrownBy(() -> pool.runOnAll(thread -> {
        if (thread == 1) throw new IllegalStateException("shard broke");
      })).isInstanceOf(IllegalStateException.class).hasMessage("shard broke");
      AtomicInteger ran = new AtomicInteger();
      pool.runOnAll(thread -> ran.incrementAndGet());
      assertThat(ran).hasValue(2);
    }
  }

  @Test
  void aClosedPoolRefusesWork() {
    ShardPool pool = new ShardPool(1);
    pool.close();
    assertThatThrownBy(() -> pool.runOnAll(thread -> { })).isInstanceOf(IllegalStateException.class);
  }
}
