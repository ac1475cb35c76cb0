package org.revacnn.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks shared by the readers, each turning a missing or unreadable path into one {@link DataException}. */
final class DataFiles {
  private DataFiles() {}

  static void requireDirectory(Path directory, String what) throws DataException {
    if (!Files.exists(directory)) {
      throw new DataException(what + " directory " + directory + " does not exist");
    }
    if (!Files.isDirectory(directory)) {
      throw new DataException(what + " path " + directory + " is not a directory");
    }
  }

  static long sizeOf(Path file) throws DataException {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw cannotRead(file, e);
    }
  }

  static DataException cannotRead(Path file, IOException cause) {
    return new DataException("cannot read " + file + ": " + describe(cause), cause);
  }

  /** The exception's message, or its type when it has none (e.g. a bare EOFException). */
  static String describe(Exception cause) {
    String message = cause.getMessage();
    return message == null || message.isBlank() ? cause.getClass().getSimpleName() : message;
  }
}
