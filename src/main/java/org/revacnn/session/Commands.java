package org.revacnn.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.revacnn.engine.SurgeryResult;
import org.revacnn.engine.WeightChange;

/**
 * The one mapping between protocol names and {@link Command} records, and between commands or
 * surgery results and plain maps (for the steering log and acknowledgements). Strict: unknown
 * types, unknown fields and wrongly typed fields are errors, never coerced.
 */
public final class Commands {
  /** Every command type in the protocol, in documentation order. */
  public static final Map<String, Class<? extends Command>> TYPES = types();
  /** Longest text a command field takes (ids, names, option words). */
  public static final int MAX_TEXT = 100;
  /** Longest model spec a client may send (reset's {@code model}): 20 conv blocks and more fit. */
  public static final int MAX_MODEL_SPEC = 2000;

  static final ObjectMapper STRICT = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
      .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
      .build();

  private Commands() {}

  private static Map<String, Class<? extends Command>> types() {
    Map<String, Class<? extends Command>> t = new LinkedHashMap<>();
    t.put("pause", Command.Pause.class);
    t.put("resume", Command.Resume.class);
    t.put("step", Command.Step.class);
    t.put("set-hyperparameters", Command.SetHyperparameters.class);
    t.put("add-filters", Command.AddFilters.class);
    t.put("remove-filters", Command.RemoveFilters.class);
    t.put("insert-layer", Command.InsertLayer.class);
    t.put("remove-layer", Command.RemoveLayer.class);
    t.put("freeze", Command.Freeze.class);
    t.put("unfreeze", Command.Unfreeze.class);
    t.put("set-probe", Command.SetProbe.class);
    t.put("save-checkpoint", Command.SaveCheckpoint.class);
    t.put("undo", Command.Undo.class);
    t.put("reset", Command.Reset.class);
    t.put("fork", Command.Fork.class);
    t.put("keep-branch", Command.KeepBranch.class);
    t.put("show-branch", Command.ShowBranch.class);
    return java.util.Collections.unmodifiableMap(t);
  }

  /** Whether the command of {@code type} has a {@code branch} field of its own (the branch it keeps or shows). */
  public static boolean namesABranch(String type) {
    Class<? extends Command> kind = TYPES.get(type);
    return kind != null && java.util.Arrays.stream(kind.getRecordComponents()).anyMatch(c -> c.getName().equals("branch"));
  }

  /**
   * Builds a command from its protocol type and JSON payload (null or missing payload = empty),
   * or throws IllegalArgumentException saying what is wrong.
   */
  public static Command parse(String type, JsonNode payload) {
    if (type == null) throw new IllegalArgumentException("the message has no type; expected one of " + TYPES.keySet());
    Class<? extends Command> kind = TYPES.get(type);
    if (kind == null) {
      throw new IllegalArgumentException("unknown command type '" + ErrorText.clip(type) + "'; expected one of " + TYPES.keySet());
    }
    JsonNode body = payload == null || payload.isNull() || payload.isMissingNode() ? STRICT.createObjectNode() : payload;
    if (!(body instanceof ObjectNode)) throw new IllegalArgumentException("payload of '" + type + "' must be a JSON object");
    checkFields(type, kind, body);
    try {
      return STRICT.treeToValue(body, kind);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad payload for '" + type + "'" + field(e) + ": " + reason(e));
    }
  }

  /**
   * Refuses unknown fields and any value whose JSON type is not the field's, before Jackson
   * (which would turn 5 into "5", "NaN" into a float, null into "unchanged"): a number field
   * takes a JSON number, a text field a string of at most {@link #MAX_TEXT} characters ({@link #MAX_MODEL_SPEC} for a model spec), a list
   * of ids an array of such strings; null is never a value.
   */
  private static void checkFields(String type, Class<? extends Command> kind, JsonNode body) {
    Map<String, RecordComponent> components = new LinkedHashMap<>();
    for (RecordComponent c : kind.getRecordComponents()) components.put(c.getName(), c);
    for (var fields = body.fields(); fields.hasNext(); ) {
      var field = fields.next();
      RecordComponent component = components.get(field.getKey());
      if (component == null) {
        throw new IllegalArgumentException("bad payload for '" + type + "': unknown field '" + ErrorText.clip(field.getKey()) + "'; "
            + (components.isEmpty() ? "it takes no fields" : "its fields are " + components.keySet()));
      }
      int maxText = field.getKey().equals("model") ? MAX_MODEL_SPEC : MAX_TEXT;
      String problem = problem(component.getType(), field.getValue(), maxText);
      if (problem != null) throw new IllegalArgumentException("bad payload for '" + type + "' field '" + field.getKey() + "': " + problem);
    }
  }

