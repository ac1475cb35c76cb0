package org.revacnn.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.revacnn.data.ImageSet;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.ProbeResult;
import org.revacnn.engine.Shape;
import org.revacnn.engine.SoftmaxCrossEntropy;
import org.revacnn.session.CommandResult;
import org.revacnn.session.Session;
import org.revacnn.session.TrainingSession;

/**
 * The handlers behind {@code /api/...} (see docs/PROTOCOL.md; the test view's are in {@link TestApi}).
 * Reads of published state answer at once; anything that needs the network (activation maps,
 * checkpoints, commands) runs on the training thread between batches and is awaited with a time
 * limit. Bad parameters throw IllegalArgumentException, which the server turns into 400.
 */
final class RestApi {
  static final int DEFAULT_HISTORY_POINTS = 2000;
  static final int MAX_HISTORY_POINTS = 1_000_000;
  private static final long TIMEOUT_SECONDS = 120;
  /** Most images in one sprite sheet, and tiles per row of it. */
  static final int MAX_SPRITE_IMAGES = 1000;
  static final int SPRITE_COLUMNS = 20;
  private static final String JSON = "application/json";
  /** The query parameter naming the branch a read is about. */
  static final String BRANCH = "branch";

  private final Session session;
  /** REST callers together count as one client. */
  private final CommandQuota quota = new CommandQuota();

  RestApi(Session session) {
    this.session = session;
  }

  /**
   * The in-process engine's session, for an endpoint that needs its network or data; for an
   * attached run a 409 with the reason the engine gives for {@code feature}.
   */
  static TrainingSession inProcess(Session session, String feature) {
    return session.inProcess().orElseThrow(() -> new ApiError(HttpStatus.CONFLICT,
        session.engine().unsupported().getOrDefault(feature, "an attached run cannot do this")));
  }

  /** A 409 when the engine cannot do {@code feature}. */
  static void requireSupported(Session session, String feature) {
    String reason = session.engine().unsupported().get(feature);
    if (reason != null) throw new ApiError(HttpStatus.CONFLICT, reason);
  }

  /**
   * The live branch a read is about: the one named by its {@code ?branch=ID} (docs/PROTOCOL.md
   * "Fork"), else the first; an id that is not live is a 400 naming the live ones.
   */
  static Session branch(Session session, Context context) {
    String id = context.queryParam(BRANCH);
    return id == null ? session : session.branch(id);
  }

  void snapshot(Context context) {
    context.contentType(JSON).result(Protocol.snapshotBody(branch(session, context).latest()));
  }

  /** {@code /api/engine}: what trains, with each rank's weight checksum. */
  void engine(Context context) {
    context.contentType(JSON).result(Protocol.json(await(session.engineWithChecksums())));
  }

  void history(Context context) {
    context.contentType(JSON).result(Protocol.json(branch(session, context).history().view(historyPoints(context))));
  }

  /** The {@code maxPoints} parameter of a history request. */
  static int historyPoints(Context context) {
    return intParameter(context, "maxPoints", DEFAULT_HISTORY_POINTS, 1, MAX_HISTORY_POINTS);
  }

  void architecture(Context context) {
    Session shown = branch(session, context);
    Architecture architecture = shown.architecture();
    if (architecture == null) throw new ApiError(HttpStatus.CONFLICT, shown.engine().message());
    context.contentType(JSON).result(Protocol.json(architecture));
  }

  void dataset(Context context) {
    context.contentType(JSON).result(Protocol.json(DatasetInfo.of(session)));
  }

  /** Same schema as a WebSocket command: 200 with the ack, 400 with the error message, 429 when too many are waiting. */
  void command(Context context) {
    Protocol.Request request;
    try {
      request = Protocol.parseRequest(context.body());
    } catch (Protocol.BadRequest e) {
      context.status(HttpStatus.BAD_REQUEST).contentType(JSON).result(Protocol.error(e.id(), e.getMessage()));
      return;
    }
    if (request.view() != null) {
      context.status(HttpStatus.BAD_REQUEST).contentType(JSON)
          .result(Protocol.error(request.id(), "'view' is a WebSocket message: it sets what that connection's snapshots carry"));
      return;
    }
    if (!quota.tryAcquire()) {
      context.status(HttpStatus.TOO_MANY_REQUESTS).contentType(JSON).result(Protocol.error(request.id(), CommandQuota.FULL));
      return;
    }
    CommandResult result;
    try {
      result = await(session.submit(request.branch(), request.command()));
    } finally {
      quota.release();
    }
    context.status(result.ok() ? HttpStatus.OK : HttpStatus.BAD_REQUEST).contentType(JSON)
        .result(Protocol.answer(request.id(), result));
  }

  void checkpoint(Context context) {
    TrainingSession local = inProcess(branch(session, context), "checkpoint-download");
    byte[] bytes = await(local.checkpointBytes());
    context.contentType("application/octet-stream")
        .header("Content-Disposition", "attachment; filename=\"revacnn-step" + local.latest().step() + ".ckpt\"")
        .result(bytes);
  }

  /** The live network's weights as JSON (see docs/FORMATS.md): {@code /api/weights}. */
  void weights(Context context) throws java.io.IOException {
    org.revacnn.engine.NetworkState state = await(inProcess(branch(session, context), "weights-download").query(org.revacnn.engine.NetworkState::capture));
    context.contentType("application/json").result(org.revacnn.session.WeightExport.json(state));
  }

