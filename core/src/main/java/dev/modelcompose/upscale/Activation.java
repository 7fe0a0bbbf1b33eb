package dev.modelcompose.upscale;

/** A planar (channels, height, width) float blob, as the network sees images. */
public record Activation(int channels, int height, int width, float[] data) {
    public Activation {
        if ((long) channels * height * width != data.length)
            throw new IllegalArgumentException("data holds " + data.length + " floats, expected " + (long) channels * height * width);
    }

    public Activation(int channels, int height, int width) {
        this(channels, height, width, new float[channels * height * width]);
    }

    public float get(int c, int y, int x) {
        return data[(c * height + y) * width + x];
    }

    public void set(int c, int y, int x, float value) {
        data[(c * height + y) * width + x] = value;
    }
}
