package dev.modelcompose.imaging;

import java.awt.image.BufferedImage;

/** Run in a child JVM by ImageFilesWriteTest: reports how WebP fails when libwebp cannot be loaded. */
public final class WebpLoadProbe {
    private WebpLoadProbe() {}

    public static void main(String[] args) throws Exception {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        try {
            ImageFiles.encode(image, ImageFormat.WEBP);
            System.out.println("write: ok");
        } catch (Throwable t) {
            System.out.println("write: " + t);
        }
        byte[] webp = {'R', 'I', 'F', 'F', 30, 0, 0, 0, 'W', 'E', 'B', 'P', 'V', 'P', '8', 'L', 0, 0, 0, 0};
        try {
            ImageFiles.read(webp, "x.webp");
            System.out.println("read: ok");
        } catch (Throwable t) {
            System.out.println("read: " + t);
        }
        // The other formats are unaffected.
        ImageFiles.read(ImageFiles.encode(image, ImageFormat.PNG), "x.png");
        System.out.println("png: ok");
    }
}
