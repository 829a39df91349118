"""export_speed: how long "Download this model" takes to write the export zip of every bundled
model (checkpoint, EXPORT.md, and where the lab has them the ONNX file and predict.py).

Target (issue 19): under 3 s for every bundled model. The ONNX export (PyTorch's torch.export
based exporter) is most of it where a lab exports; the rest is zipping a few hundred kB.
"""

from __future__ import annotations

import time

from benchmarks.harness import Options, Result, benchmark

TARGET_SECONDS = 3.0


@benchmark("export_speed", "Seconds to write the export zip of every bundled model (target < 3 s each)")
def export_speed(options: Options) -> Result:
    from core import models
    from core.export import export_archive
    from core.registry import ready_labs

    figures, slowest = {}, 0.0
    for lab in ready_labs():
        for variant in list(lab.variants)[: 1 if options.quick else None]:
            trained = models.bundled(lab, variant)
            started = time.perf_counter()
            size = len(export_archive(lab, trained))
            seconds = time.perf_counter() - started
            figures[f"{lab.spec.id}:{variant}.seconds"] = round(seconds, 2)
            figures[f"{lab.spec.id}:{variant}.kB"] = round(size / 1000)
            slowest = max(slowest, seconds)
    figures["slowest_seconds"] = round(slowest, 2)
    return Result(
        figures,
        target=f"every export < {TARGET_SECONDS:g} s",
        met=None if options.quick else slowest < TARGET_SECONDS,
        notes=["The first ONNX export in a process also imports the exporter (onnxscript): included."],
    )
