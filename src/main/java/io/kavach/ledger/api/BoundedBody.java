package io.kavach.ledger.api;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Request bodies read with a hard bound on their size: the raw bytes are counted as they arrive,
 * and a gzip body is inflated through a second counting stream, so a zip bomb costs at most the
 * inflated bound (413) and nothing is ever held whole.
 */
final class BoundedBody {

    private BoundedBody() {
    }

    /** At most {@code bytesMax} bytes of {@code raw}; reading more fails with 413. */
    static InputStream limited(InputStream raw, long bytesMax) {
        return new Limited(raw, bytesMax);
    }

    /**
     * The body, inflated when {@code Content-Encoding} says gzip (any other encoding is a 415):
     * at most {@code rawBytesMax} bytes on the wire and {@code inflatedBytesMax} once inflated.
     */
    static InputStream open(InputStream raw, String contentEncoding, long rawBytesMax, long inflatedBytesMax)
            throws IOException {
        String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
        return switch (encoding) {
            case "", "identity" -> new Limited(raw, Math.min(rawBytesMax, inflatedBytesMax));
            case "gzip", "x-gzip" -> {
                try {
                    yield new Limited(new GZIPInputStream(new Limited(raw, rawBytesMax), 64 * 1024), inflatedBytesMax);
                } catch (ZipException | EOFException e) {
                    throw notGzip();
                }
            }
            default -> throw new ProblemException(415, "unsupported_content_encoding", "Unsupported content encoding",
                    "Content-Encoding must be gzip or identity, not '" + contentEncoding + "'");
        };
    }

    static ProblemException notGzip() {
        return ProblemException.badRequest("malformed_gzip", "Content-Encoding is gzip but the body is not valid gzip");
    }

    /** Fails with 413 as soon as more than {@code max} bytes have been read. */
    private static final class Limited extends FilterInputStream {
        private final long max;
        private long count;

        Limited(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count(1);
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n;
            try {
                n = super.read(buffer, offset, length);
            } catch (ZipException | EOFException e) {
                throw notGzip();
            }
            if (n > 0) {
                count(n);
            }
            return n;
        }

        private void count(int n) {
            count += n;
            if (count > max) {
                throw BodyLimits.tooLarge(max);
            }
        }
    }
}
