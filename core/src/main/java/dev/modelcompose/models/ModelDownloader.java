package dev.modelcompose.models;

import java.util.function.Consumer;

/**
 * The download side of model provisioning, in one place: the environment it reads, the HTTP
 * downloader (with the progress listener) and the providers built on them. Immutable; the
 * {@code with...} methods return copies.
 */
public final class ModelDownloader {
    private final ModelEnvironment env;
    private final HttpDownloader http;
    private final Consumer<String> log;

    public ModelDownloader(ModelEnvironment env, HttpDownloader http, Consumer<String> log) {
        this.env = env;
        this.http = http;
        this.log = log == null ? s -> {} : log;
    }

    /** The process environment, default HTTP settings, no progress reports. */
    public static ModelDownloader standard(Consumer<String> log) {
        return new ModelDownloader(ModelEnvironment.system(), new HttpDownloader(), log);
    }

    public ModelDownloader withProgress(Consumer<DownloadProgress> listener) {
        return new ModelDownloader(env, http.withProgress(listener), log);
    }

    public ModelDownloader withEnvironment(ModelEnvironment environment) {
        return new ModelDownloader(environment, http, log);
    }

    public ModelDownloader withHttp(HttpDownloader downloader) {
        return new ModelDownloader(env, downloader, log);
    }

    public ModelEnvironment environment() {
        return env;
    }

    public HttpDownloader http() {
        return http;
    }

    public Consumer<String> log() {
        return log;
    }

    public HuggingFaceHub huggingFace() {
        return new HuggingFaceHub(env, http, log);
    }

    public UrlModelSource url() {
        return new UrlModelSource(env, http, log);
    }

    public NpmPackageFiles npm() {
        return new NpmPackageFiles(env, log, http.progress());
    }
}
