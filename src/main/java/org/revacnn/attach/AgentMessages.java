package org.revacnn.attach;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.revacnn.engine.Architecture;
import org.revacnn.session.EngineInfo;
import org.revacnn.session.ErrorText;
import org.revacnn.session.Snapshot;

/**
 * The messages an attached run (the agent) sends, as docs/ENGINE.md defines them, read into
 * records. The envelope is read strictly ({@code type}, {@code id}, {@code payload} and nothing
 * else); payload fields this server does not know are ignored, so an agent may add fields within
 * a protocol version. Float lists arrive as base64 float32 (EncodedFloats); other non-finite numbers
 * arrive as null. Stateless and thread-safe.
 */
final class AgentMessages {
  /** The version of docs/ENGINE.md this server speaks. */
  static final int PROTOCOL_VERSION = 2;

  private static final ObjectMapper JSON = JsonMapper.builder()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .addModule(new SimpleModule("engine float lists").addDeserializer(float[].class, new EncodedFloats()))
      .build();

  private AgentMessages() {}

  /** One message: its type, the id it answers (or null) and its payload (an object, possibly empty). */
  record Envelope(String type, String id, JsonNode payload) {}

  /** The first message of a run. */
  record Hello(int protocolVersion, String kind, String framework, String device, int worldSize, List<EngineInfo.Rank> ranks,
      Layers architecture, List<String> classNames, Snapshot.Settings hyperparameters, double snapshotHz,
      List<String> commands, List<String> requests) {}

  /** The architecture message's payload: the probe's input shape and the leaf modules in call order. */
  /** {@code skips} is null from an agent that lists none (written before skips were sent). */
  record Layers(List<Integer> input, List<EngineInfo.Rank> ranks, List<Layer> layers, List<Architecture.Skip> skips) {}

  /** One leaf module; {@code outputShape} is null for a module the probe's forward never called. */
  record Layer(String id, String kind, String module, List<Integer> outputShape, int filters, int kernelSize, int stride,
      int pad, boolean frozen, List<String> unitIds, int nextUnitNumber, int thumbnailChannels, Map<String, String> refused) {}

  /** The statistics of one sampled step. */
  record Statistics(long step, Integer epoch, Double epochProgress, long examplesSeen, String state, Double loss, Double trainAccuracy, Double imagesPerSecond,
      Snapshot.Settings hyperparameters, List<LayerStatistics> layers, Probe probe, long wallMillis) {}

  /** One conv or dense layer's per-filter numbers, indexed like its unit ids. */
  record LayerStatistics(String id, float[] jitter, float[] activation, int thumbnailSize, int thumbnailChannels,
      float[] thumbnails) {}

  record Probe(Integer label, float[] probabilities) {}

  /** An ack's or error's payload; {@code ranks} only in a distributed run. */
  record Answer(Map<String, Object> changes, String message, List<EngineInfo.Rank> ranks) {}

  /** The answer to a vectors request: row i belongs to ids[i]. */
  record Vectors(String layer, String kind, List<String> ids, List<float[]> vectors) {}

  /** The answer to a checksums request: every rank's weight checksum, taken between two steps. */
  record Checksums(List<EngineInfo.Rank> ranks) {}

  record Bye(String reason, Long step) {}

  /** Reads the envelope of one text message. */
  static Envelope envelope(String text) {
    JsonNode message;
    try {
      message = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("malformed JSON: " + ErrorText.clip(e.getOriginalMessage()));
    }
    if (message == null || !message.isObject()) throw new IllegalArgumentException("a message must be a JSON object {type, id, payload}");
    for (var fields = message.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!field.equals("type") && !field.equals("id") && !field.equals("payload")) {
        throw new IllegalArgumentException("unknown field '" + ErrorText.clip(field) + "'; a message has only type, id and payload");
      }
    }
    JsonNode type = message.get("type");
    if (type == null || !type.isTextual()) throw new IllegalArgumentException("type must be a text");
    JsonNode id = message.get("id");
    if (id != null && !id.isNull() && !id.isTextual()) throw new IllegalArgumentException("id must be a text");
    JsonNode payload = message.get("payload");
    if (payload != null && !payload.isNull() && !payload.isObject()) throw new IllegalArgumentException("payload must be an object");
    return new Envelope(type.asText(), id == null || id.isNull() ? null : id.asText(),
        payload == null || payload.isNull() ? JSON.createObjectNode() : payload);
  }

  /** Reads a payload into {@code kind}, or an IllegalArgumentException naming the message type. */
  static <T> T payload(Envelope message, Class<T> kind) {
    try {
      return JSON.treeToValue(message.payload(), kind);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException("bad " + message.type() + " payload: " + ErrorText.clip(String.valueOf(why)));
    }
  }

  /** A message to the agent: {@code {"type", "id", "payload"}}, without the id when there is none. */
  static String message(String type, String id, Object payload) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("type", type);
    if (id != null) message.put("id", id);
    message.put("payload", payload);
    try {
      return JSON.writeValueAsString(message);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write a " + type + " message", e);
    }
  }
}
