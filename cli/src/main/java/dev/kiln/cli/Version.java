package dev.kiln.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;

/** The version the build wrote into {@code version.properties}. */
final class Version implements CommandLine.IVersionProvider {

    static String current() {
        Properties properties = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // reported as unknown below
        }
        String version = properties.getProperty("version");
        return version == null || version.startsWith("${") ? "unknown" : version;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"kiln " + current() + " (Java " + Runtime.version().feature() + ")"};
    }
}
