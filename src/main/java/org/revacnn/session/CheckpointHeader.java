package org.revacnn.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.revacnn.engine.ModelShorthand;
import org.revacnn.session.Checkpoint.CheckpointException;

/**
 * Strict, typed access to the fields of a checkpoint's JSON header: each field must be present
 * (unless optional), of its JSON type and within its range, or reading stops with one
 * {@link CheckpointException} that names the file and the field. Nothing is allocated from a
 * header number before it has been checked. Used once per read, on the reading thread.
 */
final class CheckpointHeader {
  /** Longest text field kept (model, dataset, parameter names); longer ones are refused. */
  static final int MAX_TEXT = 4096;
  /** Most characters of a bad value echoed in an error. */
  private static final int ECHO = 100;
  /** Most optimiser state arrays per parameter (Adam and Adadelta keep two). */
  static final int MAX_STATES = 4;

  /** One parameter array as the header lists it: {@code units x unitSize} floats, then that many per state. */
  record ParamLayout(String name, int units, int unitSize, float decayMultiplier, List<String> states) {
    long floats() {
      return (long) units * unitSize * (1 + states.size());
    }
  }

  private final String file;
  private final JsonNode root;
  private final ObjectMapper json;

  CheckpointHeader(String file, JsonNode root, ObjectMapper json) throws CheckpointException {
    this.file = file;
    this.root = root;
    this.json = json;
    if (!root.isObject()) throw new CheckpointException(file + ": the header is not a JSON object");
  }

  CheckpointException error(String field, String problem) {
    return new CheckpointException(file + ": field \"" + field + "\" " + problem);
  }

