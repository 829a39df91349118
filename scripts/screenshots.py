"""A screenshot of every lab's page on both fronts, at a laptop's and a phone's size, so anyone
can look at them all in a minute: `python scripts/screenshots.py [--out DIR] [--labs digits,gan]`.

It starts `streamlit run app.py` and the Gradio app on free local ports (offline, as the tests
do), opens each page in Debian's Chromium, waits until the page has drawn, and writes
DIR/<front>-<lab>-<width>x<height>.png (default DIR: screenshots/, ignored by git).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = ((1400, 900), (390, 844))  # a laptop; a phone, with touch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    parser.add_argument("--labs", help="comma-separated lab ids (default: every lab)")
    args = parser.parse_args()
    os.environ.setdefault("DLL_OFFLINE", "1")

    from playwright.sync_api import sync_playwright

    from benchmarks.servers import free_port, launch_chromium
    from benchmarks.streamlit_sessions import streamlit_server
    from core.catalogue import ready_specs

    labs = args.labs.split(",") if args.labs else [spec.id for spec in ready_specs()]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    import gradio_app

    port = free_port()
    gradio_app.demo.launch(prevent_thread_lock=True, server_port=port, quiet=True)
    fronts = {"gradio": f"http://127.0.0.1:{port}"}
    with (
        tempfile.TemporaryDirectory() as scratch,
        streamlit_server("app.py", log=Path(scratch) / "log") as url,
    ):
        fronts["streamlit"] = url
        with sync_playwright() as driver:
            browser = launch_chromium(driver)
            for front, base in fronts.items():
                for lab in ["", *labs]:
                    for width, height in SIZES:
                        page = browser.new_page(
                            viewport={"width": width, "height": height}, has_touch=width < 600
                        )
                        # Both fronts keep a connection open, so "network idle" never comes: load,
                        # then give the page time to draw (a first visit loads the lab's model).
                        page.goto(f"{base}/{lab}", wait_until="load", timeout=120_000)
                        page.wait_for_timeout(8_000)
                        name = out / f"{front}-{lab or 'home'}-{width}x{height}.png"
                        page.screenshot(path=str(name))
                        page.close()
                        print(name, flush=True)
            browser.close()
    gradio_app.demo.close()


if __name__ == "__main__":
    main()
