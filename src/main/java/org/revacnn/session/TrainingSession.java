package org.revacnn.session;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.revacnn.analytics.ActivationStatistics;
import org.revacnn.analytics.FilterMap;
import org.revacnn.analytics.FilterStatistics;
import org.revacnn.analytics.FilterVectors;
import org.revacnn.analytics.ImageMap;
import org.revacnn.analytics.ImageVectors;
import org.revacnn.analytics.LayerReport;
import org.revacnn.analytics.Recommendations;
import org.revacnn.analytics.Recommender;
import org.revacnn.analytics.TsneConfig;
import org.revacnn.analytics.TsneKind;
import org.revacnn.analytics.TsneService;
import org.revacnn.data.BatchSampler;
import org.revacnn.data.Datasets;
import org.revacnn.data.ImageSet;
import org.revacnn.data.Normalization;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.Network;
import org.revacnn.engine.NetworkState;
import org.revacnn.engine.Param;
import org.revacnn.engine.StepResult;

/**
 * One live training run: a network, its data and optimiser settings, trained on one thread.
 *
 * <p>Threads: only the training thread (its {@link TrainingLoop}, shared with the other branches
 * of a forked run, or a test calling {@link #step()}) touches the network. Other threads {@link #submit} commands or
 * {@link #query} the network; both become tasks the training thread runs between batches, each
 * as one transaction. Published results ({@link #latest()}, {@link #architecture()},
 * {@link #history()}) are immutable copies or synchronised, safe from any thread.
 */
public final class TrainingSession implements Session {
  /** Validation images in the analysis batch of the activation statistics (APoZ, Taylor). */
  public static final int ANALYSIS_IMAGES = 8;
  /** Network steps between two analysis rounds. */
  public static final int ANALYSIS_EVERY = 50;
  /** Validation images in the t-SNE image map. */
  public static final int IMAGE_MAP_IMAGES = 500;
  /** How long a computed t-SNE map is reused. */
  public static final long TSNE_CACHE_MILLIS = 3000;
  /** The answer to work queued for a closed session (or an ended branch). */
  static final String CLOSED = "the session is closed";

  private volatile SessionConfig config;
  private final Datasets data;
  private final Normalization normalization;
  private final BatchSampler sampler;
  private final History history;
  private final FilterStatistics statistics = new FilterStatistics();
  private final ActivationStatistics activationStatistics;
  private final TsneService tsne = new TsneService(TsneConfig.defaults(), TSNE_CACHE_MILLIS);
  private final BlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
  private final AtomicReference<Snapshot> latest = new AtomicReference<>();
  private final AtomicReference<Architecture> architecture = new AtomicReference<>();
  private final Deque<CommandApplier.UndoStep> undoStack = new ArrayDeque<>();
  private final SnapshotBuilder snapshots;
  private final CommandApplier commands;
  private Network network;
  private Hyperparameters hyper;
  private final DivergenceGuard guard;
  private final LastGoodState lastGood;
  private volatile boolean running;
  private volatile boolean closed;
  private boolean started;
  private int stepsLeft;
  private long sessionStep;
  private long examplesSeen;
  private String alert;
  private float[] batchImages = new float[0];
  private int[] batchLabels = new int[0];
  private double imagesPerSecond;
  private long lastStepNanos;
  private long lastPublishNanos;
  private long lastAutosaveNanos = System.nanoTime();
  /** Held while a step runs, so {@link #close} from another thread waits for the step to end. */
  private final Object stepping = new Object();
  private TrainingLoop loop;
  private float[] imageMapPixels;
  private RunLog runLog;
  private volatile SnapshotDemand demand = SnapshotDemand.NONE;

  /** A fresh session: the network is built from the config's model spec and seed, paused. */
  public TrainingSession(SessionConfig config, Datasets data) {
    this(config, data, Network.build(ModelSpecs.parse(config.model(), data.shape(), data.classNames().size()), config.seed()),
        new History(), 0, 0, 0, 0, config.hyperparameters(), Normalization.fromTrainingSet(data.train()));
  }

