package org.revacnn.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.revacnn.engine.Hyperparameters;
import org.revacnn.engine.OptimizerKind;
import org.revacnn.session.SessionConfig;
import org.revacnn.session.SessionFixtures;
import org.revacnn.session.TrainingSession;

/**
 * What the ordered real-browser tests share: a small synthetic session (Adam at 0.002, which learns
 * the shapes within a few seconds) served on a free loopback port, and one page on its UI
 * ({@link BrowserUnderTest}, one browser per test class) that each test builds on; console errors
 * are collected throughout and must stay empty after every test. No divergence guard: Adam drives
 * the loss of this easy data close to 0, where the spikes of batches of 4 (and of the structural
 * changes the tests make) exceed any fixed multiple of the average.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class SharedPageTestBase {
  private final boolean training;
  private final SessionConfig config;
  TestServer served;
  TrainingSession session;
  BrowserUnderTest browser;
  Page page;

  /** {@code training}: whether the session trains from the start, or stays paused until a command. */
  SharedPageTestBase(boolean training) {
    this(training, SessionFixtures.config().withDivergence(1e9, 100).withHyperparameters(
        Hyperparameters.defaults().withOptimizer(OptimizerKind.ADAM).withLearningRate(0.002f)));
  }

  /** A session of {@code config} instead (another model, say). */
  SharedPageTestBase(boolean training, SessionConfig config) {
    this.training = training;
    this.config = config;
  }

  @BeforeAll
  void openThePage() {
    served = TestServer.serveUnstarted(config, null);
    session = served.session;
    session.start(training);
    browser = BrowserUnderTest.open(served.server);
    page = browser.page;
  }

  @AfterAll
  void closeThePage() {
    if (browser != null) browser.close();
    if (served != null) served.close();
  }

  @AfterEach
  void noConsoleErrors() {
    assertThat(browser.consoleErrors).as("console errors").isEmpty();
  }
}
