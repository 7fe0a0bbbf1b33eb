package dev.modelcompose.imaging;

import java.awt.Graphics2D;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferInt;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.plugins.jpeg.JPEGImageWriteParam;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.FileImageOutputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.w3c.dom.Node;

/**
 * Reading and writing image files for the CLI and the server.
 *
 * <p>Reading sniffs the format from the first bytes (never the extension), checks the declared size against a pixel
 * limit before any pixel is decoded, takes the first frame of animations, and returns one of the standard 8-bit types:
 * {@code TYPE_BYTE_GRAY} (gray without alpha), {@code TYPE_3BYTE_BGR} or {@code TYPE_INT_RGB} (colour),
 * {@code TYPE_4BYTE_ABGR} or {@code TYPE_INT_ARGB} (with alpha, non-premultiplied). Every failure is an
 * {@link ImageReadException} whose message names the file and the problem.
 *
 * <p>Writing a file is atomic: the image goes to a temporary file next to the target, which is then renamed over it.
 * Nothing but a regular file is ever renamed over: a character device or FIFO is written into, a directory, block
 * device or socket refused ({@link OutputTarget}).
 * PNG and WebP are lossless; JPG is written at quality 1.0 without chroma subsampling, and loses any alpha.
 */
public final class ImageFiles {
    /** The pixel limit {@link #read(Path)} applies: 100 megapixels, e.g. 10000x10000. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

    static final int WEBP_MAX_SIDE = ImageFormat.WEBP.maxSide();
    static final int JPEG_MAX_SIDE = ImageFormat.JPG.maxSide();

    private static final int HEAD_LENGTH = 32;
    private static final String SUPPORTED = "PNG, JPEG, WebP, BMP, GIF, TIFF";
    /** How much of a file is searched for an ICC profile and EXIF (both sit before the pixel data). */
    private static final int METADATA_SCAN = 16 << 20;

    /** Formats read; the order is the order of the sniffing tests. */
    private enum Source {
        PNG("PNG", "png"), JPEG("JPEG", "jpeg"), WEBP("WebP", "webp"), GIF("GIF", "gif"), BMP("BMP", "bmp"), TIFF("TIFF", "tiff");

        final String label;
        final String imageIoName;

        Source(String label, String imageIoName) {
            this.label = label;
            this.imageIoName = imageIoName;
        }
    }

    private ImageFiles() {}

    // ---------------------------------------------------------------------------------------------------- reading

    /** Reads an image file, refusing more than {@link #DEFAULT_MAX_PIXELS} pixels. */
    public static BufferedImage read(Path path) throws ImageReadException {
        return read(path, DEFAULT_MAX_PIXELS);
    }

    /**
     * Reads an image file, refusing images whose header declares more than {@code maxPixels} pixels.
     *
     * @throws ImageReadException if the file is missing, unreadable, empty, not a supported image, corrupt, or too
     *     large; the message starts with the path
     */
    public static BufferedImage read(Path path, long maxPixels) throws ImageReadException {
        return readWithMetadata(path, maxPixels, false).image();
    }

    /** As {@link #read(Path)}, returning the file's ICC profile and EXIF too. */
    public static ImageWithMetadata readWithMetadata(Path path) throws ImageReadException {
        return readWithMetadata(path, DEFAULT_MAX_PIXELS);
    }

    /**
     * As {@link #read(Path, long)}, returning the file's ICC profile and EXIF too (see {@link ImageMetadata}). The
     * pixels are those stored in the file, not converted from its ICC profile to sRGB: write them out with the same
     * metadata ({@link #write(BufferedImage, Path, ImageFormat, ImageMetadata)}) and they keep their colours.
     */
    public static ImageWithMetadata readWithMetadata(Path path, long maxPixels) throws ImageReadException {
        return readWithMetadata(path, maxPixels, true);
    }

