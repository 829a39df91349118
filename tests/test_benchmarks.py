"""The benchmark harness works: it lists, runs a quick benchmark and writes its reports.

Only the behaviour is checked here, never the figures: timings belong to `python -m benchmarks`.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = {
    "digits_time_to_accuracy",
    "classify_latency",
    "gan_time_to_quality",
    "gan_interpolation_latency",
    "vae_elbo_at_equal_time",
    "vae_latency",
    "denoise_psnr_gain",
    "denoise_latency",
    "binary_ae_time_to_25db",
    "binary_prior_memorisation",
    "transformer_bleu",
    "transformer_latency",
    "attention_explorer_latency",
    "seq2seq_bleu",
    "mnist_rows_time_to_course",
    "charlstm_memorisation",
    "palindromes_time_to_criterion",
    "binary_addition_time_to_criterion",
    "cold_start",
    "peak_memory",
    "load",
}


def run_harness(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


def test_lists_every_benchmark():
    done = run_harness("--list", "--json")
    assert done.returncode == 0, done.stderr
    listed = json.loads(done.stdout)
    names = {entry["name"] for entry in listed}
    assert names >= BENCHMARKS  # and a new lab's benchmark is found by its file, not listed here
    assert "house_prices_time_to_criterion" in names
    assert all(entry["summary"] for entry in listed)


def test_quick_run_prints_and_writes_the_same_report(tmp_path):
    done = run_harness("classify_latency", "--quick", "--json", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)

    assert report["environment"]["quick"] is True
    (result,) = report["results"]
    assert result["name"] == "classify_latency"
    assert result["quick"] is True
    assert result["met"] is None  # quick figures are never compared with the target
    assert "p95" in result["target"]
    figures = result["figures"]
    for series in ("drawing", "upload"):
        assert figures[f"{series}.runs"] > 0
        assert 0 < figures[f"{series}.p50_ms"] <= figures[f"{series}.p95_ms"] <= figures[f"{series}.p99_ms"]
    assert figures["drawing_read_as"] == "7"  # the timed calls read the digit that was drawn

    assert json.loads((tmp_path / "results.json").read_text()) == report
    markdown = (tmp_path / "RESULTS.md").read_text()
    assert "| classify_latency |" in markdown
    assert "quick run" in markdown


def test_unknown_benchmark_is_a_clear_error(tmp_path):
    done = run_harness("no_such_benchmark", "--out", str(tmp_path))
    assert done.returncode == 2
    assert "unknown benchmark" in done.stderr
    assert not (tmp_path / "results.json").exists()
