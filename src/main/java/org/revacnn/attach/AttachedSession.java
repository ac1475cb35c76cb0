package org.revacnn.attach;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.FilterVectors;
import org.revacnn.analytics.ImageMap;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.TsneConfig;
import org.revacnn.analytics.TsneKind;
import org.revacnn.analytics.TsneService;
import org.revacnn.engine.Architecture;
import org.revacnn.session.BranchedSession;
import org.revacnn.session.CheckpointFolder;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;
import org.revacnn.session.Commands;
import org.revacnn.session.EngineInfo;
import org.revacnn.session.ErrorText;
import org.revacnn.session.History;
import org.revacnn.session.RunsFolder;
import org.revacnn.session.Session;
import org.revacnn.session.Snapshot;
import org.revacnn.session.SteeringEntry;
import org.revacnn.session.TrainingSession;

/**
 * The session of {@code revacnn serve --attach}: no engine of its own; one PyTorch run at a time
 * connects over WebSocket {@code /engine} (docs/ENGINE.md) and trains, this side keeps the
 * history across runs, forwards commands and answers, and computes the analytics (t-SNE) from the
 * vectors the run sends on request.
 *
 * <p>Threads: the engine endpoint calls {@link #connect}, {@link #receive} and {@link #disconnected}
 * (one connection's messages in order); commands and requests come from any thread. The run's state
 * is guarded by this object's lock; published values ({@link #latest}, {@link #architecture},
 * {@link #engine}) are immutable and volatile.
 */
public final class AttachedSession implements Session {
  /** How long a computed t-SNE map is reused, as for the built-in engine. */
  private static final long TSNE_CACHE_MILLIS = TrainingSession.TSNE_CACHE_MILLIS;
  private static final double DEFAULT_SNAPSHOT_HZ = 10;
  /** How long GET /api/engine waits for fresh checksums (the run answers at its next step boundary) before it gives the last reported. */
  static final long CHECKSUM_WAIT_SECONDS = 10;

  /** What needs the server's own network or data, with why an attached run cannot have it. */
  static final Map<String, String> UNSUPPORTED_FEATURES = Map.of(
      "test-view", "the test view evaluates the server's test images; an attached run brings its own data",
      "classify", "classifying an upload needs the model in this server; an attached run's model lives in its own process",
      "activation-maps", "activation maps of validation images are not sent by an attached run (engine protocol 2)",
      "image-map", "the image map needs validation images, which an attached run keeps to itself",
      "recommendations", "recommendations need APoZ and Taylor statistics, which an attached run does not send (engine protocol 2)",
      "checkpoint-download", "an attached run saves its checkpoints itself: use Save checkpoint",
      "weights-download", "an attached run's weights stay in its process: use Save checkpoint (torch.save)",
      "dataset-images", "the images belong to the attached run; the server has none");
  /** Commands an attached run never takes, with the reason. */
  static final Map<String, String> UNSUPPORTED_COMMANDS = Map.of(
      "reset", "an attached run builds its own model; restart the training script for a new one",
      "set-probe", "an attached run keeps the probe image it was started with (revacnn.attach(probe=...))");

  /** Something that carries messages to the attached run (its WebSocket connection). */
  public interface Link {
    void send(String json);

    /** Ends the connection, telling the run why. */
    void close(String reason);
  }

  private record Pending(Command command, Map<String, Object> payload, CompletableFuture<CommandResult> answer) {}

  private final CheckpointFolder checkpoints;
  private final History history = new History();
  private final AttachedRuns kept;
  private final TsneService tsne = new TsneService(TsneConfig.defaults(), TSNE_CACHE_MILLIS);
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<FilterVectors>> vectorRequests = new ConcurrentHashMap<>();
  /** Checksum requests; completed with null when the run leaves first. */
  private final Map<String, CompletableFuture<List<EngineInfo.Rank>>> checksumRequests = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private volatile EngineInfo engine = waiting("waiting for a PyTorch run to connect");
  private volatile Architecture architecture;
  private volatile Snapshot latest;
  private volatile AgentMessages.Hello hello;
  private Link link;
  private boolean greeted;
  /** Steps and examples of the runs before this one, added to this run's own counts. */
  private long stepOffset;
  private long examplesOffset;
  private long lastStep;
  private long lastExamples;

