package dev.kiln.core.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.kiln.core.pipeline.ProcessCommandRunner;
import dev.kiln.core.testing.RequiredTools;

/**
 * Headless Chromium driven through the system's chromedriver (Debian's {@code chromium} and
 * {@code chromium-driver}): nothing is downloaded and Selenium Manager never runs. Collects the
 * console's errors so a test can say there were none, and saves screenshots under {@code target/}.
 */
final class Browser implements AutoCloseable {

    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final Duration WAIT = Duration.ofSeconds(30);

    static {
        // Selenium looks for DevTools bindings it is not asked to use; only its chromedriver protocol is.
        java.util.logging.Logger.getLogger("org.openqa.selenium.devtools").setLevel(Level.SEVERE);
    }

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final String baseUrl;
    private final Path profile;
    private final List<String> consoleErrors = new ArrayList<>();

    private Browser(ChromeDriver driver, ChromeDriverService service, String baseUrl, Path profile) {
        this.driver = driver;
        this.service = service;
        this.baseUrl = baseUrl;
        this.profile = profile;
    }

    /** Skips the test when Chromium or its driver is missing here; fails in CI. */
    static void assumeInstalled() {
        RequiredTools.assumeInstalled("chromium", "chromedriver");
    }

    static Browser open(String baseUrl, Path temp) throws Exception {
        assumeInstalled();
        String path = System.getenv("PATH");
        Path chromium = ProcessCommandRunner.findOnPath("chromium", path).orElseThrow();
        Path chromedriver = ProcessCommandRunner.findOnPath("chromedriver", path).orElseThrow();
        Path profile = Files.createTempDirectory(temp, "chromium-profile");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1280,900");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logging);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(chromedriver.toString()))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return new Browser(driver, service, baseUrl, profile);
    }

    WebDriver driver() {
        return driver;
    }

    /** Opens a path of the dashboard, as typing it into the address bar would. */
    Browser go(String path) {
        collectConsole();
        driver.get(baseUrl + path);
        return this;
    }

    String path() {
        String url = driver.getCurrentUrl();
        return url.substring(baseUrl.length());
    }

    void signIn(String token) {
        if (driver.getCurrentUrl().startsWith("data:") || driver.getCurrentUrl().startsWith("about:")) {
            go("/sign-in");
        }
        WebElement input = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("input[type=password]")));
        assertThat(driver.findElement(By.cssSelector("label[for='" + input.getAttribute("id") + "']")).getText()).isEqualTo("API token");
        input.sendKeys(token);
        button("Sign in").click();
        await(ExpectedConditions.visibilityOfElementLocated(By.xpath("//button[normalize-space()='Sign out']")));
    }

    <T> T await(Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).pollingEvery(Duration.ofMillis(100)).until(condition);
    }

    <T> T await(Duration timeout, Function<? super WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout).pollingEvery(Duration.ofMillis(100)).until(condition);
    }

    /** Waits for a visible element holding the text and returns it. */
    WebElement text(String text) {
        return await(ExpectedConditions.visibilityOfElementLocated(By.xpath("//body//*[contains(normalize-space(.), " + literal(text) + ")"
                + " and not(.//*[contains(normalize-space(.), " + literal(text) + ")])]")));
    }

    /** Waits for an enabled button by its text or accessible label. */
    WebElement button(String name) {
        return await(ExpectedConditions.elementToBeClickable(By.xpath("//button[normalize-space()=" + literal(name)
                + " or @aria-label=" + literal(name) + "]")));
    }

    WebElement link(String text) {
        return await(ExpectedConditions.elementToBeClickable(By.xpath("//a[normalize-space()=" + literal(text) + "]")));
    }

    WebElement field(String label) {
        WebElement labelElement = await(ExpectedConditions.visibilityOfElementLocated(By.xpath("//label[normalize-space()=" + literal(label) + "]")));
        return driver.findElement(By.id(labelElement.getAttribute("for")));
    }

    /** Answers the open confirmation dialog with its confirming button. */
    void confirm(String label) {
        WebElement dialog = await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("dialog[open]")));
        dialog.findElement(By.xpath(".//button[normalize-space()=" + literal(label) + "]")).click();
        await(ExpectedConditions.invisibilityOfElementLocated(By.cssSelector("dialog[open]")));
    }

    void size(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    void phoneSized() {
        driver.manage().window().setSize(new Dimension(390, 844));
    }

    void screenshot(String name) throws Exception {
        Files.createDirectories(SCREENSHOTS);
        Files.write(SCREENSHOTS.resolve(name + ".png"), driver.getScreenshotAs(OutputType.BYTES));
    }

    private void collectConsole() {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.WARNING.intValue()) {
                consoleErrors.add(entry.getLevel() + " " + entry.getMessage());
            }
        }
    }

    /** The console's warnings and errors on every page so far. */
    List<String> consoleErrors() {
        collectConsole();
        return List.copyOf(consoleErrors);
    }

    /** A Chrome DevTools command through chromedriver (no DevTools bindings needed). */
    void cdp(String command, java.util.Map<String, Object> parameters) {
        driver.executeCdpCommand(command, parameters);
    }

    Object script(String script, Object... arguments) {
        return driver.executeScript(script, arguments);
    }

    static String literal(String text) {
        if (!text.contains("'")) {
            return "'" + text + "'";
        }
        return "concat('" + text.replace("'", "', \"'\", '") + "')";
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            dev.kiln.core.FileTrees.delete(profile);
        }
    }

    /** Drops what the console said so far (after a step that is meant to log, such as a refused token). */
    void forgetConsole() {
        collectConsole();
        consoleErrors.clear();
    }
}
