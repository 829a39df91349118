"""Students without browsers: a Streamlit session driven over Streamlit's own websocket protocol,
for load tests of many concurrent students.

`StreamlitSession` does what the frontend of Streamlit 1.67 does (read from
streamlit/web/server/starlette/starlette_websocket.py, the runtime and the frontend bundle):

1. GET /_stcore/health. The frontend pings it first; it answers 200 once the server is ready and
   sets the `_streamlit_xsrf` cookie.
2. Open the websocket /_stcore/stream with the subprotocols ["streamlit", <xsrf cookie value>]
   (a third one, a previous session id, would resume that session), the cookie, and an Origin of
   the app's own address. The server takes the first subprotocol and reads the token from the
   second: XSRF only guards the login cookie, so a client without it connects as well.
3. Send a BackMsg `rerun_script` (a ClientState): a first visit names the page by its URL path in
   `page_name` (as a browser opening a deep link does); once the server has sent the app's pages
   (the `navigation` ForwardMsg), a visit names the page by its `page_script_hash`, as a click in
   the sidebar does, and a rerun names the current page. Widget values go in `widget_states`.
4. Read ForwardMsgs (new_session, session_status_changed, navigation, page_info_changed, deltas,
   ...) until `script_finished` ends the run (a `FINISHED_EARLY_FOR_RERUN` means that the script
   called st.rerun or st.switch_page, and the next run follows).

Message cache: in 1.67 the client drives it; there is no /_stcore/message endpoint any more. The
server marks large new elements `metadata.cacheable`; the client keeps them by hash and lists the
hashes in the next rerun's `cached_message_hashes`, and the server then sends only a `ref_hash`
for those. Like the frontend, a session forgets a message it has not seen for
`max_cached_message_age` runs (from new_session's config).

Each session is synchronous (websockets' sync client): give each student a thread, as
`concurrent_visits` does.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from benchmarks.servers import free_port, stop_server

ROOT = Path(__file__).resolve().parents[1]
XSRF_COOKIE = "_streamlit_xsrf"
PLACEHOLDER_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the frontend sends when it has no XSRF cookie

STATUS = {
    ForwardMsg.FINISHED_SUCCESSFULLY: "success",
    ForwardMsg.FINISHED_WITH_COMPILE_ERROR: "compile_error",
    ForwardMsg.FINISHED_EARLY_FOR_RERUN: "rerun",
    ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY: "fragment_success",
}


@dataclass
class PageRun:
    """One script run as a student sees it: from the request to `script_finished`."""

    page: str  # the URL path asked for ("" is the home page), or the page rerun
    seconds: float = 0.0
    status: str = ""  # "success", "compile_error", "fragment_success" (see STATUS)
    deltas: int = 0  # elements and blocks received, cached ones included
    exceptions: list[str] = field(default_factory=list)  # "Type: message" of each exception shown
    page_not_found: bool = False  # the server ran the default page instead of the one asked for
    page_script_hash: str = ""  # the page that ran
    cached_refs: int = 0  # deltas the server sent as a reference to this session's cache
    bytes_received: int = 0
    messages: Counter[str] = field(default_factory=Counter)  # ForwardMsg types received

    @property
    def ok(self) -> bool:
        """The page the student asked for rendered, and shows no exception."""
        return self.status == "success" and not self.exceptions and not self.page_not_found


@dataclass
class _Cached:
    encoded: bytes
    run_count: int
    fragment_id: str


class MessageCache:
    """The frontend's ForwardMsg cache: large elements by hash, dropped once unused for a while."""

    def __init__(self) -> None:
        self._messages: dict[str, _Cached] = {}
        self._run_count = 0

    def hashes(self) -> list[str]:
        return list(self._messages)

    def receive(self, encoded: bytes) -> tuple[ForwardMsg, bool]:
        """The message as the app uses it, and whether it came from the cache."""
        msg = ForwardMsg.FromString(encoded)
        if msg.WhichOneof("type") == "ref_hash":
            cached = self._messages.get(msg.ref_hash)
            if cached is None:
                raise RuntimeError(f"cached ForwardMsg miss: {msg.ref_hash}")
            cached.run_count = self._run_count
            full = ForwardMsg.FromString(cached.encoded)
            full.metadata.CopyFrom(msg.metadata)
            return full, True
        if msg.metadata.cacheable and msg.hash:
            if msg.hash in self._messages:
                self._messages[msg.hash].run_count = self._run_count
            else:
                self._messages[msg.hash] = _Cached(encoded, self._run_count, msg.delta.fragment_id)
        return msg, False

    def end_run(self, max_age: int, fragment_ids: Sequence[str]) -> None:
        """After a finished run: forget what went unused for more than `max_age` runs (a fragment
        run only ages that fragment's messages)."""
        self._run_count += 1
        for key, cached in list(self._messages.items()):
            if fragment_ids and cached.fragment_id not in fragment_ids:
                continue
            if self._run_count - cached.run_count > max_age:
                del self._messages[key]