  /** @param checkpointFolder the only folder a save-checkpoint command may name (serve --checkpoint-dir) */
  public AttachedSession(Path checkpointFolder) {
    this(checkpointFolder, null);
  }

  /**
   * @param checkpointFolder the only folder a save-checkpoint command may name (serve --checkpoint-dir)
   * @param runs             where each attached run is kept as a run (serve --runs), or null to keep none
   */
  public AttachedSession(Path checkpointFolder, RunsFolder runs) {
    this.checkpoints = new CheckpointFolder(checkpointFolder);
    this.kept = runs == null ? null : new AttachedRuns(runs);
  }

  // ---- the engine endpoint ----

  /** A run connected; false when another one is attached (the caller then closes the new one). */
  public synchronized boolean connect(Link candidate) {
    if (link != null) return false;
    link = candidate;
    greeted = false;
    return true;
  }

  /** One text message from the run on {@code from}. A message that cannot be read is answered with an error. */
  public void receive(Link from, String text) {
    AgentMessages.Envelope message;
    try {
      message = AgentMessages.envelope(text);
    } catch (IllegalArgumentException e) {
      from.send(AgentMessages.message("error", null, Map.of("message", e.getMessage())));
      return;
    }
    try {
      synchronized (this) {
        if (from != link) return;
        if (!greeted && !message.type().equals("hello")) {
          throw new IllegalArgumentException("the first message must be a hello, got '" + ErrorText.clip(message.type()) + "'");
        }
        switch (message.type()) {
          case "hello" -> greet(AgentMessages.payload(message, AgentMessages.Hello.class));
          case "architecture" -> reshape(AgentMessages.payload(message, AgentMessages.Layers.class));
          case "snapshot" -> observe(AgentMessages.payload(message, AgentMessages.Statistics.class));
          case "ack", "error" -> answer(message);
          case "vectors" -> vectors(message.id(), AgentMessages.payload(message, AgentMessages.Vectors.class));
          case "checksums" -> checksums(message.id(), AgentMessages.payload(message, AgentMessages.Checksums.class));
          case "bye" -> end(AgentMessages.payload(message, AgentMessages.Bye.class));
          default -> throw new IllegalArgumentException("unknown message type '" + ErrorText.clip(message.type())
              + "'; expected hello, architecture, snapshot, ack, error, vectors, checksums or bye");
        }
      }
    } catch (IllegalArgumentException e) {
      from.send(AgentMessages.message("error", message.id(), Map.of("message", e.getMessage())));
    }
  }

  /** The run's connection closed: a run that did not say goodbye has dropped. */
  public synchronized void disconnected(Link from) {
    if (from != link) return;
    link = null;
    if (engine.state().equals("attached")) {
      engine = engine.withState("dropped",
          "the run disconnected at step " + lastStep + " without saying goodbye; waiting for a new run");
      if (latest != null) latest = RemoteSnapshot.stopped(latest, "dropped");
    }
    if (kept != null) kept.ended(history);
    failPending("the run disconnected before answering");
  }

  private void greet(AgentMessages.Hello h) {
    if (greeted) throw new IllegalArgumentException("this run already said hello");
    if (h.protocolVersion() != AgentMessages.PROTOCOL_VERSION) {
      link.close("engine protocol " + h.protocolVersion() + " is not supported; this server speaks " + AgentMessages.PROTOCOL_VERSION);
      return;
    }
    if (h.architecture() == null) throw new IllegalArgumentException("bad hello payload: it has no architecture");
    int classes = h.classNames() != null ? h.classNames().size() : 0;
    RemoteArchitecture shape = RemoteArchitecture.of(h.architecture(), classes);
    stepOffset = lastStep;
    examplesOffset = lastExamples;
    hello = h;
    greeted = true;
    architecture = shape.architecture();
    engine = new EngineInfo(EngineInfo.PYTORCH, "attached", engine.run() + 1, h.framework(), h.device(), h.worldSize(),
        h.ranks() == null ? List.of() : h.ranks(), null, unsupported(h.commands()), shape.refused());
    latest = null;
    keep(h);
  }

