package org.revacnn.session;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Keeps error messages readable for a person: a client's value is echoed at most
 * {@link #MAX_ECHO} characters long, a JSON value is named by its kind, and a file-system
 * failure by its reason (never by a path or a Java exception name). Stateless.
 */
public final class ErrorText {
  /** Longest part of a client's value that an error message repeats. */
  public static final int MAX_ECHO = 100;
  private static final java.util.regex.Pattern LONG_QUOTE = java.util.regex.Pattern.compile("'([^']{" + (MAX_ECHO + 1) + ",})'");

  private ErrorText() {}

  /** {@code text} itself when short, else its first {@link #MAX_ECHO} characters, an ellipsis and its length. */
  public static String clip(String text) {
    if (text == null) return "null";
    if (text.length() <= MAX_ECHO) return text;
    int end = Character.isHighSurrogate(text.charAt(MAX_ECHO - 1)) ? MAX_ECHO - 1 : MAX_ECHO;
    return text.substring(0, end) + "… (" + text.length() + " characters)";
  }

  /** {@code message} with every quoted value ('...') longer than {@link #MAX_ECHO} clipped: the last guard before a client sees it. */
  public static String clipQuoted(String message) {
    if (message == null) return null;
    return LONG_QUOTE.matcher(message).replaceAll(m -> java.util.regex.Matcher.quoteReplacement("'" + clip(m.group(1)) + "'"));
  }

  /** A JSON value as words: "the text 'abc'", "the number 5", "true", "null", "a list", "an object". */
  public static String describe(JsonNode value) {
    if (value == null || value.isNull()) return "null";
    if (value.isTextual()) return "the text '" + clip(value.asText()) + "'";
    if (value.isNumber()) return "the number " + clip(value.asText());
    if (value.isBoolean()) return value.asText();
    if (value.isArray()) return "a list";
    return "an object";
  }

  /** Why a file operation failed, without the file's path: "permission denied", "No space left on device", ... */
  public static String reason(IOException e) {
    if (e instanceof AccessDeniedException) return "permission denied";
    if (e instanceof NoSuchFileException) return "the folder does not exist";
    if (e instanceof FileSystemException f) return f.getReason() != null ? f.getReason() : "the file system refused";
    return e.getMessage() != null ? clip(e.getMessage()) : "input/output error";
  }
}