def _widget_state(widget_id: str, value: Any) -> WidgetState:
    """A widget's value as the frontend sends it: a checkbox or toggle a bool, a number input an
    int or float, a text input, radio or selectbox a str (the option's text), a slider a list of
    numbers ([value] or [low, high]), a multiselect a list of str. Pass a WidgetState for the
    other kinds."""
    if isinstance(value, WidgetState):
        return value
    state = WidgetState(id=widget_id)
    if isinstance(value, bool):
        state.bool_value = value
    elif isinstance(value, int):
        state.int_value = value
    elif isinstance(value, float):
        state.double_value = value
    elif isinstance(value, str):
        state.string_value = value
    elif isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value):
        state.string_array_value.data.extend(value)
    elif isinstance(value, (list, tuple)):
        state.double_array_value.data.extend(float(item) for item in value)
    else:
        raise TypeError(f"no widget value for {value!r}: pass a WidgetState")
    return state


class StreamlitSession:
    """One student's tab. `run_page` opens a page, `rerun` runs the current one again (with new
    widget values, or a button pressed); both return a `PageRun`. A run that exceeds its timeout
    raises TimeoutError and closes the session (its late messages would mix into the next run).
    """

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session_id = ""
        self.pages: dict[str, str] = {}  # URL path -> page_script_hash, from `navigation`
        self.page_script_hash = ""  # the current page
        self.widgets: dict[str, str] = {}  # label -> widget id, of the last run's widgets
        self._widget_values: dict[str, WidgetState] = {}  # what the student set on this page
        self._cache = MessageCache()
        self._max_cached_age = 2
        self._ws = self._connect()

    def _connect(self) -> ClientConnection:
        parts = urlsplit(self.base_url)
        with urllib.request.urlopen(f"{self.base_url}/_stcore/health", timeout=self.timeout) as answer:
            cookies = SimpleCookie(answer.headers.get("Set-Cookie", ""))
        token = cookies[XSRF_COOKIE].value if XSRF_COOKIE in cookies else PLACEHOLDER_TOKEN
        scheme = "wss" if parts.scheme == "https" else "ws"
        return connect(
            f"{scheme}://{parts.netloc}{parts.path}/_stcore/stream",
            subprotocols=["streamlit", token],
            origin=f"{parts.scheme}://{parts.netloc}",
            additional_headers={"Cookie": f"{XSRF_COOKIE}={token}"} if token != PLACEHOLDER_TOKEN else None,
            open_timeout=self.timeout,
            max_size=None,  # pages send images and charts
        )

    @property
    def cached_messages(self) -> int:
        """Elements this session holds in its message cache."""
        return len(self._cache.hashes())

    def close(self) -> None:
        self._ws.close()

    def __enter__(self) -> StreamlitSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run_page(self, page: str = "", *, query_string: str = "", timeout: float | None = None) -> PageRun:
        """Open a page by its URL path ("" is the default page, "digits" the digits lab)."""
        state = ClientState(query_string=query_string)
        if page in self.pages:
            state.page_script_hash = self.pages[page]  # a click in the sidebar
        else:
            state.page_name = page  # a first visit, or an address typed in
        self._widget_values.clear()
        return self._run(page, state, timeout)

    def rerun(
        self,
        values: Mapping[str, Any] | None = None,
        *,
        click: str | None = None,
        timeout: float | None = None,
    ) -> PageRun:
        """Run the current page again, as a widget change does. `values` sets widgets by label
        (or id), and they keep their value in later reruns of this page; `click` presses a button
        for this run only."""
        state = ClientState(page_script_hash=self.page_script_hash)
        for name, value in (values or {}).items():
            widget_id = self.widgets.get(name, name)
            self._widget_values[widget_id] = _widget_state(widget_id, value)
        state.widget_states.widgets.extend(self._widget_values.values())
        if click is not None:
            state.widget_states.widgets.append(
                WidgetState(id=self.widgets.get(click, click), trigger_value=True)
            )
        page = next((path for path, key in self.pages.items() if key == self.page_script_hash), "")
        return self._run(page, state, timeout)

    def _run(self, page: str, state: ClientState, timeout: float | None) -> PageRun:
        state.cached_message_hashes.extend(self._cache.hashes())
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        state.context_info.url = f"{self.base_url}/{page}"
        run = PageRun(page=page)
        self.widgets = {}
        start = time.perf_counter()
        deadline = start + (self.timeout if timeout is None else timeout)
        self._ws.send(BackMsg(rerun_script=state).SerializeToString())
        while True:
            try:
                encoded = self._ws.recv(timeout=max(deadline - time.perf_counter(), 0), decode=False)
            except TimeoutError:
                self.close()
                raise TimeoutError(
                    f"page {page!r}: no script_finished after {time.perf_counter() - start:.1f} s"
                ) from None
            except ConnectionClosed as closed:
                raise ConnectionError(
                    f"page {page!r}: the server closed the websocket ({closed})"
                ) from closed
            msg, from_cache = self._cache.receive(encoded)
            kind = msg.WhichOneof("type")
            run.messages[kind] += 1
            run.bytes_received += len(encoded)
            if kind == "delta":
                run.deltas += 1
                run.cached_refs += from_cache
                self._read_element(msg, run)
            elif kind == "new_session":
                self.session_id = msg.new_session.initialize.session_id or self.session_id
                self._max_cached_age = msg.new_session.config.max_cached_message_age
                self.page_script_hash = run.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation":
                self._read_pages(msg)
                self.page_script_hash = run.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_not_found":
                run.page_not_found = True
            elif kind == "script_finished":
                if msg.script_finished == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    continue  # st.rerun / st.switch_page: the next run follows
                self._cache.end_run(self._max_cached_age, list(msg.metadata.run.fragment_ids))
                run.seconds = time.perf_counter() - start
                run.status = STATUS.get(msg.script_finished, str(msg.script_finished))
                return run
            # session_status_changed, page_info_changed, page_config_changed, logo, ...: nothing
            # a load test needs.

    def _read_element(self, msg: ForwardMsg, run: PageRun) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            run.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif kind is not None:
            widget = getattr(element, kind)
            fields = widget.DESCRIPTOR.fields_by_name
            if "id" in fields and "label" in fields and widget.id:
                self.widgets[widget.label] = widget.id

    def _read_pages(self, msg: ForwardMsg) -> None:
        self.pages = {}
        for app_page in msg.navigation.app_pages:
            self.pages[app_page.url_pathname] = app_page.page_script_hash
            if app_page.is_default:
                self.pages[""] = app_page.page_script_hash


