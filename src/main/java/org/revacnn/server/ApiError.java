package org.revacnn.server;

import io.javalin.http.HttpStatus;

/** A request that ends with an HTTP error status and the body {@code {"error": message}}. */
final class ApiError extends RuntimeException {
  private final HttpStatus status;

  ApiError(HttpStatus status, String message) {
    super(message);
    this.status = status;
  }

  HttpStatus status() {
    return status;
  }
}
