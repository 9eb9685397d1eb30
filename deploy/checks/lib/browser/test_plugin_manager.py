"""Real-browser tests of the plugin manager page: headless Chromium through the real nginx and
worker pool that deploy/checks/browser-test starts. Each test uses its own users, so the order does not
matter; each step leaves a screenshot in BROWSER_ARTEFACTS."""

import json
import os
import time
import unittest
import urllib.error
import urllib.request
from datetime import datetime, timezone

from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from page import ARTEFACTS, BASE_URL, PluginManagerPage, mint_token, new_driver

NETWORK = "braindrive_network"  # two versions in deploy/catalog: 1.0.0 and 1.1.0
CHAT = "braindrive_chat"
LIBRARY = "braindrive_library"  # depends on braindrive_chat ^1.0.0

MARK = b"copy:AAAAAAAA"  # in every sample container (deploy/catalog/*/*/dist/remoteEntry.js) once


class BrowserTestCase(unittest.TestCase):
    def setUp(self):
        self.drivers = []
        self.pages = []

    def browser(self, label, user, width=1280, height=1000):
        """A new browser (its own profile: nothing shared with other browsers) signed in as user."""
        driver = new_driver(width, height)
        self.drivers.append(driver)
        page = PluginManagerPage(driver, f"{self._testMethodName}-{label}", user)
        self.pages.append(page)
        return page

    def failed(self):
        # Python 3.11+ records a test's failure in the result before tearDown runs.
        result = self._outcome.result
        return any(test is self for test, _ in result.errors + result.failures)

    def tearDown(self):
        failed = self.failed()
        console = {}
        for page in self.pages:
            try:
                if failed:
                    page.screenshot("at-failure")
                console[page.test_name] = page.browser_errors()
                with open(os.path.join(ARTEFACTS, f"{page.test_name}-console.json"), "w") as out:
                    json.dump(console[page.test_name], out, indent=1)
            except Exception as error:  # a dead browser must not keep the others running
                console[page.test_name] = [f"could not read the console: {error}"]
        for driver in self.drivers:
            driver.quit()
        if not failed:
            # Uncaught exceptions or CSP violations fail a test even if every step passed.
            self.assertEqual({k: v for k, v in console.items() if v}, {}, "console errors")