  /** Starts keeping the run that said hello in the runs folder; a folder that cannot be written only costs the record. */
  private void keep(AgentMessages.Hello h) {
    if (kept == null) return;
    try {
      kept.started(h, architecture, history);
    } catch (IOException | RuntimeException e) {
      engine = engine.withMessage("this run is not kept in the runs folder: " + ErrorText.clip(String.valueOf(e.getMessage())));
    }
  }

  private void reshape(AgentMessages.Layers layers) {
    RemoteArchitecture shape = RemoteArchitecture.of(layers, architecture.classes());
    architecture = shape.architecture();
    engine = engine.withShape(layers.ranks() == null ? engine.ranks() : layers.ranks(), shape.refused());
  }

  private void observe(AgentMessages.Statistics statistics) {
    Snapshot snapshot = RemoteSnapshot.of(statistics, architecture, stepOffset, examplesOffset, statistics.state(), latest);
    if (snapshot.step() > lastStep && Double.isFinite(snapshot.loss())) {
      history.addStep(snapshot.step(), snapshot.loss(), snapshot.trainAccuracy(), snapshot.examplesSeen(), snapshot.wallMillis(),
          snapshot.imagesPerSecond());
    }
    lastStep = Math.max(lastStep, snapshot.step());
    lastExamples = Math.max(lastExamples, snapshot.examplesSeen());
    latest = snapshot;
  }

  private void answer(AgentMessages.Envelope message) {
    AgentMessages.Answer a = AgentMessages.payload(message, AgentMessages.Answer.class);
    if (a.ranks() != null && !a.ranks().isEmpty()) engine = engine.withRanks(a.ranks());
    Pending command = message.id() == null ? null : pending.remove(message.id());
    if (command == null) {
      // an error of the run's own (the ranks disagree, a message it could not read): show it
      if (message.type().equals("error") && a.message() != null) engine = engine.withMessage(ErrorText.clip(a.message()));
      return;
    }
    if (message.type().equals("error")) {
      command.answer().complete(CommandResult.error(a.message() == null ? "the run refused the command" : a.message()));
      return;
    }
    Map<String, Object> changes = a.changes() == null ? Map.of() : a.changes();
    if (changes.isEmpty()) {
      command.answer().complete(new CommandResult(true, a.message() == null ? "nothing changed" : a.message(), Map.of()));
      return;
    }
    history.addSteering(new SteeringEntry(lastStep, 0, System.currentTimeMillis(), command.command().type(), command.payload(),
        changes));
    command.answer().complete(CommandResult.ok(changes));
  }

  private void vectors(String id, AgentMessages.Vectors v) {
    CompletableFuture<FilterVectors> request = id == null ? null : vectorRequests.remove(id);
    if (request == null) throw new IllegalArgumentException("vectors answer no request (id " + ErrorText.clip(String.valueOf(id)) + ")");
    try {
      request.complete(flatten(v));
    } catch (IllegalArgumentException e) {
      request.completeExceptionally(e);
      throw e;
    }
  }

  private void checksums(String id, AgentMessages.Checksums answer) {
    CompletableFuture<List<EngineInfo.Rank>> request = id == null ? null : checksumRequests.remove(id);
    if (request == null) throw new IllegalArgumentException("checksums answer no request (id " + ErrorText.clip(String.valueOf(id)) + ")");
    if (answer.ranks() == null || answer.ranks().isEmpty()) throw new IllegalArgumentException("bad checksums payload: no ranks");
    engine = engine.withRanks(answer.ranks());
    request.complete(answer.ranks());
  }

