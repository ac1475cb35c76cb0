package org.revacnn.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.revacnn.engine.InitKind;
import org.revacnn.engine.LayerSpec;
import org.revacnn.engine.NetworkSpec;
import org.revacnn.engine.Shape;

/**
 * Turns the {@code --model} argument into a {@link NetworkSpec}: either shorthand
 * ({@code conv16-conv20-conv20}, see ModelShorthand) or the path of a JSON file ending in
 * {@code .json}:
 * <pre>
 * {"init": "he",
 *  "layers": [{"type": "conv", "filters": 16, "kernelSize": 5, "stride": 1, "pad": 2},
 *             {"type": "relu"}, {"type": "pool", "size": 2, "stride": 2},
 *             {"type": "dense", "units": 64}, {"type": "dropout", "rate": 0.5}]}
 * </pre>
 * Also {@code {"type": "conv", ..., "bias": false}}, {@code {"type": "batchnorm"}},
 * {@code {"type": "globalpool"}} and residual blocks
 * {@code {"type": "residual", "main": [layers...], "shortcut": [layers...]}}, whose output is the sum
 * of the two paths: an empty shortcut is the identity, and without "shortcut" it is chosen when
 * the model is built (the identity where the main path keeps the shape, else a 1x1 conv + batch norm).
 * Layers are exactly as listed (no ReLU or pool is added); the classifier is appended. Input shape
 * and class count come from the data. Errors name the file, the layer index and the field.
 */
public final class ModelSpecs {
  private static final Set<String> FIELDS = Set.of("type", "filters", "kernelSize", "stride", "pad", "bias", "size", "units",
      "rate", "main", "shortcut");

  private ModelSpecs() {}

  public static NetworkSpec parse(String model, Shape input, int classes) {
    if (model == null || !model.strip().endsWith(".json")) return NetworkSpec.parse(model, input, classes);
    Path file = Path.of(model.strip());
    JsonNode root;
    try {
      root = Commands.STRICT.readTree(Files.readString(file));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new IllegalArgumentException("model file " + file + " does not exist");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("model file " + file + " is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read model file " + file + ": " + e.getMessage());
    }
    if (!root.isObject() || !root.path("layers").isArray()) {
      throw new IllegalArgumentException("model file " + file + " needs an object with a \"layers\" array");
    }
    InitKind init = root.has("init") ? InitKind.parse(root.get("init").asText()) : InitKind.HE;
    return new NetworkSpec(input, classes, layers("model file " + file + ", layer ", root.get("layers")), init);
  }

  private static List<LayerSpec> layers(String where, JsonNode list) {
    List<LayerSpec> layers = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) layers.add(layer(where + i, list.get(i)));
    return layers;
  }

  private static LayerSpec layer(String where, JsonNode node) {
    if (!node.isObject()) throw new IllegalArgumentException(where + ": expected an object");
    node.fieldNames().forEachRemaining(f -> {
      if (!FIELDS.contains(f)) throw new IllegalArgumentException(where + ": unknown field \"" + f + "\"; fields are " + FIELDS);
    });
    String type = node.path("type").asText("");
    return switch (type) {
      case "conv" -> {
        int kernel = integer(node, "kernelSize", 5, 1, 64, where);
        JsonNode bias = node.path("bias");
        if (!bias.isMissingNode() && !bias.isBoolean()) throw new IllegalArgumentException(where + ": \"bias\" must be true or false");
        yield new LayerSpec.ConvSpec(integer(node, "filters", -1, 1, 4096, where), kernel,
            integer(node, "stride", 1, 1, 64, where), integer(node, "pad", kernel / 2, 0, 64, where), bias.asBoolean(true));
      }
      case "batchnorm" -> new LayerSpec.BatchNormSpec();
      case "globalpool" -> new LayerSpec.GlobalPoolSpec();
      case "residual" -> {
        if (!node.path("main").isArray() || node.get("main").isEmpty()) {
          throw new IllegalArgumentException(where + ": a residual block needs a non-empty \"main\" array of layers");
        }
        if (node.has("shortcut") && !node.get("shortcut").isArray()) {
          throw new IllegalArgumentException(where + ": \"shortcut\" must be an array of layers (empty: the identity)");
        }
        yield new LayerSpec.ResidualSpec(layers(where + " main ", node.get("main")),
            node.has("shortcut") ? layers(where + " shortcut ", node.get("shortcut")) : null);
      }
      case "relu" -> new LayerSpec.ReluSpec();
      case "pool" -> {
        int size = integer(node, "size", 2, 1, 64, where);
        yield new LayerSpec.PoolSpec(size, integer(node, "stride", size, 1, 64, where));
      }
      case "dense" -> new LayerSpec.DenseSpec(integer(node, "units", -1, 1, 4096, where));
      case "dropout" -> {
        double rate = node.path("rate").asDouble(-1);
        if (!node.path("rate").isNumber() || rate < 0 || rate >= 1) {
          throw new IllegalArgumentException(where + ": \"rate\" must be a number in [0, 1)");
        }
        yield new LayerSpec.DropoutSpec((float) rate);
      }
      default -> throw new IllegalArgumentException(where + ": \"type\" must be conv, relu, pool, dense, dropout, batchnorm, "
          + "globalpool or residual, got \"" + type + "\"");
    };
  }

  private static int integer(JsonNode node, String field, int fallback, int min, int max, String where) {
    JsonNode value = node.get(field);
    if (value == null) {
      if (fallback < 0) throw new IllegalArgumentException(where + ": \"" + field + "\" is required");
      return fallback;
    }
    if (!value.isInt() || value.asInt() < min || value.asInt() > max) {
      throw new IllegalArgumentException(where + ": \"" + field + "\" must be an integer in " + min + ".." + max + ", got " + value);
    }
    return value.asInt();
  }
}
