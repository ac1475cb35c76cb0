package org.revacnn.session;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.ImageMap;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.TsneKind;
import org.revacnn.engine.Architecture;

/**
 * An in-process run that can fork (docs/PROTOCOL.md "Fork"): {@code fork} splits it into two
 * branches from one state, trained in turn on one thread ({@link TrainingLoop}); {@code keep-branch}
 * ends the other. Branch ids are letters given in order and never reused or renamed: A, then B
 * for the first fork; after keeping B, the next fork makes C. At most {@link #MAX_BRANCHES} are
 * live. Each branch is a {@link TrainingSession} and, with a runs folder, a run of its own: a fork
 * of run R is the run R-forkN, whose log starts with R's history up to the fork.
 *
 * <p>Every other command goes to one branch, the one named (null: the first); what this class
 * answers for itself (the network, the history, the maps) is the first branch's. Threads: forks and
 * keep-branch run as tasks on the training thread, so branches change between batches only;
 * reading the branches is safe from any thread.
 */
public final class BranchedSession implements Session {
  /** Live branches at most: one run and one what-if. */
  public static final int MAX_BRANCHES = 2;
  /** The steering entry of a fork, logged in both branches. */
  public static final String FORKED = "fork";
  /** The steering entry of a kept branch, and of each branch it ended. */
  public static final String KEPT = "keep-branch";
  public static final String NOT_BRANCHED = "this session cannot fork or keep branches: only a server's in-process run can "
      + "(fork, keep-branch and show-branch go to revacnn serve)";

  /** A live branch: its id, its session and its run in the runs folder (null when none is kept). */
  public record Branch(String id, TrainingSession session, Run run) {
    /** The run's name, or null. */
    public String runName() {
      return run == null ? null : run.name();
    }
  }

  private final RunsFolder runs;
  private final List<Branch> branches = new CopyOnWriteArrayList<>();
  private int idsGiven;
  private volatile SnapshotDemand demand = SnapshotDemand.NONE;

  /**
   * The run {@code first} (branch A), forking into {@code runs} next to {@code run}; with either
   * null forks keep no run.
   */
  public BranchedSession(TrainingSession first, RunsFolder runs, Run run) {
    this.runs = runs;
    branches.add(new Branch(nextId(), first, runs == null ? null : run));
  }

  /** The message for a branch id that is not live. */
  static String unknownBranch(String id, List<String> live) {
    return "no live branch '" + ErrorText.clip(id) + "'; the live branches are " + live;
  }

  /** The live branches, oldest first. */
  public List<Branch> branches() {
    return List.copyOf(branches);
  }

  @Override
  public List<String> branchIds() {
    return branches.stream().map(Branch::id).toList();
  }

  @Override
  public TrainingSession branch(String id) {
    return find(id).session();
  }

  private Branch find(String id) {
    List<Branch> live = branches();
    if (id == null) return live.getFirst();
    for (Branch b : live) {
      if (b.id().equals(id)) return b;
    }
    throw new IllegalArgumentException(unknownBranch(id, live.stream().map(Branch::id).toList()));
  }

  private TrainingSession first() {
    return branches().getFirst().session();
  }

  @Override
  public CompletableFuture<CommandResult> submit(Command command) {
    return submit(null, command);
  }

  /**
   * Queues {@code command} for branch {@code id} (null: the first): a fork forks that branch, a
   * keep-branch runs on the branch it keeps; every other command is that branch's own.
   */
  @Override
  public CompletableFuture<CommandResult> submit(String id, Command command) {
    Branch target;
    try {
      target = find(command instanceof Command.KeepBranch keep ? required(keep.branch()) : id);
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(CommandResult.error(e.getMessage()));
    }
    return switch (command) {
      case Command.Fork f -> target.session().submit(f.type(), () -> fork(target.id()));
      case Command.KeepBranch k -> target.session().submit(k.type(), () -> keep(target.id()));
      case Command.ShowBranch s -> CompletableFuture.completedFuture(CommandResult.error(
          "show-branch chooses what a WebSocket client is shown; over REST, name the branch in each command instead"));
      default -> target.session().submit(command);
    };
  }

  /**
   * One round of the run's training loop on the calling thread: every live branch runs its queued
   * tasks, then trains one batch if it is training. For a headless driver that owns the loop
   * ({@code revacnn experiment grow}): only when {@code start} was never called.
   */
  public void round() {
    first().loop().round();
  }

  /** Queues {@code command} for branch {@code id} (null: the first) and runs the round that applies it (as {@link #round}). */
  public CommandResult applyNow(String id, Command command) {
    CompletableFuture<CommandResult> answer = submit(id, command);
    round();
    return answer.join();
  }

  private static String required(String branch) {
    if (branch == null) throw new IllegalArgumentException("keep-branch needs branch: the id of the branch to keep");
    return branch;
  }

