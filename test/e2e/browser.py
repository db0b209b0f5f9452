"""Loads a local, self-contained HTML file in headless Chromium with the
network off and reports what happened: the requests it made, the ones that
failed, console errors and exceptions, the values of some JavaScript
expressions and a screenshot of the whole page.

    page = browser.load("report.html", evaluate={"rows": "document.querySelectorAll('tr').length"})
    page.requests, page.failed, page.console_errors, page.values["rows"], page.screenshot

Chromium (Debian's `chromium`) is driven over the DevTools protocol on
--remote-debugging-pipe: it reads commands on its fd 3 and writes replies and
events on its fd 4, each a JSON message ended by a NUL byte. Every fetch that
is not file: or data: fails: a proxy that does not exist, host names that do
not resolve and the protocol's offline emulation. Standard library and numpy
only; decode_png reads the screenshot.

Not a driver: the HTML report cases import it (chromium_path() is None when
the browser is not installed).
"""
import base64
import fcntl
import json
import os
import pathlib
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import time
import zlib

import numpy as np

FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
         "--remote-debugging-pipe", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--disable-extensions", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND"]
MAX_HEIGHT = 16000  # the screenshot's height is capped there


def chromium_path():
    """The Chromium executable on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class PageLoad:
    """What load() found: screenshot (H, W, 3) uint8 RGB of the whole page,
    requests (URLs, in order), failed ((url, errorText) pairs),
    console_errors (strings) and values (name -> value of each expression)."""

    def __init__(self):
        self.screenshot, self.requests, self.failed, self.console_errors, self.values = None, [], [], [], {}


class _Browser:
    """One Chromium process and its pipe; events are handed to on_event."""

    def __init__(self, exe, profile, stderr_path, deadline):
        self.deadline, self.stderr_path, self.next_id, self.buf, self.on_event = deadline, stderr_path, 0, b"", None
        cmd_r, self.cmd_w = os.pipe()
        self.resp_r, resp_w = os.pipe()
        # Moved to 10 or above so that putting them on 3 and 4 cannot overwrite one with the other.
        child = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (cmd_r, resp_w)]
        os.close(cmd_r), os.close(resp_w)

        def to_3_and_4():  # runs in the child; dup2's copies are inheritable, the originals close on exec
            os.dup2(child[0], 3), os.dup2(child[1], 4)
        try:
            with open(stderr_path, "wb") as err:
                # Not pass_fds=(3, 4): the child makes those inheritable before to_3_and_4 runs, which
                # fails unless the parent has fds 3 and 4 open. Python's own fds are not inheritable.
                self.proc = subprocess.Popen([exe, *FLAGS, "--user-data-dir=" + profile, "about:blank"],
                                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                             close_fds=False, preexec_fn=to_3_and_4, start_new_session=True)
        except BaseException:
            os.close(self.cmd_w), os.close(self.resp_r)
            raise
        finally:
            os.close(child[0]), os.close(child[1])

    def fail(self, why):
        try:
            with open(self.stderr_path, errors="replace") as f:
                lines = [l.rstrip() for l in f if "dbus" not in l and "unexpected operator" not in l]
        except OSError:
            lines = []
        raise RuntimeError(f"chromium: {why}" + "".join("\n  " + l for l in lines[-20:]))

    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        data = json.dumps(msg).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self.cmd_w, data):]
        except OSError as e:
            self.fail(f"writing {method}: {e}" + ("" if self.proc.poll() is None else f" (exited: {self.proc.returncode})"))
        return self.next_id

    def receive(self, waiting_for):
        """The next message; events also go to on_event."""
        while b"\0" not in self.buf:
            left = self.deadline - time.monotonic()
            if left <= 0 or not select.select([self.resp_r], [], [], left)[0]:
                self.fail(f"timed out waiting for {waiting_for}")
            chunk = os.read(self.resp_r, 1 << 20)
            if not chunk:
                self.fail(f"exited ({self.proc.wait()}) while waiting for {waiting_for}")
            self.buf += chunk
        raw, self.buf = self.buf.split(b"\0", 1)
        msg = json.loads(raw)
        if "method" in msg and self.on_event:
            self.on_event(msg["method"], msg.get("params", {}))
        return msg

    def call(self, method, params=None, session=None):
        """Sends a command and returns its result; a protocol error raises."""
        want = self.send(method, params, session)
        while True:
            msg = self.receive(method)
            if msg.get("id") == want:
                if "error" in msg:
                    self.fail(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})

    def close(self, kill=False):
        """Browser.close, then a kill of its process group (renderers too) if
        it failed or is still running 10 s later."""
        try:
            if not kill and self.proc.poll() is None:
                self.send("Browser.close")
                self.proc.wait(10)
        except (RuntimeError, subprocess.TimeoutExpired):
            kill = True
        if kill:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own session: start_new_session
            except ProcessLookupError:
                pass
        self.proc.wait()
        os.close(self.cmd_w), os.close(self.resp_r)


def load(html_path, evaluate=None, width=1280, timeout=60):
    """Opens html_path with the network off, waits for its load event,
    evaluates each expression of `evaluate` (name -> JavaScript; a promise is
    awaited, an exception raises) and takes a screenshot of the whole page at
    `width` CSS pixels (device scale 1) and document.documentElement.scrollHeight
    high (at least the first viewport's 800, at most MAX_HEIGHT). Raises
    RuntimeError, with the end of Chromium's stderr, when the browser cannot
    start, fails or takes longer than `timeout` seconds in all.

    requests holds data: URLs too (whole); a failed fetch is also a console
    error ("Failed to load resource: net::ERR_..."). What happens after the
    screenshot is not seen."""
    exe = chromium_path()
    if not exe:
        raise RuntimeError("chromium is not installed")
    url = pathlib.Path(html_path).resolve().as_uri()
    page, state, tmp = PageLoad(), set(), tempfile.mkdtemp(prefix="qidcm-chromium-")
    browser, urls, ok = None, {}, False  # urls: requestId -> URL

    def on_event(method, p):
        if method == "Network.requestWillBeSent":
            page.requests.append(p["request"]["url"])
            urls[p["requestId"]] = p["request"]["url"]
        elif method == "Network.loadingFailed":
            page.failed.append((urls.get(p["requestId"], "?"), p.get("errorText", "")))
        elif method == "Runtime.exceptionThrown":
            d = p["exceptionDetails"]
            page.console_errors.append(d.get("exception", {}).get("description") or d.get("text", ""))
        elif method == "Runtime.consoleAPICalled" and p["type"] in ("error", "assert"):
            page.console_errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif method == "Log.entryAdded" and p["entry"]["level"] == "error":
            e = p["entry"]
            page.console_errors.append(e["text"] + (f" ({e['url']})" if e.get("url") else ""))
        elif method == "Page.frameNavigated" and not p["frame"].get("parentId"):
            state.add("navigated")  # so that a late load event of about:blank is not taken for the page's
        elif method == "Page.loadEventFired" and "navigated" in state:
            state.add("loaded")
    try:
        browser = _Browser(exe, os.path.join(tmp, "profile"), os.path.join(tmp, "stderr.txt"),
                           time.monotonic() + timeout)
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        s = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime", "Log"):
            browser.call(domain + ".enable", session=s)
        browser.call("Network.emulateNetworkConditions", {"offline": True, "latency": 0, "downloadThroughput": -1,
                                                          "uploadThroughput": -1}, s)
        metrics = {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False}
        browser.call("Emulation.setDeviceMetricsOverride", metrics, s)
        browser.on_event = on_event
        nav = browser.call("Page.navigate", {"url": url}, s)
        if nav.get("errorText"):
            browser.fail(f"navigating to {url}: {nav['errorText']}")
        while "loaded" not in state:
            browser.receive("the load event")

        def js(expression):
            r = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                  "awaitPromise": True}, s)
            if "exceptionDetails" in r:
                d = r["exceptionDetails"]
                raise RuntimeError(f"{expression!r} threw: {d.get('exception', {}).get('description') or d['text']}")
            return r["result"].get("value")
        for name, expression in (evaluate or {}).items():
            page.values[name] = js(expression)
        height = min(MAX_HEIGHT, max(1, int(js("document.documentElement.scrollHeight"))))
        browser.call("Emulation.setDeviceMetricsOverride", dict(metrics, height=height), s)
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, s)
        page.screenshot = decode_png(base64.b64decode(shot["data"]))[:, :, :3]
        ok = True
    finally:
        if browser:
            browser.close(kill=not ok)
        shutil.rmtree(tmp, ignore_errors=True)
    return page


def decode_png(data):
    """A PNG's pixels as an (H, W, C) uint8 array: C is 1 (grey), 3 (RGB) or
    4 (RGBA). Only 8-bit, non-interlaced images of those colour types; others
    raise ValueError."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    pos, idat, header = 8, [], None
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None or len(header) != 13:
        raise ValueError("PNG without a valid IHDR")
    w, h, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    channels = {0: 1, 2: 3, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace or not w or not h:
        raise ValueError(f"unsupported PNG: {w}x{h}, depth {depth}, colour type {colour}, interlace {interlace}")
    try:
        raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8)
    except zlib.error as e:
        raise ValueError(f"PNG data: {e}") from None
    if raw.size != h * (w * channels + 1):
        raise ValueError("PNG data has the wrong size")
    rows = raw.reshape(h, w * channels + 1)
    if rows[:, 0].max(initial=0) > 4:
        raise ValueError(f"PNG filter type {rows[:, 0].max()}")
    return _unfilter(rows[:, 0], rows[:, 1:].reshape(h, w, channels))


def _unfilter(filters, data):
    """Undoes the scanlines' filters: filters (H,), data (H, W, C) uint8."""
    h, w, ch = data.shape
    out = np.zeros((h + 1, w, ch), np.uint8)  # out[0] is the zero row above the image
    hard = np.flatnonzero(filters >= 3)  # Average and Paeth: bands of them go by diagonals
    bands = np.split(hard, np.flatnonzero(np.diff(hard) > w) + 1) if hard.size else []
    y = 0
    for band in bands + [None]:
        for y in range(y, h if band is None else band[0]):  # None, Sub, Up: a row at a time
            f = filters[y]
            out[y + 1] = data[y] if f == 0 else data[y].cumsum(0, dtype=np.uint8) if f == 1 else data[y] + out[y]
        if band is not None:
            y = band[-1] + 1
            _by_diagonals(filters[band[0]:y], data[band[0]:y], out[band[0]:y + 1])
    return out[1:]


def _by_diagonals(filters, data, out):
    """Undoes any filters of data (H, W, C) into out[1:]; out[0] is the row
    above. Average and Paeth need the left pixel first, but pixel (y, x)
    depends only on (y, x-1), (y-1, x) and (y-1, x-1): the anti-diagonals
    y + x = k are done in turn, each at once, in H + W steps instead of H * W.
    last[k % 3][y + 1] is pixel (y, k - y), last[.][0] the row above."""
    h, w, ch = data.shape
    flat_in, flat_out = data.astype(np.int16).reshape(h * w, ch), out[1:].reshape(h * w, ch)
    f = filters[:, None]
    use_a, use_b = np.isin(f, (1, 3)).astype(np.int16), np.isin(f, (2, 3)).astype(np.int16)
    halve, paeth = (f == 3).astype(np.int16), f == 4
    last = np.zeros((3, h + 1, ch), np.int16)
    for k in range(h + w - 1):
        if k < w:
            last[(k - 1) % 3, 0] = out[0, k]
        lo, hi = max(0, k - w + 1), min(h - 1, k)
        rows, at = slice(lo, hi + 1), np.arange(lo, hi + 1) * (w - 1) + k  # at: y * w + x
        a, b, c = last[(k - 1) % 3, lo + 1:hi + 2], last[(k - 1) % 3, rows], last[(k - 2) % 3, rows]
        pred = (a * use_a[rows] + b * use_b[rows]) >> halve[rows]
        if paeth[rows].any():
            pa, pb, pc = np.abs(b - c), np.abs(a - c), np.abs(a + b - 2 * c)
            pred = np.where(paeth[rows], np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c)), pred)
        cur = last[k % 3, lo + 1:hi + 2]
        np.bitwise_and(flat_in[at] + pred, 255, out=cur)
        flat_out[at] = cur