  /**
   * A session continuing exactly where a checkpoint left off; the data must have the input
   * shape and class count the checkpoint's network was trained on.
   */
  public static TrainingSession resume(Checkpoint.Contents saved, Datasets data, SessionConfig settings) {
    Architecture arch = saved.state().architecture();
    if (!arch.input().equals(data.shape()) || arch.classes() != data.classNames().size()) {
      throw new IllegalArgumentException("the checkpoint's network takes " + arch.input() + " images in " + arch.classes()
          + " classes, but the data (" + data.description() + ") has " + data.shape() + " in " + data.classNames().size());
    }
    SessionConfig config = settings.withModel(saved.config().model()).withSeed(saved.config().seed())
        .withAugmentation(saved.config().augmentation()).withHyperparameters(saved.hyperparameters());
    TrainingSession session = new TrainingSession(config, data, saved.state().restore(), History.restore(saved.history()),
        saved.sessionStep(), saved.examplesSeen(), saved.samplerEpoch(), saved.samplerPosition(), saved.hyperparameters(),
        saved.normalization());
    if (saved.probeIndex() != null && saved.probeIndex() < session.snapshots.probeSet().size()) {
      session.snapshots.setProbeIndex(saved.probeIndex());
    }
    return session;
  }

  /** A session continuing from a checkpoint's state. */
  TrainingSession(SessionConfig config, Datasets data, Network network, History history, long sessionStep,
      long examplesSeen, int samplerEpoch, int samplerPosition, Hyperparameters hyper, Normalization normalization) {
    this.config = config;
    this.data = data;
    this.normalization = normalization;
    this.sampler = new BatchSampler(data.train(), normalization, config.augmentation(), config.seed());
    this.sampler.seek(samplerEpoch, samplerPosition);
    this.history = history;
    this.sessionStep = sessionStep;
    this.examplesSeen = examplesSeen;
    this.hyper = hyper;
    this.snapshots = new SnapshotBuilder(data, normalization);
    this.activationStatistics = analysisBatch(snapshots.probeSet(), normalization);
    this.commands = new CommandApplier(this);
    this.guard = new DivergenceGuard(config.divergenceFactor(), data.classNames().size());
    this.lastGood = new LastGoodState(network, config.goodStateEvery(), DivergenceGuard.RECENT);
    install(network);
    publish();
  }

  // ---- any thread ----

  /** What the built-in engine is: no feature unsupported, no layer refusing a command by kind. */
  private static final EngineInfo ENGINE = new EngineInfo(EngineInfo.BUILTIN, "in-process", 1,
      "revacnn (Java " + Runtime.version().feature() + ")", "cpu", 1, List.of(), null, Map.of(), Map.of());

  @Override
  public CompletableFuture<CommandResult> submit(Command command) {
    return submit(command.type(), () -> commands.apply(command));
  }

  /** Queues the work of command {@code type}; a failure of any kind becomes an error result. */
  CompletableFuture<CommandResult> submit(String type, Task<CommandResult> work) {
    if (closed) return CompletableFuture.completedFuture(CommandResult.error(CLOSED));
    CompletableFuture<CommandResult> answer = new CompletableFuture<>();
    enqueue(answer, "'" + type + "'", () -> {
      snapshots.invalidateProbe();  // the command may change the weights: the next snapshot probes afresh
      return work.run();
    });
    return answer.exceptionally(failure -> CommandResult.error(failure.getMessage()));
  }

  /** Runs {@code reader} on the training thread between batches and returns its result. */
  public <T> CompletableFuture<T> query(Function<Network, T> reader) {
    CompletableFuture<T> answer = new CompletableFuture<>();
    enqueue(answer, "a request", () -> reader.apply(network));
    return answer;
  }

  /** The whole session as checkpoint bytes ({@link Checkpoint#encode}), captured on the training thread between batches. */
  public CompletableFuture<byte[]> checkpointBytes() {
    CompletableFuture<byte[]> answer = new CompletableFuture<>();
    enqueue(answer, "the checkpoint download", () -> Checkpoint.encode(checkpointContents()));
    return answer;
  }

  /** Work for the training thread that may fail in any way. */
  interface Task<T> {
    T run() throws Exception;
  }

