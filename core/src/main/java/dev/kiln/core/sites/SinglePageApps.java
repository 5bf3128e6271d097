package dev.kiln.core.sites;

import java.util.Set;

/** Which sites answer paths without a file with their {@code /index.html}. */
public final class SinglePageApps {

    /** Frameworks whose output is a single-page application routed in the browser. */
    private static final Set<String> FRAMEWORKS = Set.of("vite", "create-react-app", "vue-cli", "vue", "angular", "react", "preact",
            "solid", "svelte");

    private SinglePageApps() {
    }

    /**
     * Whether a project's site is a single-page application.
     *
     * @param setting the project's {@code is_spa}, or null for the default
     * @param detectedFramework the framework detection found, or null
     * @return the setting, or whether the framework is a single-page application
     */
    public static boolean isSpa(Boolean setting, String detectedFramework) {
        return setting != null ? setting : detectedFramework != null && FRAMEWORKS.contains(detectedFramework);
    }
}
