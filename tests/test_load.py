"""The load benchmark's quick form, as CI runs it: a small class (one student training, two
using the Gradio API, one browsing the Streamlit app) against fresh servers on loopback. It
checks behaviour only: no errors, the training completes, nobody sees a traceback. The
latency figures it prints are for the benchmark report, never asserted here."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_a_small_class_at_once_sees_no_errors(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "load", "--quick", "--json", "--out", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)["results"][0]
    figures, details = result["figures"], result["details"]["n4"]
    assert figures["n4.sessions"] == 4
    assert figures["n4.errors"] == 0, details["errors"]
    assert figures["n4.trainings.completed"] == 1, details["trainings"]
    assert figures["n4.interaction.count"] > 0 and figures["n4.streamlit_page_run.count"] > 0
    assert figures["n4.server_tracebacks_logged"] == {"gradio": 0, "streamlit": 0}
    assert "own_model" in details["per_kind"], "the trainer did not get to use the model they trained"