  /**
   * Queues {@code task} for the training thread; its result completes {@code answer}. Whatever it
   * throws fails {@code answer} instead of ending the thread: an IllegalArgumentException as
   * itself (a bad request), anything else as an IllegalStateException with a readable message,
   * its stack trace going to the server log.
   */
  private <T> void enqueue(CompletableFuture<T> answer, String what, Task<T> task) {
    inbox.add(() -> {
      if (closed) {
        answer.completeExceptionally(new IllegalStateException(CLOSED));
        return;
      }
      try {
        answer.complete(task.run());
      } catch (IllegalArgumentException e) {
        answer.completeExceptionally(e);
      } catch (Throwable e) {
        // even an Error (a StackOverflowError, an OutOfMemoryError from one oversized request) has
        // unwound by here; a dead training thread would freeze the session for every client
        System.err.println("revacnn: " + what + " failed on the training thread; the session goes on");
        e.printStackTrace();
        answer.completeExceptionally(new IllegalStateException("internal error while running " + what
            + "; the session goes on (details in the server log)", e));
      }
    });
    loop().wake();
    if (closed) runTasks();  // closed meanwhile: every queued task fails with CLOSED before touching anything
  }

  @Override
  public EngineInfo engine() {
    return ENGINE;
  }

  @Override
  public CompletableFuture<EngineInfo> engineWithChecksums() {
    return query(net -> ENGINE.withRanks(List.of(new EngineInfo.Rank(0, WeightChecksum.of(net)))));
  }

  @Override
  public double snapshotHz() {
    return config.snapshotHz();
  }

  @Override
  public String dataDescription() {
    return data.description();
  }

  @Override
  public List<String> classNames() {
    return data.classNames();
  }

  @Override
  public Optional<TrainingSession> inProcess() {
    return Optional.of(this);
  }

  /**
   * A t-SNE map of one layer's filters by {@code kind}: the vectors are copied on the training
   * thread, the map is computed on the t-SNE thread (warm-started from the previous one, cached
   * for {@link #TSNE_CACHE_MILLIS}). Fails with IllegalArgumentException for an unknown layer.
   */
  @Override
  public CompletableFuture<FilterMap> filterMap(String layerId, TsneKind kind) {
    boolean needsProbe = kind == TsneKind.ACTIVATIONS || kind == TsneKind.ACTIVATION_GRADIENTS;
    return tsne.filterMap(layerId, kind, () -> query(net -> FilterVectors.read(net, layerId, kind, statistics,
        needsProbe ? net.probe(snapshots.probeImage(), snapshots.probeTarget(net)) : null)));
  }

  /** A t-SNE map of the first {@link #IMAGE_MAP_IMAGES} probe-set (validation) images by the classifier's input. */
  @Override
  public CompletableFuture<ImageMap> imageMap() {
    return tsne.imageMap(() -> query(this::imageVectors));
  }

  /** Removal and freeze recommendations for the network as it is now. */
  @Override
  public CompletableFuture<Recommendations> recommendations() {
    return query(net -> Recommender.recommend(net, LayerReport.all(net, statistics, activationStatistics),
        Recommender.Evidence.LIVE, activationStatistics.window()));
  }

  @Override
  public void demand(SnapshotDemand demand) {
    this.demand = demand;
  }

  @Override
  public Snapshot latest() {
    return latest.get();
  }

  @Override
  public Architecture architecture() {
    return architecture.get();
  }

  @Override
  public History history() {
    return history;
  }

  public Datasets data() {
    return data;
  }

  public SessionConfig config() {
    return config;
  }

  public Normalization normalization() {
    return normalization;
  }

  public boolean running() {
    return running;
  }

  /**
   * Starts the training thread (paused until a resume command, unless {@code startRunning}); once
   * started, later calls do nothing.
   */
  public synchronized void start(boolean startRunning) {
    if (started) return;
    started = true;
    running = startRunning;
    loop().start();
  }

  /** The loop that steps this session (and the other branches of its run), made on first use. */
  synchronized TrainingLoop loop() {
    if (loop == null) loop = new TrainingLoop(this);
    return loop;
  }

