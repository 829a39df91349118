"""The load tests' browser-less student (benchmarks/streamlit_sessions.py) against real servers:
`streamlit run app.py`, and a tiny app whose pages fail on purpose."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from benchmarks.streamlit_sessions import PageRun, StreamlitSession, streamlit_server

RUN_S = 120.0  # a first page load imports torch and loads a model, on a busy 2-core box


def assert_rendered(run: PageRun, session: StreamlitSession) -> None:
    assert run.status == "success", run
    assert run.deltas > 0, run
    assert not run.exceptions, run
    assert not run.page_not_found, run
    assert run.page_script_hash == session.pages[run.page], f"another page ran than {run.page!r}"
    assert run.ok
    assert 0 < run.seconds < RUN_S


def student(streamlit_url: str, pages: list[str]) -> tuple[str, list[PageRun]]:
    """Opens each page, then reruns the last one as a widget change does."""
    with StreamlitSession(streamlit_url, timeout=RUN_S) as session:
        runs = [session.run_page(page) for page in pages]
        runs.append(session.rerun())
        for run in runs:
            assert_rendered(run, session)
        return session.session_id, runs


def test_three_concurrent_students_render_labs_and_home(streamlit_url):
    visits = [["digits", "gan", ""], ["gan", "transformer", ""], ["transformer", "digits", ""]]
    with ThreadPoolExecutor(max_workers=len(visits)) as pool:
        students = [pool.submit(student, streamlit_url, pages) for pages in visits]
        results = [future.result() for future in students]
    session_ids = {session_id for session_id, _ in results}
    assert len(session_ids) == len(visits) and "" not in session_ids
    for pages, (_, runs) in zip(visits, results, strict=True):
        assert [run.page for run in runs] == [*pages, ""]


def test_rerun_answers_large_elements_from_the_client_cache(streamlit_url):
    with StreamlitSession(streamlit_url, timeout=RUN_S) as session:
        first = session.run_page("transformer")
        assert_rendered(first, session)
        assert session.cached_messages > 0, "the transformer page sends no element over 10 kB any more"
        again = session.rerun()
        assert_rendered(again, session)
        assert again.cached_refs > 0  # sent as ref_hash, resolved from the session's cache
        assert again.bytes_received < first.bytes_received


def test_unknown_page_is_reported_not_rendered(streamlit_url):
    with StreamlitSession(streamlit_url, timeout=RUN_S) as session:
        run = session.run_page("no-such-lab")
        assert run.page_not_found and not run.ok
        assert run.status == "success"  # st.navigation ran the home page instead
        assert run.page_script_hash == session.pages[""]


FAILING_APP = """
import time

import streamlit as st


def fine():
    st.write("fine")


def broken():
    st.write("about to fail")
    1 / 0


def stuck():
    time.sleep(60)


st.navigation(
    [st.Page(fine, default=True), st.Page(broken, url_path="broken"), st.Page(stuck, url_path="stuck")]
).run()
"""


@pytest.fixture(scope="module")
def failing_streamlit_url(tmp_path_factory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("failing-app")
    (folder / "failing_app.py").write_text(textwrap.dedent(FAILING_APP))
    with streamlit_server("failing_app.py", cwd=folder, log=folder / "server.log") as url:
        yield url


def test_a_traceback_on_the_page_is_reported(failing_streamlit_url):
    with StreamlitSession(failing_streamlit_url, timeout=RUN_S) as session:
        assert_rendered(session.run_page(""), session)
        run = session.run_page("broken")
        assert run.status == "success" and run.deltas > 0  # the script ends; the page shows the error
        assert len(run.exceptions) == 1 and run.exceptions[0].startswith("ZeroDivisionError")
        assert not run.ok


def test_a_page_that_never_finishes_times_out(failing_streamlit_url):
    session = StreamlitSession(failing_streamlit_url, timeout=RUN_S)
    start = time.perf_counter()
    with pytest.raises(TimeoutError, match="stuck"):
        session.run_page("stuck", timeout=3)
    assert time.perf_counter() - start < 10
