package dev.modelcompose.models.pth;

/**
 * A storage a checkpoint refers to: {@code data/KEY} in the archive, {@code numel} elements of
 * {@code dtype}. The bytes are read only when a tensor is materialized.
 */
public record TorchStorage(String key, TorchDType dtype, long numel, String location) {
    public long byteSize() {
        return numel * dtype.bytes;
    }
}
