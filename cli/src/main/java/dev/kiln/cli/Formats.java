package dev.kiln.cli;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;

/** How the CLI shows times, durations and commits in tables. */
final class Formats {

    private Formats() {
    }

    /** {@code 5s ago}, {@code 3m ago}, {@code 2h ago}, {@code 4d ago}. */
    static String age(String timestamp) {
        OffsetDateTime time = parse(timestamp);
        if (time == null) {
            return "-";
        }
        return duration(Duration.between(time, OffsetDateTime.now())) + " ago";
    }

    static String duration(Duration duration) {
        long seconds = Math.max(0, duration.toSeconds());
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return seconds / 60 + "m" + (seconds % 60 == 0 ? "" : " " + seconds % 60 + "s");
        }
        if (seconds < 86400) {
            return seconds / 3600 + "h" + (seconds % 3600 / 60 == 0 ? "" : " " + seconds % 3600 / 60 + "m");
        }
        return seconds / 86400 + "d";
    }

    /** A deployment's build time: measured when known, else from start to finish. */
    static String buildTime(Map<String, Object> deployment) {
        Long millis = Json.number(deployment, "build_time_ms");
        if (millis != null) {
            return millis < 10_000 ? String.format("%.1fs", millis / 1000.0) : duration(Duration.ofMillis(millis));
        }
        Long seconds = Json.number(deployment, "build_time_seconds");
        if (seconds != null) {
            return duration(Duration.ofSeconds(seconds));
        }
        OffsetDateTime started = parse(Json.string(deployment, "started_at"));
        OffsetDateTime finished = parse(Json.string(deployment, "finished_at"));
        return started != null && finished != null ? duration(Duration.between(started, finished)) : "-";
    }

    static String shortSha(String sha) {
        return sha == null ? null : sha.length() > 7 ? sha.substring(0, 7) : sha;
    }

    /** The first line of a commit message, cut to {@code width}. */
    static String firstLine(String text, int width) {
        if (text == null) {
            return null;
        }
        String line = text.strip().lines().findFirst().orElse("");
        return line.length() > width ? line.substring(0, width - 1) + "…" : line;
    }

    private static OffsetDateTime parse(String timestamp) {
        if (timestamp == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(timestamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
