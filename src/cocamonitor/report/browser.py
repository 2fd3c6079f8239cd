"""Render an HTML file in headless Chromium and record what the page did.

A shipped feature: the report's PDF (:mod:`cocamonitor.report.pdf`, A4 with page
numbers, for filing) and its screenshot (:mod:`cocamonitor.report.screenshot`)
print through it; the browser tests and ``scripts/readme_screenshot.py`` use it too. It needs a
Chromium on the machine (:func:`find_chromium`); without one those two options stop with one
line saying how to install it, and everything else works. Chromium is started
with networking features off and a throw-away profile; the page is driven over the DevTools
protocol (a minimal WebSocket client from the standard library, talking only to 127.0.0.1),
which gives a screenshot, the rectangles of chosen elements, every request the page tried to
make (``Network.requestWillBeSent``) and every console or log message (CSP violations appear
there, so a request the page's security policy blocked is still caught).

Examples
--------
>>> find_chromium() is None or isinstance(find_chromium(), str)
True

"""

from __future__ import annotations

import base64
import json
import os
import re
import select
import shutil
import socket
import struct
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "BrowserRun",
    "LOCAL_SCHEMES",
    "chromium_command",
    "find_chromium",
    "render_page",
]

#: URL schemes that do not leave the machine.
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "devtools:", "chrome-error:")

_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable, or ``None`` (``$CHROMIUM`` overrides)."""
    env = os.environ.get("CHROMIUM")
    if env and Path(env).exists():
        return env
    for name in _CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_command(executable: str, profile_dir: str | Path, width: int, height: int) -> list[str]:
    """Return a headless Chromium command line (no background networking, DevTools on 127.0.0.1).

    The DevTools port is chosen by Chromium (``--remote-debugging-port=0``) and printed on
    its stderr.
    """
    return [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--no-default-browser-check",
        "--metrics-recording-only",
        "--hide-scrollbars",
        "--mute-audio",
        f"--user-data-dir={profile_dir}",
        f"--window-size={width},{height}",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        "about:blank",
    ]


class _WebSocket:
    """Just enough of RFC 6455 for DevTools: text frames, client masking, fragmentation."""

    def __init__(self, url: str, timeout: float):
        m = re.match(r"ws://([^/:]+):(\d+)(/.*)", url)
        if not m:
            raise ValueError(f"not a ws:// URL: {url}")
        host, port, path = m.group(1), int(m.group(2)), m.group(3)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("DevTools closed the connection during the handshake")
            head += chunk
        head, self.buffer = head.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(f"WebSocket handshake refused: {head[:200]!r}")

    def _read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            chunk = self.sock.recv(max(65536, n - len(self.buffer)))
            if not chunk:
                raise ConnectionError("DevTools connection closed")
            self.buffer += chunk
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def send(self, text: str) -> None:
        payload = text.encode()
        header = bytearray([0x81])
        n = len(payload)
        if n < 126:
            header.append(0x80 | n)
        elif n < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def recv(self) -> str:
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            if opcode == 0x8:
                raise ConnectionError("DevTools closed the WebSocket")
            if opcode in (0x9, 0xA):  # ping/pong: not sent by DevTools in practice
                continue
            message += data
            if b0 & 0x80:
                return message.decode()

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:  # pragma: no cover
            pass


class _DevTools:
    def __init__(self, ws: _WebSocket):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"DevTools {method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)

    def evaluate(self, expression: str) -> Any:
        res = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return res.get("result", {}).get("value")


@dataclass(frozen=True)
class BrowserRun:
    """What happened when Chromium rendered a page.

    Attributes
    ----------
    screenshot : Path
        Full-page PNG.
    requests : list of str
        URLs of every request the page started (including the page itself).
    console : list of str
        Console messages, log entries (e.g. CSP violations) and uncaught exceptions.
    rects : dict
        ``selector -> [{"x", "y", "width", "height"}...]`` in CSS pixels of the screenshot.
    ready : bool
        Whether the page's ready flag (``window.cocamonitorReady``) became true.
    scale : float
        Device pixels per CSS pixel in the screenshot.
    values : dict
        ``name -> value`` of each ``steps`` expression, in order.
    pdf : Path or None
        The printed PDF, when one was asked for.

    """

    screenshot: Path
    requests: list[str]
    console: list[str]
    rects: dict[str, list[dict[str, float]]] = field(default_factory=dict)
    ready: bool = False
    scale: float = 1.0
    values: dict[str, Any] = field(default_factory=dict)
    pdf: Path | None = None

    def external_requests(self) -> list[str]:
        """Return the requests whose URL scheme would leave the machine."""
        return [u for u in self.requests if not u.startswith(LOCAL_SCHEMES)]


def _drain(stream: Any) -> None:
    try:
        while os.read(stream.fileno(), 65536):
            pass
    except (OSError, ValueError):  # closed when Chromium exits
        pass


def _stop_group(proc: subprocess.Popen, grace: float = 10.0) -> None:
    """Stop Chromium and every process it started (renderers, GPU, crash handler).

    Chromium's helpers keep writing into the profile after the browser process exits; the
    profile can only be removed once the whole process group is gone.
    """
    import signal

    def signal_group(sig: int) -> None:
        try:
            os.killpg(proc.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    signal_group(signal.SIGTERM)
    try:
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:  # pragma: no cover - Chromium ignores SIGTERM
        pass
    signal_group(signal.SIGKILL)  # helpers that outlived the browser process
    if proc.poll() is None:  # pragma: no cover
        proc.wait()


def _remove_profile(profile: str, attempts: int = 20) -> None:
    """Remove the temporary profile, retrying while late writers finish (never raises)."""
    for _ in range(attempts):
        shutil.rmtree(profile, ignore_errors=True)
        if not os.path.exists(profile):
            return
        time.sleep(0.1)


def _devtools_port(proc: subprocess.Popen, timeout: float) -> int:
    """Read Chromium's stderr (unbuffered) until it prints its DevTools port, or time out."""
    deadline = time.monotonic() + timeout
    assert proc.stderr is not None
    fd = proc.stderr.fileno()
    text = b""
    pattern = re.compile(rb"DevTools listening on ws://127\.0\.0\.1:(\d+)/")
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 65536)
        if not chunk:  # Chromium exited
            break
        text += chunk
        m = pattern.search(text)
        if m:
            return int(m.group(1))
    tail = text.decode(errors="replace").splitlines()[-20:]
    raise RuntimeError("Chromium did not start its DevTools server:\n" + "\n".join(tail))


