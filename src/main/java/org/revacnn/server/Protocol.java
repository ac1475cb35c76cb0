package org.revacnn.server;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.ErrorReportConfiguration;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.revacnn.engine.Architecture;
import org.revacnn.session.Command;
import org.revacnn.session.CommandResult;
import org.revacnn.session.Commands;
import org.revacnn.session.EngineInfo;
import org.revacnn.session.ErrorText;
import org.revacnn.session.History;
import org.revacnn.session.Snapshot;
import org.revacnn.session.SnapshotDemand;

/**
 * All JSON of the web protocol (docs/PROTOCOL.md): every WebSocket message is
 * {@code {"type", "id", "payload"}}; REST bodies are the same payloads, and REST errors are
 * {@code {"error": "..."}}. Non-finite numbers (a loss before the first batch, an accuracy with
 * no images) are written as {@code null}, since JSON has no NaN. Stateless and thread-safe.
 */
public final class Protocol {
  /**
   * Bumped whenever a message or endpoint changes incompatibly (2: save-checkpoint takes a name
   * in the checkpoint folder, not a path; 3: the hello says which engine trains, the engine
   * message, the architecture may be null while an attached server waits for its first run; 4: the
   * snapshot's arrays are packed, its filter ids left to the architecture, and a layer's detail sent
   * only when a client's view message asks for it).
   */
  public static final int VERSION = 4;
  /** The payload field naming the branch a command goes to (docs/PROTOCOL.md "Fork"). */
  public static final String BRANCH = "branch";
  /** Longest command id accepted (it is echoed in the answer). */
  public static final int MAX_ID = 100;
  /** Types of the messages the server sends; the command types are {@link Commands#TYPES}. */
  public static final String HELLO = "hello";
  public static final String SNAPSHOT = "snapshot";
  public static final String ARCHITECTURE = "architecture";
  public static final String ACK = "ack";
  public static final String ERROR = "error";
  public static final String ENGINE = "engine";
  /** The one message a client sends that is not a command: what its views need of the snapshots. */
  public static final String VIEW = "view";

  private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
          .errorReportConfiguration(ErrorReportConfiguration.builder()
              .maxErrorTokenLength(ErrorText.MAX_ECHO).maxRawContentLength(ErrorText.MAX_ECHO).build()).build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .addModule(finiteNumbers()).build();

  private Protocol() {}

  /**
   * A message from a client: its id (echoed in the answer, may be null) and either the parsed
   * command with the branch it goes to (the payload's {@code branch}; null: the client's shown
   * branch) or, for a {@link #VIEW} message, what the client's views need (the others are null).
   */
  public record Request(String id, Command command, String branch, SnapshotDemand view) {}

  /** A message that could not be turned into a command; {@code id} is the message's id when it had a readable one. */
  public static final class BadRequest extends Exception {
    private final String id;

    BadRequest(String id, String message) {
      super(message);
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  /** Reads one JSON value strictly: nothing may follow it, and an error echoes at most a clipped token. */
  static JsonNode readTree(String text) throws JsonProcessingException {
    return JSON.readTree(text);
  }

  /** Parses {@code {"type": <command type>, "id": <string>, "payload": {...}}} strictly. */
  public static Request parseRequest(String text) throws BadRequest {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new BadRequest(null, "malformed JSON: " + ErrorText.clip(e.getOriginalMessage()));
    }
    if (message == null || !message.isObject()) throw new BadRequest(null, "a message must be a JSON object {type, id, payload}");
    JsonNode idNode = message.get("id");
    String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
    if (idNode != null && !idNode.isNull() && !idNode.isTextual()) throw new BadRequest(null, "id must be a string");
    if (id != null && id.length() > MAX_ID) throw new BadRequest(null, "id must be at most " + MAX_ID + " characters long");
    for (var fields = message.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("type") && !field.equals("id") && !field.equals("payload")) {
        throw new BadRequest(id, "unknown field '" + ErrorText.clip(field) + "'; a message has only type, id and payload");
      }
    }
    JsonNode type = message.get("type");
    if (type == null || !type.isTextual()) throw new BadRequest(id, "type must be a string, one of " + Commands.TYPES.keySet());
    try {
      if (type.asText().equals(VIEW)) return new Request(id, null, null, view(message.get("payload")));
      JsonNode payload = message.get("payload");
      String branch = null;
      if (payload instanceof ObjectNode fields && fields.has(BRANCH) && !Commands.namesABranch(type.asText())) {
        JsonNode value = fields.get(BRANCH);
        if (!value.isTextual() || value.asText().length() > Commands.MAX_TEXT) {
          throw new IllegalArgumentException("branch must be the id of a live branch (text, e.g. \"B\"), got " + ErrorText.describe(value));
        }
        branch = value.asText();
        payload = fields.deepCopy().without(BRANCH);
      }
      return new Request(id, Commands.parse(type.asText(), payload), branch, null);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(id, e.getMessage());
    }
  }

