"""The vision latency benchmarks' shared timing (benchmarks/vision_latency.py)."""

import torch

from benchmarks.vision_latency import percentiles, torch_threads


def test_percentiles_time_every_call_and_report_the_worst_only_when_asked():
    calls = []
    found = percentiles(lambda: calls.append(1), 7)
    assert len(calls) == 7
    assert set(found) == {"runs", "p50_ms", "p95_ms"} and found["runs"] == 7
    assert 0 <= found["p50_ms"] <= found["p95_ms"]
    worst = percentiles(lambda: None, 3, with_max=True)
    assert worst["p95_ms"] <= worst["max_ms"]


def test_torch_threads_sets_the_count_inside_and_restores_it_after_an_error():
    before = torch.get_num_threads()
    other = 2 if before == 1 else 1
    try:
        with torch_threads(other):
            assert torch.get_num_threads() == other
            raise RuntimeError("the benchmark failed")
    except RuntimeError:
        pass
    assert torch.get_num_threads() == before
