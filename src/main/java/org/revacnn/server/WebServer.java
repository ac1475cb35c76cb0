package org.revacnn.server;

import io.javalin.Javalin;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.http.staticfiles.Location;
import org.revacnn.attach.AttachedSession;
import org.revacnn.session.Session;

/**
 * The web server of one training session: the UI from the classpath folder {@code web/}, D3 from
 * its WebJar, the REST API under {@code /api} and the WebSocket at {@code /ws} (docs/PROTOCOL.md).
 * Only wires routes: {@link RestApi}, {@link TestApi}, {@link AnalyticsApi}, {@link RunsApi} and {@link SocketHub} do the work, {@link Protocol} all JSON,
 * {@link AccessControl} the checks. Does not own the session: closing the server leaves it running.
 */
public final class WebServer implements AutoCloseable {
  /** Largest WebSocket message accepted (a command with an uploaded probe image fits easily). */
  public static final int MAX_MESSAGE_BYTES = 1 << 20;
  /** Largest HTTP request body accepted. */
  public static final long MAX_REQUEST_BYTES = 4L << 20;

  /**
   * Where to listen and who may connect.
   *
   * @param host  the interface to bind (a loopback name unless a token is given)
   * @param port  the port (0: any free one)
   * @param token the token every request must carry, or null (loopback only)
   */
  public record Options(String host, int port, String token) {
    public Options {
      if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      if (token != null && token.isBlank()) throw new IllegalArgumentException("the token must not be blank");
      if (token == null && !AccessControl.isLoopback(host)) {
        throw new IllegalArgumentException("binding " + host + " (not loopback) requires a token");
      }
    }

    /** The given token; else none on a loopback host, and a freshly generated random one on any other. */
    public static Options of(String host, int port, String token) {
      return new Options(host, port, token != null || AccessControl.isLoopback(host) ? token : AccessControl.newToken());
    }
  }

  private final Javalin app;
  private final SocketHub hub;
  private final Options options;

  private WebServer(Javalin app, SocketHub hub, Options options) {
    this.app = app;
    this.hub = hub;
    this.options = options;
  }

  /**
   * Starts serving {@code session} (an in-process one's training thread the caller starts); an
   * {@link AttachedSession} also gets the {@code /engine} endpoint its PyTorch runs connect to.
   */
  public static WebServer start(Session session, Options options) {
    return start(session, options, null);
  }

  /**
   * As {@link #start(Session, Options)}, with the runs folder that {@code /api/runs} lists and
   * {@code /api/history?run=NAME} reads (null: the server keeps no runs).
   */
  public static WebServer start(Session session, Options options, KeptRuns runs) {
    SocketHub hub = new SocketHub(session);
    RestApi api = new RestApi(session);
    AnalyticsApi analytics = new AnalyticsApi(session);
    TestApi tests = new TestApi(session);
    RunsApi kept = new RunsApi(runs, session);
    AccessControl access = new AccessControl(options.token());
    Javalin app = Javalin.create(cfg -> {
      cfg.startup.showJavalinBanner = false;
      cfg.concurrency.useVirtualThreads = true;
      cfg.http.maxRequestSize = MAX_REQUEST_BYTES;
      cfg.jetty.modifyWebSocketServletFactory(factory -> {
        factory.setMaxTextMessageSize(MAX_MESSAGE_BYTES);
        factory.setMaxBinaryMessageSize(MAX_MESSAGE_BYTES);
      });
      cfg.staticFiles.add("/web", Location.CLASSPATH);
      cfg.staticFiles.enableWebjars();

      cfg.routes.before(access::checkRequest);
      cfg.routes.get("/api/snapshot", api::snapshot);
      cfg.routes.get("/api/engine", api::engine);
      cfg.routes.get("/api/history", ctx -> {
        if (ctx.queryParam("run") == null) api.history(ctx);
        else kept.history(ctx, RestApi.historyPoints(ctx));
      });
      cfg.routes.get("/api/runs", kept::list);
      cfg.routes.get("/api/architecture", api::architecture);
      cfg.routes.get("/api/dataset", api::dataset);
      cfg.routes.post("/api/commands", api::command);
      cfg.routes.get("/api/checkpoint", api::checkpoint);
      cfg.routes.get("/api/weights", api::weights);
      cfg.routes.get("/api/images/{split}/{index}", api::image);
      cfg.routes.get("/api/sprites/{split}", api::sprite);
      cfg.routes.post("/api/classify", api::classify);
      cfg.routes.get("/api/test", tests::test);
      cfg.routes.get("/api/test/predictions", tests::predictions);
      cfg.routes.get("/api/test/sprite", tests::sprite);
      cfg.routes.get("/api/activations", api::activations);
      cfg.routes.get("/api/tsne", analytics::tsne);
      cfg.routes.get("/api/tsne/images", analytics::tsneImages);
      cfg.routes.get("/api/recommendations", analytics::recommendations);
      cfg.routes.exception(IllegalArgumentException.class, (e, ctx) ->
          ctx.status(HttpStatus.BAD_REQUEST).contentType("application/json").result(Protocol.restError(e.getMessage())));
      cfg.routes.exception(ApiError.class, (e, ctx) ->
          ctx.status(e.status()).contentType("application/json").result(Protocol.restError(e.getMessage())));
      cfg.routes.exception(HttpResponseException.class, (e, ctx) ->
          ctx.status(e.getStatus()).contentType("application/json").result(Protocol.restError(e.getStatus() == 413
              ? "the request body is larger than the limit of " + (MAX_REQUEST_BYTES >> 20) + " MiB" : e.getMessage())));

      cfg.routes.wsBeforeUpgrade("/ws", access::checkUpgrade);
      cfg.routes.ws("/ws", ws -> {
        ws.onConnect(hub::onConnect);
        ws.onMessage(hub::onMessage);
        ws.onBinaryMessage(hub::onBinaryMessage);
        ws.onClose(hub::onClose);
        ws.onError(hub::disconnect);
      });
      if (session instanceof AttachedSession attached) {
        EngineEndpoint engine = new EngineEndpoint(attached);
        cfg.routes.wsBeforeUpgrade("/engine", access::checkUpgrade);
        cfg.routes.ws("/engine", ws -> {
          ws.onConnect(engine::onConnect);
          ws.onMessage(engine::onMessage);
          ws.onBinaryMessage(engine::onBinaryMessage);
          ws.onClose(engine::onClose);
          ws.onError(engine::onClose);
        });
      }
    });
    app.start(options.host(), options.port());
    return new WebServer(app, hub, options);
  }

  public int port() {
    return app.port();
  }

  /** The address to open in a browser, with {@code ?token=} when one is required. */
  public String url() {
    String host = options.host().contains(":") && !options.host().startsWith("[") ? "[" + options.host() + "]" : options.host();
    if (host.equals("0.0.0.0") || host.equals("[::]")) host = "localhost";
    return "http://" + host + ":" + port() + "/" + (options.token() == null ? "" : "?token=" + options.token());
  }

  /** How many WebSocket clients are connected now. */
  public int clientCount() {
    return hub.clientCount();
  }

  @Override
  public void close() {
    hub.close();
    app.stop();
  }
}
