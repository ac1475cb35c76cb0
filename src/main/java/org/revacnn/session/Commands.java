package org.revacnn.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
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
    return java.util.Collections.unmodifiableMap(t);
  }

  /**
   * Builds a command from its protocol type and JSON payload (null or missing payload = empty),
   * or throws IllegalArgumentException saying what is wrong.
   */
  public static Command parse(String type, JsonNode payload) {
    if (type == null) throw new IllegalArgumentException("the message has no type; expected one of " + TYPES.keySet());
    Class<? extends Command> kind = TYPES.get(type);
    if (kind == null) throw new IllegalArgumentException("unknown command type '" + type + "'; expected one of " + TYPES.keySet());
    JsonNode body = payload == null || payload.isNull() || payload.isMissingNode() ? STRICT.createObjectNode() : payload;
    if (!(body instanceof ObjectNode)) throw new IllegalArgumentException("payload of '" + type + "' must be a JSON object");
    try {
      return STRICT.treeToValue(body, kind);
    } catch (JsonMappingException e) {
      String field = e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
          .collect(Collectors.joining("."));
      String why = e.getOriginalMessage();
      int cut = why.indexOf(" (");
      if (cut > 0) why = why.substring(0, cut);
      throw new IllegalArgumentException("bad payload for '" + type + "'" + (field.isEmpty() ? "" : " field '" + field + "'") + ": " + why);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("bad payload for '" + type + "': " + e.getOriginalMessage());
    }
  }

  /** The command's fields as a plain map (nulls dropped), as logged and acknowledged. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> payload(Command command) {
    Map<String, Object> map = STRICT.convertValue(command, LinkedHashMap.class);
    map.values().removeIf(java.util.Objects::isNull);
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