class PluginManagerTests(BrowserTestCase):
    def test_a_install_old_version_disable_update_uninstall(self):
        user = "alice_lifecycle"
        page = self.browser("alice", user).open(mint_token(user))
        # The token left the address bar once read, and lives in this tab's sessionStorage.
        self.assertNotIn("token=", page.driver.current_url)
        self.assertEqual(page.driver.find_element(By.ID, "who").text, user)
        self.assertEqual(page.installed_slugs(), [])
        page.screenshot("signed-in")

        # A screen reader's list of controls says which plugin each picker and button is for;
        # the visible text stays short.
        card = page.catalog_card(NETWORK)
        name = card.find_element(By.CSS_SELECTOR, "h3").text
        install = page.button(card, "install")
        self.assertEqual((install.text, install.accessible_name), ("Install", f"Install {name}"))
        picker = card.find_element(By.CSS_SELECTOR, 'select[data-role="version"]')
        self.assertEqual(picker.accessible_name, f"Version of {name}")

        # Install the older version with the picker, on a slow network so the in-flight state shows.
        page.choose_version(page.catalog_card(NETWORK), "1.0.0")
        page.slow_network(700)
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait(lambda d: page.catalog_card(NETWORK).get_attribute("aria-busy") == "true",
                  "the catalog row did not turn busy")
        row = page.catalog_card(NETWORK)
        self.assertTrue(row.find_element(By.CSS_SELECTOR, ".progress").is_displayed())
        self.assertIn("Installing 1.0.0", row.find_element(By.CSS_SELECTOR, ".progress").text)
        controls = row.find_elements(By.CSS_SELECTOR, "button, select")
        self.assertTrue(controls and all(not c.is_enabled() for c in controls), "buttons not locked while busy")
        page.screenshot("installing")
        page.wait_settled(timeout=30)
        page.normal_network()

        page.wait_installed_card(NETWORK)
        page.wait_badge(NETWORK, "status", "healthy")
        self.assertEqual(page.card_version(NETWORK), "1.0.0")
        self.assertEqual(page.badge(NETWORK, "enabled"), "enabled")
        self.assertEqual(page.badge(NETWORK, "update"), "update 1.1.0 available")
        self.assertEqual(page.button(page.installed_card(NETWORK), "uninstall").accessible_name, f"Uninstall {name}")
        self.assertIsNone(page.catalog_card(NETWORK).get_attribute("aria-busy"))
        page.wait_notice("ok", "Installed braindrive_network 1.0.0")
        page.screenshot("installed-1.0.0")

        page.button(page.installed_card(NETWORK), "disable").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "enabled", "disabled")
        self.assertEqual(page.badge(NETWORK, "status"), "healthy")  # disabled is not unhealthy
        self.assertEqual(page.button(page.installed_card(NETWORK), "enable").text, "Enable")
        page.screenshot("disabled")

        card = page.installed_card(NETWORK)
        page.choose_version(card, "1.1.0")
        page.button(card, "update").click()
        page.wait_settled()
        page.wait_notice("ok", "Updated braindrive_network from 1.0.0 to 1.1.0")
        self.assertEqual(page.card_version(NETWORK), "1.1.0")
        self.assertIsNone(page.badge(NETWORK, "update"))
        self.assertEqual(page.badge(NETWORK, "enabled"), "disabled")  # update keeps the flag
        self.assertEqual(page.badge(NETWORK, "status"), "healthy")
        modules = page.installed_card(NETWORK).find_elements(By.CSS_SELECTOR, ".modules li")
        self.assertEqual(len(modules), 2)  # 1.1.0 adds ComponentNetworkHistory
        page.screenshot("updated-1.1.0")

        # One module off: its row says so and offers Enable only.
        page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, ".modules summary").click()
        history = 'li[data-module="ComponentNetworkHistory"]'
        page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, f'{history} [data-action="module-disable"]').click()
        page.wait_settled()
        page.wait_notice("ok", "Module ComponentNetworkHistory of braindrive_network disabled")
        row = page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, history)
        self.assertEqual(row.find_element(By.CSS_SELECTOR, '[data-role="module-state"]').text, "disabled")
        self.assertFalse(row.find_element(By.CSS_SELECTOR, '[data-action="module-disable"]').is_enabled())
        self.assertTrue(row.find_element(By.CSS_SELECTOR, '[data-action="module-enable"]').is_enabled())
        page.screenshot("module-disabled")

        # A fresh load shows the same, from the installed list's disabled_modules.
        page.open()
        page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, ".modules summary").click() \
            if not page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, ".modules").get_attribute("open") else None
        states = {
            li.get_attribute("data-module"): li.find_element(By.CSS_SELECTOR, '[data-role="module-state"]').text
            for li in page.installed_card(NETWORK).find_elements(By.CSS_SELECTOR, ".modules li")
        }
        self.assertEqual(states, {"ComponentNetworkHistory": "disabled", "ComponentNetworkStatus": "enabled"})
        page.screenshot("module-state-after-reload")

        page.button(page.installed_card(NETWORK), "uninstall").click()
        page.wait_settled()
        page.wait_notice("ok", "Uninstalled braindrive_network")
        self.assertIsNone(page.installed_card(NETWORK))
        self.assertEqual(page.button(page.catalog_card(NETWORK), "install").text, "Install")
        history = [row[1] for row in page.audit_actions()]
        for action in ("install", "disable", "update", "uninstall"):
            self.assertIn(action, history)
        page.screenshot("uninstalled")

    def test_b_two_users_never_see_each_others_plugins(self):
        alice = self.browser("alice", "alice_isolation").open(mint_token("alice_isolation"))
        bob = self.browser("bob", "bob_isolation").open(mint_token("bob_isolation"))

        alice.button(alice.catalog_card(NETWORK), "install").click()
        alice.wait_settled()
        alice.wait_badge(NETWORK, "status", "healthy")
        bob.button(bob.catalog_card(CHAT), "install").click()
        bob.wait_settled()
        bob.wait_badge(CHAT, "status", "healthy")

        # Reload both after both acted: each sees only their own.
        for page in (alice, bob):
            page.driver.find_element(By.ID, "refresh").click()
            page.wait_settled()
        self.assertEqual(alice.installed_slugs(), [NETWORK])
        self.assertEqual(bob.installed_slugs(), [CHAT])
        # The catalog offers each the other's plugin as not installed.
        self.assertEqual(alice.button(alice.catalog_card(CHAT), "install").text, "Install")
        self.assertEqual(bob.button(bob.catalog_card(NETWORK), "install").text, "Install")
        # And the history shows only one's own events.
        self.assertEqual({row[2] for row in alice.audit_actions()}, {NETWORK})
        self.assertEqual({row[2] for row in bob.audit_actions()}, {CHAT})
        alice.screenshot("alice-sees-network-only")
        bob.screenshot("bob-sees-chat-only")

        # A reload in a fresh tab of bob's browser (the token is per tab) shows the same.
        bob.driver.switch_to.new_window("tab")
        bob.open(mint_token("bob_isolation"))
        self.assertEqual(bob.installed_slugs(), [CHAT])

    def test_c_second_tab_install_shows_the_conflict(self):
        user = "carol_two_tabs"
        token = mint_token(user)
        page = self.browser("carol", user).open(token)
        first = page.driver.current_window_handle
        page.driver.switch_to.new_window("tab")
        second = page.driver.current_window_handle
        page.open(token)  # sessionStorage is per tab: the second tab signs in from its own link

        page.driver.switch_to.window(first)
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "healthy")
        page.screenshot("first-tab-installed")

        # The second tab still offers Install: the server refuses and the page says why.
        page.driver.switch_to.window(second)
        self.assertIsNone(page.installed_card(NETWORK))
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait_settled()
        page.wait_notice("error", "is already installed for this user")
        notice = page.driver.find_element(By.ID, "notice")
        self.assertEqual(notice.get_attribute("role"), "alert")
        self.assertIn("already_installed", notice.text)
        self.assertIn("HTTP 409", notice.text)
        self.assertRegex(notice.text, r"request [0-9a-f]{16,}")
        # The row shows the same detail next to the button that failed…
        row_error = page.catalog_card(NETWORK).find_element(By.CSS_SELECTOR, '[data-role="error"]')
        self.assertIn("is already installed for this user", row_error.text)
        # …and the page now shows the plugin as installed (it reloaded after the error).
        page.wait_installed_card(NETWORK)
        page.screenshot("second-tab-conflict")

    def test_d_keyboard_only_cascade_uninstall_with_dialog(self):
        user = "dave_keyboard"
        page = self.browser("dave", user).open(mint_token(user))
        keys = ActionChains(page.driver)

        def active_key():
            return page.driver.execute_script("return document.activeElement?.dataset?.key ?? null")

        def tab_to(key, limit=120):
            for _ in range(limit):
                if active_key() == key:
                    return
                keys.send_keys(Keys.TAB).perform()
            self.fail(f"Tab never reached {key} (focus on {active_key()})")

        tab_to(f"{LIBRARY}:install")
        page.screenshot("focus-on-install")
        keys.send_keys(Keys.ENTER).perform()
        page.wait_settled()
        page.wait_installed_card(LIBRARY)
        page.wait_installed_card(CHAT)  # installed as its dependency
        self.assertNotEqual(page.driver.execute_script("return document.activeElement.tagName"), "BODY",
                            "focus was lost after the action")

        # Uninstalling chat is refused (library needs it): a dialog asks, Cancel has the focus.
        tab_to(f"{CHAT}:uninstall")
        keys.send_keys(Keys.ENTER).perform()
        dialog = page.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#confirm-dialog[open]"), "no confirm dialog")
        self.assertIn("braindrive_library", dialog.text)
        self.assertEqual(page.driver.execute_script("return document.activeElement.dataset.role"), "cancel")
        page.screenshot("cascade-dialog")
        keys.send_keys(Keys.ESCAPE).perform()
        # The answer reaches the action after the dialog's close event: wait for its outcome
        # (the notice), not only for the page to look idle.
        page.wait_dialog_closed("confirm-dialog")
        page.wait_notice("ok", "Nothing was uninstalled")
        page.wait_settled()
        self.assertEqual(sorted(page.installed_slugs()), [CHAT, LIBRARY])
        self.assertEqual(active_key(), f"{CHAT}:uninstall", "focus did not return to the Uninstall button")

        keys.send_keys(Keys.ENTER).perform()
        page.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#confirm-dialog[open]"), "no confirm dialog")
        keys.send_keys(Keys.TAB).perform()
        self.assertEqual(page.driver.execute_script("return document.activeElement.value"), "confirm")
        keys.send_keys(Keys.ENTER).perform()
        page.wait_dialog_closed("confirm-dialog")
        page.wait_notice("ok", "Uninstalled")
        page.wait_settled()
        self.assertEqual(page.installed_slugs(), [])
        notice = page.notice()[1]
        self.assertIn(CHAT, notice)
        self.assertIn(LIBRARY, notice)
        self.assertNotEqual(page.driver.execute_script("return document.activeElement.tagName"), "BODY")
        page.screenshot("cascade-done")

    def test_e_phone_width_has_no_horizontal_scroll(self):
        user = "erin_phone"
        page = self.browser("erin", user, width=375, height=800)
        page.set_viewport(375, 800, mobile=True)
        page.open(mint_token(user))
        self.assertEqual(page.driver.execute_script("return window.innerWidth"), 375)
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "healthy")
        page.driver.execute_script("document.querySelector('#installed details').open = true")
        self.assertLessEqual(page.scroll_width(), 375)
        page.screenshot("phone-installed")
        # The history table's rows stack into small cards on a phone: nothing sticks out.
        page.driver.execute_script("document.getElementById('audit-section').scrollIntoView()")
        rows = page.driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")
        self.assertTrue(rows and rows[0].is_displayed())
        self.assertLessEqual(rows[0].rect["x"] + rows[0].rect["width"], 375)
        self.assertLessEqual(page.scroll_width(), 375)
        page.screenshot("phone-history")
        # A dialog fits too.
        page.button(page.installed_card(NETWORK), "share").click()
        dialog = page.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#share-dialog[open]"), "no share dialog")
        self.assertLessEqual(dialog.rect["x"] + dialog.rect["width"], 375)
        self.assertLessEqual(page.scroll_width(), 375)
        page.screenshot("phone-share-dialog")
        dialog.find_element(By.CSS_SELECTOR, "[data-role=cancel]").click()

    def offer(self, sender, users):
        """Offers the sender's network plugin to `users` (as typed) through the share dialog."""
        sender.button(sender.installed_card(NETWORK), "share").click()
        dialog = sender.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#share-dialog[open]"), "no share dialog")
        dialog.find_element(By.TAG_NAME, "input").send_keys(users + Keys.ENTER)
        # The offer starts only once the dialog's close event has run: until then the page is
        # idle, so wait for the outcome itself before waiting for the page to settle.
        sender.wait_dialog_closed("share-dialog")
        sender.wait_notice("ok", "Offered braindrive_network to " + users)
        sender.wait_settled()

    def test_f_share_offer_accept_and_decline(self):
        sender = self.browser("frank", "frank_shares").open(mint_token("frank_shares"))
        sender.choose_version(sender.catalog_card(NETWORK), "1.0.0")
        sender.button(sender.catalog_card(NETWORK), "install").click()
        sender.wait_settled()
        sender.wait_installed_card(NETWORK)
        self.offer(sender, "grace_shares, heidi_shares")
        sender.screenshot("offered")

        grace = self.browser("grace", "grace_shares").open(mint_token("grace_shares"))
        offers = grace.driver.find_elements(By.CSS_SELECTOR, "#shares > li")
        self.assertEqual(len(offers), 1)
        self.assertIn("frank_shares", offers[0].text)
        self.assertIn("1.0.0", offers[0].text)
        grace.screenshot("offer-received")
        grace.button(offers[0], "accept").click()
        grace.wait_settled()
        grace.wait_notice("ok", "Installed braindrive_network 1.0.0 from frank_shares's offer")
        self.assertEqual(grace.card_version(NETWORK), "1.0.0")
        self.assertEqual(grace.driver.find_elements(By.CSS_SELECTOR, "#shares > li"), [])
        grace.screenshot("offer-accepted")

        heidi = self.browser("heidi", "heidi_shares").open(mint_token("heidi_shares"))
        offer = heidi.driver.find_element(By.CSS_SELECTOR, "#shares > li")
        heidi.button(offer, "decline").click()
        heidi.wait_settled()
        heidi.wait_notice("ok", "Declined braindrive_network 1.0.0 from frank_shares")
        self.assertEqual(heidi.driver.find_elements(By.CSS_SELECTOR, "#shares > li"), [])
        self.assertEqual(heidi.installed_slugs(), [])
        heidi.screenshot("offer-declined")

    def test_f_share_withdrawn_by_the_sender(self):
        sender = self.browser("kim", "kim_shares").open(mint_token("kim_shares"))
        self.assertEqual(sender.driver.find_elements(By.CSS_SELECTOR, "#sent-shares > li"), [])
        sender.button(sender.catalog_card(NETWORK), "install").click()
        sender.wait_settled()
        sender.wait_installed_card(NETWORK)
        version = sender.card_version(NETWORK)
        self.offer(sender, "leo_shares")
        sent = sender.driver.find_elements(By.CSS_SELECTOR, "#sent-shares > li")
        self.assertEqual(len(sent), 1)
        self.assertIn("leo_shares", sent[0].text)
        self.assertIn(version, sent[0].text)
        sender.screenshot("offer-sent")

        # The recipient sees it until the sender withdraws it.
        leo = self.browser("leo", "leo_shares").open(mint_token("leo_shares"))
        self.assertEqual(len(leo.driver.find_elements(By.CSS_SELECTOR, "#shares > li")), 1)
        self.assertEqual(leo.driver.find_elements(By.CSS_SELECTOR, "#sent-shares > li"), [])

        sender.button(sent[0], "withdraw").click()
        sender.wait_settled()
        sender.wait_notice("ok", f"Withdrew the offer of braindrive_network {version} to leo_shares")
        self.assertEqual(sender.driver.find_elements(By.CSS_SELECTOR, "#sent-shares > li"), [])
        sender.screenshot("offer-withdrawn")
        leo.driver.find_element(By.ID, "refresh").click()
        leo.wait_settled()
        self.assertEqual(leo.driver.find_elements(By.CSS_SELECTOR, "#shares > li"), [])
        self.assertEqual(leo.installed_slugs(), [])
        leo.screenshot("offer-gone")

    def test_g_sign_out_and_sign_in_with_a_pasted_token(self):
        user = "ivan_sign_in"
        token = mint_token(user)
        page = self.browser("ivan", user).open(token)
        storage = "return sessionStorage.getItem('plugin-lifecycle-token')"
        self.assertEqual(page.driver.execute_script(storage), token)
        page.driver.find_element(By.ID, "sign-out").click()
        page.wait_settled()
        self.assertIsNone(page.driver.execute_script(storage))
        self.assertTrue(page.driver.find_element(By.ID, "token-form").is_displayed())
        self.assertFalse(page.driver.find_element(By.ID, "audit-section").is_displayed())
        # Signed out, the public catalog shows, without install buttons.
        self.assertEqual(page.catalog_card(NETWORK).find_elements(By.CSS_SELECTOR, "button"), [])
        page.screenshot("signed-out")

        field = page.driver.find_element(By.ID, "token-input")
        self.assertEqual(page.driver.switch_to.active_element, field)  # focus moved to the field
        field.send_keys("Bearer " + token + Keys.ENTER)
        page.wait_settled()
        page.wait(lambda d: d.find_element(By.ID, "who").text == user, "not signed in after pasting")
        self.assertEqual(page.driver.execute_script(storage), token)
        page.screenshot("signed-in-again")

        # A refused token: the problem's detail is shown, not swallowed.
        page.driver.find_element(By.ID, "sign-out").click()
        page.wait_settled()
        page.driver.find_element(By.ID, "token-input").send_keys("not-a-jwt" + Keys.ENTER)
        page.wait_settled()
        page.wait_notice("error", "Sign in again")
        self.assertIn("invalid_token", page.notice()[1])
        # Refused, the page acts signed out: the public catalog without buttons, the token field again.
        self.assertTrue(page.driver.find_element(By.ID, "token-form").is_displayed())
        self.assertTrue(page.driver.find_element(By.ID, "refused-text").is_displayed())
        self.assertFalse(page.driver.find_element(By.ID, "audit-section").is_displayed())
        self.assertTrue(page.catalog_card(NETWORK).is_displayed())
        self.assertEqual(page.catalog_card(NETWORK).find_elements(By.CSS_SELECTOR, "button"), [])
        page.screenshot("refused-token")

        # A /#token=… link opened in this tab (only the fragment changes, no reload) signs in too.
        page.driver.get(f"{BASE_URL}/#token={token}")
        page.wait(lambda d: d.find_element(By.ID, "who").text == user, "the fragment's token was not taken")
        page.wait_settled()
        self.assertNotIn("token=", page.driver.current_url)
        self.assertIsNone(page.notice())  # the refused token's error went with it

    def test_h_check_files_finds_a_change_and_repair_restores_it(self):
        user = "judy_repair"
        page = self.browser("judy", user).open(mint_token(user))
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "healthy")
        folder = os.path.join(os.environ["DATA_DIR"], "plugins", user, NETWORK)
        bundle = os.path.join(folder, "dist", "remoteEntry.js")

        # Same size, different bytes: only the full check (SHA-256) sees it.
        with open(bundle, "r+b") as f:
            first = f.read(1)
            f.seek(0)
            f.write(b"X" if first != b"X" else b"Y")
        page.button(page.installed_card(NETWORK), "check").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "files_modified")
        page.wait_notice("warn", "braindrive_network: files_modified")
        self.assertEqual(page.installed_card(NETWORK).find_element(
            By.CSS_SELECTOR, '.badge[data-role="status"]').text, "files modified")
        result = page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, ".check-result").text
        self.assertIn("remoteEntry.js", result)
        page.screenshot("files-modified")

        page.button(page.installed_card(NETWORK), "repair").click()
        page.wait_settled()
        page.wait_notice("ok", "Repaired braindrive_network")
        page.wait_badge(NETWORK, "status", "healthy")
        self.assertEqual(page.installed_card(NETWORK).find_elements(By.CSS_SELECTOR, ".check-result"), [])
        with open(bundle, "rb") as f:
            self.assertEqual(f.read(1), first)
        page.button(page.installed_card(NETWORK), "check").click()
        page.wait_settled()
        page.wait_notice("ok", "braindrive_network: healthy")
        page.screenshot("repaired")

        # A missing file shows in the list's own status after a reload.
        os.remove(bundle)
        page.driver.find_element(By.ID, "refresh").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "files_missing")
        page.screenshot("files-missing")
        page.button(page.installed_card(NETWORK), "repair").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "healthy")
        self.assertTrue(os.path.exists(bundle))

    def test_i_history_pages_with_more(self):
        user = "ken_history"
        token = mint_token(user)
        # 1 install + 24 switches = 25 events: more than one page of 20.
        api_call(token, "POST", f"{NETWORK}/install")
        for _ in range(12):
            api_call(token, "POST", f"{NETWORK}/disable")
            api_call(token, "POST", f"{NETWORK}/enable")
        page = self.browser("ken", user).open(token)
        self.assertEqual(len(page.audit_actions()), 20)
        more = page.driver.find_element(By.ID, "audit-more")
        self.assertTrue(more.is_displayed())
        for _ in range(5):  # bounded: 25 events need one more page (and at most one empty one)
            if not more.is_displayed():
                break
            more.click()
            page.wait_settled()
        self.assertFalse(more.is_displayed())
        ids = [int(row.get_attribute("data-event-id"))
               for row in page.driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
        self.assertEqual(len(ids), 25)
        self.assertEqual(ids, sorted(set(ids), reverse=True))  # newest first, no repeats
        self.assertEqual(page.audit_actions()[-1][1], "install")
        page.screenshot("history-all")

        # A reload that finishes while More is still loading: More's page was cut from the old
        # first page, so it is dropped (appending it would skip or repeat an event).
        page.open()
        more = page.driver.find_element(By.ID, "audit-more")
        self.assertEqual(len(page.audit_actions()), 20)
        api_call(token, "POST", f"{NETWORK}/disable")  # a 26th event: the first page moves by one
        page.slow_network(1500)
        page.driver.find_element(By.ID, "refresh").click()
        more.click()
        page.wait_settled(timeout=60)
        page.normal_network()
        for _ in range(5):
            if not more.is_displayed():
                break
            more.click()
            page.wait_settled()
        ids = [int(row.get_attribute("data-event-id"))
               for row in page.driver.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
        self.assertEqual(len(ids), 26, "an event was skipped or repeated")
        self.assertEqual(ids, sorted(set(ids), reverse=True))
        page.screenshot("history-after-refresh-during-more")

    def test_j_an_action_of_the_previous_user_stays_with_that_user(self):
        first, second = "liam_switch", "mia_switch"
        first_token, second_token = mint_token(first), mint_token(second)
        page = self.browser("liam-then-mia", first).open(first_token)
        # A slow network keeps liam's install in flight across the change of user.
        page.slow_network(2500)
        page.button(page.catalog_card(NETWORK), "install").click()
        page.wait(lambda d: page.catalog_card(NETWORK).get_attribute("aria-busy") == "true",
                  "the catalog row did not turn busy")
        page.driver.find_element(By.ID, "sign-out").click()
        page.driver.execute_script(
            "document.getElementById('token-input').value = arguments[0];"
            "document.getElementById('token-form').requestSubmit();", second_token)
        # The switch took a fraction of the 2.5 s latency: liam's answer is still on its way. It
        # keeps the page pending until it has arrived, so settling waits for it.
        page.screenshot("switched-while-installing")
        page.wait_settled(timeout=60)
        page.normal_network()
        self.assertEqual(page.driver.find_element(By.ID, "who").text, second)
        # Its answer was dropped: no notice, row error or lock of liam's shows for mia ...
        notice = page.notice()
        self.assertFalse(notice and "Installed" in notice[1], f"liam's notice shown to mia: {notice!r}")
        row = page.catalog_card(NETWORK)
        self.assertIsNone(row.get_attribute("aria-busy"))
        self.assertEqual(row.find_elements(By.CSS_SELECTOR, '[data-role="error"]'), [])
        self.assertTrue(page.button(row, "install").is_enabled())
        self.assertEqual(page.installed_slugs(), [])
        page.screenshot("mia-after-liams-answer")
        # ... and it was made with liam's token: the plugin is liam's, not mia's.
        self.assertEqual([p["plugin_slug"] for p in api_call(first_token, "GET", "installed")["installed_plugins"]],
                         [NETWORK])
        self.assertEqual(api_call(second_token, "GET", "installed")["installed_plugins"], [])

    def test_k_a_token_link_while_the_cascade_dialog_is_open_sends_nothing(self):
        first, second = "noah_link", "olga_link"
        first_token, second_token = mint_token(first), mint_token(second)
        api_call(first_token, "POST", f"{LIBRARY}/install")  # installs chat too, as its dependency
        page = self.browser("noah-then-olga", first).open(first_token)
        page.button(page.installed_card(CHAT), "uninstall").click()
        page.wait(lambda d: d.find_element(By.CSS_SELECTOR, "#confirm-dialog[open]"), "no confirm dialog")
        page.screenshot("cascade-dialog-for-noah")
        # A /#token= link opened in this tab: the question was noah's, so it closes unanswered.
        page.driver.execute_script("location.hash = 'token=' + arguments[0]", second_token)
        page.wait_dialog_closed("confirm-dialog")
        page.wait(lambda d: d.find_element(By.ID, "who").text == second, "the page did not switch to olga")
        page.wait_settled()
        notice = page.notice()
        self.assertFalse(notice and ("Uninstalled" in notice[1] or "Nothing was" in notice[1]),
                         f"noah's outcome shown to olga: {notice!r}")
        self.assertEqual(page.installed_slugs(), [])
        self.assertEqual(page.driver.find_elements(By.CSS_SELECTOR, '[data-role="error"]'), [])
        page.screenshot("olga-signed-in")
        # Nothing was uninstalled, for noah or with olga's token.
        installed = sorted(p["plugin_slug"] for p in api_call(first_token, "GET", "installed")["installed_plugins"])
        self.assertEqual(installed, [CHAT, LIBRARY])

    # --- Open: a module from the user's own copy (issue 19) -------------------------------------

    def bundle_item(self, token, slug=NETWORK):
        """The caller's installed item of slug, with its bundle fields."""
        item = next(p for p in api_call(token, "GET", "installed")["installed_plugins"] if p["plugin_slug"] == slug)
        self.assertTrue(item["bundle_url"].startswith(f"/api/plugins/{slug}/"), item["bundle_url"])
        self.assertEqual(item["scope"], "BrainDriveNetwork")
        return item

    def test_l_open_renders_the_users_own_copy(self):
        alice, bob = "alma_bundles", "ben_bundles"
        alice_token, bob_token = mint_token(alice), mint_token(bob)
        for token in (alice_token, bob_token):
            api_call(token, "POST", f"{NETWORK}/install")
        # Same size, other bytes, in alice's copy only: her Open must show them, bob's must not.
        bundle = os.path.join(os.environ["DATA_DIR"], "plugins", alice, NETWORK, "dist", "remoteEntry.js")
        flip_marker(bundle, MARK, b"copy:ALMAALMA")
        status = "ComponentNetworkStatus"

        page = self.browser("alice", alice).open(alice_token)
        button = page.installed_card(NETWORK).find_element(By.CSS_SELECTOR, f'button[data-module="{status}"]')
        self.assertEqual(button.accessible_name, f"Open module {status} of BrainDrive Network")
        self.assertIn("copy:ALMAALMA", page.open_module(NETWORK, status))
        self.assertIn(f"BrainDrive Network 1.1.0: {status}", page.module_text())
        self.assertIsNone(page.module_error())
        self.assertEqual(page.driver.execute_script("return document.activeElement.id"), "module-heading")
        page.screenshot("alice-sees-her-copy")

        # Bob at 375 px with the keyboard only: Tab to Open, Enter, the panel shows his copy.
        other = self.browser("bob", bob, width=375, height=800)
        other.set_viewport(375, 800, mobile=True)
        other.open(bob_token)
        keys = ActionChains(other.driver)

        def tab_to(key, limit=120):
            for _ in range(limit):
                if other.driver.execute_script("return document.activeElement?.dataset?.key ?? null") == key:
                    return
                keys.send_keys(Keys.TAB).perform()
            self.fail(f"Tab never reached {key}")

        tab_to(f"{NETWORK}:open:{status}")
        keys.send_keys(Keys.ENTER).perform()
        other.wait_settled()
        self.assertIn(MARK.decode(), other.module_text())
        self.assertNotIn("ALMA", other.module_text())
        self.assertLessEqual(other.scroll_width(), 375)
        other.screenshot("bob-sees-his-copy-at-375px")
        tab_to("module-close")
        keys.send_keys(Keys.ENTER).perform()
        self.assertFalse(other.driver.find_element(By.ID, "module-section").is_displayed())
        self.assertEqual(other.driver.execute_script("return document.activeElement.dataset.key"),
                         f"{NETWORK}:open:{status}", "focus did not return to the Open button")

        # Check files sees the change, Repair restores it, and Open shows the original again. A new
        # browser: the page keeps a container it loaded, and the browser may keep the bytes of a
        # URL answered as immutable until it expires (same URL: the recorded hash did not change).
        page.button(page.installed_card(NETWORK), "check").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "files_modified")
        page.button(page.installed_card(NETWORK), "repair").click()
        page.wait_settled()
        page.wait_badge(NETWORK, "status", "healthy")
        again = self.browser("alice-after-repair", alice).open(alice_token)
        text = again.open_module(NETWORK, status)
        self.assertIn(MARK.decode(), text)
        self.assertNotIn("ALMA", text)
        again.screenshot("alice-after-repair")

    def test_m_other_user_cannot_load_As_url(self):
        alice, bob = "ada_bundles", "bert_bundles"
        alice_token, bob_token = mint_token(alice), mint_token(bob)
        for token in (alice_token, bob_token):
            api_call(token, "POST", f"{NETWORK}/install")
        flip_marker(os.path.join(os.environ["DATA_DIR"], "plugins", alice, NETWORK, "dist", "remoteEntry.js"),
                    MARK, b"copy:ADAADAAD")
        item = self.bundle_item(alice_token)
        url = item["bundle_url"]
        self.assertIn(alice, url)
        page = self.browser("bob", bob).open(bob_token)

        # Alice's URL with bob's user in it: the signature no longer matches, and the panel says so.
        swapped = url.replace(alice, bob)
        error = page.load_in_panel(swapped, item["scope"], "ComponentNetworkStatus")
        self.assertEqual(error and error["code"], "invalid_signature", error)
        alert = page.module_error()
        self.assertIn("invalid_signature", alert.text)
        self.assertIn("HTTP 403", alert.text)
        self.assertRegex(alert.text, r"request [0-9a-f]{16,}")
        self.assertNotIn("ADAADAAD", page.module_text())
        page.screenshot("swapped-user-refused")

        # Alice's URL sent with bob's token: refused too (a grant and another user's token).
        status, problem = raw_get(url, bob_token)
        self.assertEqual((status, problem.get("code")), (403, "invalid_signature"), problem)
        # Bob's own Open still shows bob's copy.
        self.assertIn(MARK.decode(), page.open_module(NETWORK, "ComponentNetworkStatus"))
        # An unaltered URL is a bearer capability until it expires (docs/api.md), like a presigned
        # URL: whoever holds it loads alice's copy. What bob cannot do is make one for himself.
        self.assertIsNone(page.load_in_panel(url, item["scope"], "ComponentNetworkStatus"))
        self.assertIn("ADAADAAD", page.module_text())

    def test_n_expired_url_fails_visibly(self):
        # deploy/checks/browser-test runs the stack with `--bundle-url-ttl 20`: a URL expires 20 s
        # after the end of the current 20 s window, so this waits at most 40 s.
        user = "eve_bundles"
        token = mint_token(user)
        api_call(token, "POST", f"{NETWORK}/install")
        page = self.browser("eve", user).open(token)
        expires = parse_time(self.bundle_item(token)["bundle_url_expires_at"])
        left = (expires - datetime.now(timezone.utc)).total_seconds()
        self.assertLessEqual(left, 41, "the stack must run with --bundle-url-ttl 20 (deploy/checks/browser-test)")
        page.screenshot("before-expiry")
        time.sleep(max(0.0, left) + 2)  # the point of the test: let the page's URL expire

        text = page.open_module(NETWORK, "ComponentNetworkStatus")
        alert = page.module_error()
        self.assertIsNotNone(alert, f"no alert in the panel, it shows {text!r}")
        self.assertIn("expired_signature", alert.text)
        self.assertIn("HTTP 403", alert.text)
        self.assertRegex(alert.text, r"request [0-9a-f]{16,}")
        self.assertNotIn(MARK.decode(), page.module_text())
        page.screenshot("expired")

        # Refresh gets a new URL, and Open works again.
        page.driver.find_element(By.ID, "refresh").click()
        page.wait_settled()
        self.assertIn(MARK.decode(), page.open_module(NETWORK, "ComponentNetworkStatus"))
        self.assertIsNone(page.module_error())
        page.screenshot("refreshed")


def flip_marker(path, old, new):
    """Replaces the sample container's copy marker in place (same size, so only a hash sees it)."""
    assert len(old) == len(new)
    with open(path, "r+b") as f:
        data = f.read()
        assert data.count(old) == 1, f"{path}: the marker {old!r} is not there exactly once"
        f.seek(data.index(old))
        f.write(new)


def parse_time(text):
    """An RFC 3339 time (…Z or …+00:00) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def raw_get(path, token=None):
    """GET of a same-origin path outside the browser: (status, the problem or {})."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(f"{BASE_URL}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, {}
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return error.code, json.loads(body)
        except ValueError:
            return error.code, {"body": body[:200].decode(errors="replace")}


def api_call(token, method, path):
    """One API request outside the browser (to prepare data); returns the data."""
    request = urllib.request.Request(f"{BASE_URL}/api/plugins/{path}", method=method,
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["data"]


if __name__ == "__main__":
    unittest.main()
