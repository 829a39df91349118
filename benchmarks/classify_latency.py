"""classify_latency: how long the Digits lab takes to read a drawing or an uploaded photo.

Both calls are the lab's pure interaction functions with the bundled model, timed end to end
(pre-processing, the forward pass, the softmax), one input at a time as the UI sends them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from benchmarks.harness import Options, Result, benchmark, series_figures

TARGET_P95_MS = 20.0
WARM_UP = 10  # untimed calls first: the first forward pass sets up kernels
SEVEN = [(70, 62), (210, 62), (125, 235)]  # a "7" on a 280x280 pad


def drawing_pad(size: int = 280) -> np.ndarray:
    """What the drawing pad sends: RGBA, white ink 18 px wide on an opaque black background."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 255))
    ImageDraw.Draw(image).line(SEVEN, fill=(255, 255, 255, 255), width=18, joint="curve")
    return np.asarray(image)


def photo_jpeg(size: int = 1000, seed: int = 0) -> bytes:
    """A phone-photo-like JPEG: uneven, noisy paper with a blurred dark "7" written on it."""
    rng = np.random.default_rng(seed)
    shade = np.linspace(235, 190, size)[None, :] - np.linspace(0, 20, size)[:, None]  # uneven light
    paper = shade[..., None] + rng.normal(0, 6, (size, size, 3))
    image = Image.fromarray(np.clip(paper, 0, 255).astype(np.uint8), "RGB")
    scale = size / 280
    ink = [(x * scale, y * scale) for x, y in SEVEN]
    ImageDraw.Draw(image).line(ink, fill=(40, 45, 60), width=int(18 * scale), joint="curve")
    buffer = io.BytesIO()
    image.filter(ImageFilter.GaussianBlur(2)).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def time_calls(call: Callable[[], Any], runs: int) -> dict[str, float]:
    """Latency percentiles in milliseconds over `runs` calls, after an untimed warm-up."""
    for _ in range(WARM_UP):
        call()
    times = np.empty(runs)
    for i in range(runs):
        started = time.perf_counter()
        call()
        times[i] = time.perf_counter() - started
    ms = times * 1000
    return {
        "runs": runs,
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
        "p99_ms": round(float(np.percentile(ms, 99)), 2),
        "max_ms": round(float(ms.max()), 2),
    }


def drawing_reader(lab: Any) -> Callable[[Any, Any], dict]:
    """A pad's RGBA pixels -> the classify interaction's answer, as the fronts do it."""
    from core.imaging import canvas_to_gray

    classify = lab.interaction("classify")
    return lambda trained, pad: classify(trained, {"image": canvas_to_gray(pad)})


def upload_reader(lab: Any) -> Callable[[Any, bytes], dict]:
    """An uploaded file's bytes -> the classify interaction's answer."""
    from core.imaging import read_upload

    classify = lab.interaction("classify")
    return lambda trained, data: classify(trained, {"image": read_upload(data)})


@benchmark(
    "classify_latency",
    "Latency of the Digits lab's classify interaction (what every front runs: prediction, the "
    "28x28 frame and each layer's maps) for a 280x280 RGBA pad and a 1000x1000 JPEG photo, with "
    "the bundled model, one input at a time, from the raw pixels or bytes.",
)
def classify_latency(options: Options) -> Result:
    import torch

    from core import models
    from core.registry import get_lab

    lab = get_lab("digits")
    trained = models.bundled(lab, models.default_choice(lab))
    classify_drawing, classify_upload = drawing_reader(lab), upload_reader(lab)
    pad, photo = drawing_pad(), photo_jpeg()
    runs = 20 if options.quick else 300
    drawing = time_calls(lambda: classify_drawing(trained, pad), runs)
    upload = time_calls(lambda: classify_upload(trained, photo), runs)

    figures: dict[str, Any] = {
        "model": trained.config.get("architecture"),
        "torch_threads": torch.get_num_threads(),
        # A sanity check that the timed calls do real work: both inputs show a 7.
        "drawing_read_as": classify_drawing(trained, pad)["prediction"].label,
        "photo_read_as": classify_upload(trained, photo)["prediction"].label,
        "photo_jpeg_kb": round(len(photo) / 1024, 1),
    }
    figures |= series_figures({"drawing": drawing, "upload": upload})
    return Result(
        figures=figures,
        target=f"classify_drawing p95 <= {TARGET_P95_MS:.0f} ms (upload: no target)",
        met=drawing["p95_ms"] <= TARGET_P95_MS,
        notes=[f"{WARM_UP} untimed calls before each series; times are wall clock per call."],
    )
