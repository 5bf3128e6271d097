package dev.kiln.core.sites;

/** The {@code Range} header, for one range of bytes (a list of ranges is answered whole). */
final class Ranges {

    /** A range that lies outside the file: {@code 416}. */
    static final long[] UNSATISFIABLE = new long[0];

    private Ranges() {
    }

    /**
     * Reads a {@code Range} header.
     *
     * @param header the header
     * @param size the file's size
     * @return {@code {offset, length}}; {@link #UNSATISFIABLE}; or null to ignore the header and send it all
     */
    static long[] parse(String header, long size) {
        String value = header.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6) || value.indexOf(',') >= 0) {
            return null;
        }
        String spec = value.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        String first = spec.substring(0, dash).trim();
        String last = spec.substring(dash + 1).trim();
        try {
            if (first.isEmpty()) {
                if (last.isEmpty()) {
                    return null;
                }
                long suffix = Long.parseLong(last);
                if (suffix <= 0 || size == 0) {
                    return UNSATISFIABLE;
                }
                long length = Math.min(suffix, size);
                return new long[] {size - length, length};
            }
            long start = Long.parseLong(first);
            long end = last.isEmpty() ? Long.MAX_VALUE : Long.parseLong(last);
            if (start < 0 || end < start) {
                return null;
            }
            if (start >= size) {
                return UNSATISFIABLE;
            }
            end = Math.min(end, size - 1);
            return new long[] {start, end - start + 1};
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
