package org.revacnn.server;

import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import org.revacnn.session.ErrorText;

/**
 * Who may talk to the server. With a token, every HTTP request and WebSocket upgrade must carry
 * it: header {@code Authorization: Bearer T} (any case of "Bearer"), query {@code ?token=T} (which also sets an HttpOnly
 * cookie so the page's later requests carry it), or that cookie. Without a token (loopback only)
 * the Host header must name the loopback interface, which stops DNS-rebinding pages. Always: a
 * WebSocket upgrade or a state-changing request whose Origin is not this server is refused, so
 * another web page open in the same browser can neither watch nor steer. Thread-safe.
 */
final class AccessControl {
  private static final Set<String> LOOPBACK_NAMES = Set.of("localhost", "127.0.0.1", "[::1]", "::1");
  private static final String COOKIE_PREFIX = "revacnn-token-";

  private final byte[] token;

  /** @param token the required token, or null for none */
  AccessControl(String token) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /** A random token of 24 bytes in hex (as Jupyter prints one). */
  static String newToken() {
    byte[] bytes = new byte[24];
    new SecureRandom().nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static boolean isLoopback(String host) {
    return LOOPBACK_NAMES.contains(host.toLowerCase(Locale.ROOT));
  }

  /** Checks an HTTP request; throws {@link ApiError} (401 or 403) when it may not proceed. */
  void checkRequest(Context context) {
    checkIdentity(context);
    if (!context.method().name().equals("GET") && !context.method().name().equals("HEAD")) checkOrigin(context);
  }

  /** Checks a WebSocket upgrade request: the same identity checks, and the Origin always. */
  void checkUpgrade(Context context) {
    checkIdentity(context);
    checkOrigin(context);
  }

  private void checkIdentity(Context context) {
    if (token == null) {
      if (!isLoopback(hostName(context.header("Host")))) {
        throw new ApiError(HttpStatus.FORBIDDEN, "this server only answers requests addressed to localhost; "
            + "start it with --token to allow other host names");
      }
      return;
    }
    String fromQuery = context.queryParam("token");
    String fromHeader = bearerToken(context.header("Authorization"));
    String cookieName = COOKIE_PREFIX + context.req().getLocalPort();
    if (matches(fromHeader) || matches(context.cookie(cookieName))) return;
    if (matches(fromQuery)) {
      context.header("Set-Cookie", cookieName + "=" + fromQuery + "; Path=/; HttpOnly; SameSite=Strict");
      return;
    }
    throw new ApiError(HttpStatus.UNAUTHORIZED, "a token is required: open the URL the server printed (with ?token=...) "
        + "or send the header 'Authorization: Bearer <token>'");
  }

  /** The token of an {@code Authorization: Bearer T} header; the scheme is case-insensitive (RFC 7235). Null when absent. */
  static String bearerToken(String authorization) {
    if (authorization == null) return null;
    String[] parts = authorization.strip().split("\\s+", 2);
    return parts.length == 2 && parts[0].equalsIgnoreCase("Bearer") ? parts[1].strip() : null;
  }

  private boolean matches(String candidate) {
    return candidate != null && MessageDigest.isEqual(token, candidate.getBytes(StandardCharsets.UTF_8));
  }

  /** An absent Origin (not a browser) is fine; a present one must name this very host and port. */
  private static void checkOrigin(Context context) {
    String origin = context.header("Origin");
    if (origin == null) return;
    String host = context.header("Host");
    if (host == null || !authority(origin).equals(normalisedHost(host, origin.startsWith("https:") ? 443 : 80))) {
      throw new ApiError(HttpStatus.FORBIDDEN,
          "cross-origin request refused: origin " + ErrorText.clip(origin) + " is not this server");
    }
  }

  /** "host:port" of an origin URI, lower case, with the scheme's default port filled in; "" when unreadable. */
  private static String authority(String origin) {
    try {
      URI uri = new URI(origin);
      if (uri.getHost() == null) return "";
      int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
      return uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    } catch (java.net.URISyntaxException e) {
      return "";
    }
  }

  private static String normalisedHost(String host, int defaultPort) {
    String lower = host.strip().toLowerCase(Locale.ROOT);
    int colon = lower.lastIndexOf(':');
    boolean hasPort = colon > lower.lastIndexOf(']');
    return hasPort ? lower : lower + ":" + defaultPort;
  }

  /** The host name of a Host header, without the port. */
  private static String hostName(String host) {
    if (host == null) return "";
    String normalised = normalisedHost(host, 80);
    return normalised.substring(0, normalised.lastIndexOf(':'));
  }
}
