package org.revacnn.session;

import org.revacnn.engine.Hyperparameters;

/**
 * How a run started, as its {@code config.json} holds it (written once, when the run is created).
 *
 * @param name              the run's name (its folder's)
 * @param created           when it was created, ISO-8601 UTC
 * @param model             the model shorthand it started with (surgery later changes the network, not this)
 * @param dataset           a sentence describing the data
 * @param data              the {@code --data} value that loads that data again (null when unknown)
 * @param validationImages  the {@code --validation} hold-out it was loaded with (null when unknown)
 * @param seed              the seed of weights, data order, augmentation and dropout
 * @param augment           whether training images are flipped and shifted
 * @param hyperparameters   the optimiser settings at the start
 * @param startedFrom       the checkpoint file it continued, or null when it started afresh
 */
public record RunConfig(String name, String created, String model, String dataset, String data, Integer validationImages,
    long seed, boolean augment, Hyperparameters hyperparameters, String startedFrom) {}
