package org.revacnn.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.revacnn.engine.Shape;

/**
 * Reads a folder of images with one sub-folder per class ({@code dog/0001.png}, ...), or with
 * {@code train/} and {@code test/} sub-folders that each hold the class folders. Class names are
 * the training sub-folder names in sorted order. Every PNG, JPEG, BMP or GIF file is decoded with
 * {@code javax.imageio} and resized by area averaging to the target shape (1 or 3 channels);
 * other files and hidden entries are skipped. An image of more than {@link #MAX_PIXELS} pixels is
 * refused from its header, before decoding. Stateless.
 */
public final class ImageFolderReader {
  public static final Shape DEFAULT_SHAPE = new Shape(3, 32, 32);
  public static final Set<String> IMAGE_EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif");
  /** Side of the largest square image read; larger ones are refused (see {@link #MAX_PIXELS}). */
  public static final int MAX_SIDE = 4096;
  /** Most pixels an image may have (16.7 million, 64 MiB decoded as RGB): checked from the header, before decoding. */
  public static final long MAX_PIXELS = (long) MAX_SIDE * MAX_SIDE;

  private ImageFolderReader() {}

  public static Datasets read(Path directory, Shape target, ValidationSplit split) throws DataException {
    DataFiles.requireDirectory(directory, "image");
    if (target.channels() != 1 && target.channels() != 3) {
      throw new DataException("image folders load as 1 (grey) or 3 (RGB) channels, not " + target);
    }
    Path trainRoot = directory.resolve("train");
    Path testRoot = directory.resolve("test");
    boolean separateTest = Files.isDirectory(trainRoot);
    if (!separateTest) {
      trainRoot = directory;
    }
    List<String> classNames = subFolders(trainRoot);
    if (classNames.isEmpty()) {
      throw new DataException("no class sub-folders in " + trainRoot + ": expected one folder of images per class");
    }
    List<LabelledFile> trainFiles = listImages(trainRoot, classNames, classNames);
    SplitWriter training = new SplitWriter(target, trainFiles.size(), split);
    decodeInto(trainFiles, target, training);

    ImageSet test = ImageSet.empty(target, classNames);
    if (separateTest && Files.isDirectory(testRoot)) {
      List<String> testClasses = subFolders(testRoot);
      for (String name : testClasses) {
        if (!classNames.contains(name)) {
          throw new DataException("test class folder " + testRoot.resolve(name)
              + " has no training counterpart in " + trainRoot + " (classes: " + classNames + ")");
        }
      }
      List<LabelledFile> testFiles = listImages(testRoot, testClasses, classNames);
      SplitWriter testWriter = SplitWriter.keepingAll(target, testFiles.size());
      decodeInto(testFiles, target, testWriter);
      test = testWriter.train(classNames);
    }
    return new Datasets("images from " + directory, training.train(classNames), training.validation(classNames), test);
  }

  private record LabelledFile(Path file, int label) {}

  private static List<String> subFolders(Path root) throws DataException {
    try (Stream<Path> entries = Files.list(root)) {
      return entries.filter(Files::isDirectory).map(path -> path.getFileName().toString())
          .filter(name -> !name.startsWith(".")).sorted().toList();
    } catch (IOException e) {
      throw DataFiles.cannotRead(root, e);
    }
  }

  private static List<LabelledFile> listImages(Path root, List<String> folders, List<String> classNames)
      throws DataException {
    List<LabelledFile> files = new ArrayList<>();
    for (String folder : folders) {
      Path classDirectory = root.resolve(folder);
      try (Stream<Path> entries = Files.list(classDirectory)) {
        List<Path> images = entries.filter(Files::isRegularFile).filter(ImageFolderReader::isImageName).sorted().toList();
        if (images.isEmpty()) {
          throw new DataException("class folder " + classDirectory + " holds no images (" + IMAGE_EXTENSIONS + ")");
        }
        int label = classNames.indexOf(folder);
        images.forEach(file -> files.add(new LabelledFile(file, label)));
      } catch (IOException e) {
        throw DataFiles.cannotRead(classDirectory, e);
      }
    }
    return files;
  }

  private static boolean isImageName(Path file) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    return !name.startsWith(".") && dot > 0 && IMAGE_EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static void decodeInto(List<LabelledFile> files, Shape target, SplitWriter writer) throws DataException {
    for (int i = 0; i < files.size(); i++) {
      LabelledFile entry = files.get(i);
      writer.put(i, entry.label(), ImageResizer.resize(decode(entry.file()), target), 0);
    }
  }

  /**
   * Decodes {@code file}, having first read only its header: an image of more than
   * {@link #MAX_PIXELS} pixels is refused before its pixels are allocated (a small compressed
   * file can decode to gigabytes).
   */
  static BufferedImage decode(Path file) throws DataException {
    try (ImageInputStream input = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = input == null ? null : ImageIO.getImageReaders(input);
      if (readers == null || !readers.hasNext()) {
        throw new DataException(file + " is not a readable image: no decoder recognises its contents");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(input, true, true);
        long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
        if (pixels > MAX_PIXELS) {
          throw new DataException(file + " is " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels, more than the "
              + MAX_SIDE + "x" + MAX_SIDE + " (" + MAX_PIXELS + " pixels) a folder image may have; shrink it first");
        }
        return reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (IOException | RuntimeException e) {
      throw new DataException(file + " is not a readable image: " + DataFiles.describe(e), e);
    }
  }
}