  private JsonNode required(String field) throws CheckpointException {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) throw error(field, "is missing");
    return node;
  }

  boolean has(String field) {
    return root.hasNonNull(field);
  }

  /** A whole number in {@code min..max}. */
  long integer(String field, long min, long max) throws CheckpointException {
    return integer(field, required(field), min, max);
  }

  private long integer(String field, JsonNode node, long min, long max) throws CheckpointException {
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
      throw error(field, "must be a whole number in " + min + ".." + max + ", got " + echo(node));
    }
    return node.asLong();
  }

  boolean bool(String field) throws CheckpointException {
    JsonNode node = required(field);
    if (!node.isBoolean()) throw error(field, "must be true or false, got " + echo(node));
    return node.asBoolean();
  }

  String text(String field) throws CheckpointException {
    JsonNode node = required(field);
    if (!node.isTextual() || node.asText().length() > MAX_TEXT || node.asText().chars().anyMatch(Character::isISOControl)) {
      throw error(field, "must be a line of text of at most " + MAX_TEXT + " characters, got " + echo(node));
    }
    return node.asText();
  }

  /**
   * The model the session was started with: shorthand that parses, or the name of a JSON model
   * file (which need not exist any more; the architecture is what gets rebuilt).
   */
  String model() throws CheckpointException {
    String model = text("model");
    if (model.strip().endsWith(".json")) return model;
    try {
      ModelShorthand.parse(model);
    } catch (IllegalArgumentException e) {
      throw error("model", "is not a model: " + e.getMessage());
    }
    return model;
  }

  /** Exactly {@code count} numbers on the 0..1 scale, each in [0, 1], or in (0, 1] when {@code positive}. */
  double[] fractions(String field, int count, boolean positive) throws CheckpointException {
    JsonNode node = required(field);
    if (!node.isArray() || node.size() != count) {
      throw error(field, "must be an array of " + count + " numbers (one per input channel), got " + echo(node));
    }
    double[] out = new double[count];
    for (int i = 0; i < count; i++) {
      JsonNode value = node.get(i);
      double x = value.asDouble();
      if (!value.isNumber() || !(positive ? x > 0 : x >= 0) || !(x <= 1)) {
        throw error(field, "entry " + i + " must be a number in " + (positive ? "(" : "[") + "0, 1], got " + echo(value));
      }
      out[i] = value.asDouble();
    }
    return out;
  }

  /** The field mapped to a record; the record's own checks (e.g. Hyperparameters) speak for themselves. */
  <T> T object(String field, Class<T> type) throws CheckpointException {
    JsonNode node = required(field);
    if (!node.isObject()) throw error(field, "must be a JSON object, got " + echo(node));
    try {
      return json.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw error(field, "is invalid: " + describe(e));
    }
  }

  /**
   * The {@code params} list, checked before any array is allocated: names unique, every size
   * positive, and all arrays together exactly as long as the {@code arrayBytes} that follow the
   * header.
   */
  List<ParamLayout> params(long arrayBytes) throws CheckpointException {
    JsonNode list = required("params");
    if (!list.isArray() || list.isEmpty()) throw error("params", "must be a non-empty array, got " + echo(list));
    List<ParamLayout> layouts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long floats = 0;
    for (int i = 0; i < list.size(); i++) {
      ParamLayout p = param("params[" + i + "]", list.get(i));
      if (!names.add(p.name())) throw error("params[" + i + "]", "repeats the name " + p.name());
      floats += p.floats();
      if (4 * floats > arrayBytes) {
        throw error("params[" + i + "]", "(" + p.name() + ", " + p.units() + " x " + p.unitSize() + " floats with "
            + p.states().size() + " state arrays) needs more bytes than the " + arrayBytes + " that follow the header");
      }
      layouts.add(p);
    }
    if (4 * floats != arrayBytes) {
      throw error("params", "describe " + 4 * floats + " bytes of arrays, but " + arrayBytes + " follow the header");
    }
    return layouts;
  }

  private ParamLayout param(String where, JsonNode node) throws CheckpointException {
    if (!node.isObject()) throw error(where, "must be an object, got " + echo(node));
    JsonNode name = node.path("name");
    if (!name.isTextual() || name.asText().isEmpty() || name.asText().length() > 200) {
      throw error(where + ".name", "must be a parameter name, got " + echo(name));
    }
    long units = integer(where + ".units", node.path("units"), 1, Integer.MAX_VALUE);
    long unitSize = integer(where + ".unitSize", node.path("unitSize"), 1, Integer.MAX_VALUE);
    if (units * unitSize > Integer.MAX_VALUE - 8) {
      throw error(where, "claims " + units + " x " + unitSize + " floats, more than one array can hold");
    }
    JsonNode decay = node.path("decayMultiplier");
    if (!decay.isNumber() || !(decay.asDouble() >= 0 && decay.asDouble() <= 1)) {
      throw error(where + ".decayMultiplier", "must be a number in [0, 1], got " + echo(decay));
    }
    JsonNode states = node.path("states");
    if (!states.isArray() || states.size() > MAX_STATES) {
      throw error(where + ".states", "must be an array of at most " + MAX_STATES + " names, got " + echo(states));
    }
    List<String> stateNames = new ArrayList<>();
    for (JsonNode state : states) {
      if (!state.isTextual() || state.asText().isEmpty() || stateNames.contains(state.asText())) {
        throw error(where + ".states", "must hold distinct names, got " + echo(states));
      }
      stateNames.add(state.asText());
    }
    return new ParamLayout(name.asText(), (int) units, (int) unitSize, (float) decay.asDouble(), List.copyOf(stateNames));
  }

  /** At most {@value #ECHO} characters of a value, for error messages. */
  static String echo(JsonNode node) {
    String text = node.isMissingNode() ? "nothing" : node.toString();
    return text.length() <= ECHO ? text : text.substring(0, ECHO) + "...";
  }

  /** One line saying what is wrong: Jackson's message without its location, or a record check's own text. */
  static String describe(Exception e) {
    Throwable cause = e;
    while (cause.getCause() != null && cause.getCause() != cause) cause = cause.getCause();
    String message = cause instanceof JsonProcessingException j ? j.getOriginalMessage() : cause.getMessage();
    if (message == null) message = cause.getClass().getSimpleName();
    message = message.lines().findFirst().orElse("").strip();
    return message.length() <= 2 * ECHO ? message : message.substring(0, 2 * ECHO) + "...";
  }
}
