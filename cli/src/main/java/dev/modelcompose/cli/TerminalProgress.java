package dev.modelcompose.cli;

import dev.modelcompose.upscale.UpscaleJob;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** A progress bar on the terminal for one upscale; silent when stderr is not a terminal. */
final class TerminalProgress implements AutoCloseable {
    private static final int STEPS = 100;
    private final ProgressBar bar;
    private final UpscaleJob job;

    private TerminalProgress(ProgressBar bar) {
        this.bar = bar;
        this.job = new UpscaleJob(p -> {
            if (bar != null) {
                bar.stepTo(Math.round(p.fraction() * STEPS));
                bar.setExtraMessage(p.tilesTotal() > 1 ? "tile " + Math.min(p.tilesDone() + 1, p.tilesTotal()) + "/" + p.tilesTotal() : "");
            }
        });
    }

    static TerminalProgress start(String label) {
        if (System.console() == null) return new TerminalProgress(null);
        ProgressBar bar = new ProgressBarBuilder().setTaskName(label).setInitialMax(STEPS).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).hideEta().setUpdateIntervalMillis(200).build();
        return new TerminalProgress(bar);
    }

    UpscaleJob job() {
        return job;
    }

    @Override
    public void close() {
        if (bar != null) bar.close();
    }
}