    private static ImageWithMetadata readWithMetadata(Path path, long maxPixels, boolean filePixels) throws ImageReadException {
        Objects.requireNonNull(path, "path");
        checkLimit(maxPixels);
        String name = path.toString();
        if (Files.isDirectory(path)) throw new ImageReadException(name + ": is a directory, not an image file");
        if (path.getFileSystem() != FileSystems.getDefault()) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException | OutOfMemoryError e) {
                throw fileProblem(name, e);
            }
            return readWithMetadata(bytes, name, maxPixels, filePixels);
        }
        byte[] head = new byte[HEAD_LENGTH];
        int headLength;
        long size;
        try (SeekableByteChannel channel = Files.newByteChannel(path)) {
            size = channel.size();
            ByteBuffer buffer = ByteBuffer.wrap(head);
            while (buffer.hasRemaining() && channel.read(buffer) > 0) { /* fill */ }
            headLength = buffer.position();
        } catch (IOException e) {
            throw fileProblem(name, e);
        }
        if (size == 0 || headLength == 0) throw new ImageReadException(name + ": the file is empty");
        Source source = sniff(head, headLength, name);
        if (source == Source.WEBP) {
            // The WebP decoder needs the whole file in memory anyway.
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (IOException | OutOfMemoryError e) {
                throw fileProblem(name, e);
            }
            ImageMetadata metadata = MetadataCodec.fromWebp(bytes);
            return oriented(readWebp(bytes, name, maxPixels), metadata, name);
        }
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r");
             ImageInputStream in = new FileImageInputStream(file)) {
            ImageMetadata metadata = ImageMetadata.NONE;
            if (source == Source.PNG || source == Source.JPEG) {
                byte[] prefix = new byte[(int) Math.min(size, METADATA_SCAN)];
                file.readFully(prefix);
                file.seek(0);
                metadata = metadataOf(source, prefix);
            }
            return oriented(decode(in, source, name, maxPixels, filePixels && metadata.icc() != null), metadata, name);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException e) {
            throw fileProblem(name, e);
        }
    }

    /** Reads an image held in memory (an upload, say), refusing more than {@link #DEFAULT_MAX_PIXELS} pixels. */
    public static BufferedImage read(byte[] bytes, String nameForMessages) throws ImageReadException {
        return read(bytes, nameForMessages, DEFAULT_MAX_PIXELS);
    }

    /** Reads an image held in memory; {@code nameForMessages} starts every error message. */
    public static BufferedImage read(byte[] bytes, String nameForMessages, long maxPixels) throws ImageReadException {
        return readWithMetadata(bytes, nameForMessages, maxPixels, false).image();
    }

    /** As {@link #read(byte[], String)}, returning the ICC profile and EXIF too. */
    public static ImageWithMetadata readWithMetadata(byte[] bytes, String nameForMessages) throws ImageReadException {
        return readWithMetadata(bytes, nameForMessages, DEFAULT_MAX_PIXELS, true);
    }

    /** As {@link #read(byte[], String, long)}, returning the ICC profile and EXIF too; see {@link #readWithMetadata(Path, long)}. */
    public static ImageWithMetadata readWithMetadata(byte[] bytes, String nameForMessages, long maxPixels) throws ImageReadException {
        return readWithMetadata(bytes, nameForMessages, maxPixels, true);
    }

    private static ImageWithMetadata readWithMetadata(byte[] bytes, String nameForMessages, long maxPixels, boolean filePixels)
            throws ImageReadException {
        Objects.requireNonNull(bytes, "bytes");
        checkLimit(maxPixels);
        String name = nameForMessages == null ? "image" : nameForMessages;
        if (bytes.length == 0) throw new ImageReadException(name + ": the file is empty");
        Source source = sniff(bytes, Math.min(bytes.length, HEAD_LENGTH), name);
        ImageMetadata metadata = metadataOf(source, bytes);
        if (source == Source.WEBP) return oriented(readWebp(bytes, name, maxPixels), metadata, name);
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            return oriented(decode(in, source, name, maxPixels, filePixels && metadata.icc() != null), metadata, name);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException e) {
            throw corrupt(name, source, e);
        }
    }

    /**
     * The size and channels of an image held in memory, from its header alone (nothing is decoded).
     *
     * @throws ImageReadException if the bytes are no supported image or its header is broken
     */
    public static ImageHeader header(byte[] bytes, String nameForMessages) throws ImageReadException {
        Objects.requireNonNull(bytes, "bytes");
        String name = nameForMessages == null ? "image" : nameForMessages;
        if (bytes.length == 0) throw new ImageReadException(name + ": the file is empty");
        Source source = sniff(bytes, Math.min(bytes.length, HEAD_LENGTH), name);
        int orientation = metadataOf(source, bytes).orientation();
        if (source == Source.WEBP && WebpContainer.isAnimated(bytes))
            return upright(new ImageHeader(WebpContainer.canvasWidth(bytes), WebpContainer.canvasHeight(bytes), 4), orientation);
        try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
            return upright(header(in, source, name), orientation);
        } catch (IOException e) {
            throw corrupt(name, source, e);
        }
    }

    /** As {@link #header(byte[], String)} for a file; reads the header and, for PNG and JPEG, the metadata before the pixels. */
    public static ImageHeader header(Path path) throws ImageReadException {
        Objects.requireNonNull(path, "path");
        String name = path.toString();
        if (Files.isDirectory(path)) throw new ImageReadException(name + ": is a directory, not an image file");
        byte[] prefix;
        try (InputStream in = Files.newInputStream(path)) {
            prefix = in.readNBytes(METADATA_SCAN);
        } catch (IOException e) {
            throw fileProblem(name, e);
        }
        if (prefix.length == 0) throw new ImageReadException(name + ": the file is empty");
        Source source = sniff(prefix, Math.min(prefix.length, HEAD_LENGTH), name);
        if (source == Source.WEBP) {
            try {
                return header(Files.readAllBytes(path), name);
            } catch (IOException e) {
                throw fileProblem(name, e);
            }
        }
        int orientation = source == Source.PNG || source == Source.JPEG ? metadataOf(source, prefix).orientation() : 1;
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "r"); ImageInputStream in = new FileImageInputStream(file)) {
            return upright(header(in, source, name), orientation);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException e) {
            throw fileProblem(name, e);
        }
    }

    private static ImageHeader header(ImageInputStream in, Source source, String name) throws ImageReadException {
        ImageReader reader = newReader(source, name);
        try {
            reader.setInput(in, true, true);
            int width = reader.getWidth(0), height = reader.getHeight(0);
            if (width <= 0 || height <= 0) throw corrupt(name, source, null);
            return new ImageHeader(width, height, channels(reader));
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw corrupt(name, source, e);
        } finally {
            reader.dispose();
        }
    }

    /** The channels {@link #normalize} gives the image: gray stays gray, palettes and other colour become RGB, alpha is kept. */
    private static int channels(ImageReader reader) throws IOException {
        ImageTypeSpecifier raw = reader.getRawImageType(0);
        if (raw == null) return 4;
        ColorModel cm = raw.getColorModel();
        boolean alpha = cm.hasAlpha();
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel);
        return (gray ? 1 : 3) + (alpha ? 1 : 0);
    }

    /** EXIF orientations 5 to 8 turn the image by 90 degrees. */
    private static ImageHeader upright(ImageHeader h, int orientation) {
        return orientation >= 5 && orientation <= 8 ? new ImageHeader(h.height(), h.width(), h.channels()) : h;
    }

    private static ImageMetadata metadataOf(Source source, byte[] bytes) {
        switch (source) {
            case PNG: return MetadataCodec.fromPng(bytes);
            case JPEG: return MetadataCodec.fromJpeg(bytes);
            case WEBP: return MetadataCodec.fromWebp(bytes);
            default: return ImageMetadata.NONE;
        }
    }

    /** The image turned upright for its EXIF orientation. */
    private static ImageWithMetadata oriented(BufferedImage image, ImageMetadata metadata, String name) throws ImageReadException {
        try {
            return new ImageWithMetadata(MetadataCodec.orient(image, metadata.orientation()), metadata);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(name, image.getWidth(), image.getHeight());
        } catch (RuntimeException e) {
            throw new ImageReadException(name + ": cannot apply the EXIF orientation " + metadata.orientation() + ": " + e, e);
        }
    }

    private static void checkLimit(long maxPixels) {
        if (maxPixels <= 0) throw new IllegalArgumentException("maxPixels must be positive, not " + maxPixels);
    }

    /**
     * The media type of the image format a file starts with, sniffed as {@link #read(Path)} does ({@code image/png},
     * {@code image/jpeg}, {@code image/webp}, {@code image/gif}, {@code image/bmp}, {@code image/tiff}), or empty.
     *
     * @param head the first bytes (32 are enough), or the whole file
     */
    public static Optional<String> mediaType(byte[] head) {
        try {
            return Optional.of("image/" + sniff(head, Math.min(head.length, HEAD_LENGTH), "").imageIoName);
        } catch (ImageReadException e) {
            return Optional.empty();
        }
    }

    private static Source sniff(byte[] head, int length, String name) throws ImageReadException {
        if (startsWith(head, length, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return Source.PNG;
        if (startsWith(head, length, 0, 0xFF, 0xD8, 0xFF)) return Source.JPEG;
        if (startsWith(head, length, 0, 'R', 'I', 'F', 'F') && startsWith(head, length, 8, 'W', 'E', 'B', 'P')) {
            return Source.WEBP;
        }
        if (startsWith(head, length, 0, 'G', 'I', 'F', '8', '7', 'a')
                || startsWith(head, length, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return Source.GIF;
        }
        if (startsWith(head, length, 0, 'B', 'M')) return Source.BMP;
        if (startsWith(head, length, 0, 'I', 'I', 0x2A, 0x00) || startsWith(head, length, 0, 'M', 'M', 0x00, 0x2A)) return Source.TIFF;
        String known = unsupportedFormat(head, length);
        if (known != null) {
            throw new ImageReadException(name + ": " + known + " images are not supported (supported formats: " + SUPPORTED + ")");
        }
        if (length < 8 && isPrefixOfASignature(head, length)) {
            throw new ImageReadException(name + ": truncated image (the file is only " + length + " bytes long)");
        }
        throw new ImageReadException(name + ": not an image (the file starts with bytes that match no supported format: " + SUPPORTED + ")");
    }

    private static String unsupportedFormat(byte[] head, int length) {
        if (startsWith(head, length, 4, 'f', 't', 'y', 'p')) {
            if (startsWith(head, length, 8, 'a', 'v', 'i', 'f') || startsWith(head, length, 8, 'a', 'v', 'i', 's')) return "AVIF";
            if (startsWith(head, length, 8, 'h', 'e', 'i') || startsWith(head, length, 8, 'h', 'e', 'v')
                    || startsWith(head, length, 8, 'm', 'i', 'f', '1') || startsWith(head, length, 8, 'm', 's', 'f', '1')) {
                return "HEIC/HEIF";
            }
        }
        if (startsWith(head, length, 0, 0xFF, 0x0A) || startsWith(head, length, 4, 'J', 'X', 'L', ' ')) return "JPEG XL";
        if (startsWith(head, length, 0, '8', 'B', 'P', 'S')) return "Photoshop (PSD)";
        if (startsWith(head, length, 0, '%', 'P', 'D', 'F')) return "PDF";
        if (startsWith(head, length, 0, 'q', 'o', 'i', 'f')) return "QOI";
        return null;
    }

    private static boolean isPrefixOfASignature(byte[] head, int length) {
        int[][] signatures = {{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}, {'R', 'I', 'F', 'F'}, {'G', 'I', 'F', '8'}};
        for (int[] signature : signatures) {
            boolean prefix = true;
            for (int i = 0; i < Math.min(length, signature.length); i++) prefix &= (head[i] & 0xFF) == signature[i];
            if (prefix) return true;
        }
        return false;
    }

    private static boolean startsWith(byte[] head, int length, int offset, int... signature) {
        if (length < offset + signature.length) return false;
        for (int i = 0; i < signature.length; i++) {
            if ((head[offset + i] & 0xFF) != signature[i]) return false;
        }
        return true;
    }

    private static BufferedImage readWebp(byte[] bytes, String name, long maxPixels) throws ImageReadException {
        if (!WebpContainer.isAnimated(bytes)) {
            try (ImageInputStream in = new ByteArrayImageInputStream(bytes)) {
                return decode(in, Source.WEBP, name, maxPixels);
            } catch (ImageReadException e) {
                throw e;
            } catch (IOException e) {
                throw corrupt(name, Source.WEBP, e);
            }
        }
        int canvasW = WebpContainer.canvasWidth(bytes), canvasH = WebpContainer.canvasHeight(bytes);
        checkPixels(name, canvasW, canvasH, maxPixels);
        WebpContainer.Frame frame;
        try {
            frame = WebpContainer.firstFrame(bytes);
        } catch (RuntimeException e) {
            throw corrupt(name, Source.WEBP, e);
        }
        if (frame == null) throw corrupt(name, Source.WEBP, null);
        BufferedImage first;
        try (ImageInputStream in = new ByteArrayImageInputStream(frame.still())) {
            first = decode(in, Source.WEBP, name, maxPixels);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException e) {
            throw corrupt(name, Source.WEBP, e);
        }
        if (frame.coversCanvas()) return first;
        try {
            // A first frame smaller than the canvas: the rest of the canvas is transparent.
            BufferedImage canvas = new BufferedImage(canvasW, canvasH, BufferedImage.TYPE_INT_ARGB);
            Graphics2D g = canvas.createGraphics();
            g.drawImage(first, frame.x(), frame.y(), null);
            g.dispose();
            return canvas;
        } catch (RuntimeException e) {
            throw corrupt(name, Source.WEBP, e);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(name, canvasW, canvasH);
        }
    }

    private static BufferedImage decode(ImageInputStream in, Source source, String name, long maxPixels)
            throws ImageReadException {
        return decode(in, source, name, maxPixels, false);
    }

    /** {@code filePixels}: for a JPEG with an ICC profile, the stored RGB values rather than ones converted to sRGB. */
    private static BufferedImage decode(ImageInputStream in, Source source, String name, long maxPixels, boolean filePixels)
            throws ImageReadException {
        ImageReader reader = newReader(source, name);
        int width = -1, height = -1;
        try {
            reader.setInput(in, false, true);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener((r, warning) -> warnings.add(warning));
            width = reader.getWidth(0);
            height = reader.getHeight(0);
            if (width <= 0 || height <= 0) throw corrupt(name, source, null);
            checkPixels(name, width, height, maxPixels);
            ImageReadParam param = reader.getDefaultReadParam();
            if (filePixels && source == Source.JPEG) param.setDestinationType(storedRgbType(reader));
            BufferedImage image = reader.read(0, param);
            for (String warning : warnings) {
                // libjpeg fills what is missing with gray and only warns ("premature end of data segment",
                // "Premature end of JPEG file"); a missing EOI marker alone, after complete data, is harmless.
                if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                    throw new ImageReadException(name + ": truncated or corrupt " + source.label + " data (" + warning + ")");
                }
            }
            if (image == null) throw corrupt(name, source, null);
            return normalize(image);
        } catch (ImageReadException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // RuntimeExceptions come from broken files too: ArrayIndexOutOfBounds, NegativeArraySize, ...
            throw corrupt(name, source, e);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(name, width, height);
        } finally {
            reader.dispose();
        }
    }

    /** Among the reader's types, the first plain sRGB/gray one if the preferred one uses another colour space. */
    private static ImageTypeSpecifier storedRgbType(ImageReader reader) throws IOException {
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        ImageTypeSpecifier first = null;
        while (types.hasNext()) {
            ImageTypeSpecifier type = types.next();
            if (first == null) first = type;
            ColorSpace cs = type.getColorModel().getColorSpace();
            if (cs.isCS_sRGB() || cs.getType() == ColorSpace.TYPE_GRAY) return type;
        }
        return first;
    }

    private static void checkPixels(String name, int width, int height, long maxPixels) throws ImageReadException {
        if ((long) width * height > maxPixels) {
            throw new ImageReadException(name + ": " + width + "x" + height + " pixels exceeds the limit of " + maxPixels + " pixels");
        }
    }

    private static ImageReader newReader(Source source, String name) throws ImageReadException {
        if (source == Source.WEBP) {
            try {
                requireWebp();
                return new com.luciad.imageio.webp.WebPImageReaderSpi().createReaderInstance();
            } catch (IOException e) {
                throw new ImageReadException(name + ": cannot decode WebP: " + e.getMessage(), e);
            }
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(source.imageIoName);
        if (!readers.hasNext()) throw new ImageReadException(name + ": no " + source.label + " decoder is installed");
        return readers.next();
    }

    private static ImageReadException corrupt(String name, Source source, Throwable cause) {
        // decoders wrap what goes wrong inside them; running out of heap is never the file's fault
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause())
            if (t instanceof OutOfMemoryError) return outOfMemory(name, -1, -1);
        String message = cause != null && cause.getMessage() != null ? cause.getMessage() : "";
        if (source == Source.WEBP && message.contains("UNSUPPORTED_FEATURE")) {
            return new ImageReadException(name + ": this WebP file uses a feature the WebP decoder does not support", cause);
        }
        return new ImageReadException(name + ": truncated or corrupt " + source.label + " data", cause);
    }

    private static ImageReadException outOfMemory(String name, int width, int height) {
        String size = width > 0 && height > 0 ? " a " + width + "x" + height + " image" : " the image";
        long heapMiB = Runtime.getRuntime().maxMemory() >> 20;
        return new ImageMemoryException(name + ": not enough memory to decode" + size + " (the Java heap is limited to "
                + heapMiB + " MiB; raise it with -Xmx)");
    }

    private static ImageReadException fileProblem(String name, Throwable e) {
        if (e instanceof ImageReadException) return (ImageReadException) e;
        if (e instanceof NoSuchFileException) return new ImageReadException(name + ": no such file", e);
        if (e instanceof AccessDeniedException) return new ImageReadException(name + ": permission denied", e);
        if (e instanceof OutOfMemoryError) return new ImageMemoryException(name + ": the file is too large to load into memory", e);
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return new ImageReadException(name + ": " + ((FileSystemException) e).getReason(), e);
        }
        if (e instanceof EOFException) return new ImageReadException(name + ": the file ended while it was being read", e);
        return new ImageReadException(name + ": cannot be read (" + e.getMessage() + ")", e);
    }

    // ---------------------------------------------------------------------------------------------- normalizing

    private static boolean isStandard(BufferedImage image) {
        switch (image.getType()) {
            case BufferedImage.TYPE_BYTE_GRAY:
            case BufferedImage.TYPE_3BYTE_BGR:
            case BufferedImage.TYPE_4BYTE_ABGR:
            case BufferedImage.TYPE_INT_RGB:
            case BufferedImage.TYPE_INT_ARGB:
                return true;
            default:
                return false;
        }
    }

    /**
     * The image itself if it has a standard 8-bit type, else a converted copy: gray (any depth, palette of grays)
     * becomes TYPE_BYTE_GRAY, gray with alpha TYPE_INT_ARGB, anything else TYPE_INT_RGB or TYPE_INT_ARGB.
     * Gray samples are scaled, never passed through a colour conversion (Java2D treats CS_GRAY as linear and would
     * brighten them). Never modifies its argument.
     */
    static BufferedImage normalize(BufferedImage image) {
        if (isStandard(image)) return image;
        int w = image.getWidth(), h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        if (cm instanceof IndexColorModel) {
            IndexColorModel icm = (IndexColorModel) cm;
            if (icm.getTransparency() == ColorModel.OPAQUE && isGrayPalette(icm)) {
                BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
                byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
                int[] row = new int[w];
                for (int y = 0; y < h; y++) {
                    raster.getSamples(0, y, w, 1, 0, row);
                    for (int x = 0; x < w; x++) dst[y * w + x] = (byte) icm.getRed(row[x]);
                }
                return out;
            }
            return viaRgb(image, icm.getTransparency() != ColorModel.OPAQUE);
        }
        boolean integral = raster.getTransferType() == DataBuffer.TYPE_BYTE || raster.getTransferType() == DataBuffer.TYPE_USHORT
                || raster.getTransferType() == DataBuffer.TYPE_INT;
        if (cm instanceof ComponentColorModel && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
                && cm.getNumColorComponents() == 1 && integral) {
            return gray(image);
        }
        return viaRgb(image, cm.hasAlpha());
    }

    private static boolean isGrayPalette(IndexColorModel icm) {
        for (int i = 0; i < icm.getMapSize(); i++) {
            if (icm.getRed(i) != icm.getGreen(i) || icm.getGreen(i) != icm.getBlue(i)) return false;
        }
        return true;
    }

    private static BufferedImage gray(BufferedImage image) {
        int w = image.getWidth(), h = image.getHeight();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        long grayMax = (1L << cm.getComponentSize(0)) - 1;
        int[] g = new int[w];
        if (!cm.hasAlpha()) {
            BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
            byte[] dst = ((DataBufferByte) out.getRaster().getDataBuffer()).getData();
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, g);
                for (int x = 0; x < w; x++) dst[y * w + x] = (byte) to8(g[x], grayMax);
            }
            return out;
        }
        long alphaMax = (1L << cm.getComponentSize(1)) - 1;
        boolean premultiplied = cm.isAlphaPremultiplied();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] a = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, g);
            raster.getSamples(0, y, w, 1, 1, a);
            for (int x = 0; x < w; x++) {
                int alpha = to8(a[x], alphaMax);
                int v = to8(g[x], grayMax);
                if (premultiplied) v = alpha == 0 ? 0 : Math.min(255, (v * 255 + alpha / 2) / alpha);
                dst[y * w + x] = alpha << 24 | v << 16 | v << 8 | v;
            }
        }
        return out;
    }

    private static int to8(int sample, long max) {
        if (max == 255) return sample & 0xFF;
        return (int) (((sample & 0xFFFFFFFFL) * 255 + max / 2) / max);
    }

    /** Any colour model through getRGB (which converts colour spaces, CMYK included, and un-premultiplies). */
    private static BufferedImage viaRgb(BufferedImage image, boolean alpha) {
        int w = image.getWidth(), h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, alpha ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        for (int y = 0; y < h; y++) image.getRGB(0, y, w, 1, dst, y * w, w);
        if (!alpha) for (int i = 0; i < dst.length; i++) dst[i] &= 0xFFFFFF;
        return out;
    }

    // ---------------------------------------------------------------------------------------------- writing

    /**
     * Writes the image atomically: into a temporary file in the target's directory (created if missing), then
     * renamed over {@code path}. On any failure the temporary file is deleted and an existing file at {@code path}
     * is left as it was.
     *
     * <p>PNG and WebP are lossless. JPG is written at quality 1.0 with 4:4:4 chroma (as the official Real-ESRGAN
     * runner does); an image with alpha loses it (the colour under transparent pixels shows). Gray stays gray in
     * PNG and JPG; WebP has no gray, so it is stored as RGB.
     *
     * <p>Metadata the image carries ({@link ImageMetadataCarrier}) is stored as
     * {@link #write(BufferedImage, Path, ImageFormat, ImageMetadata)} stores it.
     *
     * @throws IOException if the file cannot be written or the format cannot hold the image (WebP: at most 16383
     *     pixels a side; JPG: 65500)
     */
    public static void write(BufferedImage image, Path path, ImageFormat format) throws IOException {
        write(image, path, format, ImageMetadataCarrier.of(Objects.requireNonNull(image, "image")));
    }

    /**
     * As {@link #write(BufferedImage, Path, ImageFormat)}, storing the metadata's ICC profile and EXIF too: PNG gets
     * iCCP and eXIf chunks, JPG an APP2 ICC_PROFILE and an APP1 Exif segment, WebP ICCP and EXIF chunks (the
     * encoder's simple-format file rewrapped in the extended VP8X format). EXIF over JPEG's 64 KiB segment limit is
     * dropped; an ICC profile for gray on a colour image (or the other way round) is dropped. The EXIF
     * PixelXDimension/PixelYDimension become the image's size, and if the orientation was applied on reading, the
     * EXIF thumbnail (still in the stored orientation) is unlinked. {@link ImageMetadata#NONE} writes no metadata,
     * whatever the image carries.
     */
    public static void write(BufferedImage image, Path path, ImageFormat format, ImageMetadata metadata) throws IOException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(format, "format");
        BufferedImage prepared = prepare(image, format, path.toString());
        Path target = OutputTarget.resolve(path);
        Path fileName = target.getFileName();
        if (fileName == null) throw new IOException(path + ": not a file path");
        switch (OutputTarget.of(target)) {
            case STREAM -> {
                writeInto(prepared, target, path, format, metadata);
                return;
            }
            case DIRECTORY -> throw new IOException(path + ": is a directory");
            case REFUSED -> throw new IOException(path + ": is a device or socket, not a file; an image is written only to a file, "
                    + "a character device or a FIFO");
            default -> { }
        }
        Path directory = target.getParent();
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new IOException(path + ": cannot create the directory " + directory + ": a file of that name exists", e);
        } catch (IOException e) {
            throw new IOException(path + ": cannot create the directory " + directory + ": " + reason(e), e);
        }
        if (Files.isDirectory(target)) throw new IOException(path + ": is a directory");

        Path temp = createTempFile(directory, fileName.toString(), path);
        boolean done = false;
        try {
            boolean withMetadata = metadata != null && !metadata.isEmpty();
            if (withMetadata && temp.getFileSystem() == FileSystems.getDefault()) {
                byte[] bytes = withMetadata(encodeBytes(prepared, format), format, metadata, prepared);
                try (RandomAccessFile file = new RandomAccessFile(temp.toFile(), "rw")) {
                    file.write(bytes);
                    file.getChannel().force(true);
                }
            } else if (temp.getFileSystem() == FileSystems.getDefault()) {
                try (RandomAccessFile file = new RandomAccessFile(temp.toFile(), "rw");
                     ImageOutputStream out = new FileImageOutputStream(file)) {
                    encode(prepared, format, out);
                    out.flush();
                    file.getChannel().force(true);
                }
            } else {
                Files.write(temp, withMetadata(encodeBytes(prepared, format), format, metadata, prepared), StandardOpenOption.TRUNCATE_EXISTING);
            }
            move(temp, target, path);
            done = true;
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(path.toString())) throw e;
            throw new IOException(path + ": cannot write " + label(format) + ": " + reason(e), e);
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot encode " + label(format) + ": " + e, e);
        } catch (OutOfMemoryError e) {
            throw new IOException(path + ": not enough memory to encode " + label(format) + " (raise the Java heap with -Xmx)", e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // Nothing more to do; the original error is the one to report.
                }
            }
        }
    }

    /**
     * Writes into a character device or FIFO as it is: opened for writing without creating, truncating or replacing
     * it (a FIFO waits for its reader, as a shell redirection does).
     */
    private static void writeInto(BufferedImage prepared, Path target, Path path, ImageFormat format, ImageMetadata metadata) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(target, StandardOpenOption.WRITE), 1 << 16)) {
            BufferedImage carrying = ImageMetadataCarrier.attach(prepared, metadata == null ? ImageMetadata.NONE : metadata);
            if (format == ImageFormat.PNG) encode(carrying, format, out);
            else out.write(encode(prepared, format, metadata == null ? ImageMetadata.NONE : metadata));
        } catch (IOException e) {
            // the encoder wraps the device's own error ("No space left on device") in its own words
            IOException root = e;
            while (root.getCause() instanceof IOException cause && cause != root) root = cause;
            throw new IOException(path + ": cannot write " + label(format) + ": " + reason(root), e);
        } catch (RuntimeException e) {
            throw new IOException(path + ": cannot encode " + label(format) + ": " + e, e);
        }
    }

    /**
     * A hidden file next to the target. Files.createTempFile would make it 0600 on POSIX, and the rename would keep
     * that; a plain CREATE_NEW gets the usual permissions (0666 less the umask).
     */
    private static Path createTempFile(Path directory, String fileName, Path path) throws IOException {
        String base = fileName.length() > 100 ? fileName.substring(0, 100) : fileName;
        for (int attempt = 0; ; attempt++) {
            Path temp = directory.resolve("." + base + "." + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
            try {
                Files.newByteChannel(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt >= 10) throw e;
            } catch (IOException e) {
                throw new IOException(path + ": cannot create a file in " + directory + ": " + reason(e), e);
            }
        }
    }

    private static void move(Path temp, Path target, Path path) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new IOException(path + ": cannot replace the file: " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) {
            return ((FileSystemException) e).getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }

    /** The image encoded in memory, exactly as {@link #write} would store it (with the metadata the image carries). */
    public static byte[] encode(BufferedImage image, ImageFormat format) throws IOException {
        return encode(Objects.requireNonNull(image, "image"), format, ImageMetadataCarrier.of(image));
    }

    /** The image encoded in memory with the metadata's ICC profile and EXIF, as {@link #write(BufferedImage, Path, ImageFormat, ImageMetadata)} stores it. */
    public static byte[] encode(BufferedImage image, ImageFormat format, ImageMetadata metadata) throws IOException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(format, "format");
        BufferedImage prepared = prepare(image, format, label(format));
        return withMetadata(encodeBytes(prepared, format), format, metadata, prepared);
    }

    /**
     * Writes the image encoded as {@link #encode(BufferedImage, ImageFormat)} would return it, with the metadata it
     * carries, into {@code out} (left open). A PNG is streamed as it is encoded, so its size is not bounded by memory;
     * JPEG and WebP (at most 65500 and 16383 pixels a side) are encoded in memory first.
     */
    public static void encode(BufferedImage image, ImageFormat format, OutputStream out) throws IOException {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(out, "out");
        ImageMetadata metadata = ImageMetadataCarrier.of(image);
        if (format != ImageFormat.PNG) {
            out.write(encode(image, format, metadata));
            return;
        }
        BufferedImage prepared = prepare(image, format, label(format));
        ImageMetadata fitted = fitted(metadata, prepared);
        OutputStream target = fitted.isEmpty() ? out : new PngMetadataStream(out, fitted);
        OutputStream unclosed = new FilterOutputStream(target) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(unclosed)) {
            encode(prepared, format, stream);
        } catch (RuntimeException e) {
            throw new IOException("cannot encode PNG: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new IOException("not enough memory to encode PNG (raise the Java heap with -Xmx)", e);
        }
    }

    /** The metadata as it is stored with the prepared image: a mismatched ICC profile left out, the EXIF fitted. */
    private static ImageMetadata fitted(ImageMetadata metadata, BufferedImage prepared) {
        return fitted(metadata, prepared.getWidth(), prepared.getHeight(), prepared.getColorModel().getNumColorComponents() == 1);
    }

    static ImageMetadata fitted(ImageMetadata metadata, int width, int height, boolean gray) {
        if (metadata == null || metadata.isEmpty()) return ImageMetadata.NONE;
        metadata = MetadataCodec.fitting(metadata, gray);
        if (metadata.isEmpty()) return ImageMetadata.NONE;
        byte[] exif = ExifRewriter.forImage(metadata.exif(), width, height, metadata.orientation() != 1);
        return new ImageMetadata(metadata.icc(), exif, metadata.orientation());
    }

    /**
     * The encoded bytes with the metadata added; an ICC profile whose colour space (gray or not) does not match the
     * image's is left out, and the EXIF is fitted to the image (see {@link ExifRewriter}).
     */
    private static byte[] withMetadata(byte[] encoded, ImageFormat format, ImageMetadata metadata, BufferedImage prepared) {
        metadata = fitted(metadata, prepared);
        if (metadata.isEmpty()) return encoded;
        switch (format) {
            case PNG: return MetadataCodec.intoPng(encoded, metadata);
            case JPG: return MetadataCodec.intoJpeg(encoded, metadata);
            default: return MetadataCodec.intoWebp(encoded, metadata);
        }
    }

    private static byte[] encodeBytes(BufferedImage prepared, ImageFormat format) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            encode(prepared, format, out);
        } catch (RuntimeException e) {
            throw new IOException("cannot encode " + label(format) + ": " + e, e);
        } catch (OutOfMemoryError e) {
            throw new IOException("not enough memory to encode " + label(format) + " (raise the Java heap with -Xmx)", e);
        }
        return bytes.toByteArray();
    }

    private static String label(ImageFormat format) {
        switch (format) {
            case PNG: return "PNG";
            case JPG: return "JPEG";
            default: return "WebP";
        }
    }

    /** The image in a type the format's encoder takes and stores faithfully. */
    private static BufferedImage prepare(BufferedImage image, ImageFormat format, String name) throws IOException {
        int w = image.getWidth(), h = image.getHeight();
        if (format == ImageFormat.WEBP && (w > WEBP_MAX_SIDE || h > WEBP_MAX_SIDE)) {
            throw new IOException(name + ": WebP cannot store a " + w + "x" + h + " image (at most " + WEBP_MAX_SIDE
                    + " pixels a side); use PNG or JPG");
        }
        if (format == ImageFormat.JPG && (w > JPEG_MAX_SIDE || h > JPEG_MAX_SIDE)) {
            throw new IOException(name + ": JPEG cannot store a " + w + "x" + h + " image (at most " + JPEG_MAX_SIDE
                    + " pixels a side); use PNG");
        }
        BufferedImage standard;
        try {
            standard = normalize(image);
        } catch (RuntimeException e) {
            throw new IOException(name + ": cannot convert the image for encoding: " + e, e);
        }
        int type = standard.getType();
        switch (format) {
            case JPG:
                return standard.getColorModel().hasAlpha() ? viaRgb(standard, false) : standard;
            case WEBP:
                return type == BufferedImage.TYPE_BYTE_GRAY ? grayToRgb(standard) : standard;
            default:
                return standard;
        }
    }

    private static BufferedImage grayToRgb(BufferedImage gray) {
        int w = gray.getWidth(), h = gray.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        int[] dst = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            gray.getRaster().getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) dst[y * w + x] = row[x] * 0x010101;
        }
        return out;
    }

    private static void encode(BufferedImage image, ImageFormat format, ImageOutputStream out) throws IOException {
        ImageWriter writer = newWriter(format);
        try {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            IIOMetadata metadata = null;
            if (format == ImageFormat.JPG) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(1.0f);
                if (param instanceof JPEGImageWriteParam) ((JPEGImageWriteParam) param).setOptimizeHuffmanTables(true);
                metadata = writer.getDefaultImageMetadata(ImageTypeSpecifier.createFromRenderedImage(image), param);
                noChromaSubsampling(metadata);
            } else if (format == ImageFormat.WEBP) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionType("Lossless");
                // For lossless, quality and method only trade effort for size. libwebp's defaults (75, 4) took
                // 2-3x as long for 0.5% smaller files on 4-megapixel tests; 100/6 took 7x as long for 0.2%.
                param.setCompressionQuality(0.5f);
                if (param instanceof com.luciad.imageio.webp.WebPWriteParam) {
                    ((com.luciad.imageio.webp.WebPWriteParam) param).setMethod(3);
                }
            }
            writer.write(null, new IIOImage(image, null, metadata), param);
        } finally {
            writer.dispose();
        }
    }

    /** The JDK writes 4:2:0 by default; 4:4:4 keeps the colour detail the upscaler just made. */
    private static void noChromaSubsampling(IIOMetadata metadata) throws IOException {
        String format = "javax_imageio_jpeg_image_1.0";
        Node root = metadata.getAsTree(format);
        boolean changed = false;
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!"markerSequence".equals(n.getNodeName())) continue;
            for (Node m = n.getFirstChild(); m != null; m = m.getNextSibling()) {
                if (!"sof".equals(m.getNodeName())) continue;
                for (Node c = m.getFirstChild(); c != null; c = c.getNextSibling()) {
                    if ("componentSpec".equals(c.getNodeName())) {
                        ((IIOMetadataNode) c).setAttribute("HsamplingFactor", "1");
                        ((IIOMetadataNode) c).setAttribute("VsamplingFactor", "1");
                        changed = true;
                    }
                }
            }
        }
        if (changed) metadata.setFromTree(format, root);
    }

    private static ImageWriter newWriter(ImageFormat format) throws IOException {
        if (format == ImageFormat.WEBP) {
            requireWebp();
            return new com.luciad.imageio.webp.WebPImageWriterSpi().createWriterInstance();
        }
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName(format == ImageFormat.PNG ? "png" : "jpeg");
        if (!writers.hasNext()) throw new IOException("no " + label(format) + " encoder is installed");
        return writers.next();
    }

    // ---------------------------------------------------------------------------------------------- WebP library

    private static boolean webpChecked;
    private static String webpProblem;

    /**
     * Loads webp-imageio's native libwebp (the library copies it from its jar into java.io.tmpdir and loads it
     * from there) once, turning a failure into an IOException that says so instead of an UnsatisfiedLinkError.
     */
    static synchronized void requireWebp() throws IOException {
        if (!webpChecked) {
            webpChecked = true;
            try {
                Class.forName("com.luciad.imageio.webp.WebP", true, ImageFiles.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                webpProblem = "the webp-imageio library is missing from the class path";
            } catch (LinkageError | RuntimeException e) {
                Throwable root = e;
                while (root.getCause() != null && root.getCause() != root) root = root.getCause();
                webpProblem = "the native libwebp library of webp-imageio could not be loaded on "
                        + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (" + root
                        + "); it is unpacked into java.io.tmpdir (" + System.getProperty("java.io.tmpdir")
                        + "), which must exist, be writable and allow executing files";
            }
        }
        if (webpProblem != null) throw new IOException("WebP support is unavailable: " + webpProblem);
    }

    // ---------------------------------------------------------------------------------------------- paths

    /** {@code <stem>.<ext>} in {@code outputDir}: {@code photos/cat.jpeg} with PNG gives {@code outputDir/cat.png}. */
    public static Path outputPathFor(Path input, Path outputDir, ImageFormat format) {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(outputDir, "outputDir");
        Objects.requireNonNull(format, "format");
        Path fileName = input.getFileName();
        if (fileName == null) throw new IllegalArgumentException("not a file path: " + input);
        String name = fileName.toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        return outputDir.resolve(stem + "." + format.extension());
    }
}
