package org.revacnn.engine;

/**
 * Observes training steps on the training thread. Implementations must be quick and must not
 * keep references to live arrays beyond the call (copy what they need).
 */
public interface StepListener {
  /** After backward and before the update: every {@link Param#grad()} holds this step's gradient. */
  default void afterBackward(Network network, long step) {}

  /** After the update. */
  default void afterStep(Network network, StepResult result) {}
}
