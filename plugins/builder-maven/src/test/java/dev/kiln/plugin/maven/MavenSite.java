package dev.kiln.plugin.maven;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPathFactory;

/**
 * A minimal Maven project whose {@code package} copies a page into {@code target/site}, built
 * without a network: its {@code .mvn/maven.config} says {@code -o}, as any project can, and its
 * one plugin is the maven-resources-plugin version Kiln's own build runs, so it is in the local
 * repository of every machine that got this far in building Kiln.
 */
final class MavenSite {

    private MavenSite() {
    }

    /** The local repository of the Maven running the tests, or null outside Maven (an IDE). */
    static String localRepository() {
        return System.getProperty("kiln.test.maven.repository");
    }

    /** The version of maven-resources-plugin in Kiln's root pom. */
    static String resourcesPluginVersion() throws Exception {
        Path rootPom = Path.of(System.getProperty("basedir", ".")).resolve("../../pom.xml").normalize();
        var document = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(rootPom.toFile());
        String version = XPathFactory.newInstance().newXPath().evaluate(
                "/project/build/pluginManagement/plugins/plugin[artifactId='maven-resources-plugin']/version", document);
        if (version.isBlank()) {
            throw new AssertionError("no maven-resources-plugin version in " + rootPom);
        }
        return version.trim();
    }

    /** The project's files: relative path to content. */
    static Map<String, String> files(String heading) throws Exception {
        Map<String, String> files = new LinkedHashMap<>();
        files.put(".mvn/maven.config", "-o\n");
        files.put("src/site-html/index.html", "<h1>" + heading + "</h1>\n");
        files.put("pom.xml", """
                <?xml version="1.0" encoding="UTF-8"?>
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.kiln.test</groupId>
                  <artifactId>site</artifactId>
                  <version>1.0</version>
                  <packaging>pom</packaging>
                  <properties>
                    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
                  </properties>
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>org.apache.maven.plugins</groupId>
                        <artifactId>maven-resources-plugin</artifactId>
                        <version>%s</version>
                        <executions>
                          <execution>
                            <id>site-html</id>
                            <phase>package</phase>
                            <goals>
                              <goal>copy-resources</goal>
                            </goals>
                            <configuration>
                              <outputDirectory>${project.build.directory}/site</outputDirectory>
                              <resources>
                                <resource>
                                  <directory>src/site-html</directory>
                                </resource>
                              </resources>
                            </configuration>
                          </execution>
                        </executions>
                      </plugin>
                    </plugins>
                  </build>
                </project>
                """.formatted(resourcesPluginVersion()));
        return files;
    }
}
