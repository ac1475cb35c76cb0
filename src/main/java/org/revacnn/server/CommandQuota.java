package org.revacnn.server;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The commands one client has sent that are not answered yet, at most {@link #MAX_PENDING}: a
 * client flooding commands gets an error for each one over the limit instead of filling the
 * training thread's queue. Thread-safe.
 */
final class CommandQuota {
  static final int MAX_PENDING = 64;
  static final String FULL = "too many commands waiting: " + MAX_PENDING
      + " sent earlier are not answered yet; wait for their answers before sending more";

  private final AtomicInteger pending = new AtomicInteger();

  /** Counts one more pending command, or answers false (counting nothing) when {@link #MAX_PENDING} are pending. */
  boolean tryAcquire() {
    return pending.getAndUpdate(n -> n < MAX_PENDING ? n + 1 : n) < MAX_PENDING;
  }

  /** One pending command was answered. */
  void release() {
    pending.decrementAndGet();
  }
}
