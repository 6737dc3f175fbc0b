#!/usr/bin/env python3
"""web_nested.py - a roster inside a roster on the interview page in a real browser: each
member's phones (counted by the member's own answer) and social media accounts (open-ended).
On a phone's screen the page shows the members' table with the member marked and the
member's phones under it; a phone moved up, one removed (asked first, the member's count
going down with it), one added from the table (the count going up), an account added on its
"add another?" screen; finished. Screenshots go to SHOTS.

usage: web_nested.py COLLECTOR SHOTS  (DIEUTRA_DB names the laptop's store)"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browsing import (alert, browser, check, done, finish, new_interview, press,  # noqa: E402
                      serve, step, type_answer, wait_new, where)
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

COLLECTOR, SHOTS = sys.argv[1:3]


def answer_in(d, css, text):
    """Types text into the field css and Enter."""
    before = step(d)
    field = d.find_element(By.CSS_SELECTOR, css)
    field.send_keys(text)
    field.send_keys(Keys.ENTER)
    wait_new(d, before)


def tables(d):
    """The roster tables' headings, outermost first."""
    return [h.text for h in d.find_elements(By.CSS_SELECTOR, "section.roster h2")]


def rows(d, k):
    """The cells of roster table k (0: the outermost), row by row."""
    sec = d.find_elements(By.CSS_SELECTOR, "section.roster")[k]
    return [[c.text for c in r.find_elements(By.TAG_NAME, "td")][1:-1]
            for r in sec.find_elements(By.CSS_SELECTOR, "tbody tr")]


def in_table(k, css):
    return "section.roster:nth-of-type(%d) %s" % (k + 1, css)


proc, url = serve(COLLECTOR, os.path.join(SHOTS, "serve.log"))
d = browser(SHOTS)
try:
    new_interview(d, url)
    for text in ("H02", "2", "Lò Văn Minh", "40", "2", "2", "1"):
        type_answer(d, text)
    check(where(d) == "members[1]/phones[2]/p_data", "the second phone's data plan: " + where(d))
    check(tables(d) == ["Thành viên (2)", "Điện thoại · Thành viên 1: Lò Văn Minh (2)"],
          "the members' table, then the member's phones: %s" % tables(d))
    here = d.find_elements(By.CSS_SELECTOR, "section.roster tr.here")
    check(len(here) == 2 and here[0].text.startswith("1"), "the member and the phone marked")
    d.save_screenshot(os.path.join(SHOTS, "nested-phones.png"))
    type_answer(d, "1")
    check(where(d) == "members[1]/accounts", "the accounts' add-another: " + where(d))
    check(tables(d)[-1] == "Tài khoản mạng xã hội · Thành viên 1: Lò Văn Minh (0)",
          "the member's accounts: %s" % tables(d))

    # the phones: the smartphone moved first, the basic phone removed, one added back
    answer_in(d, "input[name=j]", "members[1]/phones[1]/p_kind")
    check(where(d) == "members[1]/phones[1]/p_kind", "jumped by its path: " + where(d))
    check(rows(d, 1) == [["Điện thoại phổ thông", ""], ["Điện thoại thông minh", "Có"]],
          "the phones as answered: %s" % rows(d, 1))
    press(d, in_table(1, "button[name=up][value='2']"))
    check(rows(d, 1) == [["Điện thoại thông minh", "Có"], ["Điện thoại phổ thông", ""]],
          "the smartphone moved up: %s" % rows(d, 1))
    press(d, in_table(1, "button[name=rm][value='2']"))
    check("Xoá Điện thoại số 2 (Điện thoại phổ thông)" in alert(d), "asked first: " + alert(d))
    check(len(rows(d, 1)) == 2, "nothing removed on the asking")
    press(d, in_table(1, "button[name=rm][value='2']"))
    check(rows(d, 1) == [["Điện thoại thông minh", "Có"]], "removed: %s" % rows(d, 1))
    check(rows(d, 0)[0][2] == "1", "the member's count went down: %s" % rows(d, 0))
    press(d, in_table(1, "button[name=op][value=addm]"))
    check(where(d) == "members[1]/phones[2]/p_kind", "added: its first screen: " + where(d))
    check(rows(d, 0)[0][2] == "2", "the member's count went up: %s" % rows(d, 0))
    type_answer(d, "2")
    check(where(d) == "members[1]/accounts", "on to the accounts: " + where(d))

    # an account on the add-another screen, then none more
    press(d, "#m button[name=op][value=add]")
    check(where(d) == "members[1]/accounts[1]/a_platform", "the account's screen: " + where(d))
    type_answer(d, "2")
    type_answer(d, "150")
    check("Nhiều nhất 100 giờ" in alert(d), "the account's constraint: " + alert(d))
    type_answer(d, "12")
    d.save_screenshot(os.path.join(SHOTS, "nested-accounts.png"))
    press(d, "#m button[name=op][value=noadd]")
    check(where(d) == "members[2]/m_name", "the second member: " + where(d))
    check(tables(d) == ["Thành viên (2)"], "only the members' table: %s" % tables(d))
    for text in ("Cầm Thị Ươi", "30", "0"):
        type_answer(d, text)
    check(where(d) == "members[2]/accounts", "no phones: the accounts: " + where(d))
    press(d, "#m button[name=op][value=noadd]")
    check(where(d) == "hh_shared", "the household's shared phones: " + where(d))
    type_answer(d, "3")
    check("Không thể nhiều hơn số điện thoại" in alert(d), "more than the members': " + alert(d))
    type_answer(d, "1")
    finish(d)
finally:
    d.quit()
    proc.terminate()
    proc.wait()
done()
