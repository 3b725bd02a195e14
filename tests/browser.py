"""A real headless Chromium (Debian's package) driven over the DevTools protocol on a pipe.

``--remote-debugging-pipe`` makes Chromium read protocol commands from file descriptor 3
and write answers and events to 4, each a JSON object ended by a NUL byte, so the tests
need neither a WebDriver nor a websocket library. ``Browser`` opens one page at a window
size (a phone: 360 x 740), follows links and forms as a person would (clicks, typing),
counts the bytes each page load transferred (``Network.loadingFinished``), runs axe-core
(vendored in ``tests/vendor/axe-core``) and takes screenshots.
"""
from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def chromium() -> str:
    """The Chromium executable (``make test`` installs Debian's, deploy/local/ensure_chromium.sh)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "Chromium is missing: `make test` installs it (deploy/local/ensure_chromium.sh)"
    return found


class BrowserError(RuntimeError):
    """Chromium answered a command with an error, or an awaited event did not come."""


class Browser:
    """One headless Chromium with one page of ``width`` x ``height`` CSS pixels."""

    def __init__(self, width: int = 360, height: int = 740, mobile: bool = True, timeout: float = 30.0):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="bsm-chromium-")
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes():
            os.dup2(to_browser, 3)
            os.dup2(from_browser_w, 4)

        self.process = subprocess.Popen(
            [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-dev-shm-usage", "--remote-debugging-pipe", f"--user-data-dir={self.profile}"],
            pass_fds=(3, 4), preexec_fn=wire_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_browser)
        os.close(from_browser_w)
        self._next_id = 0
        self._answers: dict[int, dict] = {}
        self.events: list[dict] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        target = self._command("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self._command("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network", "Runtime"):
            self.send(f"{domain}.enable")
        self.send("Network.setCacheDisabled", {"cacheDisabled": False})
        self.window(width, height, mobile)

    def window(self, width: int, height: int, mobile: bool) -> None:
        """Make the page's window ``width`` x ``height`` CSS pixels (a phone when ``mobile``)."""
        self.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def _read(self) -> None:
        buffer = b""
        while True:
            chunk = os.read(self._from_browser, 65536)
            if not chunk:
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self._changed:
                for raw in messages:
                    message = json.loads(raw)
                    if "id" in message:
                        self._answers[message["id"]] = message
                    else:
                        self.events.append(message)
                self._changed.notify_all()

    def _command(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        with self._changed:
            self._next_id += 1
            ident = self._next_id
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + self.timeout
        with self._changed:
            while ident not in self._answers:
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise BrowserError(f"no answer to {method}")
            answer = self._answers.pop(ident)
        if "error" in answer:
            raise BrowserError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def send(self, method: str, params: dict | None = None) -> dict:
        """A protocol command to the page; its result."""
        return self._command(method, params, self.session)

    def wait_event(self, method: str, after: int) -> dict:
        """The first ``method`` event of the page at index ``after`` or later in ``events``."""
        deadline = time.monotonic() + self.timeout
        with self._changed:
            while True:
                for event in self.events[after:]:
                    if event.get("method") == method and event.get("sessionId") == self.session:
                        return event
                if not self._changed.wait(max(0.0, deadline - time.monotonic())):
                    raise BrowserError(f"no {method} event")

    def _loaded_after(self, action) -> int:
        """Run ``action`` (which starts a navigation) and wait until the page has loaded;
        the index of the first event of that navigation."""
        with self._changed:
            mark = len(self.events)
        action()
        self.wait_event("Page.loadEventFired", mark)
        return mark

    def open(self, url: str) -> int:
        """Load ``url``; the index in ``events`` where its load began (for ``transferred``)."""
        return self._loaded_after(lambda: self.send("Page.navigate", {"url": url}))

    def click(self, selector: str) -> int:
        """Click the element (a link or a submit button) and wait for the page it leads to."""
        return self._loaded_after(lambda: self.evaluate(f"document.querySelector({json.dumps(selector)}).click()"))

    def fill(self, fields: dict[str, str]) -> None:
        """Type into the form controls named by CSS selector (selects, time and date inputs
        take their value as it is submitted: an option's value, ``HH:MM``, ``YYYY-MM-DD``)."""
        for selector, value in fields.items():
            self.send("Runtime.evaluate", {"expression": f"document.querySelector({json.dumps(selector)}).focus()"})
            if self.evaluate(f"(e => e.tagName == 'SELECT' || ['time', 'date'].includes(e.type))(document.querySelector({json.dumps(selector)}))"):
                self.evaluate(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")
            else:
                self.evaluate(f"document.querySelector({json.dumps(selector)}).value = ''")
                self.send("Input.insertText", {"text": value})

    def press_tab(self) -> str:
        """Press the Tab key as a keyboard user would; the outer HTML of the element that
        has the focus then (its first 200 characters)."""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", {"type": kind, "key": "Tab", "code": "Tab", "windowsVirtualKeyCode": 9})
        return self.evaluate("document.activeElement.outerHTML.slice(0, 200)")

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        """The value of a JavaScript expression in the page."""
        result = self.send("Runtime.evaluate", {"expression": expression, "awaitPromise": await_promise, "returnByValue": True})
        if "exceptionDetails" in result:
            raise BrowserError(json.dumps(result["exceptionDetails"])[:2000])
        return result["result"].get("value")

    def text(self) -> str:
        """The page's visible text."""
        return self.evaluate("document.body.innerText")

    def url(self) -> str:
        return self.evaluate("location.href")

    def transferred(self, since: int) -> int:
        """Bytes received over the network (headers and bodies, as sent) by the loads that
        finished after index ``since`` of ``events``."""
        with self._changed:
            events = list(self.events[since:])
        return sum(int(e["params"]["encodedDataLength"]) for e in events
                   if e.get("method") == "Network.loadingFinished" and e.get("sessionId") == self.session)

    def axe_violations(self, impacts: tuple[str, ...] = SERIOUS) -> list[dict]:
        """axe-core's violations on the page with one of ``impacts``: rule id, impact, help
        and the offending elements."""
        if not self.evaluate("typeof window.axe === 'object'"):
            self.evaluate(AXE.read_text(encoding="utf-8"))
        found = self.evaluate("axe.run(document).then(r => r.violations)", await_promise=True)
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"]][:5]}
                for v in found if v["impact"] in impacts]

    def screenshot(self, path: Path, whole_page: bool = True) -> None:
        """A PNG at ``path`` of the whole page (beyond the window's height), or of the window."""
        params: dict[str, Any] = {"format": "png"}
        if whole_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        shot = self.send("Page.captureScreenshot", params)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        """Stop Chromium and remove its profile."""
        try:
            self._command("Browser.close")
        except (BrowserError, OSError):
            pass
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *_exc) -> None:
        self.close()
