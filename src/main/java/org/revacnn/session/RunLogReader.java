package org.revacnn.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a run's history log ({@link RunLog}, docs/FORMATS.md). A complete line ends with a
 * newline; bytes after the last newline are a line cut short by a kill and are ignored (an append
 * then starts at {@link Replay#completeBytes}). A complete line that is not a valid entry is an
 * error naming the line: only the end of the file can be torn. Stateless.
 */
public final class RunLogReader {
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private RunLogReader() {}

  /** A log read back: its history, the length of its complete lines, and whether a torn last line was ignored. */
  public record Replay(History history, long completeBytes, boolean tornTail) {}

  /** What a run list shows of a log, read without keeping its batches. */
  public record Summary(long lastStep, double bestValidationAccuracy) {}

  /** Receives each complete line with its number (from 1). */
  private interface LineHandler {
    void line(long number, String text) throws IOException;
  }

  /**
   * The history the log holds, batches in step order without gaps.
   *
   * @throws IllegalArgumentException naming the line when a complete line is not a valid entry
   */
  public static Replay restore(Path file) throws IOException {
    History history = new History();
    Extent extent = read(file, (number, text) -> {
      JsonNode node = parse(file, number, text);
      switch (kind(file, number, node)) {
        case "step" -> addStep(history, file, number, node);
        case "validation" -> history.addValidation(entry(file, number, node, History.ValidationPoint.class));
        case "steering" -> history.addSteering(entry(file, number, node, SteeringEntry.class));
        default -> throw bad(file, number, "unknown kind '" + ErrorText.clip(node.path("kind").asText()) + "'");
      }
    });
    return new Replay(history, extent.complete(), extent.total() > extent.complete());
  }

  /** Adds a step line's batch to {@code history}, which it must follow without a gap. */
  private static void addStep(History history, Path file, long number, JsonNode node) {
    float loss;
    float accuracy;
    float imagesPerSecond;
    try {
      loss = number(node, "loss");
      accuracy = number(node, "accuracy");
      imagesPerSecond = number(node, "imagesPerSecond");
    } catch (IllegalArgumentException e) {
      throw bad(file, number, e.getMessage());
    }
    long step = node.path("step").asLong(-1);
    long expected = history.stepCount() == 0 ? step : history.lastStep() + 1;
    if (step < 1 || step != expected) throw bad(file, number, "step " + step + " does not follow step " + history.lastStep());
    history.addStep(step, loss, accuracy, node.path("examplesSeen").asLong(), node.path("wallMillis").asLong(), imagesPerSecond);
  }

  /** The last batch's step and the best validation accuracy (NaN when none), parsing only what they need. */
  public static Summary summary(Path file) throws IOException {
    long[] lastStep = {0};
    double[] best = {Double.NaN};
    read(file, (number, text) -> {
      if (text.startsWith("{\"kind\":\"step\",\"step\":")) {
        int from = "{\"kind\":\"step\",\"step\":".length();
        int to = text.indexOf(',', from);
        try {
          lastStep[0] = Long.parseLong(text, from, to < 0 ? text.length() : to, 10);
        } catch (NumberFormatException e) {
          throw bad(file, number, "the step is not a number");
        }
      } else if (text.startsWith("{\"kind\":\"validation\"")) {
        double accuracy = parse(file, number, text).path("accuracy").asDouble(Double.NaN);
        if (!Double.isNaN(accuracy) && !(accuracy <= best[0])) best[0] = accuracy;
      }
    });
    return new Summary(lastStep[0], best[0]);
  }

  /** The bytes of a log's complete lines, and of the whole file. */
  private record Extent(long complete, long total) {}

  /** Hands each complete line to {@code handler}. */
  private static Extent read(Path file, LineHandler handler) throws IOException {
    long complete = 0;
    long total = 0;
    long number = 0;
    ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      for (int b; (b = in.read()) != -1; ) {
        total++;
        if (b != '\n') {
          line.write(b);
          continue;
        }
        number++;
        handler.line(number, line.toString(StandardCharsets.UTF_8));
        line.reset();
        complete = total;
      }
    }
    return new Extent(complete, total);
  }

  private static JsonNode parse(Path file, long number, String text) {
    try {
      JsonNode node = JSON.readTree(text);
      if (node == null || !node.isObject()) throw bad(file, number, "not a JSON object");
      return node;
    } catch (JsonProcessingException e) {
      throw bad(file, number, "not valid JSON: " + ErrorText.clip(e.getOriginalMessage()));
    }
  }

  private static String kind(Path file, long number, JsonNode node) {
    if (!node.path("kind").isTextual()) throw bad(file, number, "no \"kind\"");
    return node.get("kind").asText();
  }

  /** A float field written by {@link RunLog}: a number, or "NaN" / "Infinity" / "-Infinity". */
  private static float number(JsonNode node, String field) {
    JsonNode value = node.path(field);
    if (!value.isTextual()) return (float) value.asDouble(Double.NaN);
    return switch (value.asText()) {
      case "NaN" -> Float.NaN;
      case "Infinity" -> Float.POSITIVE_INFINITY;
      case "-Infinity" -> Float.NEGATIVE_INFINITY;
      default -> throw new IllegalArgumentException("\"" + field + "\" is not a number: '" + ErrorText.clip(value.asText()) + "'");
    };
  }

  private static <T> T entry(Path file, long number, JsonNode node, Class<T> type) {
    try {
      return JSON.treeToValue(node, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      throw bad(file, number, "not a valid " + node.path("kind").asText() + " entry: " + ErrorText.clip(e.getMessage()));
    }
  }

  private static IllegalArgumentException bad(Path file, long number, String why) {
    return new IllegalArgumentException(file + " line " + number + ": " + why);
  }
}