def _print_pdf(dt: _DevTools, footer: str) -> str:
    """Print the loaded page to an A4 PDF (base64) with ``footer`` and "n / N" on every page."""
    from html import escape

    template = (
        '<div style="font-size:8px;width:100%;margin:0 12mm;display:flex;'
        'justify-content:space-between;color:#555">'
        f"<span>{escape(footer)}</span>"
        '<span><span class="pageNumber"></span> / <span class="totalPages"></span></span></div>'
    )
    res = dt.call(
        "Page.printToPDF",
        paperWidth=8.27, paperHeight=11.69,  # A4 in inches
        marginTop=0.6, marginBottom=0.7, marginLeft=0.55, marginRight=0.55,
        printBackground=True, preferCSSPageSize=True, displayHeaderFooter=True,
        headerTemplate="<span></span>", footerTemplate=template,
    )
    return str(res["data"])


def render_page(
    html: str | Path,
    screenshot: str | Path,
    *,
    selectors: Sequence[str] = (),
    width: int = 1280,
    height: int = 900,
    ready_expression: str = "window.cocamonitorReady === true",
    timeout: float = 60.0,
    full_page: bool = True,
    executable: str | None = None,
    steps: Sequence[tuple[str, str]] = (),
    mobile: bool = False,
    pdf: str | Path | None = None,
    pdf_footer: str = "",
) -> BrowserRun:
    """Open ``html`` in headless Chromium, wait until it is ready, and take a screenshot.

    Parameters
    ----------
    html : path or str
        The HTML file to open (as a ``file://`` URL), or an ``http(s)://`` URL (a local server).
    screenshot : path
        Where to write the PNG.
    selectors : sequence of str
        CSS selectors whose element rectangles to return (e.g. ``".js-plotly-plot"``).
    width, height : int
        Viewport in CSS pixels; ``full_page`` captures the whole document height.
    ready_expression : str
        JavaScript expression that becomes true when the page has drawn; if it never does
        within ``timeout``, the screenshot is still taken and ``ready`` is ``False``.
    timeout : float
        Seconds to wait for the page to be ready (and for each DevTools answer).
    full_page : bool
        Capture the whole document height rather than the viewport.
    executable : str, optional
        Chromium binary (default: :func:`find_chromium`).
    steps : sequence of (name, expression)
        JavaScript run one after the other once the page is ready (a promise is awaited):
        interactions such as typing into a search box, and measurements, whose values are
        returned in :attr:`BrowserRun.values`. The screenshot is taken after the last step.
    mobile : bool
        Emulate a phone (touch, mobile viewport) at ``width`` x ``height``.
    pdf : path, optional
        Also print the page to this PDF (A4, print stylesheet, backgrounds, page numbers in
        the footer).
    pdf_footer : str
        Text left of the page number in the PDF footer (e.g. the report title).

    Raises
    ------
    FileNotFoundError
        If no Chromium executable is found.

    """
    exe = executable or find_chromium()
    if exe is None:
        raise FileNotFoundError("chromium not found (Debian: apt-get install chromium)")
    url = str(html) if str(html).startswith(("http://", "https://")) else Path(html).resolve().as_uri()
    screenshot = Path(screenshot)
    profile = tempfile.mkdtemp(prefix="cocamonitor-chromium-")
    try:
        proc = subprocess.Popen(
            chromium_command(exe, profile, width, height),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            bufsize=0,
            start_new_session=True,  # its own process group, so every helper process can be stopped
        )
        ws = None
        try:
            port = _devtools_port(proc, timeout=max(30.0, timeout))
            # keep reading Chromium's stderr so a full pipe can never stall it
            threading.Thread(target=_drain, args=(proc.stderr,), daemon=True).start()
            import urllib.request

            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as r:
                targets = json.loads(r.read())
            page = next(t for t in targets if t.get("type") == "page")
            ws = _WebSocket(page["webSocketDebuggerUrl"], timeout=timeout)
            dt = _DevTools(ws)
            for domain in ("Page", "Network", "Runtime", "Log"):
                dt.call(f"{domain}.enable")
            dt.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                    deviceScaleFactor=1, mobile=mobile)
            dt.call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            ready = False
            while time.monotonic() < deadline:
                if dt.evaluate(f"Boolean({ready_expression})"):
                    ready = True
                    break
                time.sleep(0.2)
            values: dict[str, Any] = {}
            for name, expression in steps:
                res = dt.call("Runtime.evaluate", expression=expression, returnByValue=True,
                              awaitPromise=True)
                if "exceptionDetails" in res:
                    d = res["exceptionDetails"]
                    raise RuntimeError(f"step {name!r} failed: "
                                       f"{d.get('exception', {}).get('description', d.get('text'))}")
                values[name] = res.get("result", {}).get("value")
            time.sleep(0.3)  # let the last frame paint
            rects = {
                sel: dt.evaluate(
                    f"Array.from(document.querySelectorAll({json.dumps(sel)})).map(e => {{"
                    "const r = e.getBoundingClientRect();"
                    "return {x: r.left + window.scrollX, y: r.top + window.scrollY,"
                    " width: r.width, height: r.height};})"
                )
                or []
                for sel in selectors
            }
            params: dict[str, Any] = {"format": "png"}
            if full_page:
                metrics = dt.call("Page.getLayoutMetrics")
                size = metrics.get("cssContentSize") or metrics["contentSize"]
                params.update(
                    captureBeyondViewport=True,
                    clip={"x": 0, "y": 0, "width": width,
                          "height": float(size["height"]), "scale": 1},
                )
            shot = dt.call("Page.captureScreenshot", **params)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            pdf_path = None
            if pdf is not None:
                pdf_path = Path(pdf)
                pdf_path.write_bytes(base64.b64decode(_print_pdf(dt, pdf_footer)))
            dt.evaluate("1")  # flush pending events
            requests, console = [], []
            for ev in dt.events:
                meth, p = ev["method"], ev.get("params", {})
                if meth == "Network.requestWillBeSent":
                    requests.append(p["request"]["url"])
                elif meth == "Runtime.consoleAPICalled":
                    args = " ".join(str(a.get("value", a.get("description", ""))) for a in
                                    p.get("args", []))
                    console.append(f"console.{p.get('type')}: {args}")
                elif meth == "Log.entryAdded":
                    e = p["entry"]
                    console.append(f"log.{e.get('level')}: {e.get('text')} {e.get('url', '')}")
                elif meth == "Runtime.exceptionThrown":
                    d = p.get("exceptionDetails", {})
                    console.append(
                        f"exception: {d.get('text')} {d.get('exception', {}).get('description', '')}"
                    )
            return BrowserRun(screenshot, requests, console, rects, ready, 1.0, values, pdf_path)
        finally:
            if ws is not None:
                ws.close()
            _stop_group(proc)
    finally:
        _remove_profile(profile)
