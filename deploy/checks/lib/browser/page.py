"""Drives the plugin manager page (deploy/web) in headless Chromium for deploy/checks/browser-test.

Every wait is explicit and bounded (WAIT seconds); nothing sleeps to let time pass.
Configuration comes from the environment that deploy/checks/browser-test sets:
  BASE_URL            the stack's URL, e.g. http://127.0.0.1:20123
  PLUGIN_LIFECYCLE_BIN, DATA_DIR   to mint tokens (`plugin-lifecycle token USER`)
  BROWSER_ARTEFACTS   folder for screenshots and browser logs
  CHROMIUM, CHROMEDRIVER           the browser and its driver (Debian: /usr/bin/…)
"""

import os
import re
import subprocess

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

WAIT = float(os.environ.get("BROWSER_WAIT", "15"))

BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:8080").rstrip("/")
ARTEFACTS = os.environ.get("BROWSER_ARTEFACTS", "browser-artefacts")


def mint_token(user, admin=False):
    """A fresh HS256 token for USER from the binary (the stack's own secret)."""
    command = [os.environ["PLUGIN_LIFECYCLE_BIN"], "token", user, "--data-dir", os.environ["DATA_DIR"]]
    if admin:
        command.append("--admin")
    return subprocess.run(command, check=True, capture_output=True, text=True, timeout=30).stdout.strip()


