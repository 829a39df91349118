"""load: a class of students on one 2-core server, against the real servers on loopback.

`python -m benchmarks load [--sessions N] [--quick] --json` starts the Gradio app and the
Streamlit app as two fresh server processes (as a classroom server would run them) and then
N simulated students at once, each in its own thread with its own session:
- a third of them (10 of 30) press Train, each in a different lab in turn, through the Gradio
  API with gradio_client (one `Client` is one browser session, with its own `gr.State`); once
  their training is done they use the model they trained, and check it is theirs;
- a fifth of them (6 of 30) browse the Streamlit app through its own websocket protocol
  (`benchmarks.streamlit_sessions`): each page visit is a full script run on the server;
- the rest draw, interpolate, translate, add and denoise through the Gradio API, with a
  student's pause (2 to 6 s: drawing a digit or typing a sentence) between actions.
Before the class, as in a real lesson, the teacher has opened each Streamlit page the class will
use once, and every Gradio student has opened the app (the timed actions start after). Then
everyone keeps going until every training has completed or been refused, and for at least
MIN_SECONDS. The server caps each training at TRAINING_SECONDS (DLL_TIME_BUDGET): the queue,
not the length of one training, is what is under test.

Reported: latency p50/p95/p99 of every Gradio interaction while the trainings run (and per
kind), Streamlit page runs apart (a page run redraws a whole page: not an interaction), the
queue (longest wait for a trainer, trainings completed / refused with a message / failed),
errors (any exception, any answer that is not the expected one, any traceback shown on a
Streamlit page; target zero), server tracebacks in the logs, and the peak memory of each server.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.harness import Options, Result, benchmark, progress
from benchmarks.servers import free_port, start_server, stop_server, wait_until_answers

TARGET_P95_MS = 300.0
MIN_SECONDS = 45.0  # every student keeps working at least this long
QUICK_SECONDS = 10.0
TRAINING_SECONDS = 8  # the server's cap on one training (DLL_TIME_BUDGET)
THINK_SECONDS = (2.0, 6.0)  # a student's pause between two actions
SESSION_COUNTS = (10, 30)
GIVE_UP_SECONDS = 900.0  # a run whose trainings have not all ended by then is reported as stuck

# What a training student presses, in turn: (train endpoint, settings, interaction with the
# model they trained, its arguments). Settings are the lab defaults apart from being short.
TRAININGS = (
    ("/digits_train", {"epochs": 1}, "/digits_classify", "digit"),
    ("/vae_train", {"epochs": 1}, "/vae_decode", "point"),
    ("/gan_train", {"epochs": 1}, "/gan_sample", "seed"),
    ("/denoise_train", {"epochs": 1}, "/denoise_heldout", "heldout"),
    ("/binary_addition_train", {}, "/binary_addition_add", "numbers"),
)


def _one_digit() -> bytes:
    """A drawn "1", as the PNG a drawing pad sends."""
    from core.interactions import png_bytes

    return png_bytes(
        np.array([[1.0 if 12 <= x <= 15 and 4 <= y <= 23 else 0.0 for x in range(28)] for y in range(28)])
    )


# The interactions an idle student does, with arguments and a check of the answer.
def _interactions(rng: random.Random) -> list[tuple[str, Callable[[Any], Any]]]:
    digit = _one_digit()
    seeds = [str(rng.randrange(1000)) for _ in range(2)]
    numbers = [format(rng.randrange(1, 2**9), "b") for _ in range(2)]
    heldout = rng.randrange(3604)  # a held-out digit to corrupt and restore
    sentence = rng.choice(["the cat is on the table", "the dog sees a small bird", "i like green apples"])
    return [
        (
            "classify",
            lambda c: c.predict(image=c.upload(digit), model="fast-cnn", api_name="/digits_classify"),
        ),
        (
            "gan_interpolate",
            lambda c: c.predict(start=seeds[0], end=seeds[1], steps=10, api_name="/gan_interpolate"),
        ),
        ("translate", lambda c: c.predict(text=sentence, api_name="/transformer_translate")),
        ("vae_manifold", lambda c: c.predict(api_name="/vae_manifold")),
        ("add", lambda c: c.predict(a=numbers[0], b=numbers[1], api_name="/binary_addition_add")),
        ("denoise_heldout", lambda c: c.predict(index=heldout, seed=heldout, api_name="/denoise_heldout")),
        ("palindrome", lambda c: c.predict(prefix="1234543", api_name="/palindromes_last_digit")),
        (
            "attention",
            lambda c: c.predict(query="the cat sat", keys="a cat on the mat", api_name="/attention_explore"),
        ),
    ]


STREAMLIT_PAGES = ("", "digits", "gan", "vae", "transformer", "palindromes")
# The labs the class uses: the quick run serves only these (DLL_LABS), as a teacher would for
# one lesson; the full run serves every lab, as a shared server does.
CLASS_LABS = "digits,vae,gan,denoise,binary-addition,transformer,palindromes,attention"


@dataclass
class Tally:
    """What every simulated student reports, shared by all of their threads."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    page_runs: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    trainings: list[dict[str, Any]] = field(default_factory=list)
    timeline: list[tuple[float, str, float]] = field(default_factory=list)  # (at, kind, seconds)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = field(default_factory=time.perf_counter)

    def latency(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            began = time.perf_counter() - self.started - seconds
            self.timeline.append((round(began, 2), kind, round(seconds, 3)))

    def error(self, who: str, what: str) -> None:
        with self.lock:
            self.errors.append(f"{who}: {what}"[:300])


class Servers:
    """The Gradio and Streamlit apps as two server processes, with their logs and memory."""

    def __init__(self, workdir: Path, data_dir: str | None, quick: bool):
        env = {
            "GRADIO_ANALYTICS_ENABLED": "False",
            "DLL_OFFLINE": "1",
            "HF_HUB_OFFLINE": "1",
            "DLL_RUNS_DIR": str(workdir / "runs"),
            "DLL_TIME_BUDGET": str(2 if quick else TRAINING_SECONDS),
        }
        if quick:
            env["DLL_LABS"] = CLASS_LABS
        if data_dir:
            env["DLL_DATA_DIR"] = data_dir
        self.gradio_port, self.streamlit_port = free_port(), free_port()
        self.logs = {"gradio": workdir / "gradio.log", "streamlit": workdir / "streamlit.log"}
        gradio_env = env | {"GRADIO_SERVER_PORT": str(self.gradio_port)}
        streamlit = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true"]
        streamlit += ["--server.port", str(self.streamlit_port), "--browser.gatherUsageStats", "false"]
        self.processes = {
            "gradio": start_server([sys.executable, "gradio_app.py"], self.logs["gradio"], gradio_env),
            "streamlit": start_server(streamlit, self.logs["streamlit"], env),
        }
        self.peak_rss_mb = {name: 0.0 for name in self.processes}
        self.cpu_seconds: dict[str, float] = {}
        self._watching = threading.Event()
        self._watcher: threading.Thread | None = None

    @property
    def gradio_url(self) -> str:
        return f"http://127.0.0.1:{self.gradio_port}/"

    @property
    def streamlit_url(self) -> str:
        return f"http://127.0.0.1:{self.streamlit_port}/"

    def wait_until_up(self) -> None:
        """Both servers answer, and each lab page the class will use has been opened once, as
        the teacher does before the lesson. (The Gradio app loads its models before it
        answers; a Streamlit server imports torch and loads a model at a page's first visit.)"""
        from benchmarks.streamlit_sessions import StreamlitSession

        wait_until_answers(self.gradio_url, self.processes["gradio"], self.logs["gradio"])
        wait_until_answers(self.streamlit_url, self.processes["streamlit"], self.logs["streamlit"])
        with StreamlitSession(self.streamlit_url) as teacher:
            for page in STREAMLIT_PAGES:
                teacher.run_page(page)

    def watch_memory(self) -> None:
        """Sample each server's resident memory every 0.2 s until `stop`."""

        def sample() -> None:
            while not self._watching.wait(0.2):
                for name, process in self.processes.items():
                    self.peak_rss_mb[name] = max(self.peak_rss_mb[name], _rss_mb(process.pid))

        self._watcher = threading.Thread(target=sample, daemon=True)
        self._watcher.start()

    def tracebacks(self) -> dict[str, int]:
        return {name: log.read_text(errors="replace").count("Traceback") for name, log in self.logs.items()}

    def stop(self) -> None:
        self._watching.set()
        for name, process in self.processes.items():
            self.peak_rss_mb[name] = max(self.peak_rss_mb[name], _peak_rss_mb(process.pid))
            self.cpu_seconds[name] = _cpu_seconds(process.pid)
            stop_server(process)


def _status_field(pid: int, key: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def _rss_mb(pid: int) -> float:
    return _status_field(pid, "VmRSS")


def _peak_rss_mb(pid: int) -> float:
    return _status_field(pid, "VmHWM")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _percentiles(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"count": 0}
    ms = np.asarray(seconds) * 1000
    return {
        "count": len(ms),
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "p99_ms": round(float(np.percentile(ms, 99)), 1),
        "max_ms": round(float(ms.max()), 1),
    }


class ClassRun:
    """One simulated class: N students against one pair of servers."""

    def __init__(self, servers: Servers, sessions: int, quick: bool, seed: int = 0):
        self.servers = servers
        self.sessions = sessions
        self.quick = quick
        self.trainers = max(1, sessions // 3)
        self.streamlit_students = max(1, sessions // 5)
        self.idle_students = max(1, sessions - self.trainers - self.streamlit_students)
        self.tally = Tally()
        self.rng = random.Random(seed)
        self.trainings_left = self.trainers
        self.trainings_done = threading.Event()
        self.min_seconds = QUICK_SECONDS if quick else MIN_SECONDS

    # --- the students -------------------------------------------------------------------
    def _take(self, pool: list[Any]) -> Any:
        """A connected session for this student (see `connect`)."""
        with self.tally.lock:
            return pool.pop()

    def connect(self) -> float:
        """Every Gradio student opens the app before the class starts, and a page load's first
        call opens its event stream. Trainers use gradio_client (its streamed updates show the
        queue); the others use `GradioSession`, which waits for answers as a browser does,
        where gradio_client polls every 50 ms (76 ms for an empty call on an idle server,
        against 10 to 13 ms)."""
        from concurrent.futures import ThreadPoolExecutor

        from gradio_client import Client

        from benchmarks.gradio_sessions import GradioApp, GradioSession

        started = time.perf_counter()
        self.app = GradioApp(self.servers.gradio_url)

        def open_client(_: int) -> Any:
            client = Client(self.servers.gradio_url, verbose=False)
            client.predict(api_name="/digits_model_info")
            return client

        def open_session(_: int) -> Any:
            session = GradioSession(self.app)
            session.predict(api_name="/digits_model_info")
            return session

        with ThreadPoolExecutor(4) as pool:
            self.clients = list(pool.map(open_client, range(self.trainers)))
            self.gradio_sessions = list(pool.map(open_session, range(self.idle_students)))
        return time.perf_counter() - started

    def trainer(self, index: int) -> None:
        from gradio_client.exceptions import AppError

        who = f"trainer {index}"
        endpoint, settings, use, argument = TRAININGS[index % len(TRAININGS)]
        record: dict[str, Any] = {"student": index, "endpoint": endpoint}
        try:
            client = self._take(self.clients)
            started = time.perf_counter()
            job = client.submit(**settings, api_name=endpoint)
            waited, first_running = None, None
            for update in job:  # each streamed update; the first ones say "place N in the queue"
                text = str(update[0]) if isinstance(update, list | tuple) and update else str(update)
                if first_running is None and "queue" not in text.lower():
                    first_running = time.perf_counter() - started
            outputs = job.outputs()
            status = str(outputs[-1][0]) if outputs else ""
            record |= {"seconds": round(time.perf_counter() - started, 1), "status": status[:160]}
            record["submitted_at"] = round(started - self.tally.started, 1)
            waited = first_running
            record["seconds_until_running"] = None if waited is None else round(waited, 1)
            if "finished" in status.lower() or "stopped" in status.lower():
                record["outcome"] = "completed"
                self._use_own_model(client, who, use, argument)
            else:
                record["outcome"] = "unexpected"
                self.tally.error(who, f"training ended with {status[:200]!r}")
        except AppError as error:  # a clean refusal: a message, shown as a toast
            message = str(error)
            record["outcome"] = "refused" if "queue is full" in message else "error"
            record["status"] = message[:160]
            if record["outcome"] == "error":
                self.tally.error(who, message)
        except Exception as error:
            record["outcome"] = "error"
            self.tally.error(who, f"{type(error).__name__}: {error}")
        with self.tally.lock:
            self.tally.trainings.append(record)
            self.trainings_left -= 1
            if self.trainings_left == 0:
                self.trainings_done.set()

    def _use_own_model(self, client: Any, who: str, endpoint: str, argument: str) -> None:
        """The student's next action: the model they trained (the choice "session")."""
        from benchmarks.gradio_sessions import GradioSession

        same_student = GradioSession(self.app)
        same_student.session_hash = client.session_hash  # the trainer's own session and model
        args = {
            "digit": {"image": same_student.upload(_one_digit())},
            "point": {"z": "0, 0"},  # the VAE decodes a code typed as text
            "seed": {"seed": 7, "n": 4},
            "numbers": {"a": "1011", "b": "111"},
            "heldout": {"index": 7, "noise": "mask", "level": 0.5},
        }[argument]
        started = time.perf_counter()
        try:
            same_student.predict(**args, model="session", api_name=endpoint)
            self.tally.latency("own_model", time.perf_counter() - started)
        except Exception as error:
            self.tally.error(who, f"own model via {endpoint}: {type(error).__name__}: {error}")

    def idle_student(self, index: int, started: float) -> None:
        who = f"student {index}"
        rng = random.Random(index)
        try:
            client = self._take(self.gradio_sessions)
        except Exception as error:
            self.tally.error(who, f"could not connect: {error}")
            return
        actions = _interactions(rng)
        rng.shuffle(actions)
        turn = 0
        while not self._class_over(started):
            kind, action = actions[turn % len(actions)]
            turn += 1
            began = time.perf_counter()
            try:
                action(client)
                self.tally.latency(kind, time.perf_counter() - began)
            except Exception as error:
                self.tally.error(who, f"{kind}: {type(error).__name__}: {error}")
            time.sleep(rng.uniform(*THINK_SECONDS))

    def streamlit_student(self, index: int, started: float) -> None:
        from benchmarks.streamlit_sessions import StreamlitSession

        who = f"streamlit student {index}"
        rng = random.Random(100 + index)
        try:
            session = StreamlitSession(self.servers.streamlit_url)
        except Exception as error:
            self.tally.error(who, f"could not connect: {error}")
            return
        try:
            while not self._class_over(started):
                page = rng.choice(STREAMLIT_PAGES)
                try:
                    run = session.run_page(page)
                except Exception as error:
                    self.tally.error(who, f"page {page!r}: {type(error).__name__}: {error}")
                    continue
                if not run.ok:
                    problem = "; ".join(run.exceptions) or run.status or "page not found"
                    self.tally.error(who, f"page {page!r} did not render cleanly: {problem}")
                else:
                    with self.tally.lock:
                        self.tally.page_runs.append(run.seconds)
                time.sleep(rng.uniform(*THINK_SECONDS))
        finally:
            session.close()

    def _class_over(self, started: float) -> bool:
        elapsed = time.perf_counter() - started
        if elapsed > GIVE_UP_SECONDS:
            return True
        return self.trainings_done.is_set() and elapsed >= self.min_seconds

    # --- the run -------------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        connect_seconds = self.connect()
        self.tally.started = started = time.perf_counter()
        threads = [threading.Thread(target=self.trainer, args=(i,)) for i in range(self.trainers)]
        threads += [
            threading.Thread(target=self.idle_student, args=(i, started)) for i in range(self.idle_students)
        ]
        threads += [
            threading.Thread(target=self.streamlit_student, args=(i, started))
            for i in range(self.streamlit_students)
        ]
        for thread in threads:
            thread.start()
            time.sleep(0.05)  # a class arrives over a few seconds, not in one microsecond
        for thread in threads:
            thread.join(GIVE_UP_SECONDS)
        figures = self._figures(time.perf_counter() - started)
        figures["figures"]["seconds_to_connect_every_gradio_student"] = round(connect_seconds, 1)
        return figures

    def _figures(self, seconds: float) -> dict[str, Any]:
        tally = self.tally
        every = [value for kind, values in tally.latencies.items() for value in values]
        overall = _percentiles(every)
        outcomes = defaultdict(int)
        for record in tally.trainings:
            outcomes[record.get("outcome", "error")] += 1
        waits = [r["seconds_until_running"] for r in tally.trainings if r.get("seconds_until_running")]
        figures = {
            "sessions": self.sessions,
            "students.training": self.trainers,
            "students.gradio_interacting": self.idle_students,
            "students.streamlit": self.streamlit_students,
            "seconds": round(seconds, 1),
            **{f"interaction.{k}": v for k, v in overall.items()},
            **{f"streamlit_page_run.{k}": v for k, v in _percentiles(tally.page_runs).items()},
            "trainings.completed": outcomes["completed"],
            "trainings.refused_with_message": outcomes["refused"],
            "trainings.failed": outcomes["error"] + outcomes["unexpected"],
            "trainings.longest_wait_until_running_s": max(waits) if waits else None,
            "errors": len(tally.errors),
        }
        per_kind = {kind: _percentiles(values) for kind, values in sorted(tally.latencies.items())}
        return {
            "figures": figures,
            "per_kind": per_kind,
            "errors": tally.errors[:20],
            "trainings": tally.trainings,
            "timeline": tally.timeline,
        }


def run_class(sessions: int, options: Options) -> dict[str, Any]:
    """Fresh servers, one class of `sessions` students, servers stopped; everything measured."""
    with tempfile.TemporaryDirectory(prefix="dll-load-") as workdir:
        servers = Servers(Path(workdir), options.data_dir, options.quick)
        try:
            servers.wait_until_up()
            servers.watch_memory()
            progress(f"load: {sessions} sessions against {servers.gradio_url} and {servers.streamlit_url}")
            busy_before = {name: _cpu_seconds(p.pid) for name, p in servers.processes.items()}
            busy_before["students"] = _own_cpu_seconds()
            outcome = ClassRun(servers, sessions, options.quick).run()
        finally:
            servers.stop()
        # Where the 2 cores went during the class: each server, and the simulated students
        # (this process), whose work a real class would do on its own laptops.
        outcome["figures"] |= {
            f"cpu_seconds.{name}": round(value - busy_before[name], 1)
            for name, value in servers.cpu_seconds.items()
        }
        outcome["figures"]["cpu_seconds.students"] = round(_own_cpu_seconds() - busy_before["students"], 1)
        outcome["figures"]["server_tracebacks_logged"] = servers.tracebacks()
        outcome["figures"] |= {f"peak_rss_mb.{name}": round(mb) for name, mb in servers.peak_rss_mb.items()}
    return outcome


@benchmark(
    "load",
    "A class at once: N simulated students (a third training in turn through the Gradio API, a "
    "fifth browsing the Streamlit app over its websocket, the rest drawing, interpolating, "
    "translating) against fresh Gradio and Streamlit servers on loopback: interaction latency "
    "p50/p95/p99 while trainings queue, the queue, errors and peak memory, for N = 10 and 30.",
)
def load(options: Options) -> Result:
    counts = options.sessions or ((4,) if options.quick else SESSION_COUNTS)
    figures: dict[str, Any] = {}
    details: dict[str, Any] = {}
    met = True
    for sessions in counts:
        outcome = run_class(sessions, options)
        for key, value in outcome["figures"].items():
            figures[f"n{sessions}.{key}"] = value
        details[f"n{sessions}"] = outcome
        p95 = outcome["figures"].get("interaction.p95_ms")
        refused_or_done = outcome["figures"]["trainings.failed"] == 0
        met = met and outcome["figures"]["errors"] == 0 and refused_or_done and p95 is not None
        met = met and p95 <= TARGET_P95_MS
    return Result(
        figures=figures,
        target=f"interaction p95 <= {TARGET_P95_MS:.0f} ms, zero errors, every training completed or refused",
        met=None if options.quick else met,
        notes=[
            f"Each training is capped at {TRAINING_SECONDS} s by the server (DLL_TIME_BUDGET); one "
            "trains at a time (DLL_MAX_TRAININGS=1), the rest wait in the queue and see their place.",
            "The simulated students run in this process on the same 2 cores as both servers, so "
            "their own work (HTTP, JSON, websocket) is part of the load.",
            "Streamlit page runs redraw a whole page (widgets, charts, model summary) and are "
            "reported apart from the interactions.",
        ],
        details=details,
    )
