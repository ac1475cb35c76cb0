package org.revacnn.session;

import java.util.regex.Pattern;

/**
 * The rule for names a user gives to things kept in one folder (checkpoints, runs): a plain file
 * name, never a path. Letters, digits, '.', '-' and '_', not starting with '.', without "..", at
 * most {@link #MAX_LENGTH} characters, so a name can hold no separator, cannot be absolute and
 * cannot climb out of its folder. Stateless.
 */
final class PlainName {
  static final int MAX_LENGTH = 100;
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]*");

  private PlainName() {}

  /**
   * Returns {@code name} when it is plain.
   *
   * @param kind what is named, for the message ("checkpoint", "run")
   * @throws IllegalArgumentException saying the rule when it is not (or is null)
   */
  static String check(String kind, String name) {
    if (name == null || name.length() > MAX_LENGTH || !PLAIN.matcher(name).matches() || name.contains("..")) {
      throw new IllegalArgumentException("a " + kind + " name must be a plain file name, not a path: letters, digits, '.', "
          + "'-' and '_', not starting with '.', at most " + MAX_LENGTH + " characters; got '"
          + (name == null ? "" : ErrorText.clip(name)) + "'");
    }
    return name;
  }
}