def visit(base_url: str, pages: Sequence[str], *, rounds: int = 1, timeout: float = 120.0) -> list[PageRun]:
    """One student: a session that opens each page in turn, `rounds` times."""
    with StreamlitSession(base_url, timeout=timeout) as session:
        return [session.run_page(page) for _ in range(rounds) for page in pages]


def concurrent_visits(
    base_url: str, sessions: int, pages: Sequence[str], *, rounds: int = 1, timeout: float = 120.0
) -> list[list[PageRun]]:
    """`sessions` students at once, each in its own thread: every student's runs, in order."""
    with ThreadPoolExecutor(max_workers=sessions) as pool:
        students = [
            pool.submit(visit, base_url, pages, rounds=rounds, timeout=timeout) for _ in range(sessions)
        ]
        return [student.result() for student in students]


@contextmanager
def streamlit_server(
    script: str = "app.py",
    *,
    cwd: Path = ROOT,
    log: Path,
    env: Mapping[str, str] | None = None,
    ready_s: float = 120.0,
) -> Iterator[str]:
    """`streamlit run <script>` on a free loopback port, headless and offline; yields its URL once
    /_stcore/health answers, and stops the server on exit. Its output goes to `log`."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true"]
    command += ["--server.address", "127.0.0.1", "--server.port", str(port)]
    command += ["--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    environment = os.environ | {"DLL_OFFLINE": "1", "HF_HUB_OFFLINE": "1"} | dict(env or {})
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + ready_s
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"streamlit exited early:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit not ready after {ready_s} s:\n{log.read_text()}")
            time.sleep(0.2)
        yield url
    finally:
        stop_server(server)
