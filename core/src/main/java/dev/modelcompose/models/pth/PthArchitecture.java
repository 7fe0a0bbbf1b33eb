package dev.modelcompose.models.pth;

import java.util.Locale;

/**
 * What {@link PthConverter#detect} found in a checkpoint.
 *
 * @param name           {@code RRDBNet} (Real-ESRGAN / BasicSR key names), {@code ESRGAN} (the original
 *                       ESRGAN names: {@code model.N.*} or {@code RRDB_trunk.*}) or {@code SRVGGNetCompact}
 * @param keyLayout      {@code real-esrgan}, {@code esrgan-old} ({@code model.1.sub.N.RDB1.conv1.0.*}),
 *                       {@code esrgan} ({@code RRDB_trunk.N.RDB1.conv1.*}) or {@code srvgg}
 * @param scale          the upscale factor
 * @param blocks         RRDB blocks, or SRVGGNetCompact body convolutions ({@code num_conv})
 * @param numFeat        feature channels
 * @param numGrowCh      RRDB growth channels (0 for SRVGGNetCompact)
 * @param channels       image channels in and out (3 = RGB)
 * @param pixelUnshuffle the pixel-unshuffle factor in front of the network (2 for RRDBNet x2, else 1)
 * @param precision      storage type of the weights in the file: fp32, fp16, bf16 (the converted model is fp32)
 */
public record PthArchitecture(String name, String keyLayout, int scale, int blocks, int numFeat, int numGrowCh, int channels,
        int pixelUnshuffle, String precision) {

    public static final String RRDBNET = "RRDBNet";
    public static final String ESRGAN = "ESRGAN";
    public static final String SRVGG = "SRVGGNetCompact";

    public boolean isRrdb() {
        return !name.equals(SRVGG);
    }

    /** E.g. {@code RRDBNet x4, 23 blocks, 64 features, growth 32, fp32 weights}. */
    public String describe() {
        String parts = isRrdb()
                ? String.format(Locale.ROOT, "%s x%d, %d blocks, %d features, growth %d", name, scale, blocks, numFeat, numGrowCh)
                : String.format(Locale.ROOT, "%s x%d, %d body convolutions, %d features", name, scale, blocks, numFeat);
        if (pixelUnshuffle > 1) parts += ", pixel-unshuffle " + pixelUnshuffle;
        if (channels != 3) parts += ", " + channels + " channel" + (channels == 1 ? "" : "s");
        return parts + ", " + precision + " weights";
    }
}