  private void end(AgentMessages.Bye bye) {
    long step = stepOffset + (bye.step() == null ? lastStep - stepOffset : bye.step());
    engine = engine.withState("ended", "the run ended at step " + step + " (" + ErrorText.clip(String.valueOf(bye.reason()))
        + "); waiting for a new run");
    if (latest != null) latest = RemoteSnapshot.stopped(latest, "ended");
    if (kept != null) kept.ended(history);
    failPending("the run ended before answering");
    link = null;
  }

  private void failPending(String why) {
    pending.values().forEach(p -> p.answer().complete(CommandResult.error(why)));
    pending.clear();
    vectorRequests.values().forEach(r -> r.completeExceptionally(new IllegalStateException(why)));
    vectorRequests.clear();
    checksumRequests.values().forEach(r -> r.complete(null));
    checksumRequests.clear();
  }

  /** Before the first run: what no attached run can do (commands wait for a run to say what it takes). */
  private static EngineInfo waiting(String message) {
    Map<String, String> unsupported = new LinkedHashMap<>(UNSUPPORTED_FEATURES);
    unsupported.putAll(UNSUPPORTED_COMMANDS);
    return new EngineInfo(EngineInfo.PYTORCH, "waiting", 0, null, null, 0, List.of(), message, unsupported, Map.of());
  }

  /** The features no attached run has, and the commands this run did not list in its hello. */
  private static Map<String, String> unsupported(List<String> commands) {
    Map<String, String> all = new LinkedHashMap<>(UNSUPPORTED_FEATURES);
    for (String type : Commands.TYPES.keySet()) {
      if (commands == null || !commands.contains(type)) {
        all.put(type, UNSUPPORTED_COMMANDS.getOrDefault(type, "this run does not take '" + type + "' commands"));
      }
    }
    return all;
  }

  private static FilterVectors flatten(AgentMessages.Vectors v) {
    if (v.ids() == null || v.vectors() == null || v.ids().size() != v.vectors().size() || v.ids().isEmpty()) {
      throw new IllegalArgumentException("bad vectors payload: ids and vectors must be lists of the same, non-zero length");
    }
    int dimensions = v.vectors().get(0).length;
    float[] flat = new float[v.ids().size() * dimensions];
    for (int i = 0; i < v.ids().size(); i++) {
      float[] row = v.vectors().get(i);
      if (row.length != dimensions) throw new IllegalArgumentException("bad vectors payload: rows of different lengths");
      System.arraycopy(row, 0, flat, i * dimensions, dimensions);
    }
    return new FilterVectors(v.layer(), TsneKind.parse(v.kind()), List.copyOf(v.ids()), flat, dimensions);
  }

  // ---- Session ----

  @Override
  public CompletableFuture<CommandResult> submit(Command command) {
    String type = command.type();
    if (command instanceof Command.Fork || command instanceof Command.KeepBranch || command instanceof Command.ShowBranch) {
      return CompletableFuture.completedFuture(CommandResult.error(BranchedSession.NOT_BRANCHED));
    }
    Map<String, Object> logged = Commands.payload(command);
    Map<String, Object> sent;
    String id = "c" + nextId.incrementAndGet();
    synchronized (this) {
      EngineInfo e = engine;
      if (link == null || !e.live()) {
        return CompletableFuture.completedFuture(CommandResult.error("cannot " + type + ": no PyTorch run is attached ("
            + e.message() + ")"));
      }
      String unsupported = e.unsupported().get(type);
      if (unsupported != null) return CompletableFuture.completedFuture(CommandResult.error("cannot " + type + ": " + unsupported));
      try {
        sent = command instanceof Command.SaveCheckpoint save ? checkpointPayload(save) : logged;
      } catch (IllegalArgumentException e2) {
        return CompletableFuture.completedFuture(CommandResult.error(e2.getMessage()));
      } catch (IOException e2) {
        return CompletableFuture.completedFuture(CommandResult.error("cannot save the checkpoint: " + ErrorText.reason(e2)));
      }
      Pending p = new Pending(command, logged, new CompletableFuture<>());
      pending.put(id, p);
      link.send(AgentMessages.message(type, id, sent));
      return p.answer();
    }
  }

