package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;

/**
 * A deep, immutable-by-convention copy of a network: its architecture, every parameter with its
 * optimiser state and every buffer (batch norm's running statistics). Used for undo, divergence
 * rollback and checkpoints. Capturing and restoring happen on the training thread; the copy itself may be handed to other threads.
 */
public record NetworkState(Architecture architecture, List<Param> params, long step, long seed) {
  public NetworkState {
    params = List.copyOf(params);
  }

  public static NetworkState capture(Network net) {
    List<Param> copies = new ArrayList<>();
    for (Param p : net.savedArrays()) copies.add(p.copy());
    return new NetworkState(Architecture.of(net), copies, net.step(), net.seed());
  }

  /**
   * A new network equal to the captured one, bit for bit, including optimiser state; throws
   * IllegalArgumentException when a parameter's size does not match its architecture.
   */
  public Network restore() {
    Network net = architecture.build(seed);
    List<Param> target = net.savedArrays();
    if (target.size() != params.size()) {
      throw new IllegalArgumentException("architecture has " + target.size() + " parameter arrays, state has " + params.size());
    }
    for (int i = 0; i < params.size(); i++) {
      Param saved = params.get(i);
      Param p = target.get(i);
      if (!p.name().equals(saved.name()) || p.size() != saved.size() || p.units() != saved.units()) {
        throw new IllegalArgumentException("parameter " + p.name() + " (" + p.units() + " x " + p.unitSize()
            + ") does not match saved " + saved.name() + " (" + saved.units() + " x " + saved.unitSize() + ")");
      }
      p.restoreFrom(saved);
    }
    net.setStep(step);
    return net;
  }
}
