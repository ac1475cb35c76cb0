package org.revacnn.attach;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.revacnn.engine.Architecture;
import org.revacnn.engine.Shape;

/**
 * An attached run's architecture message turned into the {@link Architecture} the browser draws,
 * plus each layer's refused commands. Layer ids are the PyTorch module paths; a conv's
 * {@code filters} stay filters, a dense layer's become its {@code units}; shapes {@code [C, H, W]}
 * or {@code [N]} become {@code C x H x W} or {@code N x 1 x 1}; a module the probe never reached
 * has no shape (null). Its skips (residual additions the agent found) must name its layers.
 */
record RemoteArchitecture(Architecture architecture, Map<String, Map<String, String>> refused) {

  static RemoteArchitecture of(AgentMessages.Layers message, int classes) {
    if (message.layers() == null || message.layers().isEmpty()) throw new IllegalArgumentException("bad architecture: it has no layers");
    List<Architecture.LayerInfo> layers = new ArrayList<>();
    Map<String, Map<String, String>> refused = new LinkedHashMap<>();
    for (AgentMessages.Layer l : message.layers()) {
      if (l.id() == null || l.kind() == null) throw new IllegalArgumentException("bad architecture: every layer needs an id and a kind");
      List<String> ids = l.unitIds() == null ? List.of() : List.copyOf(l.unitIds());
      boolean dense = l.kind().equals("dense");
      layers.add(new Architecture.LayerInfo(l.id(), l.kind(), shape(l.outputShape()), dense ? 0 : l.filters(), l.kernelSize(),
          l.stride(), l.pad(), 0, dense ? l.filters() : 0, 0f, l.frozen(), numbers(l.id(), ids), l.nextUnitNumber(), ids));
      if (l.refused() != null && !l.refused().isEmpty()) refused.put(l.id(), Map.copyOf(l.refused()));
    }
    Shape input = shape(message.input());
    if (input == null) throw new IllegalArgumentException("bad architecture: input must be the probe's shape [C, H, W]");
    List<Architecture.Skip> skips = message.skips() == null ? List.of() : message.skips();
    Set<String> ids = layers.stream().map(Architecture.LayerInfo::id).collect(Collectors.toSet());
    for (Architecture.Skip skip : skips) checkSkip(skip, ids);
    return new RemoteArchitecture(new Architecture(input, classes, null, Map.of(), layers, skips), refused);
  }

  /** A skip must name layers of the architecture (its {@code from} may be null: the input). */
  private static void checkSkip(Architecture.Skip skip, Set<String> ids) {
    if (skip == null) throw new IllegalArgumentException("bad architecture: a skip is null");
    for (String id : Arrays.asList(skip.from(), skip.to(), skip.projection())) {
      if (id != null && !ids.contains(id)) {
        throw new IllegalArgumentException("bad architecture: the skip of block '" + skip.block() + "' names layer '" + id
            + "', which is not a layer of the model");
      }
    }
  }

  /** {@code [C, H, W]} or {@code [N]} as a Shape; null for no shape (or one that is not 1 to 3 positive sizes). */
  static Shape shape(List<Integer> dims) {
    if (dims == null || dims.isEmpty() || dims.size() > 3 || dims.stream().anyMatch(d -> d == null || d <= 0)) return null;
    return new Shape(dims.get(0), dims.size() > 1 ? dims.get(1) : 1, dims.size() > 2 ? dims.get(2) : 1);
  }

  /** The numbers of unit ids {@code <layer>/f<number>}; an id of another form is refused. */
  private static int[] numbers(String layer, List<String> ids) {
    int[] numbers = new int[ids.size()];
    String prefix = layer + "/f";
    for (int i = 0; i < numbers.length; i++) {
      String id = ids.get(i);
      try {
        if (!id.startsWith(prefix)) throw new NumberFormatException();
        numbers[i] = Integer.parseInt(id.substring(prefix.length()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("bad architecture: unit id '" + id + "' of layer '" + layer + "' is not " + prefix + "<number>");
      }
    }
    return numbers;
  }
}
