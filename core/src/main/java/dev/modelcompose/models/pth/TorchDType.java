package dev.modelcompose.models.pth;

import java.util.Map;

/** Element types of PyTorch storages, named by their legacy storage class ({@code torch.FloatStorage}). */
public enum TorchDType {
    FLOAT32("FloatStorage", 4, true),
    FLOAT16("HalfStorage", 2, true),
    BFLOAT16("BFloat16Storage", 2, true),
    FLOAT64("DoubleStorage", 8, true),
    INT64("LongStorage", 8, false),
    INT32("IntStorage", 4, false),
    INT16("ShortStorage", 2, false),
    INT8("CharStorage", 1, false),
    UINT8("ByteStorage", 1, false),
    BOOL("BoolStorage", 1, false);

    private static final Map<String, TorchDType> BY_CLASS = Map.of(
            "FloatStorage", FLOAT32, "HalfStorage", FLOAT16, "BFloat16Storage", BFLOAT16, "DoubleStorage", FLOAT64,
            "LongStorage", INT64, "IntStorage", INT32, "ShortStorage", INT16, "CharStorage", INT8, "ByteStorage", UINT8,
            "BoolStorage", BOOL);

    /** The class name inside module {@code torch}. */
    public final String storageClass;
    public final int bytes;
    /** Whether the converter can use it as weights. */
    public final boolean floating;

    TorchDType(String storageClass, int bytes, boolean floating) {
        this.storageClass = storageClass;
        this.bytes = bytes;
        this.floating = floating;
    }

    /** The type of {@code torch.NAME}, or null when NAME is not a storage class. */
    public static TorchDType ofStorageClass(String name) {
        return BY_CLASS.get(name);
    }

    public String label() {
        return switch (this) {
            case FLOAT32 -> "fp32";
            case FLOAT16 -> "fp16";
            case BFLOAT16 -> "bf16";
            case FLOAT64 -> "fp64";
            default -> name().toLowerCase(java.util.Locale.ROOT);
        };
    }
}
