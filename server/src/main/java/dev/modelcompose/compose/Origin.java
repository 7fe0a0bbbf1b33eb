package dev.modelcompose.compose;

/** Where something was written: a file name as the user gave it, and a 1-based line and column. */
public record Origin(String file, int line, int column) {
    public static final Origin UNKNOWN = new Origin("", 0, 0);

    @Override
    public String toString() {
        if (file.isEmpty() && line == 0) return "(unknown position)";
        return line > 0 ? file + ":" + line : file;
    }
}
