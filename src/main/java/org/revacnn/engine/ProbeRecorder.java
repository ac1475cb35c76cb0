package org.revacnn.engine;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps a copy of every layer's output and output gradient while one probe image goes forward and
 * backward, the inner layers of residual blocks included (a block runs its paths through
 * {@link #forward} and {@link #backward} when it is given a recorder).
 */
final class ProbeRecorder {
  private final Map<Layer, Tensor> outputs = new IdentityHashMap<>();
  private final Map<Layer, float[]> gradients = new IdentityHashMap<>();

  /** {@code layer.forward}, recording a copy of the output. */
  Tensor forward(Layer layer, Frame frame, Tensor in, Pass pass) {
    Tensor out = layer instanceof Residual r ? r.forward(frame, in, pass, this) : layer.forward(frame, in, pass);
    outputs.put(layer, new Tensor(out.batch(), out.shape(), out.data().clone()));
    return out;
  }

  /** {@code layer.backward}, recording a copy of the gradient it is given (dL/d its output). */
  Tensor backward(Layer layer, Frame frame, Tensor gradOut, boolean needInputGrad) {
    gradients.put(layer, gradOut.data().clone());
    return layer instanceof Residual r ? r.backward(frame, gradOut, needInputGrad, this) : layer.backward(frame, gradOut, needInputGrad);
  }

  /** The traces of every layer in {@link FlatLayer} order. */
  List<ProbeResult.LayerTrace> traces(Network network) {
    List<ProbeResult.LayerTrace> traces = new ArrayList<>();
    for (FlatLayer f : FlatLayer.of(network)) {
      Tensor out = outputs.get(f.layer());
      traces.add(new ProbeResult.LayerTrace(f.layer().id(), out.shape(), out.data(), gradients.get(f.layer())));
    }
    return traces;
  }
}
