"""Test settings and fixtures shared by every test: offline, real MNIST-12k/3.6k when it is
beside us, and one server of each front and one Chromium for the whole session.

Helpers (opening a page in AppTest, drawing with the mouse) are in tests/helpers.py.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

# Reproducible property-based tests: the same examples on every run of the suite.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "datasets"

# Tests never touch the network, and never write into the user's cache or the repo.
os.environ["DLL_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("DLL_SEED", "0")  # trainings start from seed 0, as the bundled models did
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
if SHARED_DATA.is_dir():
    os.environ.setdefault("DLL_DATA_DIR", str(SHARED_DATA))


# The fixtures that start a server or the browser. Under pytest-xdist (`-n 2 --dist loadgroup`, as
# pyproject's addopts say), every test that uses one runs in the same worker, so a run still
# starts one Streamlit server, one Gradio app and one Chromium; the other worker takes the tests
# that need none, a test file at a time (its module fixtures, a trained model, stay in one place).
SERVER_FIXTURES = {"app_url", "app_client", "client", "streamlit_url", "browser", "open_tab"}

if os.environ.get("PYTEST_XDIST_WORKER"):
    # Two workers on a 2-core machine: one torch thread each, not two each fighting for the cores.
    os.environ.setdefault("DLL_TORCH_THREADS", "1")


def xdist_group(item) -> str:
    uses_server = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
    return "servers" if uses_server else item.nodeid.split("::")[0]


@pytest.hookimpl(wrapper=True)  # marks before xdist's own hook reads them, checks after it
def pytest_collection_modifyitems(config, items):
    """Tests that use a server go to one xdist group, the others to their file's. A generated
    test of a lab that cannot run here (a missing system package, as its `missing()` says) is
    skipped with that reason, not failed."""
    from core.registry import get_lab

    groups = {}
    if config.pluginmanager.hasplugin("xdist"):  # `-p no:xdist` runs everything in one process
        for item in items:
            groups[item] = xdist_group(item)
            item.add_marker(pytest.mark.xdist_group(groups[item]))

    reasons: dict[str, str | None] = {}
    for item in items:
        lab_id = getattr(item, "callspec", None) and item.callspec.params.get("lab_id")
        if isinstance(lab_id, str):
            if lab_id not in reasons:
                try:
                    reasons[lab_id] = get_lab(lab_id).missing()
                except Exception:  # an unknown id is the test's own business
                    reasons[lab_id] = None
            if reasons[lab_id]:
                item.add_marker(pytest.mark.skip(reason=reasons[lab_id]))
    yield
    if getattr(config.option, "loadgroup", False):  # in an xdist worker, --dist loadgroup
        for item, group in groups.items():
            # xdist sends the group as a "@group" suffix of the test's id, written to the item's
            # `_nodeid`, which pytest 9.2 no longer reads (its ids are structured): every group
            # was silently ignored (pytest-xdist issue 1386). Until xdist writes it, it is here.
            if not item.nodeid.endswith(f"@{group}") and hasattr(item, "_id"):
                item._id = type(item._id).parse(f"{item.nodeid}@{group}")


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("DLL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.setenv("DLL_RUNS_DIR", str(tmp_path_factory.getbasetemp() / "runs"))
    # Trainings may resume (the early-stopping lab) from any of the tests' temporary folders.
    monkeypatch.setenv("DLL_RESUME_ROOTS", str(tmp_path_factory.getbasetemp()))


@pytest.fixture(autouse=True)
def _no_training_left_running():
    """A training a test started in this process (the Gradio server runs here) ends with the test:
    one left running would take the CPU from every later test, and make them time out far from the
    test that caused it. Stopped and waited for, so the next test starts on an idle machine."""
    yield
    from core import runner

    leftover = runner._default_runner.active_jobs() if runner._default_runner is not None else []
    for job in leftover:
        job.stop()
    for job in leftover:
        job.wait(timeout=30)


@pytest.fixture
def data_dir() -> str:
    if not SHARED_DATA.is_dir():
        pytest.skip("needs ../shared/datasets (MNIST-12k/3.6k)")
    return str(SHARED_DATA)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The whole Gradio app served on a free loopback port, once for every API test: what an
    outside program (gradio_client) talks to."""
    import gradio_app
    from benchmarks.servers import free_port

    port = free_port()
    gradio_app.demo.launch(prevent_thread_lock=True, server_port=port, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        gradio_app.demo.close()


@pytest.fixture(scope="session")
def app_client(app_url: str):
    """One gradio_client for the whole run: it fetches the app's config and API once (seconds
    for this app), and `client` gives each test a session of its own on it."""
    from gradio_client import Client

    shared = Client(app_url, verbose=False)
    yield shared
    shared.close()


@pytest.fixture
def client(app_url: str, app_client, monkeypatch):
    """A fresh session of the app, as a new gradio_client would be: its own gr.State, its own
    model (the shared client with a new session hash, once the last test's event stream has
    closed: a stream still open belongs to the old session, whose hash the server knows it by).
    While the test runs, a training it starts stops after 20 steps (the runner reads
    DLL_MAX_STEPS when a job is submitted, and the server runs in this process)."""
    from gradio_client import Client

    monkeypatch.setenv("DLL_MAX_STEPS", "20")
    deadline = time.monotonic() + 10
    while app_client.stream_open and time.monotonic() < deadline:
        time.sleep(0.01)
    if app_client.stream_open:  # the last test left an event streaming: a client of its own
        return Client(app_url, verbose=False)
    app_client.reset_session()
    return app_client


@pytest.fixture(scope="session")
def streamlit_url(tmp_path_factory) -> Iterator[str]:
    """`streamlit run app.py` on a free port, offline, once for every browser and session test."""
    from benchmarks.streamlit_sessions import streamlit_server

    scratch = tmp_path_factory.mktemp("streamlit")
    env = {"DLL_OFFLINE": "1", "DLL_RUNS_DIR": str(scratch / "runs"), "DLL_CACHE_DIR": str(scratch / "cache")}
    with streamlit_server("app.py", log=scratch / "server.log", env=env) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium through Playwright, once for every browser test."""
    from benchmarks.servers import CHROMIUM, launch_chromium

    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as driver:
        chromium = launch_chromium(driver)
        yield chromium
        chromium.close()


@pytest.fixture
def open_tab(browser):
    """Opens a tab of the session's Chromium at a URL, `width` x `height` pixels (with `touch`, as
    a phone or tablet); every tab the test opened is closed after it, passed or failed."""
    tabs = []

    def open_(url: str, width: int = 1280, height: int = 1600, touch: bool = False):
        tab = browser.new_page(viewport={"width": width, "height": height}, has_touch=touch)
        tabs.append(tab)
        tab.goto(url)
        return tab

    yield open_
    for tab in tabs:
        tab.close()
