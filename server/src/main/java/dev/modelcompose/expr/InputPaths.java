package dev.modelcompose.expr;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the local file a {@code ;path} input names, within what {@link InputAccess} allows.
 *
 * <p>Confined to directories, a relative path is looked up in each directory in turn and an absolute one must lie
 * inside one. Both are followed to their real path (every symlink resolved), which must still lie inside a directory's
 * real path and be a regular file. A refusal never says whether the file exists or where it leads, so a client learns
 * nothing of the layout beyond what it sent.
 */
public final class InputPaths {
    private InputPaths() {}

    /**
     * @param workingDir where relative paths resolve when any path is allowed
     * @param forType    the conversion, for messages ({@code image;path})
     * @throws ExpressionException when the file is missing or not allowed
     */
    public static Path resolve(String text, Path workingDir, InputAccess access, String forType) {
        if (!access.pathsAllowed())
            throw new ExpressionException("`" + forType + "`: reading local files is off for this input (a server reads them only "
                    + "inside the directories its http-server adapter lists in `input_paths`); send the file itself instead");
        Path path = parse(text, forType);
        return access.anyPath() ? anywhere(path, text, workingDir, forType) : confined(path, text, access.pathRoots(), forType);
    }

    private static Path parse(String text, String forType) {
        try {
            if (text.indexOf('\0') < 0) return Path.of(text);
        } catch (InvalidPathException e) {
            // refused below
        }
        throw new ExpressionException("`" + forType + "`: '" + text + "' is not a valid path");
    }

    private static Path anywhere(Path path, String text, Path workingDir, String forType) {
        if (text.equals("~") || text.startsWith("~/")) path = Path.of(System.getProperty("user.home") + text.substring(1));
        if (!path.isAbsolute() && workingDir != null) path = workingDir.resolve(path);
        path = path.normalize();
        if (!Files.isRegularFile(path)) throw new ExpressionException("`" + forType + "`: no file at '" + text + "'");
        return path;
    }

    private static Path confined(Path path, String text, List<Path> roots, String forType) {
        List<Path> realRoots = new ArrayList<>();
        for (Path root : roots) {
            try {
                realRoots.add(root.toRealPath());
            } catch (IOException e) {
                // a configured directory that does not exist (yet) holds nothing
            }
        }
        List<Path> candidates = path.isAbsolute() ? List.of(path) : realRoots.stream().map(r -> r.resolve(path)).toList();
        for (Path candidate : candidates) {
            Path real;
            try {
                real = candidate.normalize().toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (realRoots.stream().anyMatch(real::startsWith) && Files.isRegularFile(real)) return real;
        }
        throw new ExpressionException("`" + forType + "`: '" + text + "' is not a file inside the directories this server reads "
                + "(`input_paths` of its http-server adapter)");
    }
}
