package org.revacnn.engine;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * Worker threads that join the caller in running one step's shards. Between steps a worker waits
 * for the next one by spinning on {@link Thread#yield} for at most {@link #SPIN_NANOS} and then
 * parking; the caller waits for the workers the same way. A step at batch 4 takes about a
 * millisecond per thread, with 0.1-0.2 ms of single-threaded work (gradient sum, optimiser) between
 * steps; waking a parked thread on this VM took long enough that two threads ran at only 1.5-1.8
 * CPUs (a thread pool, or spinning 50 us), against 1.93-1.98 when the spin outlasts the gap.
 * Yielding rather than busy-waiting matters when both threads share one CPU: the waiter then hands
 * the CPU to the thread it waits for. Pinned to one CPU (taskset), two threads ran at 91-96% of one
 * thread's speed this way, and at 77-86% with a busy spin ({@link Thread#onSpinWait}).
 */
final class ShardPool implements AutoCloseable {
  private static final long SPIN_NANOS = 250_000;

  private final Thread[] workers;
  private final AtomicInteger running = new AtomicInteger();
  private volatile long generation;
  private volatile IntConsumer job;
  private volatile Thread caller;
  private volatile Throwable failure;
  private volatile boolean closed;

  ShardPool(int workerCount) {
    workers = new Thread[workerCount];
    for (int i = 0; i < workerCount; i++) {
      int thread = i + 1;
      workers[i] = new Thread(() -> serve(thread), "revacnn-shard-" + thread);
      workers[i].setDaemon(true);
      workers[i].start();
    }
  }

  /**
   * Runs {@code work} on the caller (as thread 0) and on every worker (threads 1..) at once and
   * returns when all are done, rethrowing the first failure. {@code work} shares the step out itself.
   */
  void runOnAll(IntConsumer work) {
    if (closed) throw new IllegalStateException("shard pool is closed");
    failure = null;
    caller = Thread.currentThread();
    job = work;
    running.set(workers.length);
    generation++; // the volatile write that publishes the job; only the caller writes it
    for (Thread w : workers) LockSupport.unpark(w);
    RuntimeException own = null;
    try {
      work.accept(0);
    } catch (RuntimeException e) {
      own = e;
    }
    long since = System.nanoTime();
    while (running.get() > 0) {
      if (System.nanoTime() - since < SPIN_NANOS) Thread.yield();
      else LockSupport.park(this);
    }
    if (own != null) throw own;
    Throwable t = failure;
    if (t instanceof RuntimeException r) throw r;
    if (t instanceof Error e) throw e;
  }

  private void serve(int thread) {
    long seen = 0;
    while (true) {
      long since = System.nanoTime();
      while (generation == seen && !closed) {
        if (System.nanoTime() - since < SPIN_NANOS) Thread.yield();
        else LockSupport.park(this);
      }
      if (closed) return;
      seen = generation;
      try {
        job.accept(thread);
      } catch (Throwable t) {
        failure = t;
      }
      if (running.decrementAndGet() == 0) LockSupport.unpark(caller);
    }
  }

  @Override
  public void close() {
    closed = true;
    for (Thread w : workers) LockSupport.unpark(w);
  }
}
