#!/usr/bin/env python3
"""web_types.py - ODK's other types on the interview page in a real browser: a time and a date
with time set as their pickers do, a range refused off its steps with the collector's own
message in Vietnamese (not the browser's), or_other's text asked when other is picked, an
acknowledge's box ticked, finished; the stored answers canonical. Screenshots go to SHOTS.

usage: web_types.py COLLECTOR SHOTS  (DIEUTRA_DB names the laptop's store)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browsing import (alert, browser, check, done, finish, new_interview, serve,  # noqa: E402
                      step, type_answer, wait_new, where)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

COLLECTOR, SHOTS = sys.argv[1:3]


def answer(d, text=None, picked=None):
    """Types text (or presses the digits of a choice), or sets the field as a picker does
    (picked); then Enter."""
    if picked is None:
        type_answer(d, text)
        return
    before = step(d)
    d.execute_script("document.getElementById('v').value = arguments[0];", picked)
    d.find_element(By.ID, "v").send_keys(Keys.ENTER)
    wait_new(d, before)


proc, url = serve(COLLECTOR, os.path.join(SHOTS, "serve.log"))
d = browser(SHOTS)
try:
    new_interview(d, url)
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
    finish(d)
finally:
    d.quit()
    proc.terminate()
    proc.wait()
done()