  /** What is wrong with {@code value} for a field of Java type {@code type}, or null when nothing is. */
  private static String problem(Class<?> type, JsonNode value, int maxText) {
    if (value.isNull()) return "must not be null (leave the field out to keep the current value)";
    if (type == String.class) return textProblem(value, maxText);
    if (type == byte[].class) return value.isTextual() ? null : "must be base64 text, got " + ErrorText.describe(value);
    if (type == Boolean.class) return value.isBoolean() ? null : "must be true or false, got " + ErrorText.describe(value);
    if (type == Integer.class || type == int.class) {
      return value.isIntegralNumber() && value.canConvertToInt() ? null : "must be a whole number, got " + ErrorText.describe(value);
    }
    if (type == Float.class || type == Double.class) return value.isNumber() ? null : "must be a number, got " + ErrorText.describe(value);
    if (type == List.class) {
      if (!value.isArray()) return "must be a list of ids, got " + ErrorText.describe(value);
      for (int i = 0; i < value.size(); i++) {
        String problem = value.get(i).isNull() ? "must not be null" : textProblem(value.get(i), MAX_TEXT);
        if (problem != null) return "element " + i + " " + problem;
      }
    }
    return null;
  }

  private static String textProblem(JsonNode value, int maxText) {
    if (!value.isTextual()) return "must be text, got " + ErrorText.describe(value);
    int length = value.asText().length();
    return length <= maxText ? null
        : "is too long (" + length + " characters, at most " + maxText + "): '" + ErrorText.clip(value.asText()) + "'";
  }

  private static String field(JsonProcessingException e) {
    if (!(e instanceof JsonMappingException mapping)) return "";
    String path = mapping.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
    return path.isEmpty() ? "" : " field '" + path + "'";
  }

  /** Jackson's own words for what checkFields lets through (e.g. bad base64), without class names or locations. */
  private static String reason(JsonProcessingException e) {
    String why = e.getOriginalMessage();
    int cut = why.indexOf(" (");
    if (cut > 0) why = why.substring(0, cut);
    return why.contains("java.") || why.contains("org.revacnn") || why.contains("`") ? "the value cannot be read" : ErrorText.clip(why);
  }

  /**
   * The command's fields as a plain map (nulls dropped), as logged and acknowledged; uploaded
   * pixels appear as their byte count, so a log of many uploads stays small.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> payload(Command command) {
    Map<String, Object> map = STRICT.convertValue(command, LinkedHashMap.class);
    map.values().removeIf(java.util.Objects::isNull);
    if (command instanceof Command.SetProbe probe && probe.pixels() != null) map.put("pixels", probe.pixels().length + " bytes");
    return map;
  }

  /** A surgery result as a plain map for acknowledgements and the steering log. */
  public static Map<String, Object> describe(SurgeryResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("description", r.description());
    m.put("addedLayers", r.addedLayers());
    m.put("removedLayers", r.removedLayers());
    m.put("addedFilters", r.addedUnits());
    m.put("removedFilters", r.removedUnits());
    m.put("reinitialised", r.changes().stream().map(Commands::describe).toList());
    return m;
  }

  private static Map<String, Object> describe(WeightChange c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("layer", c.layerId());
    m.put("param", c.param());
    m.put("units", c.units());
    m.put("inputChannels", c.inputChannels());
    m.put("fill", c.fill().name().toLowerCase(java.util.Locale.ROOT));
    if (c.detail() != null) m.put("detail", c.detail());
    return m;
  }
}
