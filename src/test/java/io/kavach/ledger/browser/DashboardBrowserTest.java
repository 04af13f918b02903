package io.kavach.ledger.browser;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kavach.ledger.testing.Fixtures;
import io.kavach.ledger.testing.Tokens;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard at {@code /} in a real headless Chromium (Debian's {@code chromium} and
 * {@code chromium-driver}; {@code .ci/run} installs them). Without a browser these tests are
 * skipped with one log line saying so. Screenshots go to {@code target/screenshots/}.
 */
@QuarkusTest
class DashboardBrowserTest {

    private static final Logger LOG = Logger.getLogger(DashboardBrowserTest.class);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String POOL = "shared:engineering-pool:daily";
    private static WebDriver driver;
    private static String missing;

    @TestHTTPResource("/")
    URL dashboard;

    private final String org = Tokens.newOrg();

    @BeforeAll
    static void startBrowser() throws IOException {
        File browser = executable("KAVACH_CHROMIUM", "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
        File chromedriver = executable("KAVACH_CHROMEDRIVER", "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");
        if (browser == null || chromedriver == null) {
            missing = "no " + (browser == null ? "chromium" : "chromedriver") + " found";
            LOG.warnf("DashboardBrowserTest SKIPPED: %s (install Debian's chromium and chromium-driver, as .ci/run does, "
                    + "or set KAVACH_CHROMIUM / KAVACH_CHROMEDRIVER)", missing);
            return;
        }
        Files.createDirectories(SCREENSHOTS);
        Path profile = Files.createTempDirectory("kavach-chromium");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1500", "--user-data-dir=" + profile);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(chromedriver).build();
        driver = new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopBrowser() {
        if (driver != null) {
            driver.quit();
            driver = null;
        }
    }

    @BeforeEach
    void needsBrowser() {
        Assumptions.assumeTrue(driver != null, () -> "DashboardBrowserTest skipped: " + missing);
        driver.get(dashboard.toString());
        ((JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
        driver.get(dashboard.toString());
    }

    @Test
    void adminSeesPoolUtilisationChangeAfterIngestAndPausesAnAgentWithTheButton() throws IOException {
        String key = Fixtures.apiKey(org);
        Fixtures.orgBudget(org, "daily", "100");
        Fixtures.pool(org, "engineering-pool", "daily", "10", "research-bot", "support-agent");
        history(key);
        ingest(key, "research-bot", "2.5", "gpt-4o", "openai");
        ingest(key, "support-agent", "1.25", "claude-3-5-sonnet", "anthropic");
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"support-agent\",\"amount\":50}")
                .post("/v1/reservations").then().statusCode(429);

        signIn(Tokens.admin(org));
        waitFor(utilisationOf(POOL, "0.375"));
        assertTrue(text(By.id("who")).contains("admin"));
        waitFor(d -> "shared:engineering-pool:daily".equals(
                d.findElement(By.cssSelector("#agents tr[data-agent='research-bot'] td")).getText()));
        waitFor(d -> !d.findElements(By.cssSelector("#refusals tr[data-agent='support-agent']")).isEmpty());
        waitFor(d -> !d.findElements(By.cssSelector("#by-model li[data-name='gpt-4o']")).isEmpty());
        screenshot("dashboard-admin");

        // The page polls: a new ingest shows without reloading.
        ingest(key, "research-bot", "2.5", "gpt-4o", "openai");
        waitFor(utilisationOf(POOL, "0.625"));
        screenshot("dashboard-after-ingest");

        click(By.cssSelector("#agents tr[data-agent='research-bot'] button[data-action='pause']"));
        waitFor(d -> d.findElement(By.cssSelector("#agents tr[data-agent='research-bot'] [data-field='state']"))
                .getText().equals("Paused"));
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"research-bot\",\"amount\":0.01}")
                .post("/v1/reservations").then().statusCode(429).body("reason", equalTo("agent_paused"));
        screenshot("dashboard-paused");

        click(By.cssSelector("#agents tr[data-agent='research-bot'] button[data-action='resume']"));
        waitFor(d -> d.findElement(By.cssSelector("#agents tr[data-agent='research-bot'] [data-field='state']"))
                .getText().equals("Running"));
        given().auth().oauth2(key).contentType("application/json").body("{\"agent_name\":\"research-bot\",\"amount\":0.01}")
                .post("/v1/reservations").then().statusCode(201);
    }

    @Test
    void viewerSeesTheBoardButNoButtons() throws IOException {
        String key = Fixtures.apiKey(org);
        Fixtures.pool(org, "engineering-pool", "daily", "10", "research-bot");
        ingest(key, "research-bot", "1", "gpt-4o", "openai");
        signIn(Tokens.viewer(org));
        waitFor(utilisationOf(POOL, "0.1"));
        waitFor(d -> !d.findElements(By.cssSelector("#agents tr[data-agent='research-bot']")).isEmpty());
        assertTrue(text(By.id("who")).contains("viewer"));
        List<WebElement> buttons = driver.findElements(By.cssSelector("#agents button"));
        assertEquals(List.of(), buttons, "a viewer sees no pause or resume buttons");
        screenshot("dashboard-viewer");
    }

    @Test
    void badTokensShowAClearMessageAndNoBoard() throws IOException {
        signIn(Tokens.forged(org));
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "refused (401 Unauthorized)"));
        assertTrue(!driver.findElement(By.id("board")).isDisplayed());
        screenshot("dashboard-bad-token");
        signIn(Tokens.expired(org));
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "expired"));
        signIn("not a token");
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "no spaces"));
        signIn("garbage");
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("sign-in-error"), "neither a token"));
        assertEquals(null, ((JavascriptExecutor) driver).executeScript("return sessionStorage.getItem('kavach.credential')"));
        assertTrue(!driver.getCurrentUrl().contains("ey"), "the token never appears in the URL");
    }

    @Test
    void whileTheServiceDoesNotAnswerThePageSaysSoAndRecoversByItself() throws IOException {
        String key = Fixtures.apiKey(org);
        Fixtures.pool(org, "engineering-pool", "daily", "10", "research-bot");
        signIn(Tokens.admin(org));
        waitFor(utilisationOf(POOL, "0"));
        // What a restart looks like from the page: every request fails at the network level.
        ((JavascriptExecutor) driver).executeScript("window.__fetch = window.fetch;"
                + "window.fetch = function () { return Promise.reject(new TypeError('Failed to fetch')); };");
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "does not answer"));
        screenshot("dashboard-offline");
        ingest(key, "research-bot", "4", "gpt-4o", "openai");
        ((JavascriptExecutor) driver).executeScript("window.fetch = window.__fetch;");
        waitFor(utilisationOf(POOL, "0.4"));
        waitFor(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Updated"));
    }

    @Test
    void anApiKeyReadsOneAgentsBudgetAndThePageIsReadableOnAPhone() throws IOException {
        String key = Fixtures.apiKey(org);
        Fixtures.pool(org, "engineering-pool", "daily", "10", "research-bot");
        ingest(key, "research-bot", "2", "gpt-4o", "openai");
        signIn(key);
        WebElement agent = new WebDriverWait(driver, Duration.ofSeconds(20))
                .until(ExpectedConditions.visibilityOfElementLocated(By.id("key-agent")));
        agent.sendKeys("research-bot");
        agent.submit();
        waitFor(d -> {
            List<WebElement> meters = d.findElements(By.cssSelector("#key-budgets [data-key='" + POOL + "'] .meter"));
            return !meters.isEmpty() && "0.2".equals(meters.get(0).getAttribute("data-utilization"));
        });

        signIn(Tokens.admin(org));
        waitFor(utilisationOf(POOL, "0.2"));
        org.openqa.selenium.Dimension laptop = driver.manage().window().getSize();
        try {
            driver.manage().window().setSize(new org.openqa.selenium.Dimension(390, 1400));
            waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("board")));
            waitFor(d -> (Long) ((JavascriptExecutor) d).executeScript(
                    "return document.documentElement.scrollWidth") <= 390L);
            screenshot("dashboard-phone");
        } finally {
            driver.manage().window().setSize(laptop);
        }
    }

    @Test
    void theSignInSurvivesAReloadAndSignOutForgetsIt() {
        signIn(Tokens.admin(org));
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("board")));
        driver.navigate().refresh();
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("board")));
        driver.findElement(By.id("sign-out")).click();
        waitFor(ExpectedConditions.visibilityOfElementLocated(By.id("sign-in-form")));
        assertEquals(null, ((JavascriptExecutor) driver).executeScript("return sessionStorage.getItem('kavach.credential')"));
    }

    private void signIn(String credential) {
        if (!driver.findElement(By.id("sign-in")).isDisplayed()) {
            driver.findElement(By.id("sign-out")).click();
        }
        WebElement field = driver.findElement(By.id("credential"));
        field.clear();
        field.sendKeys(credential);
        driver.findElement(By.cssSelector("#sign-in-form button[type='submit']")).click();
    }

    private static java.util.function.Function<WebDriver, Boolean> utilisationOf(String key, String utilisation) {
        return d -> {
            List<WebElement> meters = d.findElements(By.cssSelector("#budgets [data-key='" + key + "'] .meter"));
            return !meters.isEmpty() && utilisation.equals(meters.get(0).getAttribute("data-utilization"));
        };
    }

    private static <T> void waitFor(java.util.function.Function<? super WebDriver, T> condition) {
        // The board is redrawn on every poll: an element found a moment ago may be gone.
        new WebDriverWait(driver, Duration.ofSeconds(20))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    /** Clicks what {@code by} finds, again if the poll redrew it between finding and clicking. */
    private static void click(By by) {
        waitFor(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    private static String text(By by) {
        return driver.findElement(by).getText();
    }

    private static void ingest(String key, String agent, String cost, String model, String provider) {
        given().auth().oauth2(key).contentType("application/json")
                .body("{\"events\":[{\"agent_name\":\"" + agent + "\",\"cost\":" + cost + ",\"model\":\"" + model
                        + "\",\"provider\":\"" + provider + "\",\"input_tokens\":1000,\"output_tokens\":200}]}")
                .post("/v1/ingest").then().statusCode(202);
    }

    /** Spend on the 12 days before today (past windows: today's utilisation is unchanged), for the chart. */
    private static void history(String key) {
        StringBuilder events = new StringBuilder("{\"events\":[");
        java.time.Instant today = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.DAYS);
        String[][] calls = {{"research-bot", "gpt-4o", "openai"}, {"support-agent", "claude-3-5-sonnet", "anthropic"},
                {"research-bot", "gpt-4o-mini", "openai"}, {"triage-bot", "gemini-1.5-flash", "google"}};
        for (int day = 1; day <= 12; day++) {
            for (int i = 0; i < calls.length; i++) {
                String cost = String.valueOf(0.4 + ((day * 7 + i * 3) % 11) * 0.35);
                events.append(day == 1 && i == 0 ? "" : ",").append("{\"agent_name\":\"").append(calls[i][0])
                        .append("\",\"model\":\"").append(calls[i][1]).append("\",\"provider\":\"").append(calls[i][2])
                        .append("\",\"cost\":").append(cost).append(",\"input_tokens\":4000,\"output_tokens\":900,")
                        .append("\"timestamp\":\"").append(today.minus(java.time.Duration.ofDays(day)).plusSeconds(36000))
                        .append("\"}");
            }
        }
        given().auth().oauth2(key).contentType("application/json").body(events.append("]}").toString())
                .post("/v1/ingest").then().statusCode(202);
    }

    private static void screenshot(String name) throws IOException {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static File executable(String variable, String... candidates) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            File file = new File(configured);
            return file.canExecute() ? file : null;
        }
        for (String candidate : candidates) {
            File file = new File(candidate);
            if (file.canExecute()) {
                return file;
            }
        }
        return null;
    }
}