  /** Forks branch {@code id} (training thread); refused, changing nothing, when it is no longer live or the limit is reached. */
  private CommandResult fork(String id) throws IOException {
    Branch parent = find(id);
    if (branches.size() >= MAX_BRANCHES) {
      return CommandResult.error("already forked into " + String.join(" and ", branchIds())
          + ": keep one (keep-branch) before forking again");
    }
    Run run = parent.run() == null ? null : createForkRun(parent);
    RunLog log = null;
    TrainingSession child = null;
    try {
      log = run == null ? null : RunLog.open(run.historyFile());
      child = parent.session().fork(run == null ? null : run.checkpointFile(), log);
      child.demand(demand);
      if (run != null) child.saveCheckpoint(run.checkpointFile());
    } catch (IOException | RuntimeException e) {
      if (child != null) child.close();
      else if (log != null) log.close();
      if (run != null) runs.remove(run.name());
      throw e;
    }
    Branch branch = new Branch(nextId(), child, run);
    branches.add(branch);
    long step = parent.session().sessionStep();
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("branches", branchIds());
    changes.put("forked", branch.id());
    changes.put("from", parent.id());
    changes.put("step", step);
    if (run != null) changes.put("run", run.name());
    SteeringEntry entry = new SteeringEntry(step, child.epoch(), System.currentTimeMillis(), FORKED, Map.of("branch", parent.id()),
        changes);
    parent.session().history().addSteering(entry);
    child.history().addSteering(entry);
    parent.session().publish();
    child.publish();
    return CommandResult.ok(changes);
  }

  /** A fresh run {@code PARENT-forkN} (the lowest free N) with the parent's config.json, renamed. */
  private Run createForkRun(Branch parent) throws IOException {
    RunConfig c = runs.config(parent.run());
    TrainingSession session = parent.session();
    RunConfig config = new RunConfig(null, java.time.Instant.now().toString(), session.config().model(), c.dataset(), c.data(),
        c.validationImages(), c.seed(), c.augment(), session.hyperparameters(), c.startedFrom());
    for (int n = 1; ; n++) {
      String name = parent.runName() + "-fork" + n;
      if (!runs.exists(name)) return runs.create(name, config);
    }
  }

  /**
   * Ends every branch but {@code id} (training thread): each answers its queued work, then is closed
   * (autosaved, its log closed) and its run kept.
   */
  private CommandResult keep(String id) {
    Branch kept = find(id);
    List<Branch> ended = branches().stream().filter(b -> b != kept).toList();
    if (ended.isEmpty()) return CommandResult.error("not forked: there is no other branch to end (fork first)");
    Map<String, Object> changes = new LinkedHashMap<>();
    changes.put("kept", kept.id());
    changes.put("ended", ended.stream().map(Branch::id).toList());
    List<String> endedRuns = new ArrayList<>();
    ended.forEach(b -> {
      if (b.run() != null) endedRuns.add(b.runName());
    });
    if (!endedRuns.isEmpty()) changes.put("endedRuns", endedRuns);
    for (Branch b : ended) {
      TrainingSession s = b.session();
      s.history().addSteering(new SteeringEntry(s.sessionStep(), s.epoch(), System.currentTimeMillis(), KEPT,
          Map.of("branch", kept.id()), changes));
      branches.remove(b);
      s.runQueuedTasks();  // commands and reads sent to it before the keep are answered
      s.close();
    }
    TrainingSession s = kept.session();
    s.history().addSteering(new SteeringEntry(s.sessionStep(), s.epoch(), System.currentTimeMillis(), KEPT,
        Map.of("branch", kept.id()), changes));
    s.publish();
    return CommandResult.ok(changes);
  }

  /** A, B, ..., Z, AA, AB, ... (spreadsheet columns). */
  private String nextId() {
    StringBuilder id = new StringBuilder();
    for (int n = ++idsGiven; n > 0; n = (n - 1) / 26) id.insert(0, (char) ('A' + (n - 1) % 26));
    return id.toString();
  }

  // ---- the first branch answers for the run ----

  @Override
  public Snapshot latest() {
    return first().latest();
  }

  @Override
  public Architecture architecture() {
    return first().architecture();
  }

  @Override
  public History history() {
    return first().history();
  }

  @Override
  public EngineInfo engine() {
    return first().engine();
  }

  @Override
  public CompletableFuture<EngineInfo> engineWithChecksums() {
    return first().engineWithChecksums();
  }

  @Override
  public double snapshotHz() {
    return first().snapshotHz();
  }

  @Override
  public String dataDescription() {
    return first().dataDescription();
  }

  @Override
  public List<String> classNames() {
    return first().classNames();
  }

  @Override
  public CompletableFuture<FilterMap> filterMap(String layerId, TsneKind kind) {
    return first().filterMap(layerId, kind);
  }

  @Override
  public CompletableFuture<ImageMap> imageMap() {
    return first().imageMap();
  }

  @Override
  public CompletableFuture<Recommendations> recommendations() {
    return first().recommendations();
  }

  @Override
  public Optional<TrainingSession> inProcess() {
    return Optional.of(first());
  }

  /** What the clients' views need: every branch builds its snapshots for it, a fork from when it is made. */
  @Override
  public void demand(SnapshotDemand demand) {
    this.demand = demand;
    for (Branch b : branches) b.session().demand(demand);
  }

  /** Closes every branch (each autosaves and closes its run's log). */
  @Override
  public void close() {
    for (Branch b : branches()) b.session().close();
  }
}
