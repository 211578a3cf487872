"""A real browser for the tests of lrplot's HTML pages: headless Chromium driven through chromedriver's
W3C WebDriver protocol (plain HTTP on localhost, so no client library is needed).

Debian's ``chromium`` and ``chromium-driver`` packages provide both (.ci/run installs them);
``Browser.available()`` says whether they are here.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--no-first-run", "--disable-dev-shm-usage",
]


def _binary(*names: str) -> str | None:
    return next((p for p in map(shutil.which, names) if p), None)


class Browser:
    """One headless Chromium session: open pages, run scripts, move and click the mouse, read the console."""

    @staticmethod
    def available() -> bool:
        return _binary("chromedriver") is not None and _binary("chromium", "chromium-browser") is not None

    def __init__(self, width: int = 1000, height: int = 800):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.profile = tempfile.mkdtemp(prefix="lrplot-chromium-")
        self.driver = subprocess.Popen([_binary("chromedriver"), f"--port={self.port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                self._call("GET", "/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.driver.kill()
                    raise
                time.sleep(0.05)
        options = {"binary": _binary("chromium", "chromium-browser"), "args": [*CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},{height}"]}
        caps = {"browserName": "chrome", "goog:chromeOptions": options, "goog:loggingPrefs": {"browser": "ALL"}}
        self.session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": caps}})["sessionId"]

    def _call(self, method: str, path: str, body: dict | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data, method=method, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read())["value"]
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"WebDriver {method} {path}: {exc.read().decode()[:500]}") from None

    def _session(self, method: str, path: str, body: dict | None = None) -> Any:
        return self._call(method, f"/session/{self.session}{path}", body)

    def open(self, path: Path) -> None:
        self._session("POST", "/url", {"url": path.resolve().as_uri()})

    def run(self, script: str, *args: Any) -> Any:
        """Run ``script`` (a function body: ``return ...``) in the page."""
        return self._session("POST", "/execute/sync", {"script": script, "args": list(args)})

    def _pointer(self, actions: list[dict]) -> None:
        self._session("POST", "/actions", {"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"}, "actions": actions}]})
        self._session("DELETE", "/actions")

    def move(self, x: float, y: float) -> None:
        """Move the mouse to page coordinates (CSS pixels of the viewport)."""
        self._pointer([{"type": "pointerMove", "duration": 0, "x": round(x), "y": round(y), "origin": "viewport"}])

    def drag(self, x0: float, y: float, x1: float) -> None:
        self._pointer([
            {"type": "pointerMove", "duration": 0, "x": round(x0), "y": round(y), "origin": "viewport"},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerMove", "duration": 50, "x": round((x0 + x1) / 2), "y": round(y), "origin": "viewport"},
            {"type": "pointerMove", "duration": 50, "x": round(x1), "y": round(y), "origin": "viewport"},
            {"type": "pointerUp", "button": 0},
        ])

    def double_click(self, x: float, y: float) -> None:
        click = [{"type": "pointerDown", "button": 0}, {"type": "pointerUp", "button": 0}]
        self._pointer([{"type": "pointerMove", "duration": 0, "x": round(x), "y": round(y), "origin": "viewport"}, *click, *click])

    def click(self, selector: str) -> None:
        element = self._session("POST", "/element", {"using": "css selector", "value": selector})
        self._session("POST", f"/element/{next(iter(element.values()))}/click", {})

    def console(self) -> list[dict]:
        """The console's messages since the last call (level, message)."""
        return self._session("POST", "/se/log", {"type": "browser"})

    def screenshot(self, path: Path) -> None:
        path.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))

    def close(self) -> None:
        try:
            self._session("DELETE", "")
        finally:
            self.driver.terminate()
            try:
                self.driver.wait(10)
            except subprocess.TimeoutExpired:
                self.driver.kill()
            shutil.rmtree(self.profile, ignore_errors=True)
