package dev.kiln.core.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Masks a deployment's secrets in text before it is stored or sent anywhere: log lines (stored and live),
 * {@code error_message} and statuses. Each secret is masked as written, line by line when it spans lines,
 * and base64-encoded at any of the three alignments a longer encoded text can put it in. Lines are whole
 * when they reach here (the runner reads output by lines), so a value a process wrote in two pieces is
 * masked too. Values shorter than {@value #MIN_LENGTH} characters are not masked, as CI systems do: masking
 * them would garble every log; {@link #tooShort} names them so that the user is warned.
 */
public final class Redactor {

    /** What a secret is replaced with. */
    public static final String MASK = "••••••••";
    /** The shortest value masked. */
    public static final int MIN_LENGTH = 4;
    /** Masks nothing. */
    public static final Redactor NONE = new Redactor(List.of());

    private final List<String> needles;

    private Redactor(List<String> needles) {
        this.needles = needles;
    }

    /**
     * A redactor of some secret values.
     *
     * @param secrets the values; blank and short ones are ignored
     * @return the redactor
     */
    public static Redactor of(Collection<String> secrets) {
        Set<String> needles = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret == null) {
                continue;
            }
            for (String line : secret.split("\r?\n")) {
                String value = line.strip();
                if (value.length() < MIN_LENGTH) {
                    continue;
                }
                needles.add(value);
                byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
                for (int offset = 0; offset < 3; offset++) {
                    needles.add(encodedCore(Base64.getEncoder(), bytes, offset));
                    needles.add(encodedCore(Base64.getUrlEncoder(), bytes, offset));
                }
            }
        }
        List<String> sorted = new ArrayList<>(needles);
        sorted.removeIf(needle -> needle.length() < MIN_LENGTH);
        // Longest first, so that a secret containing another is masked whole.
        sorted.sort(Comparator.comparingInt(String::length).reversed());
        return new Redactor(List.copyOf(sorted));
    }

    /**
     * The characters of the base64 text of {@code offset} unknown bytes then the value that depend on the
     * value alone: whatever comes before or after it in a longer encoded text, these characters are there.
     */
    private static String encodedCore(Base64.Encoder encoder, byte[] value, int offset) {
        byte[] shifted = new byte[offset + value.length];
        System.arraycopy(value, 0, shifted, offset, value.length);
        String encoded = encoder.withoutPadding().encodeToString(shifted);
        int from = (offset * 8 + 5) / 6;
        int to = (shifted.length * 8) / 6;
        return from >= to ? "" : encoded.substring(from, to);
    }

    /**
     * Secret values too short to be masked.
     *
     * @param secrets the values by name
     * @return the names of the short ones
     */
    public static List<String> tooShort(java.util.Map<String, String> secrets) {
        return secrets.entrySet().stream()
                .filter(entry -> !entry.getValue().isBlank() && entry.getValue().strip().length() < MIN_LENGTH)
                .map(java.util.Map.Entry::getKey).sorted().toList();
    }

    /**
     * The text with every secret masked.
     *
     * @param text any text, may be null
     * @return the masked text
     */
    public String redact(String text) {
        if (text == null || needles.isEmpty()) {
            return text;
        }
        String out = text;
        for (String needle : needles) {
            if (out.contains(needle)) {
                out = out.replace(needle, MASK);
            }
        }
        return out;
    }
}
