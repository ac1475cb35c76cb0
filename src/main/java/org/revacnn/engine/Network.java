package org.revacnn.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A chain of layers ending in a fully connected classifier and softmax cross-entropy.
 *
 * <p>A training step splits the batch into shards of at most {@value #SHARD_IMAGES} images (and at
 * least {@link #shards()} shards, default 2); their number depends on the batch size only. Each
 * shard runs forward and backward through its own {@link Frame}s, small enough to stay in the L2
 * cache, and the threads take shards one at a time from a shared counter, so a thread on a slower
 * core simply runs fewer. The shards' parameter gradients are then summed in shard order. The thread
 * count only decides who runs a shard, so results are bit-identical for 1 or 2 threads. A training
 * step of a network with batch norm instead runs one shard per thread, all at once, sharing their
 * batch norm sums through {@link BatchStatistics}; its results agree across thread counts to float
 * rounding and repeat bit for bit at the same count. Only one thread (the training thread) may call
 * into a network at a time.
 */
public final class Network implements AutoCloseable {
  /** Scale of the classifier's Xavier initialisation (see {@link #initialise}). */
  static final float CLASSIFIER_GAIN = 0.1f;

  /** The id of the appended classifier layer. */
  public static final String CLASSIFIER_ID = "output";

  private final Shape inputShape;
  private final int classes;
  private final long seed;
  private final InitKind init;
  private final List<Layer> layers = new ArrayList<>();
  private final SplittableRandom initRandom;
  private final Map<String, Integer> idCounters = new HashMap<>();
  private final List<StepListener> listeners = new CopyOnWriteArrayList<>();
  private int shards = 2;
  /**
   * Most images per shard: a shard's activations then stay in the L2 cache (32-image shards ran
   * about 20% slower per image at batch 64), and 16 shards at batch 64 let two threads share the
   * work evenly even when one core is slower.
   */
  private static final int SHARD_IMAGES = 4;
  private int threads = 1;
  private ShardPool workers;
  /** Per thread: the layers' working frames, reused for every shard the thread runs (so they stay in cache). */
  private Frame[][] frames;
  /** Per shard, layer and parameter: the shard's gradient, copied out of its thread's frames. */
  private float[][][][] shardGrads;
  private Frame[] probeFrames;
  private long step;

  /** Most values all layers' outputs may hold for one image when a model is built (64 MiB of floats). */
  static final long MAX_ACTIVATIONS_PER_IMAGE = 1L << 24;

  private Network(Shape inputShape, int classes, long seed, InitKind init) {
    this.inputShape = inputShape;
    this.classes = classes;
    this.seed = seed;
    this.init = init;
    this.initRandom = new SplittableRandom(seed);
  }

  /** Builds and initialises a network from a spec; every weight comes from {@code seed}. */
  public static Network build(NetworkSpec spec, long seed) {
    Network net = new Network(spec.input(), spec.classes(), seed, spec.init());
    Shape shape = spec.input();
    long activations = 0;
    for (LayerSpec ls : spec.layers()) {
      // checked before any allocation: a spec from a client must not be able to exhaust memory
      long weights = switch (ls) {
        case LayerSpec.ConvSpec c -> (long) c.filters() * shape.channels() * c.kernelSize() * c.kernelSize();
        case LayerSpec.DenseSpec d -> (long) d.units() * shape.size();
        default -> 0;
      };
      Surgery.requireWeightsAtMost("layer " + (net.layers.size() + 1), weights, "build the model");
      Layer layer = net.create(ls, shape);
      shape = layer.outputShape(shape);
      net.layers.add(layer);
      activations += (long) shape.channels() * shape.height() * shape.width();
      if (activations > MAX_ACTIVATIONS_PER_IMAGE) {
        throw new IllegalArgumentException("cannot build the model: its first " + net.layers.size() + " layers' outputs would hold "
            + activations + " values per image, more than " + MAX_ACTIVATIONS_PER_IMAGE);
      }
    }
    Surgery.requireWeightsAtMost("the classifier", (long) spec.classes() * shape.size(), "build the model");
    Dense classifier = new Dense(CLASSIFIER_ID, shape.size(), spec.classes());
    net.layers.add(classifier);
    for (Layer layer : net.layers) net.initialise(layer);
    net.checkChain();
    return net;
  }

  /** Recreates a network from its description; see {@link Architecture#build(long)}. */
  static Network fromArchitecture(Architecture arch, long seed) {
    Network net = new Network(arch.input(), arch.classes(), seed, arch.init());
    net.idCounters.putAll(arch.idCounters());
    Shape shape = arch.input();
    for (Architecture.LayerInfo info : arch.layers()) {
      Layer layer = layerOf(info, shape);
      shape = layer.outputShape(shape);
      net.layers.add(layer);
    }
    if (net.layers.isEmpty() || !(net.layers.getLast() instanceof Dense last) || !last.id().equals(CLASSIFIER_ID)
        || last.units() != arch.classes()) {
      throw new IllegalArgumentException("the last layer must be the classifier '" + CLASSIFIER_ID + "' with "
          + arch.classes() + " units");
    }
    for (Layer layer : net.layers) net.initialise(layer);
    return net;
  }

  /** The layer {@code info} describes, for input {@code shape}, with its ids and frozen flag (weights not drawn). */
  private static Layer layerOf(Architecture.LayerInfo info, Shape shape) {
    return switch (info.kind()) {
      case "conv" -> {
        Conv c = new Conv(info.id(), shape.channels(), info.filters(), info.kernelSize(), info.stride(), info.pad(),
            !info.withoutBias());
        c.setFrozen(info.frozen());
        c.filterIds().restore(info.unitNumbers(), info.nextUnitNumber());
        yield c;
      }
      case "dense" -> {
        Dense d = new Dense(info.id(), shape.size(), info.units());
        d.setFrozen(info.frozen());
        d.unitIds().restore(info.unitNumbers(), info.nextUnitNumber());
        yield d;
      }
      case "pool" -> new MaxPool(info.id(), info.size(), info.stride());
      case "relu" -> new Relu(info.id());
      case "dropout" -> new Dropout(info.id(), info.rate());
      case "batchnorm" -> {
        BatchNorm b = new BatchNorm(info.id(), shape.channels());
        b.setFrozen(info.frozen());
        yield b;
      }
      case "globalpool" -> new GlobalAveragePool(info.id());
      case "residual" -> new Residual(info.id(), chainOf(info.main(), shape), chainOf(info.shortcut(), shape));
      default -> throw new IllegalArgumentException("layer " + info.id() + " has unknown kind '" + info.kind() + "'");
    };
  }

  private static List<Layer> chainOf(List<Architecture.LayerInfo> infos, Shape in) {
    List<Layer> chain = new ArrayList<>();
    Shape shape = in;
    for (Architecture.LayerInfo info : infos) {
      Layer layer = layerOf(info, shape);
      shape = layer.outputShape(shape);
      chain.add(layer);
    }
    return chain;
  }

  Map<String, Integer> idCounters() {
    return idCounters;
  }

  /** Creates an uninitialised layer for this spec and input shape with the next free id of its kind. */
  Layer create(LayerSpec spec, Shape in) {
    return switch (spec) {
      case LayerSpec.ConvSpec c -> new Conv(nextId("conv"), in.channels(), c.filters(), c.kernelSize(), c.stride(), c.pad(),
          c.withBias());
      case LayerSpec.ReluSpec r -> new Relu(nextId("relu"));
      case LayerSpec.PoolSpec p -> new MaxPool(nextId("pool"), p.size(), p.stride());
      case LayerSpec.DenseSpec d -> new Dense(nextId("fc"), in.size(), d.units());
      case LayerSpec.DropoutSpec d -> new Dropout(nextId("drop"), d.rate());
      case LayerSpec.BatchNormSpec b -> new BatchNorm(nextId("bn"), in.channels());
      case LayerSpec.GlobalPoolSpec g -> new GlobalAveragePool(nextId("gap"));
      case LayerSpec.ResidualSpec r -> createResidual(r, in);
    };
  }

  /** A residual block with its inner layers; a null shortcut is chosen as {@link LayerSpec.ResidualSpec} says. */
  private Residual createResidual(LayerSpec.ResidualSpec spec, Shape in) {
    String id = nextId("res");
    List<Layer> main = createChain(id, spec.main(), in);
    Shape out = in;
    for (Layer layer : main) out = layer.outputShape(out);
    List<LayerSpec> shortcut = spec.shortcut();
    if (shortcut == null) {
      int stride = 1;
      for (LayerSpec s : spec.main()) {
        stride *= switch (s) {
          case LayerSpec.ConvSpec c -> c.stride();
          case LayerSpec.PoolSpec p -> p.stride();
          default -> 1;
        };
      }
      shortcut = out.equals(in) ? List.of()
          : List.of(new LayerSpec.ConvSpec(out.channels(), 1, stride, 0, false), new LayerSpec.BatchNormSpec());
    }
    return new Residual(id, main, createChain(id, shortcut, in));
  }

  private List<Layer> createChain(String blockId, List<LayerSpec> specs, Shape in) {
    List<Layer> chain = new ArrayList<>();
    Shape shape = in;
    for (LayerSpec spec : specs) {
      if (spec instanceof LayerSpec.ConvSpec c) {
        Surgery.requireWeightsAtMost("a conv of " + blockId, (long) c.filters() * shape.channels() * c.kernelSize() * c.kernelSize(),
            "build the model");
      }
      Layer layer = create(spec, shape);
      shape = layer.outputShape(shape);
      chain.add(layer);
    }
    return chain;
  }

  private String nextId(String kind) {
    int n = idCounters.merge(kind, 1, Integer::sum);
    return kind + n;
  }

  /** Draws fresh weights for every parameter of {@code layer} (biases zero; the classifier always Xavier). */
  void initialise(Layer layer) {
    switch (layer) {
      case Conv c -> {
        int fanIn = c.weights().unitSize();
        int fanOut = c.filters() * c.kernelSize() * c.kernelSize();
        init.fill(c.weights().value(), 0, c.weights().size(), fanIn, fanOut, initRandom);
      }
      // the classifier feeds softmax, not a ReLU: Xavier scaled down keeps the first logits small, so the
      // initial loss is near ln(classes) even when pooled features are large (they grow through max-pools)
      case Dense d when d.id().equals(CLASSIFIER_ID) -> {
        float[] w = d.weights().value();
        InitKind.XAVIER.fill(w, 0, w.length, d.inputs(), d.units(), initRandom);
        for (int i = 0; i < w.length; i++) w[i] *= CLASSIFIER_GAIN;
      }
      case Dense d -> init.fill(d.weights().value(), 0, d.weights().size(), d.inputs(), d.units(), initRandom);
      case Residual r -> r.innerLayers().forEach(this::initialise);
      default -> { }
    }
  }

  /**
   * Checks that every layer accepts the previous layer's output and returns all shapes, input
   * first; throws IllegalArgumentException naming the layer that does not fit.
   */
  public List<Shape> checkChain() {
    List<Shape> shapes = new ArrayList<>();
    Shape shape = inputShape;
    shapes.add(shape);
    for (Layer layer : layers) {
      shape = layer.outputShape(shape);
      shapes.add(shape);
    }
    return shapes;
  }

  public Shape inputShape() {
    return inputShape;
  }

  public int classes() {
    return classes;
  }

  public long seed() {
    return seed;
  }

  public InitKind init() {
    return init;
  }

  /** The random source for weights created after construction (surgery). */
  public SplittableRandom initRandom() {
    return initRandom;
  }

  public List<Layer> layers() {
    return Collections.unmodifiableList(layers);
  }

  /** The layer with this id, or an IllegalArgumentException listing the known ids. */
  public Layer layer(String id) {
    for (Layer l : layers) if (l.id().equals(id)) return l;
    throw new IllegalArgumentException("unknown layer '" + id + "'; layers are " + layers.stream().map(Layer::id).toList());
  }

  /** Every parameter, in layer order. */
  public List<Param> params() {
    List<Param> all = new ArrayList<>();
    for (Layer l : layers) all.addAll(l.params());
    return all;
  }

  /**
   * Every parameter and buffer (batch norm's running statistics), layer by layer, each layer's
   * parameters before its buffers: what undo and checkpoints save and restore.
   */
  public List<Param> savedArrays() {
    List<Param> all = new ArrayList<>();
    for (Layer l : layers) {
      all.addAll(l.params());
      all.addAll(l.buffers());
    }
    return all;
  }

  /** The number of trainable values (buffers not counted, as PyTorch's {@code parameters()}). */
  public long parameterCount() {
    long n = 0;
    for (Param p : params()) n += p.size();
    return n;
  }

  /** Steps taken so far. */
  public long step() {
    return step;
  }

  /** Sets the step counter (restoring a checkpoint). */
  public void setStep(long step) {
    this.step = step;
  }

  public int shards() {
    return shards;
  }

  /**
   * The fewest shards a batch is cut into (it is also cut into shards of at most
   * {@value #SHARD_IMAGES} images); results depend on this and the batch size, not on the threads.
   */
  public void setShards(int shards) {
    if (shards < 1) throw new IllegalArgumentException("shards must be >= 1, got " + shards);
    this.shards = shards;
    shardGrads = null;
  }

  public int threads() {
    return threads;
  }

  /** How many threads run shards (the caller plus threads - 1 workers). */
  public void setThreads(int threads) {
    if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
    if (threads != this.threads && workers != null) {
      workers.close();
      workers = null;
    }
    this.threads = threads;
  }

  public void addListener(StepListener listener) {
    listeners.add(listener);
  }

  public void removeListener(StepListener listener) {
    listeners.remove(listener);
  }

  /** Must be called after any change of layers or parameter sizes: frames are rebuilt lazily. */
  void structureChanged() {
    checkChain();
    frames = null;
    shardGrads = null;
    probeFrames = null;
  }

  /** Mutable layer list for surgery in this package. */
  List<Layer> mutableLayers() {
    return layers;
  }

  /**
   * One training step on {@code batch} images ({@code [batch][C][H][W]}): gradients, listeners,
   * then the optimiser update of every layer that is not frozen. The loss is smoothed by
   * {@link Hyperparameters#labelSmoothing}.
   */
  public StepResult trainStep(float[] images, int[] labels, int batch, Hyperparameters hyper) {
    StepResult result = computeGradients(images, labels, batch, true, hyper.labelSmoothing());
    for (StepListener l : listeners) l.afterBackward(this, result.step());
    for (Layer layer : layers) update(layer, hyper, result.step());
    for (StepListener l : listeners) l.afterStep(this, result);
    return result;
  }

  /** The optimiser update of a layer's parameters, or of each inner layer of a block, unless frozen. */
  private static void update(Layer layer, Hyperparameters hyper, long step) {
    if (layer instanceof Residual r) {
      for (Layer inner : r.innerLayers()) update(inner, hyper, step);
    } else if (!isFrozen(layer)) {
      for (Param p : layer.params()) Optimizer.update(p, hyper, step);
    }
  }

  /**
   * Forward and backward over the batch: overwrites every {@link Param#grad()} with dL/dParam of
   * the mean loss (zero for frozen layers) and counts the step. No weights change.
   */
  public StepResult computeGradients(float[] images, int[] labels, int batch, boolean training) {
    return computeGradients(images, labels, batch, training, 0f);
  }

  /** As {@link #computeGradients(float[], int[], int, boolean)}, the loss with targets smoothed by {@code labelSmoothing}. */
  public StepResult computeGradients(float[] images, int[] labels, int batch, boolean training, float labelSmoothing) {
    checkBatch(images, batch);
    if (labels.length < batch) throw new IllegalArgumentException("need " + batch + " labels, got " + labels.length);
    long thisStep = ++step;
    // batch statistics must see the whole batch: such a step runs one shard per thread, and the
    // shards add up their batch norm sums as they go (BatchStatistics)
    boolean shareStatistics = training && usesBatchStatistics();
    int shardCount = shareStatistics ? Math.min(threads, batch) : shardCount(batch);
    BatchStatistics statistics = shareStatistics && shardCount > 1
        ? new BatchStatistics(batch, shardCount, 2 * widestBatchNorm()) : null;
    ensureFrames();
    ensureShardGrads(shardCount);
    double[] losses = new double[shardCount];
    int[] correct = new int[shardCount];
    runShards(shardCount, (s, thread) -> {
      int from = s * batch / shardCount;
      int to = (s + 1) * batch / shardCount;
      Frame[] working = frames[thread];
      Pass pass = new Pass(training, new SplittableRandom(mix(seed, thisStep, s)),
          statistics == null ? null : statistics.shard(s, from));
      SoftmaxCrossEntropy.Outcome o;
      try {
        o = shardPass(working, images, labels, from, to, batch, labelSmoothing, pass);
      } catch (RuntimeException | Error e) {
        if (statistics != null) statistics.fail(e); // the other shards stop waiting for this one
        throw e;
      }
      for (int l = 0; l < layers.size(); l++) {
        float[][] grads = working[l].grads();
        for (int i = 0; i < grads.length; i++) System.arraycopy(grads[i], 0, shardGrads[s][l][i], 0, grads[i].length);
      }
      losses[s] = o.lossSum();
      correct[s] = o.correct();
    });
    reduceGradients(shardCount);
    double loss = 0;
    int right = 0;
    for (int s = 0; s < shardCount; s++) {
      loss += losses[s];
      right += correct[s];
    }
    return new StepResult(thisStep, batch, loss / batch, right);
  }

  private SoftmaxCrossEntropy.Outcome shardPass(Frame[] shardFrames, float[] images, int[] labels, int from, int to,
      int batch, float labelSmoothing, Pass pass) {
    Tensor x = shardInput(shardFrames, images, from, to);
    for (int l = 0; l < layers.size(); l++) {
      shardFrames[l].zeroGrads();
      x = layers.get(l).forward(shardFrames[l], x, pass);
    }
    InputFrame io = (InputFrame) shardFrames[layers.size()];
    io.logitGrad = Tensor.reuse(io.logitGrad, x.batch(), x.shape());
    SoftmaxCrossEntropy.Outcome outcome = SoftmaxCrossEntropy.lossAndGradient(x, labels, from, 1f / batch, labelSmoothing,
        io.logitGrad);
    Tensor g = io.logitGrad;
    int lowestTrainable = lowestTrainableLayer();
    for (int l = layers.size() - 1; l >= 0 && g != null; l--) {
      g = layers.get(l).backward(shardFrames[l], g, l > lowestTrainable);
    }
    return outcome;
  }

  /** Whether a training pass needs statistics of the whole batch (a batch norm layer). */
  boolean usesBatchStatistics() {
    for (Layer layer : layers) if (usesBatchStatistics(layer)) return true;
    return false;
  }

  /** The most channels of any batch norm layer (0 if none). */
  private int widestBatchNorm() {
    int widest = 0;
    for (Layer layer : layers) widest = Math.max(widest, widestBatchNorm(layer));
    return widest;
  }

  private static int widestBatchNorm(Layer layer) {
    return switch (layer) {
      case BatchNorm b -> b.channels();
      case Residual r -> r.innerLayers().stream().mapToInt(Network::widestBatchNorm).max().orElse(0);
      default -> 0;
    };
  }

  private static boolean usesBatchStatistics(Layer layer) {
    return switch (layer) {
      case BatchNorm b -> true;
      case Residual r -> r.innerLayers().stream().anyMatch(Network::usesBatchStatistics);
      default -> false;
    };
  }

  /** How many shards a batch is cut into: a function of the batch size alone. */
  private int shardCount(int batch) {
    return Math.max(Math.min(batch, shards), (batch + SHARD_IMAGES - 1) / SHARD_IMAGES);
  }

  /** Index of the first layer with trainable parameters, or layers.size() if none. */
  private int lowestTrainableLayer() {
    for (int l = 0; l < layers.size(); l++) {
      Layer layer = layers.get(l);
      if (!layer.params().isEmpty() && !isFrozen(layer)) return l;
    }
    return layers.size();
  }

  /** Whether this layer's parameters (a block's: every inner layer's) are excluded from gradients and updates. */
  public static boolean isFrozen(Layer layer) {
    return switch (layer) {
      case Conv c -> c.frozen();
      case Dense d -> d.frozen();
      case BatchNorm b -> b.frozen();
      case Residual r -> r.innerLayers().stream().filter(l -> !l.params().isEmpty()).allMatch(Network::isFrozen);
      default -> false;
    };
  }

  private void reduceGradients(int shardCount) {
    for (int l = 0; l < layers.size(); l++) {
      List<Param> params = layers.get(l).params();
      for (int i = 0; i < params.size(); i++) {
        float[] target = params.get(i).grad();
        System.arraycopy(shardGrads[0][l][i], 0, target, 0, target.length);
        for (int s = 1; s < shardCount; s++) {
          float[] g = shardGrads[s][l][i];
          for (int j = 0; j < target.length; j++) target[j] += g[j];
        }
      }
    }
  }

  /** Logits {@code [batch][classes]} in inference mode (dropout off); no gradients. */
  public float[] logits(float[] images, int batch) {
    return forwardTo(images, batch, layers.size() - 1);
  }

  /** The outputs of layer {@code layerId}, {@code [batch][C][H][W]}, in inference mode (dropout off); no gradients. */
  public float[] layerOutputs(float[] images, int batch, String layerId) {
    return forwardTo(images, batch, layers.indexOf(layer(layerId)));
  }

  private float[] forwardTo(float[] images, int batch, int lastLayer) {
    checkBatch(images, batch);
    int shardCount = shardCount(batch);
    ensureFrames();
    int size = checkChain().get(lastLayer + 1).size();
    float[] out = new float[batch * size];
    runShards(shardCount, (s, thread) -> {
      int from = s * batch / shardCount;
      int to = (s + 1) * batch / shardCount;
      Frame[] working = frames[thread];
      Tensor x = shardInput(working, images, from, to);
      Pass pass = Pass.inference();
      for (int l = 0; l <= lastLayer; l++) x = layers.get(l).forward(working[l], x, pass);
      System.arraycopy(x.data(), 0, out, from * size, (to - from) * size);
    });
    return out;
  }

  /**
   * Runs one image forward and backward against {@code label} with its own buffers and returns
   * every layer's output and output gradient, in {@link FlatLayer} order (the inner layers of
   * residual blocks in place of the block). Parameters and their gradients are untouched.
   */
  public ProbeResult probe(float[] image, int label) {
    checkBatch(image, 1);
    if (probeFrames == null) probeFrames = newFrames();
    Pass pass = Pass.inference();
    ProbeRecorder recorder = new ProbeRecorder();
    Tensor x = shardInput(probeFrames, image, 0, 1);
    for (int l = 0; l < layers.size(); l++) {
      probeFrames[l].zeroGrads();
      x = recorder.forward(layers.get(l), probeFrames[l], x, pass);
    }
    float[] probabilities = new float[classes];
    SoftmaxCrossEntropy.softmax(x.data(), 0, classes, probabilities, 0);
    InputFrame io = (InputFrame) probeFrames[layers.size()];
    io.logitGrad = Tensor.reuse(io.logitGrad, 1, x.shape());
    double loss = SoftmaxCrossEntropy.lossAndGradient(x, new int[] {label}, 0, 1f, io.logitGrad).lossSum();
    Tensor g = io.logitGrad;
    for (int l = layers.size() - 1; l >= 0; l--) g = recorder.backward(layers.get(l), probeFrames[l], g, l > 0);
    return new ProbeResult(probabilities, loss, recorder.traces(this));
  }

  /** The thread's input buffer, filled with images [from, to) of the batch. */
  private Tensor shardInput(Frame[] shardFrames, float[] images, int from, int to) {
    InputFrame io = (InputFrame) shardFrames[layers.size()];
    io.input = Tensor.reuse(io.input, to - from, inputShape);
    System.arraycopy(images, from * inputShape.size(), io.input.data(), 0, (to - from) * inputShape.size());
    return io.input;
  }

  private void checkBatch(float[] images, int batch) {
    if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
    if (images.length < batch * inputShape.size()) {
      throw new IllegalArgumentException("need " + batch + " images of " + inputShape + ", got " + images.length + " floats");
    }
  }

  /** Working frames for every thread. */
  private void ensureFrames() {
    int have = frames == null ? 0 : frames.length;
    if (have >= threads) return;
    frames = frames == null ? new Frame[threads][] : Arrays.copyOf(frames, threads);
    for (int t = have; t < threads; t++) frames[t] = newFrames();
  }

  /** Gradient buffers for {@code count} shards, shaped as the parameters now are. */
  private void ensureShardGrads(int count) {
    int have = shardGrads == null ? 0 : shardGrads.length;
    if (have >= count) return;
    shardGrads = shardGrads == null ? new float[count][][][] : Arrays.copyOf(shardGrads, count);
    for (int s = have; s < count; s++) {
      shardGrads[s] = new float[layers.size()][][];
      for (int l = 0; l < layers.size(); l++) {
        List<Param> params = layers.get(l).params();
        shardGrads[s][l] = new float[params.size()][];
        for (int i = 0; i < params.size(); i++) shardGrads[s][l][i] = new float[params.get(i).size()];
      }
    }
  }

  /** One frame per layer, plus a last one holding the shard's input and logit gradient. */
  private Frame[] newFrames() {
    Frame[] f = new Frame[layers.size() + 1];
    for (int l = 0; l < layers.size(); l++) f[l] = layers.get(l).newFrame();
    f[layers.size()] = new InputFrame();
    return f;
  }

  private static final class InputFrame extends Frame {
    Tensor input;
    Tensor logitGrad;

    InputFrame() {
      super(List.of());
    }
  }

  private interface ShardTask {
    void run(int shard, int thread);
  }

  /**
   * Runs every shard once: thread t (the caller is 0, then threads - 1 workers of a {@link ShardPool})
   * runs shard t, then each takes the next shard from a shared counter until none is left; the caller
   * returns when all are done.
   */
  private void runShards(int shardCount, ShardTask task) {
    if (threads == 1 || shardCount == 1) {
      for (int s = 0; s < shardCount; s++) task.run(s, 0);
      return;
    }
    if (workers == null) workers = new ShardPool(threads - 1);
    // thread t starts with shard t, so a worker that wakes late still gets its share; the rest are
    // taken from the counter by whoever is free
    AtomicInteger next = new AtomicInteger(threads);
    workers.runOnAll(thread -> {
      try {
        if (thread < shardCount) task.run(thread, thread);
        for (int s = next.getAndIncrement(); s < shardCount; s = next.getAndIncrement()) task.run(s, thread);
      } catch (RuntimeException e) {
        next.set(shardCount); // the others stop after their current shard
        throw e;
      }
    });
  }

  /** A well-mixed seed for (network seed, step, shard) (SplitMix64 finaliser). */
  private static long mix(long seed, long step, int shard) {
    long z = seed + 0x9E3779B97F4A7C15L * (step * 31 + shard + 1);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public void close() {
    if (workers != null) workers.close();
    workers = null;
  }
}
