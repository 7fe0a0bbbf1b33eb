package dev.modelcompose.models.pth;

import java.util.Arrays;

/**
 * A tensor as {@code torch._utils._rebuild_tensor_v2} describes it: a view of {@code storage}
 * starting at element {@code offset}, with the given sizes and strides (in elements, possibly
 * non-contiguous).
 */
public record TorchTensor(TorchStorage storage, long offset, int[] size, long[] stride) {

    public TorchTensor {
        if (size.length != stride.length)
            throw new PthFormatException("tensor has " + size.length + " sizes but " + stride.length + " strides");
        if (offset < 0) throw new PthFormatException("tensor has a negative storage offset " + offset);
        long last = offset;
        long n = 1;
        for (int i = 0; i < size.length; i++) {
            if (size[i] < 0) throw new PthFormatException("tensor has a negative size " + Arrays.toString(size));
            if (stride[i] < 0) throw new PthFormatException("tensor has a negative stride " + Arrays.toString(stride));
            n = Math.multiplyExact(n, size[i]);
        }
        if (n > 0) {
            for (int i = 0; i < size.length; i++) last = Math.addExact(last, Math.multiplyExact((long) size[i] - 1, stride[i]));
            if (last >= storage.numel())
                throw new PthFormatException("tensor " + Arrays.toString(size) + " (offset " + offset + ", stride " + Arrays.toString(stride)
                        + ") reaches element " + last + " of storage " + storage.key() + ", which holds " + storage.numel());
        }
    }

    public long numel() {
        long n = 1;
        for (int s : size) n *= s;
        return n;
    }

    public int dim() {
        return size.length;
    }

    public TorchDType dtype() {
        return storage.dtype();
    }

    public String shape() {
        return Arrays.toString(size);
    }

    public boolean isContiguous() {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) return false;
            expected *= size[i];
        }
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TorchTensor t && storage.equals(t.storage) && offset == t.offset && Arrays.equals(size, t.size)
                && Arrays.equals(stride, t.stride);
    }

    @Override
    public int hashCode() {
        return storage.hashCode() * 31 + Long.hashCode(offset) * 17 + Arrays.hashCode(size);
    }

    @Override
    public String toString() {
        return "tensor(" + dtype().label() + ", " + shape() + ")";
    }
}
