package org.revacnn.session;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Shape;
import org.revacnn.engine.Surgery;

/**
 * Checks a saved {@link Architecture} before a network is built from it, so that a forged or
 * damaged header cannot make building allocate more than the file holds: every field within the
 * limits a session can reach (widths up to {@link Surgery#MAX_WIDTH}, kernels, strides, padding and
 * pools up to {@value #MAX_WINDOW}), the recorded output shapes equal to what the layers compute,
 * and the parameter arrays the layers imply equal, in order, to those the header lists (whose
 * sizes were already checked against the file's length). Stateless.
 */
final class ArchitectureCheck {
  static final int MAX_LAYERS = 256;
  static final int MAX_WINDOW = 64;
  static final int MAX_SIDE = 4096;
  static final int MAX_ID_NUMBER = 1 << 24;

  private ArchitectureCheck() {}

  /** Throws IllegalArgumentException naming the first layer and field that is wrong. */
  static void check(Architecture arch, List<CheckpointHeader.ParamLayout> saved) {
    Shape shape = require(arch.input(), "the input shape");
    require(arch.init(), "the initialisation");
    within("input channels", shape.channels(), 1, Surgery.MAX_WIDTH);
    within("input height", shape.height(), 1, MAX_SIDE);
    within("input width", shape.width(), 1, MAX_SIDE);
    within("classes", arch.classes(), 1, Surgery.MAX_WIDTH);
    within("layer count", require(arch.layers(), "the layer list").size(), 1, MAX_LAYERS);
    for (Map.Entry<String, Integer> counter : require(arch.idCounters(), "the id counters").entrySet()) {
      within("id counter " + counter.getKey(), counter.getValue(), 0, MAX_ID_NUMBER);
    }
    List<CheckpointHeader.ParamLayout> implied = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    for (Architecture.LayerInfo layer : arch.layers()) {
      // each layer's parameters, then its buffers, as Network.savedArrays lists them
      List<CheckpointHeader.ParamLayout> buffers = new ArrayList<>();
      shape = checkedOutput(layer, shape, ids, implied, buffers);
      implied.addAll(buffers);
    }
    List<Architecture.Skip> blocks = new Architecture(arch.input(), arch.classes(), arch.init(), Map.of(), arch.layers()).skips();
    if (!arch.skips().equals(blocks)) {
      throw new IllegalArgumentException("the skips " + arch.skips() + " are not those of the residual blocks, " + blocks);
    }
    if (implied.size() != saved.size()) {
      throw new IllegalArgumentException("the layers need " + implied.size() + " parameter arrays, the header lists " + saved.size());
    }
    for (int i = 0; i < implied.size(); i++) {
      CheckpointHeader.ParamLayout need = implied.get(i);
      CheckpointHeader.ParamLayout have = saved.get(i);
      if (!need.name().equals(have.name()) || need.units() != have.units() || need.unitSize() != have.unitSize()) {
        throw new IllegalArgumentException("parameter " + i + " is " + have.name() + " (" + have.units() + " x " + have.unitSize()
            + ") but the layers need " + need.name() + " (" + need.units() + " x " + need.unitSize() + ")");
      }
    }
  }

  /** The layer's output shape, checked against the one it records; its id must be new. */
  private static Shape checkedOutput(Architecture.LayerInfo layer, Shape in, Set<String> ids,
      List<CheckpointHeader.ParamLayout> params, List<CheckpointHeader.ParamLayout> buffers) {
    String id = require(layer.id(), "a layer id");
    if (!ids.add(id)) throw new IllegalArgumentException("layer id " + id + " appears twice");
    Shape out = layerOutput(layer, in, ids, params, buffers);
    if (!out.equals(layer.outputShape())) {
      throw new IllegalArgumentException("layer " + id + " records output " + layer.outputShape() + " but computes " + out);
    }
    return out;
  }

