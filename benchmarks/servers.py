"""Real servers on loopback and Debian's Chromium to drive them: shared by the browser tests
and the benchmarks that start the apps."""

from __future__ import annotations

import socket
import subprocess
from typing import Any

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
