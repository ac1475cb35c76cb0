package org.revacnn.data;

/**
 * The one error every reader, parser and downloader in this package throws. Its message is meant
 * for the user as it stands: it names the file (and the record offset or entry where that applies)
 * and says what was expected, so the command line prints {@link #getMessage()} and no stack trace.
 */
public final class DataException extends Exception {
  public DataException(String message) {
    super(message);
  }

  public DataException(String message, Throwable cause) {
    super(message, cause);
  }
}
