#!/usr/bin/env python3
"""The operator's page as a person sees it: Debian's chromium, headless,
renders /debug, saves a screenshot, and dumps the DOM it built, on which
the checks run.

    contrib/check-debug-page.py URL OUTDIR ROOT NACKED_TEXT

URL is the page (http://127.0.0.1:PORT/debug); ROOT a row that must show
two leaves and `programmed` (kind/namespace/name, as data-root says);
NACKED_TEXT text of an Envoy rejection that must show on its node's row,
literally (it holds markup, which must stay text). Exits 1 naming each
check that failed.
"""
import html.parser
import os
import shutil
import subprocess
import sys


class Page(html.parser.HTMLParser):
    """What the checks look at: rows by class, their text, and every element seen."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.rows = []  # (attributes, [child (tag, attributes)], text)
        self.row = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append(tag)
        if tag == "tr":
            self.row = (attributes, [], [])
            self.rows.append(self.row)
        elif self.row is not None:
            self.row[1].append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.row is not None:
            self.row[2].append(data)


def chromium(*arguments):
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("chromium is not installed (make test installs it: apt-get install chromium)")
    # --no-sandbox: the sandbox needs user namespaces, which containers and CI often lack.
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--no-first-run", "--window-size=1500,1100", *arguments],
        capture_output=True, text=True, timeout=60)


def main():
    url, outdir, root, nacked = sys.argv[1:5]
    os.makedirs(outdir, exist_ok=True)
    screenshot = os.path.join(outdir, "debug-page.png")
    try:
        shot = chromium(f"--screenshot={screenshot}", url)
        dump = chromium("--dump-dom", url)
    except subprocess.TimeoutExpired:
        print("FAILED: chromium did not render the page within 60 s")
        return 1
    with open(os.path.join(outdir, "debug-page.html"), "w", encoding="utf-8") as saved:
        saved.write(dump.stdout)
    page = Page()
    page.feed(dump.stdout)

    failures = []
    if not os.path.exists(screenshot) or os.path.getsize(screenshot) == 0:
        failures.append(f"no screenshot: {shot.stderr.strip()[-300:]}")
    rows = [row for row in page.rows if row[0].get("class") == "root" and row[0].get("data-root") == root]
    if not rows:
        failures.append(f"no row for root {root}")
    else:
        _, children, _ = rows[0]
        leaves = [a for tag, a in children if tag == "li" and a.get("class") == "leaf"]
        if len(leaves) != 2:
            failures.append(f"root {root} shows {len(leaves)} leaves, not 2")
        routing = [a.get("class", "") for tag, a in children if tag == "span" and "routing" in a.get("class", "")]
        if routing != ["routing programmed"]:
            failures.append(f"root {root} is not shown programmed: {routing}")
    rejecting = [row for row in page.rows if row[0].get("class") == "envoy" and nacked in "".join(row[2])]
    if not rejecting:
        failures.append(f"no Envoy row shows the rejection {nacked!r}")
    if "script" in page.tags:
        failures.append("a script element made it into the page: text from Envoy or an object was not escaped")

    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        return 1
    print(f"ok: {root} shows two leaves and programmed; an Envoy row shows {nacked!r} as text; screenshot {screenshot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
