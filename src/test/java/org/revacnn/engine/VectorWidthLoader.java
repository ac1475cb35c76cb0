package org.revacnn.engine;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * A class loader that loads the engine's classes (main and test, package {@code org.revacnn.engine})
 * afresh with {@code -Drevacnn.vectorBits} set to a given width while its {@link VectorWidth} starts,
 * and everything else from the test's own loader. Its kernels then run at that width with their
 * species in {@code static final} fields, exactly as a JVM started with the property runs them,
 * while the rest of the test JVM keeps its own width; the two share no compiled code or profiles.
 */
final class VectorWidthLoader extends URLClassLoader {
  private static final String ENGINE = VectorWidth.class.getPackageName() + ".";

  private VectorWidthLoader(URL[] roots, ClassLoader parent) {
    super("engine-" + roots.length, roots, parent);
  }

  /** A loader whose engine runs at {@code bits} bits per vector (its VectorWidth already initialised). */
  static ClassLoader withBits(int bits) throws ReflectiveOperationException {
    URL[] roots = {
        VectorWidth.class.getProtectionDomain().getCodeSource().getLocation(),
        VectorWidthLoader.class.getProtectionDomain().getCodeSource().getLocation()};
    VectorWidthLoader loader = new VectorWidthLoader(roots, VectorWidthLoader.class.getClassLoader());
    // the property is read once, when the loader's VectorWidth initialises; the lock keeps two tests from mixing widths
    synchronized (VectorWidthLoader.class) {
      String before = System.getProperty(VectorWidth.PROPERTY);
      System.setProperty(VectorWidth.PROPERTY, Integer.toString(bits));
      try {
        Class.forName(VectorWidth.class.getName(), true, loader);
      } finally {
        if (before == null) System.clearProperty(VectorWidth.PROPERTY);
        else System.setProperty(VectorWidth.PROPERTY, before);
      }
    }
    return loader;
  }

  /** Engine classes come from this loader's roots, never from the parent (child first); the rest as usual. */
  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (!name.startsWith(ENGINE)) return super.loadClass(name, resolve);
    synchronized (getClassLoadingLock(name)) {
      Class<?> c = findLoadedClass(name);
      if (c == null) c = findClass(name);
      if (resolve) resolveClass(c);
      return c;
    }
  }
}
