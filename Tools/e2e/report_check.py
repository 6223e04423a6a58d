"""Checks a ModelGate report.html in headless Chromium against its report.json.

Usage: report_check.py REPORT_HTML REPORT_JSON [--screenshot PNG] [--chromium PATH]

Chromium is driven over the DevTools protocol on a pipe (--remote-debugging-pipe: fd 3 carries
commands to the browser, fd 4 carries replies and events, each message NUL-terminated JSON), so
no extra Python package is needed. The page is loaded from file://, and the check fails when:

- a console message of level error or assert is logged, an exception goes uncaught, the browser
  logs an error (Log domain), or the page requests anything other than file: or data: URLs;
- the matrix does not have exactly one row per model of report.json, in the order of
  metadata.models, each row holding one cell per path with the verdict report.json gives;
- a real mouse click on the model column header does not sort the rows ascending by name
  (String.prototype.localeCompare, as the page sorts), a second click does not reverse them, or a
  click on a path column header does not order the rows by that path's verdict
  (error, fail, pass, missing; ties by name);
- a real mouse click on a matrix cell does not open that cell's drill-down (the <details> with the
  same model and path), scrolled into view, listing the outputs report.json has for the cell, or a
  click on the first latency bar's label does not open the drill-down it links to;
- "expand all" does not open every drill-down (one per cell of report.json), "collapse all" does not
  close them all, or a second click on the same cell afterwards does not open its drill-down again.

Exit 0 when everything holds, 1 with one line per failure otherwise, 2 when Chromium cannot run.
"""

import argparse
import base64
import json
import os
import pathlib
import select
import shutil
import subprocess
import sys
import tempfile
import time

VERDICT_RANK = {"error": 0, "fail": 1, "pass": 2}
MISSING_RANK = 9
TIMEOUT_SECONDS = 30


class BrowserError(Exception):
    """Chromium could not be started or stopped answering."""


class DevTools:
    """One headless Chromium with a DevTools session attached to a single page."""

    def __init__(self, chromium, profile):
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes():
            reader, writer = os.dup(to_browser_read), os.dup(from_browser_write)
            os.dup2(reader, 3)
            os.dup2(writer, 4)

        command = [chromium, "--headless", "--remote-debugging-pipe", "--no-first-run",
                   "--no-default-browser-check", "--disable-gpu", "--disable-extensions",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   "--hide-scrollbars", "--mute-audio", f"--user-data-dir={profile}", "about:blank"]
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")
        self._log = tempfile.TemporaryFile()
        try:
            self._process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._log,
                                             stderr=self._log, preexec_fn=wire_pipes, close_fds=False)
        except OSError as error:
            raise BrowserError(f"cannot start {chromium}: {error}") from error
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._session = None
        self.events = []

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except BrowserError:
            pass
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)

    def browser_log(self):
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def _read_message(self, deadline):
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise BrowserError("Chromium did not answer within %d s" % TIMEOUT_SECONDS)
            ready, _, _ = select.select([self._from_browser], [], [], 0.5)
            if not ready:
                if self._process.poll() is not None:
                    raise BrowserError(f"Chromium exited with status {self._process.returncode}")
                continue
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                raise BrowserError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=True, timeout=TIMEOUT_SECONDS):
        """Sends one command (to the page session unless session=False) and returns its result."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self._session:
            message["sessionId"] = self._session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError as error:
            raise BrowserError(f"Chromium closed the DevTools pipe ({method})") from error
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})
            if "method" in reply:
                self.events.append(reply)

    def wait_for(self, method, timeout=TIMEOUT_SECONDS):
        """Returns the first event named method, reading new ones until it arrives."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self.events[seen:]:
                if event["method"] == method:
                    return event
            seen = len(self.events)
            event = self._read_message(deadline)
            if "method" in event:
                self.events.append(event)

    def open_page(self):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self._session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                  session=False)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})

    def navigate(self, url):
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        result = self.call("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise BrowserError(f"cannot load {url}: {result['errorText']}")
        self.wait_for("Page.loadEventFired")

    def evaluate(self, expression):
        """The JSON value of a JavaScript expression evaluated in the page."""
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(f"evaluating {expression[:60]}…: {describe_exception(result['exceptionDetails'])}")
        return result["result"].get("value")

    def click(self, selector):
        """A real left click (mouse pressed and released) at the centre of the element, scrolled into view."""
        box = self.evaluate(
            f"(function () {{ var el = document.querySelector({json.dumps(selector)}); if (!el) return null;"
            " el.scrollIntoView({block: 'center'}); var r = el.getBoundingClientRect();"
            " return {x: r.left + r.width / 2, y: r.top + r.height / 2}; })()")
        if box is None:
            return False
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent",
                      {"type": kind, "x": box["x"], "y": box["y"], "button": "left", "clickCount": 1})
        self.evaluate("new Promise(function (done) { requestAnimationFrame(function () { done(true); }); })")
        return True

    def screenshot(self, path):
        height = self.evaluate("Math.ceil(document.documentElement.scrollHeight)")
        self.evaluate("window.scrollTo(0, 0)")
        shot = self.call("Page.captureScreenshot",
                         {"format": "png", "captureBeyondViewport": True,
                          "clip": {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))


def describe_exception(details):
    exception = details.get("exception") or {}
    text = exception.get("description") or details.get("text") or "exception"
    return f"{text.splitlines()[0]} (line {details.get('lineNumber', 0) + 1})"


def page_errors(events):
    """One line per console error, uncaught exception, browser error or network request off the file."""
    problems = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            text = " ".join(str(arg.get("value", arg.get("description", ""))) for arg in params.get("args", []))
            problems.append(f"console.{params['type']}: {text}")
        elif method == "Runtime.exceptionThrown":
            problems.append("uncaught exception: " + describe_exception(params.get("exceptionDetails", {})))
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            problems.append(f"browser error ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".rstrip())
        elif method == "Network.requestWillBeSent":
            url = params.get("request", {}).get("url", "")
            if not url.startswith(("file:", "data:", "about:")):
                problems.append(f"network request from a self-contained page: {url}")
    return problems


def matrix_rows(browser):
    return browser.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#matrix tbody tr'), function (row) {"
        " return {model: row.getAttribute('data-model'),"
        " cells: Array.prototype.slice.call(row.cells, 1).map(function (c) {"
        "   return c.classList.contains('none') ? null : "
        "   (function (v) { return c.classList.contains(v) ? v : v + ' (not coloured as ' + v + ')'; })(c.innerText.trim().split('\\n')[0]); })}; })")


