#!/usr/bin/env python3
"""review_browser.py - the supervisors' review pages driven in a real browser (Debian's chromium
through chromium-driver and python3-selenium), as a commune's supervisor uses them: signs in
with a one-time link, filters the list down to the conflict, keeps one laptop's version with the
two side by side, compares two revisions, sends another case back with a comment, and opens
another commune's case by its address (refused). Screenshots in Vietnamese at 1366x768 go to
SHOTS.

usage: review_browser.py LINK URL CONFLICT_CASE WINNER SENT_BACK_CASE OTHER_COMMUNE_CASE SHOTS
Exit 0 when every check passed, 1 otherwise; the checks that failed are printed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browsing import browser, check, done  # noqa: E402
from selenium.webdriver.common.by import By
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.support.ui import Select, WebDriverWait

LINK, URL, CONFLICT, WINNER, SENT_BACK, OTHER, SHOTS = sys.argv[1:8]
WAIT = 60  # seconds before a page that never came is a failure (not a measure of speed)


def shot(d, name, full=False):
    """A screenshot at 1366x768; full: the whole page's height too (name-full)."""
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))
    if full:
        h = d.execute_script("return document.documentElement.scrollHeight")
        d.set_window_size(1366, min(h + 100, 6000))
        d.save_screenshot(os.path.join(SHOTS, name + "-full.png"))
        d.set_window_size(1366, 768)


def text(d):
    return d.find_element(By.TAG_NAME, "body").text


def submitted(d, click, until):
    """Clicks, then waits for the page the post or the link leads to (until(d) true)."""
    click.click()
    try:
        WebDriverWait(d, WAIT).until(until)
    except TimeoutException:
        check(False, "no new page after a click at " + d.current_url)


def message(d):
    els = d.find_elements(By.ID, "message")
    return els[0].text if els else ""


d = browser(SHOTS)
try:
    d.get(LINK)
    d.get(URL + "/cases")
    check("Phiếu phỏng vấn · Cases" in text(d), "the list after signing in with the link")
    shot(d, "review-list")
    # the filters, as a person sets them: the state, then Filter
    Select(d.find_element(By.NAME, "status")).select_by_value("conflict")
    submitted(d, d.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]"),
              lambda d: "status=conflict" in d.current_url)
    check("status=conflict" in d.current_url, "the filter is in the address: " + d.current_url)
    rows = d.find_elements(By.CSS_SELECTOR, "table.cases tr td:first-child a")
    check(len(rows) == 1, "one conflict listed, not %d" % len(rows))
    shot(d, "review-filtered")
    submitted(d, rows[0], lambda d: CONFLICT in d.current_url)
    check(CONFLICT in d.current_url, "the conflict's page: " + d.current_url)
    check("Xung đột: hai bản khác nhau" in text(d), "the conflict's two versions are shown")
    check(len(d.find_elements(By.ID, "approve")) == 0, "no approve while in conflict")
    shot(d, "review-conflict", full=True)
    keep = [f for f in d.find_elements(By.CSS_SELECTOR, "#conflict form")
            if f.find_element(By.NAME, "rev_id").get_attribute("value") == WINNER]
    check(len(keep) == 1, "a Keep button for the winner")
    if keep:
        submitted(d, keep[0].find_element(By.CSS_SELECTOR, "button"),
                  lambda d: "done=resolved" in d.current_url)
        check("Đã chọn bản giữ lại" in message(d), "resolved: " + message(d))
        check(len(d.find_elements(By.ID, "conflict")) == 0, "the conflict is over on the page")
        shot(d, "review-resolved")
    # two revisions compared: the first against the head
    radios_a = d.find_elements(By.CSS_SELECTOR, "#revisions input[name=a]")
    radios_b = d.find_elements(By.CSS_SELECTOR, "#revisions input[name=b]")
    check(len(radios_a) == 3, "three revisions to compare, not %d" % len(radios_a))
    if len(radios_a) == 3:
        radios_a[0].click()
        radios_b[2].click()
        submitted(d, d.find_element(By.ID, "compare-button"),
                  lambda d: "b=" in d.current_url)
        diff = d.find_elements(By.CSS_SELECTOR, "#revisions table.compare tr.diff")
        check(len(diff) == 1, "one answer changed between the first and the winner, not %d"
              % len(diff))
        check(diff and "Sửa Trên Máy Ba" in diff[0].text, "the change is the respondent's name")
        shot(d, "review-compare")
    # another case sent back with a comment
    d.get(URL + "/cases/" + SENT_BACK)
    shot(d, "review-case", full=True)
    d.find_element(By.ID, "rc").send_keys("Hỏi lại tuổi của chủ hộ, giấy tờ ghi 45")
    submitted(d, d.find_element(By.ID, "reject"), lambda d: "done=rejected" in d.current_url)
    check("Đã trả lại" in message(d), "sent back: " + message(d))
    check("Hỏi lại tuổi của chủ hộ" in d.find_element(By.ID, "history").text,
          "the comment is in the decisions so far")
    shot(d, "review-sentback")
    # another commune's case, by its address
    d.get(URL + "/cases/" + OTHER)
    check("404" in d.title or "404" in text(d), "another commune's case is refused: " + d.title)
    shot(d, "review-other-commune")
finally:
    d.quit()
done()
