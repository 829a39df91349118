"""cold_start: from launching a fresh server process to a usable home page.

Streamlit: `streamlit run app.py` is started, and Debian's Chromium (already open, as a student's
browser would be) polls the address until the server answers, then waits until the home page
shows the title and the whole catalogue. Gradio: `python gradio_app.py`, timed to its first
HTTP 200 (no browser, no target). Every run starts a new server process; the first run of a
session may also pay for a cold OS file cache.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import ROOT, Options, Result, benchmark, progress
from benchmarks.servers import (
    CHROMIUM,
    GIVE_UP_SECONDS,
    failed,
    free_port,
    launch_chromium,
    start_server,
    stop_server,
    wait_until_answers,
)

TARGET_SECONDS = 5.0


def streamlit_run(page: Any, workdir: Path) -> dict[str, float]:
    """One cold start of the Streamlit app, as seen by the browser."""
    from playwright.sync_api import Error as PlaywrightError

    from core.catalogue import catalogue

    last_card = [spec for specs in catalogue().values() for spec in specs][-1]
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = workdir / f"streamlit-{port}.log"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
    command += ["--server.port", str(port), "--browser.gatherUsageStats", "false"]
    started = time.perf_counter()
    process = start_server(command, log)
    try:
        while True:
            try:
                page.goto(url, wait_until="commit", timeout=5000)
                break
            except PlaywrightError:  # connection refused: not listening yet
                if process.poll() is not None:
                    raise failed(process, log, "streamlit exited before it answered") from None
                if time.perf_counter() - started > GIVE_UP_SECONDS:
                    raise failed(process, log, "streamlit did not answer") from None
                time.sleep(0.05)
        answered = time.perf_counter() - started
        timeout_ms = GIVE_UP_SECONDS * 1000
        try:
            page.get_by_text("Deep Learning Labs").first.wait_for(state="visible", timeout=timeout_ms)
            title = time.perf_counter() - started
            # The catalogue is drawn top to bottom: the last lab's summary means all of it is there.
            page.get_by_text(last_card.summary).first.wait_for(state="visible", timeout=timeout_ms)
        except PlaywrightError as error:
            raise failed(process, log, f"the home page did not render: {error}") from None
        rendered = time.perf_counter() - started
    finally:
        stop_server(process)
    return {"server_answers_s": answered, "title_visible_s": title, "catalogue_visible_s": rendered}


def gradio_run(workdir: Path) -> float:
    """Seconds from starting `python gradio_app.py` to its first HTTP 200."""
    port = free_port()
    log = workdir / f"gradio-{port}.log"
    env = {"GRADIO_SERVER_PORT": str(port), "GRADIO_ANALYTICS_ENABLED": "False"}
    started = time.perf_counter()
    process = start_server([sys.executable, "gradio_app.py"], log, env)
    try:
        wait_until_answers(f"http://127.0.0.1:{port}/", process, log)
        return time.perf_counter() - started
    finally:
        stop_server(process)


def _summary(prefix: str, values: list[float]) -> dict[str, float]:
    return {
        f"{prefix}.first_s": round(values[0], 2),
        f"{prefix}.median_s": round(statistics.median(values), 2),
        f"{prefix}.max_s": round(max(values), 2),
    }


@benchmark(
    "cold_start",
    "Seconds from starting `streamlit run app.py` to the home page rendered in Chromium (title "
    "and whole catalogue visible); and from starting `python gradio_app.py` to its first HTTP 200.",
)
def cold_start(options: Options) -> Result:
    from playwright.sync_api import sync_playwright

    if not (ROOT / "app.py").is_file():
        raise RuntimeError("app.py is missing: nothing to start")
    if not Path(CHROMIUM).is_file():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    runs = 1 if options.quick else 5
    figures: dict[str, Any] = {"runs": runs}
    notes = [
        "Each run starts a new server process; the browser is launched once beforehand, and a "
        "new browser context is used per run.",
        "Target checked on the median of the runs' catalogue_visible times.",
    ]
    with tempfile.TemporaryDirectory() as workdir, sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            streamlit_runs = []
            for index in range(runs):
                progress(f"streamlit cold start {index + 1}/{runs}")
                context = browser.new_context()
                try:
                    streamlit_runs.append(streamlit_run(context.new_page(), Path(workdir)))
                finally:
                    context.close()
        finally:
            browser.close()
        for key in streamlit_runs[0]:
            figures |= _summary(f"streamlit.{key.removesuffix('_s')}", [r[key] for r in streamlit_runs])

        if (ROOT / "gradio_app.py").is_file():
            gradio_runs = []
            for index in range(runs):
                progress(f"gradio cold start {index + 1}/{runs}")
                gradio_runs.append(gradio_run(Path(workdir)))
            figures |= _summary("gradio.first_http_200", gradio_runs)
        else:
            notes.append("gradio_app.py is missing: not measured.")
    median = figures["streamlit.catalogue_visible.median_s"]
    return Result(
        figures=figures,
        target=f"Streamlit home page rendered <= {TARGET_SECONDS:.0f} s after the server starts "
        "(Gradio: no target)",
        met=median <= TARGET_SECONDS,
        notes=notes,
        details={"streamlit_runs": streamlit_runs},
    )
