package dev.kiln.bench;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles and the like over samples, the same way in every benchmark. */
final class Statistics {

    private Statistics() {
    }

    /**
     * The nearest-rank percentile.
     *
     * @param values the samples, in any order; not changed
     * @param percentile from 0 to 100
     * @return the sample at that rank, or NaN when there are none
     */
    static double percentile(double[] values, double percentile) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * The nearest-rank percentile.
     *
     * @param values the samples
     * @param percentile from 0 to 100
     * @return the sample at that rank, or NaN when there are none
     */
    static double percentile(Collection<? extends Number> values, double percentile) {
        return percentile(values.stream().mapToDouble(Number::doubleValue).toArray(), percentile);
    }

    /**
     * The largest sample.
     *
     * @param values the samples
     * @return the largest, or 0 when there are none
     */
    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(0);
    }

    /**
     * The mean.
     *
     * @param values the samples
     * @return the mean, or 0 when there are none
     */
    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }
}
