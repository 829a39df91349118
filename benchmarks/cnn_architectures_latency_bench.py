"""cnn_architectures_latency: how long each of the cnn-architectures lab's interactions takes
with the bundled model, end to end (inputs checked, the networks run, the outputs and charts
built), one request at a time as a front sends them, on one torch thread.

- classify: a Fashion-MNIST test picture by number through all four networks (each call a
  picture not asked for before, so nothing is answered from a cache);
- gradients: fresh deep nets with and without skips, one forward and backward each, at the
  default 30 layers (a new seed each call) and at the largest, 60;
- compare and deep: the bundled model's recorded figures drawn as a table and charts.

Run it alone with `python -m benchmarks.cnn_architectures_latency_bench`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from benchmarks.harness import Options, Result, benchmark, progress, series_figures
from benchmarks.vision_latency import percentiles, torch_threads

NAME = "cnn_architectures_latency"
TARGET_MS = 300.0  # the live interactions (classify moves with a number input)


@benchmark(
    NAME,
    "VGG and ResNet against a simple CNN: p95 latency of every interaction with the bundled model, "
    "one torch thread (classify through four networks, gradients at 30 and 60 layers, the charts).",
)
def cnn_architectures_latency(options: Options) -> Result:

    from core import models
    from core.registry import get_lab

    runs = 5 if options.quick else 30
    with torch_threads(1):
        lab = get_lab("cnn-architectures")
        trained = models.choose(lab, None)
        pictures, seeds = iter(range(1, 10**6)), iter(range(1, 10**6))
        cases: dict[str, Callable[[], Any]] = {
            "classify": lambda: lab.interaction("classify")(trained, {"index": next(pictures)}),
            "gradients.30-layers": lambda: lab.interaction("gradients")(
                None, {"depth": 30, "seed": next(seeds)}
            ),
            "gradients.60-layers": lambda: lab.interaction("gradients")(
                None, {"depth": 60, "seed": next(seeds)}
            ),
            "compare": lambda: lab.interaction("compare")(trained, {}),
            "deep": lambda: lab.interaction("deep")(trained, {}),
        }
        for call in cases.values():  # untimed: imports, the test pictures' first read
            call()
        found = {}
        for name, call in cases.items():
            progress(f"cnn-architectures: {name}...")
            found[name] = percentiles(call, runs)
    worst = max(values["p95_ms"] for values in found.values())
    return Result(
        series_figures(found) | {"worst_p95_ms": worst},
        target=f"every interaction under {TARGET_MS:.0f} ms (p95), one thread",
        met=None if options.quick else worst < TARGET_MS,
        notes=[f"load average {os.getloadavg()[0]:.1f} at the end (other work on the machine)"],
        details=found,
    )


if __name__ == "__main__":
    from benchmarks.harness import main

    sys.exit(main([*(sys.argv[1:] or []), *([] if NAME in sys.argv else [NAME])]))
