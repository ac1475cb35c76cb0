package org.revacnn.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A random surgery operation for property tests, resolved against whatever network it meets:
 * {@code pick} chooses the layer or position modulo the candidates, {@code amount} a count, and
 * {@code variant} the initialisation. Resolved operations may be invalid (removing every filter,
 * a pool that no longer fits); {@link #apply} then throws IllegalArgumentException.
 */
record SurgeryRecipe(Kind kind, int pick, int amount, int variant, boolean flag) {
  enum Kind { ADD_FILTERS, REMOVE_FILTERS, INSERT_CONV, INSERT_DENSE, REMOVE_LAYER, TOGGLE_FREEZE }

  /** A random operation of one of {@code kinds}. */
  static SurgeryRecipe any(SplittableRandom random, Kind... kinds) {
    return new SurgeryRecipe(Seeds.oneOf(random, kinds), Seeds.between(random, 0, 50), Seeds.between(random, 1, 3),
        Seeds.between(random, 0, 5), random.nextBoolean());
  }

  /** Applies this operation; with {@code randomInsertsOnly}, inserted layers are He-random, never identities. */
  SurgeryResult apply(Network net, boolean randomInsertsOnly) {
    List<Layer> layers = net.layers();
    List<Layer> hidden = layers.stream().filter(l -> Surgery.isParameterised(l) && !l.id().equals(Network.CLASSIFIER_ID)).toList();
    return switch (kind) {
      case ADD_FILTERS -> {
        if (hidden.isEmpty()) yield Surgery.addFilters(net, Network.CLASSIFIER_ID, amount, GrowInit.RANDOM, null, 0);
        Layer layer = hidden.get(pick % hidden.size());
        GrowInit init = GrowInit.values()[variant % 3];
        List<String> ids = Surgery.unitIds(layer).ids();
        String source = init == GrowInit.NET2NET && flag ? ids.get(pick % ids.size()) : null;
        double noise = init == GrowInit.NET2NET && variant >= 3 ? 0.05 : 0;
        yield Surgery.addFilters(net, layer.id(), amount, init, source, noise);
      }
      case REMOVE_FILTERS -> {
        if (hidden.isEmpty()) yield Surgery.removeFilters(net, Network.CLASSIFIER_ID, List.of("output/f0"));
        Layer layer = hidden.get(pick % hidden.size());
        List<String> ids = Surgery.unitIds(layer).ids();
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < Math.min(amount, ids.size()); i++) chosen.add(ids.get((pick + 2 * i) % ids.size()));
        yield Surgery.removeFilters(net, layer.id(), chosen.stream().distinct().toList());
      }
      case INSERT_CONV -> {
        int position = pick % layers.size(); // 0: before the first layer; i: after layer i - 1, never the classifier
        String after = position == 0 ? Surgery.INPUT : layers.get(position - 1).id();
        Shape in = net.checkChain().get(position);
        boolean identity = !randomInsertsOnly && variant % 2 == 0;
        int kernel = Math.min(in.height(), in.width()) >= 3 && flag ? 3 : 1;
        int filters = identity ? in.channels() : amount + 1;
        yield Surgery.insertConv(net, after, filters, kernel, !identity && variant >= 4, identity ? InsertInit.IDENTITY : InsertInit.RANDOM);
      }
      case INSERT_DENSE -> {
        int position = pick % layers.size();
        String after = position == 0 ? Surgery.INPUT : layers.get(position - 1).id();
        Shape in = net.checkChain().get(position);
        // identities over more than 64 inputs would make the per-float comparisons slow
        boolean identity = !randomInsertsOnly && variant % 2 == 0 && in.size() <= 64;
        yield Surgery.insertDense(net, after, identity ? in.size() : amount + 2, identity ? InsertInit.IDENTITY : InsertInit.RANDOM);
      }
      // any layer but the classifier; with only the classifier left, the removal is invalid
      case REMOVE_LAYER -> Surgery.removeLayer(net, layers.get(layers.size() == 1 ? 0 : pick % (layers.size() - 1)).id());
      case TOGGLE_FREEZE -> {
        List<Layer> parameterised = layers.stream().filter(Surgery::isParameterised).toList();
        Layer layer = parameterised.get(pick % parameterised.size());
        yield Network.isFrozen(layer) ? Surgery.unfreeze(net, layer.id()) : Surgery.freeze(net, layer.id());
      }
    };
  }
}
