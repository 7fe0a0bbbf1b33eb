package dev.modelcompose.models;

import java.net.URI;

/** A server answered a model download with an HTTP error status. */
public class HttpStatusException extends ModelFetchException {
    private final int status;
    private final URI uri;
    private final String errorCode;

    public HttpStatusException(int status, URI uri, String errorCode, String message) {
        super(message);
        this.status = status;
        this.uri = uri;
        this.errorCode = errorCode;
    }

    public int status() {
        return status;
    }

    public URI uri() {
        return uri;
    }

    /** Hugging Face's {@code X-Error-Code} header (RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo...), or null. */
    public String errorCode() {
        return errorCode;
    }
}
