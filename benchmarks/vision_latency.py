"""What the vision labs' latency benchmarks share (inside_cnn_latency, cnn_architectures_latency,
transfer_learning): an interaction timed end to end, one call at a time as a front sends them,
on a set number of torch threads, its milliseconds summed up as percentiles."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np


def percentiles(call: Callable[[], Any], runs: int, *, with_max: bool = False) -> dict[str, float]:
    """`call` timed `runs` times in a row: its median and 95th percentile in ms (and its worst)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    ms = np.asarray(times) * 1000
    found = {
        "runs": runs,
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
    }
    if with_max:
        found["max_ms"] = round(float(ms.max()), 1)
    return found


@contextmanager
def torch_threads(count: int) -> Iterator[None]:
    """Torch on `count` threads inside the block, as many as before it after (the labs answer a
    photo on one thread: two on a busy 2-core machine were 30 to 60 times slower)."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(threads)
