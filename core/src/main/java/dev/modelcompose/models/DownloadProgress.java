package dev.modelcompose.models;

import java.util.function.Consumer;

/**
 * How far one download is: {@code bytesDone} of {@code bytesTotal} ({@code -1} while unknown).
 * For one download the events are in order, {@code bytesDone} never decreases, and the last event
 * has {@code bytesDone == bytesTotal}. A resumed download starts at the bytes already on disk.
 *
 * @param name       what is downloaded, for display (a file name such as {@code RealESRGAN_x4.pth})
 * @param bytesDone  bytes on disk so far
 * @param bytesTotal the file's size, or -1 when the server did not say
 */
public record DownloadProgress(String name, long bytesDone, long bytesTotal) {

    /** A listener that ignores every event. */
    public static final Consumer<DownloadProgress> IGNORE = p -> {};

    public boolean totalKnown() {
        return bytesTotal >= 0;
    }

    public boolean complete() {
        return totalKnown() && bytesDone >= bytesTotal;
    }

    /** 0..1, or -1 while the total is unknown. */
    public double fraction() {
        if (!totalKnown()) return -1;
        return bytesTotal == 0 ? 1.0 : Math.min(1.0, (double) bytesDone / bytesTotal);
    }
}
