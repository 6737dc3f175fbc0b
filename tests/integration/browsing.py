"""browsing.py - what the browser tests share: Debian's chromium driven by chromium-driver
(headless, a fresh profile, loopback only, Vietnamese, 1366x768), and checks that are counted
and printed as "N checks, M failed" at the end."""
import os
import sys

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

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