  /** Whether a step would train a batch (running, or steps left). Training thread. */
  boolean training() {
    return running || stepsLeft > 0;
  }

  /**
   * From now on the session's history is appended to {@code log} (first what it holds so far, with
   * {@code includePast}); the session closes the log when it closes. Call before {@link #start}.
   */
  public synchronized void keepRun(RunLog log, boolean includePast) {
    if (runLog != null) throw new IllegalStateException("the session already keeps a run");
    history.recordTo(log, includePast);
    runLog = log;
  }

  /**
   * Closes the session from any thread, also the training thread itself (a branch ending another):
   * it leaves its loop, waits for a step in progress to end, fails the tasks still queued, then
   * autosaves, closes the run's log and frees the network. Later work is answered {@link #CLOSED}.
   */
  @Override
  public void close() {
    closed = true;
    loop().leave(this);
    synchronized (stepping) {
      // a step in progress on the training thread has ended; no later one starts
    }
    runTasks();  // the tasks still queued fail with CLOSED
    if (config.autosavePath() != null) {
      try {
        saveCheckpoint(config.autosavePath());
      } catch (java.io.IOException | RuntimeException e) {
        System.err.println("autosave on shutdown failed: " + e.getMessage());
      }
    }
    if (runLog != null) {
      runLog.close();
      String failure = runLog.takeFailure();
      if (failure != null) System.err.println("the run's history log failed: " + failure);
    }
    tsne.close();
    network.close();
  }

  // ---- training thread ----

  /**
   * One iteration: applies every queued command, trains one batch if running (or stepping),
   * publishes a snapshot if one is due, and autosaves if due. Does nothing once closed.
   */
  public void step() {
    synchronized (stepping) {
      if (!closed) stepOpen();
    }
  }

  /**
   * Runs the queued tasks without training (training thread): a branch that keep-branch ends
   * answers what was asked of it before the keep, then closes.
   */
  void runQueuedTasks() {
    synchronized (stepping) {
      if (!closed) runTasks();
    }
  }

  private void runTasks() {
    for (Runnable task; (task = inbox.poll()) != null; ) task.run();
  }

  private void stepOpen() {
    runTasks();
    if (running || stepsLeft > 0) {
      trainOneBatch();
      if (stepsLeft > 0) stepsLeft--;
    }
    long now = System.nanoTime();
    if (now - lastPublishNanos >= 1e9 / config.snapshotHz()) publish();
    autosaveIfDue(now);
    String logFailure = runLog == null ? null : runLog.takeFailure();
    if (logFailure != null) alert = "the run's history log stopped (" + logFailure + "); training goes on unlogged";
  }

  private void trainOneBatch() {
    int batch = hyper.batchSize();
    int floats = batch * data.shape().size();
    if (batchImages.length != floats) {
      batchImages = new float[floats];
      batchLabels = new int[batch];
    }
    sampler.nextBatch(batch, batchImages, batchLabels);
    StepResult result = network.trainStep(batchImages, batchLabels, batch, hyper);
    sessionStep++;
    examplesSeen += batch;
    long now = System.nanoTime();
    if (lastStepNanos != 0) {
      double rate = batch / ((now - lastStepNanos) / 1e9);
      imagesPerSecond = imagesPerSecond == 0 ? rate : imagesPerSecond + 0.05 * (rate - imagesPerSecond);
    }
    lastStepNanos = now;
    history.addStep(sessionStep, result.loss(), result.accuracy(), examplesSeen, System.currentTimeMillis(), imagesPerSecond);
    String divergence = guard.judge(result.loss());
    if (divergence == null) divergence = DivergenceGuard.nonFiniteWeight(network);
    if (divergence != null) {
      rollBack(divergence);
      return;
    }
    lastGood.afterBatch(network, sessionStep, guard.calm());
    if (sessionStep % config.validationEvery() == 0) validate();
  }