def header_order(browser):
    return browser.evaluate(
        "Array.prototype.map.call(document.querySelectorAll('#matrix thead th'), function (h) {"
        " return [h.textContent.trim(), h.getAttribute('data-order')]; })")


def check(browser, html, report):
    failures = []
    metadata = report["metadata"]
    cells = report["cells"]
    models = list(dict.fromkeys(metadata["models"] + [c["model"] for c in cells]))
    paths = list(dict.fromkeys(metadata["paths"] + [c["path"] for c in cells]))
    verdicts = {(c["model"], c["path"]): c["verdict"] for c in cells}

    browser.navigate(html.resolve().as_uri())

    headers = [name for name, _ in header_order(browser) or []]
    if headers != ["model"] + paths:
        failures.append(f"matrix header is {headers}, expected {['model'] + paths}")
    rows = matrix_rows(browser) or []
    if len(rows) != len(models):
        failures.append(f"matrix has {len(rows)} rows, report.json has {len(models)} models")
    if [r["model"] for r in rows] != models:
        failures.append(f"matrix rows are {[r['model'] for r in rows]}, expected {models}")
    for row in rows:
        expected = [verdicts.get((row["model"], p)) for p in paths]
        if row["cells"] != expected:
            failures.append(f"matrix row {row['model']} shows {row['cells']}, report.json has {expected}")

    by_name = browser.evaluate(f"{json.dumps(models)}.sort(function (a, b) {{ return a.localeCompare(b); }})")
    if not browser.click("#matrix thead th:nth-child(1)"):
        failures.append("matrix has no model header to click")
    ascending = [r["model"] for r in matrix_rows(browser) or []]
    if ascending != by_name:
        failures.append(f"after a click on 'model' the rows are {ascending}, expected ascending {by_name}")
    browser.click("#matrix thead th:nth-child(1)")
    descending = [r["model"] for r in matrix_rows(browser) or []]
    if descending != list(reversed(by_name)):
        failures.append(f"after a second click on 'model' the rows are {descending}, expected {list(reversed(by_name))}")
    if paths:
        path = paths[-1]
        rank = {m: VERDICT_RANK.get(verdicts.get((m, path)), MISSING_RANK) for m in models}
        expected = sorted(by_name, key=lambda m: rank[m])
        browser.click(f"#matrix thead th:nth-child({len(paths) + 1})")
        order = [r["model"] for r in matrix_rows(browser) or []]
        if order != expected:
            failures.append(f"after a click on '{path}' the rows are {order}, expected by verdict {expected}")
        marks = [o for _, o in header_order(browser)]
        if marks.count("asc") != 1 or marks[len(paths)] != "asc":
            failures.append(f"after a click on '{path}' the header sort marks are {marks}")

    target = next(((c["model"], c["path"]) for c in cells), None)
    if target:
        model, path = target
        column = paths.index(path) + 2
        selector = f"#matrix tbody tr[data-model={json.dumps(model)}] td:nth-child({column}) a"
        if not browser.click(selector):
            failures.append(f"matrix has no link for {model} × {path}")
        opened = browser.evaluate(
            "(function () { var open = document.querySelectorAll('details.cell-detail[open]');"
            " return Array.prototype.map.call(open, function (d) { var r = d.getBoundingClientRect();"
            " return {model: d.getAttribute('data-model'), path: d.getAttribute('data-path'),"
            " visible: r.top < window.innerHeight && r.bottom > 0, hash: location.hash === '#' + d.id,"
            " outputs: Array.prototype.map.call(d.querySelectorAll('table.metrics:first-of-type tbody tr td:first-child'),"
            "   function (td) { return td.textContent; })}; }); })()") or []
        outputs = [o["name"] for c in cells if (c["model"], c["path"]) == target for o in c["outputs"]]
        if len(opened) != 1 or (opened[0]["model"], opened[0]["path"]) != target:
            failures.append(f"a click on {model} × {path} opened {[(d['model'], d['path']) for d in opened]}")
        elif not (opened[0]["visible"] and opened[0]["hash"]):
            failures.append(f"the drill-down of {model} × {path} opened but is not scrolled into view")
        elif opened[0]["outputs"] != outputs:
            failures.append(f"the drill-down of {model} × {path} lists outputs {opened[0]['outputs']}, report.json has {outputs}")

    browser.click("#collapse")
    link = browser.evaluate("(function () { var label = document.querySelector('#charts a text.tick');"
                            " return label ? label.closest('a').getAttribute('href') : null; })()")
    if link and browser.click("#charts a text.tick"):
        opened = browser.evaluate("Array.prototype.map.call(document.querySelectorAll('details.cell-detail[open]'),"
                                  " function (d) { return '#' + d.id; })")
        if opened != [link]:
            failures.append(f"a click on the first latency bar's label (link {link}) opened {opened}")
    elif any(c.get("latency") for c in cells):
        failures.append("the latency chart has no clickable label although report.json has latencies")

    browser.click("#expand")
    count = browser.evaluate("document.querySelectorAll('details.cell-detail[open]').length")
    if count != len(cells):
        failures.append(f"'expand all' opened {count} drill-downs, report.json has {len(cells)} cells")
    browser.click("#collapse")
    count = browser.evaluate("document.querySelectorAll('details.cell-detail[open]').length")
    if count != 0:
        failures.append(f"'collapse all' left {count} drill-downs open")
    if target:
        browser.click(selector)
        reopened = browser.evaluate("Array.prototype.map.call(document.querySelectorAll('details.cell-detail[open]'),"
                                    " function (d) { return [d.getAttribute('data-model'), d.getAttribute('data-path')]; })")
        if reopened != [list(target)]:
            failures.append(f"a second click on {model} × {path} after 'collapse all' opened {reopened}")
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=pathlib.Path)
    parser.add_argument("json", type=pathlib.Path)
    parser.add_argument("--screenshot", type=pathlib.Path)
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    args = parser.parse_args()
    try:
        report = json.loads(args.json.read_text())
    except (OSError, ValueError) as error:
        print(f"report_check: cannot read {args.json}: {error}", file=sys.stderr)
        return 2
    if not args.html.is_file():
        print(f"report_check: {args.html} does not exist; run `modelgate run` first", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="modelgate-e2e-") as profile:
        browser = None
        try:
            browser = DevTools(args.chromium, profile)
            browser.open_page()
            failures = check(browser, args.html, report)
            if args.screenshot:
                browser.evaluate("window.scrollTo(0, 0)")
                browser.screenshot(args.screenshot)
            failures = page_errors(browser.events) + failures
        except BrowserError as error:
            log = browser.browser_log().strip().splitlines()[-5:] if browser else []
            print(f"report_check: {args.html}: {error}" + "".join(f"\n  {line}" for line in log), file=sys.stderr)
            return 2
        finally:
            if browser:
                browser.close()

    for failure in failures:
        print(f"report_check: {args.html}: {failure}")
    if failures:
        return 1
    shot = f", screenshot {args.screenshot}" if args.screenshot else ""
    print(f"report_check: {args.html}: no console errors, {len(report['cells'])} cells, "
          f"matrix rows match report.json, sort and drill-down work{shot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
