"""Real servers on loopback and Debian's Chromium to drive them: shared by the browser tests
and the benchmarks that start the apps."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GIVE_UP_SECONDS = 120.0  # a server that is not up by then is broken, not slow

CHROMIUM = "/usr/bin/chromium"  # Playwright's own browser download does not work offline
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    # Without these, Chromium keeps calling home, and on a closed network each call fails.
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


def launch_chromium(playwright: Any) -> Any:
    """A headless Debian Chromium from a started `sync_playwright()`."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def stop_server(process: subprocess.Popen) -> None:
    """Terminate politely, then kill: a test or benchmark must never leave a server behind."""
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def start_server(command: list[str], log: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start a server from the repo root, its output to `log` (read back if it fails)."""
    environment = os.environ | {"PYTHONUNBUFFERED": "1"} | (env or {})
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=environment)


def failed(process: subprocess.Popen, log: Path, what: str) -> RuntimeError:
    """An error that carries the end of the server's own output."""
    tail = log.read_text(errors="replace")[-2000:]
    return RuntimeError(f"{what} (exit code {process.poll()}); server output:\n{tail}")


def wait_until_answers(url: str, process: subprocess.Popen, log: Path) -> float:
    """Poll `url` until it answers 200; the seconds it took. Raises if the server dies or hangs."""
    started = time.perf_counter()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if process.poll() is not None:
            raise failed(process, log, f"the server for {url} exited before it answered")
        if time.perf_counter() - started > GIVE_UP_SECONDS:
            raise failed(process, log, f"the server for {url} did not answer")
        time.sleep(0.05)