  /** Restores the last good state and pauses; the guard then judges only the batches trained after it. */
  private void rollBack(String why) {
    NetworkState good = lastGood.good();
    long goodStep = good.step();
    install(good.restore());
    running = false;
    stepsLeft = 0;
    alert = why + "; training paused and weights rolled back to the last good state (network step " + goodStep + ")";
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("reason", why);
    result.put("restoredNetworkStep", goodStep);
    history.addSteering(new SteeringEntry(sessionStep, sampler.epoch(), System.currentTimeMillis(), "rollback", Map.of(), result));
    publish();
  }

  /** Evaluates the fixed validation subset and records the point. */
  void validate() {
    int count = Math.min(config.validationImages(), data.validation().size());
    if (count == 0) return;
    Evaluation.Result r = evaluate(data.validation(), count);
    history.addValidation(new History.ValidationPoint(sessionStep, sampler.epoch(), r.accuracy(), r.loss()));
  }

  private void autosaveIfDue(long now) {
    if (config.autosavePath() == null || config.autosaveEvery() == null) return;
    if (now - lastAutosaveNanos < config.autosaveEvery().toNanos()) return;
    lastAutosaveNanos = now;
    try {
      saveCheckpoint(config.autosavePath());
    } catch (java.io.IOException e) {
      alert = "autosave failed: " + ErrorText.reason(e);
    } catch (RuntimeException e) {
      alert = "autosave failed: " + ErrorText.clip(String.valueOf(e.getMessage()));
    }
  }

  /** Builds and publishes a snapshot now (training thread). */
  void publish() {
    lastPublishNanos = System.nanoTime();
    latest.set(snapshots.build(this, demand));
  }

  /**
   * Makes {@code net} the session's network: listeners, threads, published architecture. The loss
   * level of a changed network is new, so the divergence guard starts judging afresh.
   */
  void install(Network net) {
    snapshots.invalidateProbe();
    guard.restart();
    lastGood.dropCandidate();
    if (network != null && network != net) network.close();
    network = net;
    net.setThreads(config.threads());
    // surgery re-installs the same network: listeners must not be added twice
    net.removeListener(statistics);
    net.removeListener(activationStatistics);
    net.addListener(statistics);
    net.addListener(activationStatistics);
    statistics.retain(net);
    activationStatistics.retain(net);
    activationStatistics.observe(net);
    architecture.set(Architecture.of(net));
  }

  Checkpoint.Contents checkpointContents() {
    return new Checkpoint.Contents(config, data.description(), NetworkState.capture(network), hyper, sessionStep,
        examplesSeen, sampler.epoch(), sampler.position(), history.full(), snapshots.probeIndex(), normalization);
  }

  /**
   * A second branch of this session from its state now (training thread, between batches): equal
   * weights and optimiser state (momentum included), hyperparameters, step counts, sampler
   * position (its shuffling and augmentation are functions of seed, epoch and position), history,
   * probe image, undo steps and running state. This session and the branch both install a network
   * restored from one capture, so their surgery init streams restart equal, as after an undo. The
   * branch joins this session's loop, autosaves to {@code checkpoint} (none when null) and, given
   * a {@code log}, appends its history there, the past included.
   */
  TrainingSession fork(java.nio.file.Path checkpoint, RunLog log) {
    Checkpoint.Contents now = checkpointContents();
    TrainingSession branch = resume(now, data, config.withAutosave(checkpoint, config.autosaveEvery()));
    install(now.state().restore());
    branch.undoStack.addAll(undoStack);
    branch.running = running;
    branch.stepsLeft = stepsLeft;
    synchronized (branch) {
      branch.started = true;
      branch.loop = loop();
    }
    if (log != null) branch.keepRun(log, true);
    loop().join(branch);
    return branch;
  }

  // ---- training thread: for headless drivers (train, experiments) and tests ----

  /** The live network. Training thread only. */
  public Network network() {
    return network;
  }

  /** Evaluates the first {@code count} images of {@code set} with the session's normalisation. Training thread only. */
  public Evaluation.Result evaluate(org.revacnn.data.ImageSet set, int count) {
    return Evaluation.run(network, set, normalization, count, Evaluation.CHUNK);
  }

  /** Writes a checkpoint of the whole session now (the run's log first forced to disk). Training thread only. */
  public void saveCheckpoint(java.nio.file.Path path) throws java.io.IOException {
    if (runLog != null) runLog.sync();
    Checkpoint.write(path, checkpointContents());
  }

