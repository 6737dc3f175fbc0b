#!/usr/bin/env python3
"""web_browser.py - the interview page driven in a real browser (Debian's chromium through
chromium-driver and python3-selenium), as an enumerator uses it: the keyboard only (digits
pick a choice, Enter goes on), mistakes made and corrected, `collector serve` killed with
-9 mid-interview and the interview resumed, the roster's table used to add, reorder and
remove members, every problem listed when finishing too early, finished, then synced from
the home page. Screenshots in Vietnamese at 1366x768 and 1024x600 go to SHOTS.

usage: web_browser.py COLLECTOR KEYS SHOTS  (DIEUTRA_DB names the laptop's store)
Exit 0 when every check passed, 1 otherwise; the checks that failed are printed."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browsing import (WAIT, alert, browser, check, done, press, serve, step,  # noqa: E402
                      type_answer, where)
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

COLLECTOR, KEYS, SHOTS = sys.argv[1:4]
LOG = os.path.join(SHOTS, "serve.log")


def shot(d, name):
    d.save_screenshot(os.path.join(SHOTS, name + ".png"))


def at_both_sizes(d, name):
    shot(d, name + "-1366x768")
    d.set_window_size(1024, 600)
    shot(d, name + "-1024x600")
    d.set_window_size(1366, 768)


def roster_rows(d):
    return [r.text for r in d.find_elements(By.CSS_SELECTOR, "#m .roster tbody tr")]


keys = open(KEYS, encoding="utf-8").read().split("\n")
assert keys[-1] == "" and keys[-2] == "c", "the keys end with the terminal's yes to finishing"
keys = keys[:-2]
HH_SIZE = 11                     # the line of the household's size
FIFTH = keys.index("Lò Văn Hùng")  # the fifth member's first line

proc, url = serve(COLLECTOR, LOG)
d = browser(SHOTS)
try:
    d.get(url)
    check("Hộ cần đến" in d.page_source, "home lists the households to visit")
    at_both_sizes(d, "home")
    press_new = d.find_element(By.XPATH, "//button[contains(., 'Phỏng vấn mới')]")
    press_new.click()
    WebDriverWait(d, WAIT).until(lambda d: step(d) is not None)
    check(where(d) == "commune", "the interview starts at the commune: " + where(d))
    at_both_sizes(d, "commune")

    for n, line in enumerate(keys[:FIFTH]):
        if n == 2:
            # a letter in the household's number never lands in the field
            type_answer(d, "2x7", enter=False)
            check(d.find_element(By.ID, "v").get_attribute("value") == "27",
                  "a number field took a letter: " +
                  d.find_element(By.ID, "v").get_attribute("value"))
        if n == 4:
            # kill -9 with four answers given: the page resumes where it was
            proc.kill()
            proc.wait()
            proc, url = serve(COLLECTOR, LOG)
            d.get(url)
            d.find_element(By.CSS_SELECTOR, "#m section:nth-of-type(2) a").click()
            WebDriverWait(d, WAIT).until(lambda d: step(d) is not None)
            check(where(d) == "consent", "resumed at consent after kill -9: " + where(d))
            # finishing now lists every problem, each a way to its question
            press(d, "#m button[name=op][value=finish]")
            check(len(d.find_elements(By.CSS_SELECTOR, "#m div.msg li")) >= 1,
                  "finishing too early lists the problems")
            at_both_sizes(d, "problems")
        if n == HH_SIZE:
            line = "4"  # one member fewer: the fifth is added from the roster's table
        if line == "44" and where(d) == "members[1]/m_age":
            type_answer(d, "440")
            check(where(d) == "members[1]/m_age" and alert(d) != "",
                  "an impossible age is refused beside its question: " + alert(d))
        type_answer(d, line)
        if where(d) == "members[2]/m_name" and n < FIFTH:
            at_both_sizes(d, "member")

    # the roster's table: a fifth member added (the household's size follows), answered
    check(len(roster_rows(d)) == 4, "four members in the table: %s" % roster_rows(d))
    at_both_sizes(d, "roster")
    press(d, "#m .roster button[name=op][value=addm]")
    check(where(d) == "members[5]/m_name", "adding goes to the new member: " + where(d))
    for line in keys[FIFTH:]:
        type_answer(d, line)
    # a sixth, by mistake: removed (asked first), the size back to five
    press(d, "#m .roster button[name=op][value=addm]")
    type_answer(d, "Người ghi nhầm")
    press(d, "#m .roster button[name=rm][value='6']")
    check("Xoá thành viên 6" in alert(d), "removing asks first: " + alert(d))
    check(len(roster_rows(d)) == 6, "asking removed nothing")
    press(d, "#m .roster button[name=rm][value='6']")
    check(len(roster_rows(d)) == 5, "the sixth removed: %s" % roster_rows(d))
    # reordered and put back
    press(d, "#m .roster button[name=up][value='5']")
    rows = roster_rows(d)
    check("Lò Văn Hùng" in rows[3] and "Lò Thị Ngọc Ánh" in rows[4], "moved up: %s" % rows)
    press(d, "#m .roster button[name=dn][value='4']")
    rows = roster_rows(d)
    check("Lò Văn Hùng" in rows[4], "moved back: %s" % rows)

    d.find_element(By.CSS_SELECTOR, "#m button[name=op][value=finish]").click()
    WebDriverWait(d, WAIT).until(lambda d: "Đã hoàn thành (1)" in d.page_source)
    check(True, "finished")
    d.find_element(By.XPATH, "//button[contains(., 'Đồng bộ')]").click()
    WebDriverWait(d, WAIT).until(lambda d: "<pre>" in d.page_source)
    check("Đã đồng bộ xong" in d.page_source, "synced: " + d.find_element(By.TAG_NAME, "pre").text)
    at_both_sizes(d, "synced")
finally:
    d.quit()
    proc.terminate()
    proc.wait()

done()
