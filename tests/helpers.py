"""Helpers every kind of test shares: opening the Streamlit app in AppTest, reading what it
shows, drawing on a pad with the mouse, and a toy lab for the runner. Fixtures are in conftest.py."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import torch
from PIL import Image, ImageDraw
from streamlit.testing.v1 import AppTest
from streamlit.util import calc_hash
from torch import nn

from core.events import EpochEnd, Progress, Trained
from core.labs.base import Lab
from core.specs import LabSpec, Param

ROOT = Path(__file__).resolve().parents[1]
RUN_TIMEOUT = 120  # seconds per AppTest script run: the first imports torch, on a busy 2-core box
FIRST_LOAD_MS = 120_000  # a browser's first page load imports torch and loads a model
PREDICTION_MS = 60_000


def open_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT).run()
    assert not at.exception, at.exception
    return at


def open_page(page: str) -> AppTest:
    """A page with a file of its own (app_pages/home.py, or a lab not yet generated)."""
    at = open_app()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def open_lab(lab_id: str) -> AppTest:
    """A lab's page at /<lab id>, as a student following a link gets it. (AppTest switches only
    to pages with a file; a page's identity is the hash of its URL path.)"""
    at = open_app()
    at._page_hash = calc_hash(lab_id)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def digit_one_png() -> bytes:
    """A photo-like '1': a dark stroke on white paper."""
    image = Image.new("L", (120, 160), 255)
    ImageDraw.Draw(image).line([(60, 20), (60, 140)], fill=0, width=12)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def draw_seven(page, pad) -> None:
    """A top bar, then a long diagonal down to the left, as one stroke of the mouse."""
    box = pad.bounding_box()
    left, top = box["x"], box["y"]
    page.mouse.move(left + 70, top + 60)
    page.mouse.down()
    for x in range(70, 211, 14):
        page.mouse.move(left + x, top + 60)
    for step in range(1, 13):
        page.mouse.move(left + 210 - 8 * step, top + 60 + 16 * step)
    page.mouse.up()


class ToyLab(Lab):
    """Fits y = 2x with one weight; `gate`, when set, makes each step wait for the test."""

    spec = LabSpec(
        "toy",
        "Toy",
        "Testing",
        "One weight.",
        "$y = wx$",
        params=(
            Param("steps", "int", 5, "steps", low=1, high=100_000),
            Param("learning_rate", "float", 0.1, "step", low=1e-6, high=1e6),
            Param("crash_at", "int", 0, "raise at this step (0: never)", low=0, high=100),
        ),
    )

    def __init__(self):
        self.gate: threading.Semaphore | None = None

    def build_model(self, config):
        return nn.Linear(1, 1, bias=False)

    def train(self, params, ctx):
        model = self.build_model({})
        optimizer = torch.optim.SGD(model.parameters(), lr=params["learning_rate"])
        x = torch.randn(64, 1, generator=ctx.generator)
        ctx.watch(model)
        for step in range(1, params["steps"] + 1):
            if self.gate is not None:
                assert self.gate.acquire(timeout=30), "test did not release the step"
            if step == params["crash_at"]:
                raise ValueError("simulated bug")
            loss = ((model(x) - 2 * x) ** 2).mean()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            yield Progress(step, params["steps"], step / params["steps"], {"loss": loss.item()})
            if ctx.should_stop():
                break
        yield EpochEnd(1, step, {"train_loss": loss.item()})
        yield Trained(model, {"lab": "toy"}, {"weight": model.weight.item()})