  /** One image of a split as PNG: {@code /api/images/{split}/{index}}. */
  void image(Context context) {
    ImageSet set = split(inProcess(session, "dataset-images"), context.pathParam("split"));
    int index = integer("index", context.pathParam("index"), 0, set.size() - 1);
    context.contentType("image/png").header("Cache-Control", "max-age=3600").result(ImagePng.encode(set, index));
  }

  /**
   * Consecutive images of a split as one PNG sprite sheet, {@link #SPRITE_COLUMNS} tiles a row:
   * {@code /api/sprites/{split}?from=F&count=N}.
   */
  void sprite(Context context) {
    ImageSet set = split(inProcess(session, "dataset-images"), context.pathParam("split"));
    int from = intParameter(context, "from", 0, 0, set.size() - 1);
    int count = integer("count", required(context, "count", "how many images"), 1, Math.min(MAX_SPRITE_IMAGES, set.size() - from));
    context.contentType("image/png").header("Cache-Control", "max-age=3600")
        .result(ImagePng.sprite(set, from, count, SPRITE_COLUMNS));
  }

  /** The class probabilities of an image. */
  record Classification(float[] probabilities) {}

  /**
   * Classifies uploaded pixels with the live network, leaving the probe and the steering log alone:
   * {@code POST /api/classify} with {@code {"pixels": "<base64 of C·H·W bytes>"}}.
   */
  void classify(Context context) {
    TrainingSession session = inProcess(branch(this.session, context), "classify");
    Shape shape = session.data().shape();
    byte[] pixels = pixels(context.body(), shape);
    ImageSet one = ImageSet.of(shape, pixels, new int[1], session.data().classNames());
    float[] image = session.normalization().image(one, 0);
    float[] probabilities = await(session.query(net -> {
      float[] p = new float[net.classes()];
      SoftmaxCrossEntropy.softmax(net.logits(image, 1), 0, net.classes(), p, 0);
      return p;
    }));
    context.contentType(JSON).result(Protocol.json(new Classification(probabilities)));
  }

  /** The pixels of a classify body, checked against the input shape. */
  private static byte[] pixels(String body, Shape shape) {
    String expected = "the body must be {\"pixels\": \"<base64 of " + shape + " = " + shape.size() + " bytes>\"}";
    JsonNode node;
    try {
      node = Protocol.readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(expected + ", and it is not valid JSON");
    }
    if (node == null || !node.isObject() || node.size() != 1 || !node.path("pixels").isTextual()) {
      throw new IllegalArgumentException(expected);
    }
    byte[] pixels;
    try {
      pixels = Base64.getDecoder().decode(node.get("pixels").asText());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("pixels must be base64 (A-Z, a-z, 0-9, +, /, = padding)");
    }
    if (pixels.length != shape.size()) {
      throw new IllegalArgumentException("an image to classify must have " + shape + " = " + shape.size() + " pixels, got " + pixels.length);
    }
    return pixels;
  }

  /** One layer's activation maps for validation image {@code image}: {@code /api/activations?image=I&layer=ID}. */
  void activations(Context context) {
    TrainingSession session = inProcess(branch(this.session, context), "activation-maps");
    ImageSet set = session.data().validation();
    if (set.isEmpty()) throw new IllegalArgumentException("the dataset has no validation images");
    int image = integer("image", required(context, "image", "a validation image index"), 0, set.size() - 1);
    String layer = required(context, "layer", "a layer id");
    ActivationMaps.indexOf(session.architecture(), layer);
    float[] pixels = session.normalization().image(set, image);
    int label = set.label(image);
    ActivationMaps maps = await(session.query(net -> {
      ProbeResult probe = net.probe(pixels, label);
      return ActivationMaps.of(image, label, layer, Architecture.of(net), probe);
    }));
    context.contentType(JSON).result(Protocol.json(maps));
  }

  private static ImageSet split(TrainingSession session, String name) {
    return switch (name) {
      case "train" -> session.data().train();
      case "validation" -> session.data().validation();
      case "test" -> session.data().test();
      default -> throw new IllegalArgumentException("split must be train, validation or test, got '" + name + "'");
    };
  }

  static String required(Context context, String name, String what) {
    String value = context.queryParam(name);
    if (value == null || value.isBlank()) throw new IllegalArgumentException("parameter '" + name + "' is required (" + what + ")");
    return value;
  }

  static int intParameter(Context context, String name, int defaultValue, int min, int max) {
    String text = context.queryParam(name);
    return text == null ? defaultValue : integer(name, text, min, max);
  }

  static int integer(String name, String text, int min, int max) {
    if (max < min) throw new IllegalArgumentException("there are no images to choose with '" + name + "'");
    try {
      int value = Integer.parseInt(text.strip());
      if (value >= min && value <= max) return value;
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("parameter '" + name + "' must be a whole number in " + min + ".." + max + ", got '" + text + "'");
  }

  /**
   * Waits for work done on the training thread; its IllegalArgumentException becomes a 400, any
   * other failure a 500 whose text names no exception class (the session logs the details).
   */
  static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IllegalArgumentException bad) throw bad;
      throw new ApiError(HttpStatus.INTERNAL_SERVER_ERROR, e.getCause() instanceof IllegalStateException failed
          ? failed.getMessage() : "internal error (details in the server log)");
    } catch (TimeoutException e) {
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "the training thread did not answer within " + TIMEOUT_SECONDS + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiError(HttpStatus.SERVICE_UNAVAILABLE, "interrupted while waiting for the training thread");
    }
  }
}
