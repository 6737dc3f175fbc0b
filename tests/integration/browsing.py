"""browsing.py - what the browser tests share: Debian's chromium driven by chromium-driver
(headless, a fresh profile, loopback only, Vietnamese, 1366x768), and checks that are counted
and printed as "N checks, M failed" at the end."""
import os
import re
import subprocess
import sys

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

WAIT = 60  # seconds before a page that never came is a failure (not a measure of speed)

failures = []
count = [0]


def check(cond, what):
    count[0] += 1
    if not cond:
        failures.append(what)
        print("FAIL:", what, flush=True)


def browser(profile_parent):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-quic", "--window-size=1366,768",
                 "--lang=vi", "--user-data-dir=" + os.path.join(profile_parent, "profile")):
        o.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)


def done():
    """Prints the count and exits 0 when every check passed, 1 otherwise."""
    print("%d checks, %d failed" % (count[0], len(failures)))
    sys.exit(1 if failures else 0)


def serve(collector, log_path):
    """Starts `collector serve`; returns the process and the address it printed."""
    log = open(log_path, "a")
    p = subprocess.Popen([collector, "serve", "--no-open"], stdout=subprocess.PIPE, stderr=log,
                         text=True)
    for line in p.stdout:
        m = re.match(r"collector: open (http://\S+) in the browser", line)
        if m:
            return p, m.group(1)
    raise SystemExit("collector serve did not say its address: see " + log_path)


def step(d):
    """The step the interview's page is drawn at (changes with every answer sent)."""
    return d.execute_script("var e = document.querySelector('#m input[name=s]');"
                            "return e ? e.value : null;")


def where(d):
    """The place of the screen: "members[2]/m_age"."""
    t = d.find_element(By.CSS_SELECTOR, "#m p.hint").text
    return t.split("·")[-1].strip()


def wait_new(d, before):
    """Waits until the script has put the collector's answer in the page."""
    try:
        WebDriverWait(d, WAIT).until(lambda d: step(d) not in (None, before))
    except TimeoutException:
        check(False, "the page did not change after an answer at " + before)


def alert(d):
    els = d.find_elements(By.CSS_SELECTOR, "#m .msg")
    return els[0].text if els else ""


def type_answer(d, line, enter=True):
    """Gives one answer as the terminal's line would: text typed into the field, digits
    pressed on a list of choices, nothing (Enter) on a note."""
    before = step(d)
    field = d.find_elements(By.ID, "v")
    if field:
        field[0].send_keys(Keys.CONTROL, "a")
        field[0].send_keys(Keys.DELETE)
        field[0].send_keys(line)
        target = field[0]
    else:
        target = d.switch_to.active_element
        for code in line.split():
            target.send_keys(code)
            target = d.switch_to.active_element
    if enter:
        target.send_keys(Keys.ENTER)
        wait_new(d, before)


def press(d, css):
    """Clicks the button css and waits for the collector's answer."""
    before = step(d)
    d.find_element(By.CSS_SELECTOR, css).click()
    wait_new(d, before)


def finish(d):
    """Presses Finish: checks that the page left the interview (it is finished)."""
    before = step(d)
    d.find_element(By.CSS_SELECTOR, "#m button[name=op][value=finish]").click()
    WebDriverWait(d, WAIT).until(lambda d: "/i/" not in d.current_url or step(d) != before)
    check("/i/" not in d.current_url, "finished: " + alert(d))


def new_interview(d, url):
    """Opens the laptop's home page and starts a new interview: its first screen shown."""
    d.get(url)
    d.find_element(By.XPATH, "//button[contains(., 'Phỏng vấn mới')]").click()
    WebDriverWait(d, WAIT).until(lambda d: step(d) is not None)
