package dev.modelcompose.imaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * What an output path names, so that writing never renames a file over something that is not a regular file: a
 * character device ({@code /dev/null}, {@code /dev/stdout}) or a FIFO is written into directly, a directory, block
 * device or socket is refused, and a symbolic link is followed to the file it names (the link stays).
 */
enum OutputTarget {
    /** A regular file, or nothing yet: written to a temporary file renamed over it. */
    FILE,
    /** A character device or a FIFO: written into as a stream, never replaced. */
    STREAM,
    DIRECTORY,
    /** A block device, a socket, or something else that is no place for an image. */
    REFUSED;

    private static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000, S_IFCHR = 0020000, S_IFIFO = 0010000;

    /** The path with symbolic links followed (also a dangling one, to where it points). */
    static Path resolve(Path path) throws IOException {
        Path p = path.toAbsolutePath();
        for (int hops = 0; Files.isSymbolicLink(p); hops++) {
            if (hops > 40) throw new IOException(path + ": too many levels of symbolic links");
            p = p.resolveSibling(Files.readSymbolicLink(p)).normalize();
        }
        return p;
    }

    /** What {@code resolved} (from {@link #resolve}) is. */
    static OutputTarget of(Path resolved) throws IOException {
        if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) return FILE;
        try {
            int mode = (Integer) Files.getAttribute(resolved, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return switch (mode & S_IFMT) {
                case S_IFREG -> FILE;
                case S_IFDIR -> DIRECTORY;
                case S_IFCHR, S_IFIFO -> STREAM;
                default -> REFUSED;
            };
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            BasicFileAttributes a = Files.readAttributes(resolved, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() ? FILE : a.isDirectory() ? DIRECTORY : REFUSED;
        }
    }
}
