package dev.modelcompose.upscale;

/** Channel-value differences between two same-sized 8-bit images. */
record ImageDiff(long compared, long within1, long within2, int max, long excluded) {

    /**
     * Compares {@code ours} with {@code reference}. With {@code skipOfficialWrap}, values where the
     * reference is 255 but ours is below 128 are left out: the official binary turns negative
     * network outputs into 255 (undefined float-to-uint conversion), which we deliberately do not copy.
     */
    static ImageDiff of(PixelBuffer ours, PixelBuffer reference, boolean skipOfficialWrap) {
        if (ours.width() != reference.width() || ours.height() != reference.height() || ours.channels() != reference.channels())
            throw new AssertionError("size mismatch: " + ours.width() + "x" + ours.height() + "x" + ours.channels() + " vs "
                    + reference.width() + "x" + reference.height() + "x" + reference.channels());
        long compared = 0, w1 = 0, w2 = 0, excluded = 0;
        int max = 0;
        byte[] a = ours.pixels(), b = reference.pixels();
        for (int i = 0; i < a.length; i++) {
            int x = a[i] & 0xFF, y = b[i] & 0xFF;
            if (skipOfficialWrap && y == 255 && x < 128) {
                excluded++;
                continue;
            }
            int d = Math.abs(x - y);
            compared++;
            if (d <= 1) w1++;
            if (d <= 2) w2++;
            max = Math.max(max, d);
        }
        return new ImageDiff(compared, w1, w2, max, excluded);
    }

    double fractionWithin1() {
        return compared == 0 ? 1 : (double) within1 / compared;
    }

    double fractionWithin2() {
        return compared == 0 ? 1 : (double) within2 / compared;
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "%d values: %.4f%% within 1, %.4f%% within 2, max %d, %d excluded", compared,
                100 * fractionWithin1(), 100 * fractionWithin2(), max, excluded);
    }
}