  /**
   * The layer's output shape for input {@code in}, adding the parameter arrays it owns to
   * {@code params} and its buffers to {@code buffers}; sizes in long.
   */
  private static Shape layerOutput(Architecture.LayerInfo layer, Shape in, Set<String> ids,
      List<CheckpointHeader.ParamLayout> params, List<CheckpointHeader.ParamLayout> buffers) {
    String id = layer.id();
    return switch (require(layer.kind(), "the kind of layer " + id)) {
      case "conv" -> {
        int filters = within(id + " filters", layer.filters(), 1, Surgery.MAX_WIDTH);
        int kernel = within(id + " kernel size", layer.kernelSize(), 1, MAX_WINDOW);
        int stride = within(id + " stride", layer.stride(), 1, MAX_WINDOW);
        int pad = within(id + " padding", layer.pad(), 0, MAX_WINDOW);
        units(layer, filters);
        params.add(layout(id + "/weights", filters, (long) in.channels() * kernel * kernel));
        if (!layer.withoutBias()) params.add(layout(id + "/bias", filters, 1));
        // out = (in + 2 pad - k) / stride + 1 per side, as Conv computes it
        yield new Shape(filters, side(id, in.height(), 2L * pad, kernel, stride), side(id, in.width(), 2L * pad, kernel, stride));
      }
      case "dense" -> {
        int units = within(id + " units", layer.units(), 1, Surgery.MAX_WIDTH);
        units(layer, units);
        params.add(layout(id + "/weights", units, (long) in.channels() * in.height() * in.width()));
        params.add(layout(id + "/bias", units, 1));
        yield new Shape(units, 1, 1);
      }
      case "pool" -> {
        int size = within(id + " pool size", layer.size(), 1, MAX_WINDOW);
        int stride = within(id + " stride", layer.stride(), 1, MAX_WINDOW);
        yield new Shape(in.channels(), side(id, in.height(), 0, size, stride), side(id, in.width(), 0, size, stride));
      }
      case "relu" -> in;
      case "globalpool" -> new Shape(in.channels(), 1, 1);
      case "batchnorm" -> {
        for (String array : List.of("gamma", "beta")) params.add(layout(id + "/" + array, in.channels(), 1));
        for (String array : List.of("runningMean", "runningVariance")) buffers.add(layout(id + "/" + array, in.channels(), 1));
        yield in;
      }
      case "residual" -> {
        if (require(layer.main(), "the main path of " + id).isEmpty()) throw new IllegalArgumentException(id + " has an empty main path");
        Shape main = chainOutput(id + " main path", layer.main(), in, ids, params, buffers);
        Shape shortcut = chainOutput(id + " shortcut", require(layer.shortcut(), "the shortcut of " + id), in, ids, params, buffers);
        if (!main.equals(shortcut)) {
          throw new IllegalArgumentException(id + ": its main path gives " + main + " but its shortcut " + shortcut);
        }
        yield main;
      }
      default -> throw new IllegalArgumentException("layer " + id + " has unknown kind '" + layer.kind() + "'");
    };
  }

  /** The output of a block's inner chain ({@code in} itself when it has no layers). */
  private static Shape chainOutput(String what, List<Architecture.LayerInfo> chain, Shape in, Set<String> ids,
      List<CheckpointHeader.ParamLayout> params, List<CheckpointHeader.ParamLayout> buffers) {
    within(what + " layer count", chain.size(), 0, MAX_LAYERS);
    Shape shape = in;
    for (Architecture.LayerInfo layer : chain) shape = checkedOutput(layer, shape, ids, params, buffers);
    return shape;
  }

  private static int side(String id, int in, long padding, int window, int stride) {
    long padded = in + padding;
    if (padded < window) throw new IllegalArgumentException(id + ": window " + window + " is larger than its input " + padded);
    return Math.toIntExact((padded - window) / stride + 1);
  }

  private static void units(Architecture.LayerInfo layer, int count) {
    int[] numbers = require(layer.unitNumbers(), "the unit numbers of " + layer.id());
    if (numbers.length != count) {
      throw new IllegalArgumentException(layer.id() + " has " + count + " units but " + numbers.length + " unit numbers");
    }
    within(layer.id() + " next unit number", layer.nextUnitNumber(), count, MAX_ID_NUMBER);
  }

  private static CheckpointHeader.ParamLayout layout(String name, int units, long unitSize) {
    if (unitSize > Integer.MAX_VALUE / units) throw new IllegalArgumentException(name + " would need " + units + " x " + unitSize + " floats");
    return new CheckpointHeader.ParamLayout(name, units, (int) unitSize, 0f, List.of());
  }

  private static int within(String what, int value, int min, int max) {
    if (value < min || value > max) throw new IllegalArgumentException(what + " must be in " + min + ".." + max + ", got " + value);
    return value;
  }

  private static <T> T require(T value, String what) {
    if (value == null) throw new IllegalArgumentException(what + " is missing");
    return value;
  }
}
