package org.revacnn.server;

import io.javalin.http.Context;
import org.revacnn.analytics.TsneKind;
import org.revacnn.engine.Architecture;
import io.javalin.http.HttpStatus;
import org.revacnn.session.Session;

/**
 * The analytics endpoints (docs/PROTOCOL.md, "Analytics"): t-SNE maps of a layer's filters and
 * of validation images, and removal/freeze recommendations. Vectors are read on the training
 * thread, t-SNE runs on the session's t-SNE thread; bad parameters become 400.
 */
final class AnalyticsApi {
  private static final String JSON = "application/json";

  private final Session session;

  AnalyticsApi(Session session) {
    this.session = session;
  }

  /** {@code /api/tsne?layer=ID&kind=weights|gradients|activations|activation-gradients} (kind defaults to weights). */
  void tsne(Context context) {
    String layer = RestApi.required(context, "layer", "a conv or dense layer id");
    String kindText = context.queryParam("kind");
    TsneKind kind = kindText == null ? TsneKind.WEIGHTS : TsneKind.parse(kindText);
    Session session = RestApi.branch(this.session, context);
    Architecture architecture = session.architecture();
    if (architecture == null) throw new ApiError(HttpStatus.CONFLICT, session.engine().message());
    String layerKind = ActivationMaps.flat(architecture).get(ActivationMaps.indexOf(architecture, layer)).kind();
    if (!layerKind.equals("conv") && !layerKind.equals("dense")) {
      throw new IllegalArgumentException("layer '" + layer + "' is a " + layerKind + " layer without filters; choose a conv or dense layer");
    }
    context.contentType(JSON).result(Protocol.json(RestApi.await(session.filterMap(layer, kind))));
  }

  /** {@code /api/tsne/images}: the first validation images by the classifier's input, with their classes. */
  void tsneImages(Context context) {
    RestApi.requireSupported(session, "image-map");
    context.contentType(JSON).result(Protocol.json(RestApi.await(RestApi.branch(session, context).imageMap())));
  }

  /** {@code /api/recommendations}: per hidden layer the filters to remove, and the layers to freeze. */
  void recommendations(Context context) {
    RestApi.requireSupported(session, "recommendations");
    context.contentType(JSON).result(Protocol.json(RestApi.await(RestApi.branch(session, context).recommendations())));
  }
}