def new_driver(width=1280, height=1000):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for argument in (
        "--headless=new",
        "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
        "--disable-dev-shm-usage",  # small /dev/shm in containers
        "--disable-gpu",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",  # loopback only: no update checks, no metrics
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path keeps Selenium Manager from looking for (and downloading) one.
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(30)
    return driver


class PluginManagerPage:
    """One browser tab on the page, signed in as one user."""

    def __init__(self, driver, test_name, user=None):
        self.driver = driver
        self.test_name = test_name
        self.user = user
        self.step = 0
        self.fixed_viewport = None  # set by set_viewport: kept across full-page screenshots

    # --- navigation and waiting ----------------------------------------------------------

    def open(self, token=None):
        """Loads the page (with /#token=… when given) and waits until its data has loaded."""
        self.driver.get(f"{BASE_URL}/#token={token}" if token else f"{BASE_URL}/")
        self.wait_settled()
        return self

    def wait(self, condition, message, timeout=WAIT):
        return WebDriverWait(self.driver, timeout, poll_frequency=0.05).until(condition, message)

    def wait_settled(self, timeout=WAIT):
        """Waits until no load or action is in flight (body[data-pending=0], set by app.js)."""
        self.wait(
            lambda d: d.execute_script("return document.body.dataset.pending") == "0",
            "the page did not settle (loads or actions still in flight)",
            timeout,
        )

    def wait_dialog_closed(self, dialog_id):
        """Waits until the <dialog> with that id is closed (its answer is then on its way)."""
        self.wait(
            lambda d: not d.execute_script("return document.getElementById(arguments[0]).open", dialog_id),
            f"the dialog {dialog_id} did not close",
        )

    def screenshot(self, name):
        self.step += 1
        os.makedirs(ARTEFACTS, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)
        path = os.path.join(ARTEFACTS, f"{self.test_name}-{self.step:02d}-{safe}.png")
        # Whole page, not only the viewport: the document's full height.
        height = self.driver.execute_script("return document.documentElement.scrollHeight")
        width = self.driver.execute_script("return window.innerWidth")
        self.driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": max(height, 200), "deviceScaleFactor": 1, "mobile": width < 500},
        )
        try:
            self.driver.save_screenshot(path)
        finally:
            if self.fixed_viewport is None:
                self.driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
            else:
                self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", self.fixed_viewport)
        return path

    def set_viewport(self, width, height, mobile=False):
        """Emulates a device of that size (e.g. a phone at 375 px) until cleared."""
        self.fixed_viewport = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", self.fixed_viewport)

    def slow_network(self, latency_ms):
        """Adds latency to every request so the page's in-flight state can be seen."""
        self.driver.execute_cdp_cmd("Network.enable", {})
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": latency_ms, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    def normal_network(self):
        self.driver.execute_cdp_cmd(
            "Network.emulateNetworkConditions",
            {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
        )

    # --- finding things ------------------------------------------------------------------

    def installed_card(self, slug):
        cards = self.driver.find_elements(By.CSS_SELECTOR, f'#installed li[data-slug="{slug}"]')
        return cards[0] if cards else None

    def catalog_card(self, slug):
        return self.driver.find_element(By.CSS_SELECTOR, f'#catalog li[data-slug="{slug}"]')

    def installed_slugs(self):
        return [e.get_attribute("data-slug") for e in self.driver.find_elements(By.CSS_SELECTOR, "#installed > li")]

    def wait_installed_card(self, slug):
        return self.wait(lambda d: self.installed_card(slug), f"no installed card for {slug}")

    def badge(self, slug, role):
        card = self.installed_card(slug)
        if card is None:
            return None
        found = card.find_elements(By.CSS_SELECTOR, f'.badge[data-role="{role}"]')
        # data-value: the API's word for it (files_missing), where the text is for people.
        return found[0].get_attribute("data-value") if found else None

    def wait_badge(self, slug, role, text):
        self.wait(lambda d: self.badge(slug, role) == text,
                  f"badge {role} of {slug} did not become {text!r} (is {self.badge(slug, role)!r})")

    def card_version(self, slug):
        card = self.installed_card(slug)
        return card.find_element(By.CSS_SELECTOR, '[data-role="version"]').text if card else None

    def button(self, card, action):
        return card.find_element(By.CSS_SELECTOR, f'button[data-action="{action}"]')

    def choose_version(self, card, version):
        Select(card.find_element(By.CSS_SELECTOR, 'select[data-role="version"]')).select_by_value(version)

    def notice(self):
        """(kind, text) of the page's notice (kind: ok, warn or error), or None when hidden."""
        box = self.driver.find_element(By.ID, "notice")
        if not box.is_displayed():
            return None
        classes = (box.get_attribute("class") or "").split()
        kind = next((k for k in ("error", "warn", "ok") if k in classes), "?")
        return kind, box.text

    def wait_notice(self, kind, contains):
        def seen(_):
            notice = self.notice()
            return notice is not None and notice[0] == kind and contains in notice[1]

        try:
            self.wait(seen, "")
        except TimeoutException:
            raise AssertionError(f"expected a {kind} notice containing {contains!r}, got {self.notice()!r}") from None

    # --- the module panel (Open) ------------------------------------------------------------

    def open_module(self, slug, module):
        """Clicks Open for that module of an installed plugin and waits until it has loaded."""
        card = self.installed_card(slug)
        card.find_element(By.CSS_SELECTOR, f'button[data-action="open"][data-module="{module}"]').click()
        self.wait_settled()
        return self.module_text()

    def module_text(self):
        return self.driver.find_element(By.ID, "module-panel").get_attribute("textContent")

    def module_error(self):
        """The alert the loader shows in the panel, or None."""
        found = self.driver.find_elements(By.CSS_SELECTOR, '#module-panel [role="alert"]')
        return found[0] if found else None

    def load_in_panel(self, bundle_url, scope, module):
        """Loads a module from any URL into #module-panel with the page's own loader; returns
        None once mounted, else {code, message} of the error it shows."""
        return self.driver.execute_async_script(
            """
            const [url, scope, module, done] = arguments;
            document.getElementById("module-section").hidden = false;
            import("/js/bundle-loader.js")
              .then((loader) => loader.loadModule({ bundleUrl: url, scope, module,
                panel: document.getElementById("module-panel") }))
              .then((error) => done(error ? { code: error.code ?? null, message: String(error.message) } : null),
                    (error) => done({ code: "thrown", message: String(error) }));
            """,
            bundle_url, scope, module)

    def audit_actions(self):
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")
        return [[td.get_attribute("textContent") for td in row.find_elements(By.TAG_NAME, "td")] for row in rows]

    def scroll_width(self):
        return self.driver.execute_script(
            "return Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")

    def browser_errors(self):
        """SEVERE console entries (uncaught exceptions, CSP violations), minus expected HTTP errors."""
        entries = self.driver.get_log("browser")
        return [e["message"] for e in entries
                if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]
