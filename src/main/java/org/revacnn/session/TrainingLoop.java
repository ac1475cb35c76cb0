package org.revacnn.session;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The training thread shared by the branches of a run (one session until a fork, two after):
 * each round {@link TrainingSession#step() steps} every member once, in the order they joined,
 * so two training branches alternate batches (A, B, A, B, ...) and each gets half the
 * throughput. While no member trains, the thread sleeps until a task is queued for one of them
 * ({@link #wake}). Members join and leave only on the loop's own thread (a fork or keep-branch is
 * a task it runs) or before it starts; the thread ends when the last member has left.
 */
final class TrainingLoop {
  /** Longest sleep while every member is paused, as a safety net beside {@link #wake}. */
  private static final long IDLE_MILLIS = 100;

  private final List<TrainingSession> members = new CopyOnWriteArrayList<>();
  private final Semaphore work = new Semaphore(0);
  private Thread thread;

  TrainingLoop(TrainingSession first) {
    members.add(first);
  }

  /** Starts the thread (once; later calls do nothing). */
  synchronized void start() {
    if (thread != null) return;
    thread = new Thread(this::run, "revacnn-training");
    thread.setDaemon(true);
    thread.start();
  }

  void join(TrainingSession member) {
    members.add(member);
  }

  /** Removes {@code member}; the thread ends once none is left. */
  void leave(TrainingSession member) {
    members.remove(member);
    wake();
  }

  /** A task was queued for a member, or a member left: look again now. */
  void wake() {
    work.release();
  }

  /** The sessions stepped each round, in order. */
  List<TrainingSession> members() {
    return List.copyOf(members);
  }

  /** One round: every member steps once (a member that left during the round is skipped). */
  void round() {
    for (TrainingSession member : members) {
      if (members.contains(member)) member.step();
    }
  }

  private void run() {
    while (!members.isEmpty()) {
      if (members.stream().noneMatch(TrainingSession::training)) {
        try {
          work.tryAcquire(IDLE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          return;
        }
      }
      // permits released before this point are answered by the round below
      work.drainPermits();
      round();
    }
  }
}