  /**
   * What a save-checkpoint sends the run: its name checked against the checkpoint folder's rules
   * here, and the folder (the run writes it there).
   */
  private Map<String, Object> checkpointPayload(Command.SaveCheckpoint save) throws IOException {
    boolean overwrite = Boolean.TRUE.equals(save.overwrite());
    Path target = checkpoints.target(save.name(), overwrite, lastStep);
    return Map.of("folder", target.getParent().toString(), "name", target.getFileName().toString(), "overwrite", overwrite);
  }

  @Override
  public Snapshot latest() {
    return latest;
  }

  @Override
  public Architecture architecture() {
    return architecture;
  }

  @Override
  public History history() {
    return history;
  }

  @Override
  public EngineInfo engine() {
    return engine;
  }

  /**
   * Asks the run to hash its weights now (every rank, between two steps); a run that cannot, or
   * does not answer within {@link #CHECKSUM_WAIT_SECONDS}, has its last reported ones.
   */
  @Override
  public synchronized CompletableFuture<EngineInfo> engineWithChecksums() {
    AgentMessages.Hello h = hello;
    if (link == null || !engine.live() || h.requests() == null || !h.requests().contains("checksums")) {
      return CompletableFuture.completedFuture(engine);
    }
    String id = "k" + nextId.incrementAndGet();
    CompletableFuture<List<EngineInfo.Rank>> answer = new CompletableFuture<>();
    checksumRequests.put(id, answer);
    link.send(AgentMessages.message("checksums", id, Map.of()));
    return answer.completeOnTimeout(null, CHECKSUM_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS).thenApply(ranks -> {
      checksumRequests.remove(id);
      return engine;
    });
  }

  @Override
  public double snapshotHz() {
    AgentMessages.Hello h = hello;
    return h != null && h.snapshotHz() > 0 ? h.snapshotHz() : DEFAULT_SNAPSHOT_HZ;
  }

  @Override
  public String dataDescription() {
    EngineInfo e = engine;
    return e.framework() == null ? "no PyTorch run has attached yet"
        : "the images of an attached PyTorch run (" + e.framework() + " on " + e.device() + ")";
  }

  @Override
  public List<String> classNames() {
    AgentMessages.Hello h = hello;
    return h == null || h.classNames() == null ? List.of() : List.copyOf(h.classNames());
  }

  @Override
  public CompletableFuture<FilterMap> filterMap(String layerId, TsneKind kind) {
    return tsne.filterMap(layerId, kind, () -> requestVectors(layerId, kind));
  }

  /** Asks the run for one layer's vectors; answered between two of its steps. */
  private synchronized CompletableFuture<FilterVectors> requestVectors(String layerId, TsneKind kind) {
    if (link == null || !engine.live()) return CompletableFuture.failedFuture(new IllegalStateException("no PyTorch run is attached"));
    String id = "v" + nextId.incrementAndGet();
    CompletableFuture<FilterVectors> answer = new CompletableFuture<>();
    vectorRequests.put(id, answer);
    link.send(AgentMessages.message("vectors", id, Map.of("layer", layerId, "kind", kind.label())));
    return answer;
  }

  @Override
  public CompletableFuture<ImageMap> imageMap() {
    return CompletableFuture.failedFuture(new IllegalStateException(UNSUPPORTED_FEATURES.get("image-map")));
  }

  @Override
  public CompletableFuture<Recommendations> recommendations() {
    return CompletableFuture.failedFuture(new IllegalStateException(UNSUPPORTED_FEATURES.get("recommendations")));
  }

  @Override
  public Optional<TrainingSession> inProcess() {
    return Optional.empty();
  }

  @Override
  public void close() {
    Link l;
    synchronized (this) {
      l = link;
      link = null;
      if (kept != null) kept.ended(history);
      failPending("the server is shutting down");
    }
    if (l != null) l.close("the server is shutting down");
    tsne.close();
  }
}
