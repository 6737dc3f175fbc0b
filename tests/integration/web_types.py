#!/usr/bin/env python3
"""web_types.py - ODK's other types on the interview page in a real browser: a time and a date
with time set as their pickers do, a range refused off its steps with the collector's own
message in Vietnamese (not the browser's), or_other's text asked when other is picked, an
acknowledge's box ticked, finished; the stored answers canonical. Screenshots go to SHOTS.

usage: web_types.py COLLECTOR SHOTS  (DIEUTRA_DB names the laptop's store)"""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browsing import WAIT, alert, browser, check, done, serve, step, wait_new, where  # noqa: E402
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

COLLECTOR, SHOTS = sys.argv[1:3]


def answer(d, text=None, picked=None):
    """Types text into the field, or sets it as a picker does (picked), or presses the digits
    of a choice; then Enter."""
    before = step(d)
    field = d.find_elements(By.ID, "v")
    if picked is not None:
        d.execute_script("document.getElementById('v').value = arguments[0];", picked)
        target = field[0]
    elif field:
        field[0].send_keys(Keys.CONTROL, "a")
        field[0].send_keys(Keys.DELETE)
        field[0].send_keys(text)
        target = field[0]
    else:
        target = d.switch_to.active_element
        for code in text.split():
            target.send_keys(code)
            target = d.switch_to.active_element
    target.send_keys(Keys.ENTER)
    wait_new(d, before)


proc, url = serve(COLLECTOR, os.path.join(SHOTS, "serve.log"))
d = browser(SHOTS)
try:
    d.get(url)
    d.find_element(By.XPATH, "//button[contains(., 'Phỏng vấn mới')]").click()
    WebDriverWait(d, WAIT).until(lambda d: step(d) is not None)
    answer(d, "5")
    answer(d, "12")
    check(where(d) == "visit_time", "the time's screen: " + where(d))
    check(d.find_element(By.ID, "v").get_attribute("type") == "time", "a time picker")
    answer(d, picked="07:30")
    check(where(d) == "last_use", "the datetime's screen: " + where(d))
    check(d.find_element(By.ID, "v").get_attribute("type") == "datetime-local",
          "a date and time picker")
    answer(d, picked="2025-03-25T20:15")
    check(where(d) == "satisfied", "the range's screen: " + where(d))
    check("từ 0 đến 10" in d.find_element(By.ID, "m").text, "the range's bounds said")
    answer(d, "5")
    d.save_screenshot(os.path.join(SHOTS, "types-range-refused.png"))
    check(where(d) == "satisfied", "a range off its steps stays: " + where(d))
    check("Cần nhập một số từ 0 đến 10, bước 2" in alert(d), "the collector's message: " + alert(d))
    answer(d, "4")
    answer(d, "96")
    check(where(d) == "source_other", "other picked: its text asked: " + where(d))
    answer(d, "Loa phường")
    check(where(d) == "consent_ok", "the acknowledge's screen: " + where(d))
    box = d.find_element(By.CSS_SELECTOR, "#m input[type=checkbox][value=OK]")
    d.save_screenshot(os.path.join(SHOTS, "types-acknowledge.png"))
    box.click()
    before = step(d)
    d.find_element(By.CSS_SELECTOR, "#m button[name=op][value=finish]").click()
    WebDriverWait(d, WAIT).until(lambda d: "/i/" not in d.current_url or step(d) != before)
    check("/i/" not in d.current_url, "finished: " + alert(d))
finally:
    d.quit()
    proc.terminate()
    proc.wait()
done()
