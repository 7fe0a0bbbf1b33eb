package dev.modelcompose.cli;

import dev.modelcompose.models.DownloadProgress;
import java.util.function.Consumer;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Terminal progress bars for model downloads, one per file; silent when stderr is not a terminal. */
final class DownloadBars implements Consumer<DownloadProgress>, AutoCloseable {
    private ProgressBar bar;
    private String current;

    static Consumer<DownloadProgress> forTerminal() {
        return System.console() == null ? DownloadProgress.IGNORE : new DownloadBars();
    }

    @Override
    public synchronized void accept(DownloadProgress p) {
        if (!p.name().equals(current)) {
            close();
            current = p.name();
            bar = new ProgressBarBuilder().setTaskName(p.name()).setInitialMax(Math.max(p.bytesTotal(), 1)).setUnit(" MiB", 1 << 20)
                    .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build();
        }
        if (p.totalKnown()) bar.maxHint(p.bytesTotal());
        bar.stepTo(p.bytesDone());
        if (p.complete()) close();
    }

    @Override
    public synchronized void close() {
        if (bar != null) bar.close();
        bar = null;
        current = null;
    }
}
