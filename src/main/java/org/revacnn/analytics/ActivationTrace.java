package org.revacnn.analytics;

import java.util.List;
import org.revacnn.engine.FlatLayer;
import org.revacnn.engine.Layer;
import org.revacnn.engine.ProbeResult;

/**
 * Where a filter's activation is read in a {@link ProbeResult} (whose traces follow the
 * {@link FlatLayer} order): after the layer's ReLU when one follows it on its own path, directly or
 * after a batch norm (the post-activation map a filter passes on), else the layer's own output
 * (a conv whose output goes into a residual sum, the classifier).
 */
public final class ActivationTrace {
  private ActivationTrace() {}

  /** Index of the trace that holds flat layer {@code flatIndex}'s activation. */
  public static int index(List<FlatLayer> flat, int flatIndex) {
    return flatIndex + reluAhead(flat.get(flatIndex));
  }

  /** Whether a ReLU follows, so that an activation of exactly 0 means "not firing". */
  public static boolean followedByRelu(List<FlatLayer> flat, int flatIndex) {
    return reluAhead(flat.get(flatIndex)) > 0;
  }

  /** The trace holding flat layer {@code flatIndex}'s activation. */
  public static ProbeResult.LayerTrace of(List<FlatLayer> flat, ProbeResult probe, int flatIndex) {
    return probe.layers().get(index(flat, flatIndex));
  }

  /** How many layers ahead on the layer's path its ReLU is (1, or 2 past a batch norm); 0 when none follows. */
  private static int reluAhead(FlatLayer layer) {
    for (int ahead = 1; ahead <= 2; ahead++) {
      Layer next = layer.next(ahead);
      if (next == null) return 0;
      if (next.kind().equals("relu")) return ahead;
      if (!next.kind().equals("batchnorm")) return 0;
    }
    return 0;
  }
}