  /** The payload of a view message: {@code {"layers": [ids], "statistics": [names]}}, both optional. */
  private static SnapshotDemand view(JsonNode payload) {
    if (payload == null || payload.isNull()) return SnapshotDemand.NONE;
    if (!payload.isObject()) throw new IllegalArgumentException("payload of 'view' must be a JSON object");
    for (var fields = payload.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("layers") && !field.equals("statistics")) {
        throw new IllegalArgumentException("unknown field '" + ErrorText.clip(field) + "' in 'view'; it has layers and statistics");
      }
    }
    return new SnapshotDemand(strings(payload.get("layers"), "layers"), strings(payload.get("statistics"), "statistics"));
  }

  private static Set<String> strings(JsonNode array, String field) {
    if (array == null || array.isNull()) return Set.of();
    if (!array.isArray()) throw new IllegalArgumentException("'" + field + "' of 'view' must be an array of strings");
    if (array.size() > SnapshotDemand.MAX_LAYERS) {
      throw new IllegalArgumentException("'" + field + "' of 'view' may hold at most " + SnapshotDemand.MAX_LAYERS + " names");
    }
    Set<String> out = new HashSet<>();
    for (JsonNode item : array) {
      if (!item.isTextual() || item.asText().length() > MAX_ID) {
        throw new IllegalArgumentException("'" + field + "' of 'view' must hold strings of at most " + MAX_ID + " characters");
      }
      out.add(item.asText());
    }
    return out;
  }

  /** The first message on a connection: protocol version, the network, the data, the history so far and the engine. */
  public static String hello(Architecture architecture, DatasetInfo dataset, History.View history, EngineInfo engine) {
    return message(HELLO, null, new Hello(VERSION, architecture, dataset, history, engine));
  }

  /** What trains changed state or capabilities (a run ended, a layer refuses other commands). */
  public static String engine(EngineInfo engine) {
    return message(ENGINE, null, engine);
  }

  /** A snapshot message for clients whose views want {@code demand} (protocol 4 packing, {@link SnapshotWire}). */
  public static String snapshot(Snapshot snapshot, SnapshotDemand demand) {
    return message(SNAPSHOT, null, SnapshotWire.of(snapshot, demand));
  }

  /** The REST snapshot body: the snapshot message's payload for a client with no view open (null before the first). */
  public static String snapshotBody(Snapshot snapshot) {
    return snapshot == null ? json(null) : json(SnapshotWire.of(snapshot, SnapshotDemand.NONE));
  }

  public static String architecture(Architecture architecture) {
    return message(ARCHITECTURE, null, architecture);
  }

  /**
   * The answer to a command: an ack with what changed (and, when nothing did, a message saying
   * why), or an error with the session's message.
   */
  public static String answer(String id, CommandResult result) {
    if (!result.ok()) return error(id, result.message());
    return message(ACK, id, new Ack(result.changes(), result.unchanged() ? result.message() : null));
  }

  /** The answer to a view message: what the connection's snapshots will carry from now on. */
  public static String viewAck(String id, SnapshotDemand view) {
    return message(ACK, id, new Ack(Map.of("layers", view.detailLayers().size(), "statistics", view.statistics()), null));
  }

  public static String error(String id, String message) {
    return message(ERROR, id, new ErrorPayload(ErrorText.clipQuoted(message)));
  }

  /** A REST error body. */
  public static String restError(String message) {
    return json(Map.of("error", ErrorText.clipQuoted(message)));
  }

  /** Any payload as JSON text (REST bodies). */
  public static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String message(String type, String id, Object payload) {
    return json(new Envelope(type, id, payload));
  }

  private record Hello(int protocolVersion, Architecture architecture, DatasetInfo dataset, History.View history, EngineInfo engine) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Ack(Map<String, Object> changes, String message) {}

  private record ErrorPayload(String message) {}

  /** Every WebSocket message; the id is left out when there is none. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  private record Envelope(String type, String id, Object payload) {}

  /** Serialisers writing NaN and infinities as null. */
  private static SimpleModule finiteNumbers() {
    SimpleModule module = new SimpleModule("finite-numbers");
    StdSerializer<Double> doubles = new StdSerializer<>(Double.class) {
      @Override
      public void serialize(Double value, JsonGenerator out, SerializerProvider provider) throws IOException {
        if (Double.isFinite(value)) out.writeNumber(value); else out.writeNull();
      }
    };
    StdSerializer<Float> floats = new StdSerializer<>(Float.class) {
      @Override
      public void serialize(Float value, JsonGenerator out, SerializerProvider provider) throws IOException {
        if (Float.isFinite(value)) out.writeNumber(value); else out.writeNull();
      }
    };
    StdSerializer<float[]> floatArrays = new StdSerializer<>(float[].class) {
      @Override
      public void serialize(float[] values, JsonGenerator out, SerializerProvider provider) throws IOException {
        out.writeStartArray(values, values.length);
        for (float v : values) {
          if (Float.isFinite(v)) out.writeNumber(v); else out.writeNull();
        }
        out.writeEndArray();
      }
    };
    StdSerializer<double[]> doubleArrays = new StdSerializer<>(double[].class) {
      @Override
      public void serialize(double[] values, JsonGenerator out, SerializerProvider provider) throws IOException {
        out.writeStartArray(values, values.length);
        for (double v : values) {
          if (Double.isFinite(v)) out.writeNumber(v); else out.writeNull();
        }
        out.writeEndArray();
      }
    };
    module.addSerializer(Double.class, doubles);
    module.addSerializer(Double.TYPE, doubles);
    module.addSerializer(Float.class, floats);
    module.addSerializer(Float.TYPE, floats);
    module.addSerializer(float[].class, floatArrays);
    module.addSerializer(double[].class, doubleArrays);
    return module;
  }
}