  /** Batches trained so far in this session (across resets and resumes). */
  public long sessionStep() {
    return sessionStep;
  }

  /** Epochs done as a fraction, e.g. 2.5 halfway through the third. */
  public double epochProgress() {
    return sampler.epochProgress();
  }

  /** Applies a command right now, on the calling (training) thread. */
  public CommandResult applyNow(Command command) {
    return commands.apply(command);
  }

  // ---- state the command applier and snapshot builder use (training thread) ----

  Hyperparameters hyperparameters() {
    return hyper;
  }

  void setHyperparameters(Hyperparameters next) {
    if (next.optimizer() != hyper.optimizer()) {
      for (Param p : network.params()) p.clearState();
    }
    hyper = next;
  }

  void setRunning(boolean value) {
    running = value;
    if (value) {
      alert = null;
      stepsLeft = 0;
      lastStepNanos = 0;
    }
  }

  void setStepsLeft(int steps) {
    running = false;
    stepsLeft = steps;
    lastStepNanos = 0;
  }

  Deque<CommandApplier.UndoStep> undoStack() {
    return undoStack;
  }

  /**
   * After a reset installed a network built from {@code model}: that spec becomes the session's, and
   * the fresh network the last good state (a rollback must not bring back the old one); its filters,
   * new under the old ids, are measured afresh (too new to judge). Training thread only.
   */
  void startedAfresh(String model) {
    config = config.withModel(model);
    lastGood.startFrom(network);
    activationStatistics.clear();
    activationStatistics.observe(network);
  }

  SnapshotBuilder snapshots() {
    return snapshots;
  }

  FilterStatistics statistics() {
    return statistics;
  }

  ActivationStatistics activationStatistics() {
    return activationStatistics;
  }

  /** The first {@link #ANALYSIS_IMAGES} images of {@code set}, normalised, measured every {@link #ANALYSIS_EVERY} steps. */
  private static ActivationStatistics analysisBatch(ImageSet set, Normalization normalization) {
    int count = Math.min(ANALYSIS_IMAGES, set.size());
    float[] images = new float[count * set.shape().size()];
    normalization.writeBatch(set, 0, count, images);
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) labels[i] = set.label(i);
    return new ActivationStatistics(images, labels, ANALYSIS_EVERY);
  }

  /** The classifier's input for the image-map images (the images themselves when there is no hidden layer). */
  private ImageVectors imageVectors(Network net) {
    ImageSet set = snapshots.probeSet();
    int count = Math.min(IMAGE_MAP_IMAGES, set.size());
    int imageSize = set.shape().size();
    if (imageMapPixels == null) {
      imageMapPixels = new float[count * imageSize];
      normalization.writeBatch(set, 0, count, imageMapPixels);
    }
    var layers = net.layers();
    int[] indices = new int[count];
    int[] labels = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = i;
      labels[i] = set.label(i);
    }
    if (layers.size() < 2) return new ImageVectors(indices, labels, imageMapPixels.clone(), imageSize);
    String penultimate = layers.get(layers.size() - 2).id();
    int dimensions = net.checkChain().get(layers.size() - 1).size();
    float[] vectors = new float[count * dimensions];
    int chunk = 100;
    for (int from = 0; from < count; from += chunk) {
      int n = Math.min(chunk, count - from);
      float[] images = java.util.Arrays.copyOfRange(imageMapPixels, from * imageSize, (from + n) * imageSize);
      System.arraycopy(net.layerOutputs(images, n, penultimate), 0, vectors, from * dimensions, n * dimensions);
    }
    return new ImageVectors(indices, labels, vectors, dimensions);
  }

  long examplesSeen() {
    return examplesSeen;
  }

  int epoch() {
    return sampler.epoch();
  }

  double imagesPerSecond() {
    return running || stepsLeft > 0 ? imagesPerSecond : 0;
  }

  String alert() {
    return alert;
  }

  String stateName() {
    return running || stepsLeft > 0 ? "running" : "paused";
  }
}
