"""Helpers every kind of test shares: opening the Streamlit app in AppTest, reading what it
shows, drawing on a pad with the mouse, and a toy lab for the runner. Fixtures are in conftest.py."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
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
    """A lab's page at /<lab id>, as a student following a link gets it: the session's first
    run is the lab's page. (AppTest switches only to pages with a file; a page's identity is the
    hash of its URL path.)"""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=RUN_TIMEOUT)
    at._page_hash = calc_hash(lab_id)
    at.run()
    assert not at.exception, at.exception
    return at


def texts(elements) -> str:
    return "\n".join(element.value for element in elements)


def captions(at) -> str:
    """Text captions and image captions together."""
    return "\n".join(
        [texts(at.caption), *(caption for image in at.get("image") for caption in image.captions)]
    )


def model_radio(at: AppTest, lab_id: str):
    """The lab page's model picker (bundled models, this session's, loaded from a file)."""
    return at.radio(key=f"{lab_id}-training-model")


WIDGET_KINDS = (
    "slider",
    "select_slider",
    "number_input",
    "selectbox",
    "multiselect",
    "text_area",
    "text_input",
)


def widget(at: AppTest, key: str):
    """The widget with this key, whatever its kind."""
    for kind in WIDGET_KINDS:
        for element in at.get(kind):
            if element.key == key:
                return element
    raise KeyError(f"no widget with the key {key!r}")


def train_on_page(
    lab_id: str, settings: dict | None = None, *, max_steps: int | None = None, timeout: float = 240
):
    """A tiny training through the lab's page, as a student does it: set the training settings
    ({name: value}), press Train (the runner caps the job at `max_steps` steps, reading
    DLL_MAX_STEPS at submit), wait for the job and rerun. Checks what every page shows after a
    training (no exception, "Training finished", this session's model picked) and returns the
    page and its training view (`view.job`, `view.history`)."""
    from ui_streamlit import SESSION

    at = open_lab(lab_id)
    for name, value in (settings or {}).items():
        widget(at, f"{lab_id}-{name}").set_value(value)
    with pytest.MonkeyPatch.context() as patch:
        if max_steps is not None:
            patch.setenv("DLL_MAX_STEPS", str(max_steps))
        at.button(key=f"{lab_id}-train").click().run()
    view = at.session_state[f"{lab_id}-training"]
    assert view.job.owner == at.session_state["owner"]
    assert view.job.wait(timeout=timeout), "the training did not finish"
    at.run()
    assert not at.exception, at.exception
    assert "Training finished" in texts(at.success)
    assert model_radio(at, lab_id).value == SESSION
    return at, view


SEVEN = [(50, 40), (150, 40), (90, 170)]  # strokes on a 200x200 photo


def photo_png(
    strokes, size=(200, 200), width: int = 16, paper: int = 255, ink: int = 0, mode: str = "L"
) -> bytes:
    """A photo-like digit as PNG bytes: dark strokes through the points `strokes` on light
    paper (grey levels), saved in `mode` ("RGB": a colour photo of the same page)."""
    image = Image.new("L", size, paper)
    ImageDraw.Draw(image).line(strokes, fill=ink, width=width)
    buffer = io.BytesIO()
    image.convert(mode).save(buffer, format="PNG")
    return buffer.getvalue()


def photo_file(path: Path, strokes, **style) -> Path:
    """`photo_png(strokes, **style)` written to `path`."""
    path.write_bytes(photo_png(strokes, **style))
    return path


def digit_one_png(mode: str = "L") -> bytes:
    """A photo-like '1': a dark stroke on white paper."""
    return photo_png([(60, 20), (60, 140)], size=(120, 160), width=12, mode=mode)


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


def draw_seven_on_gradio_pad(page, pad) -> None:
    """`draw_seven` on a Gradio Sketchpad, which sends a drawing as uploads. A stroke made while
    the pad's editor is still starting is dropped without a sign (seen once in a full run at load
    5: no upload followed, the page kept waiting); a student would draw again, and so does this,
    once, only when the first stroke sent nothing."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    def uploaded(request) -> bool:
        return "/gradio_api/upload" in request.url

    try:
        with page.expect_request(uploaded, timeout=15_000):
            draw_seven(page, pad)
    except PlaywrightTimeout:
        with page.expect_request(uploaded, timeout=PREDICTION_MS):
            draw_seven(page, pad)


TOY_SETTINGS = (
    Param("steps", "int", 5, "steps", low=1, high=100_000),
    Param("learning_rate", "float", 0.1, "step", low=1e-6, high=1e6),
    Param("crash_at", "int", 0, "raise at this step (0: never)", low=0, high=100),
)


class ToyLab(Lab):
    """Fits y = 2x with one weight; `gate`, when set, makes each step wait for the test."""

    spec = LabSpec("toy", "Toy", "Testing", "One weight.", "$y = wx$", params=TOY_SETTINGS)

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


# --- the Gradio API, through gradio_client ------------------------------------------------------


def api(lab_id: str, name: str) -> str:
    """A lab's endpoint, /<lab>_<name> ("-" as "_")."""
    return f"/{lab_id}_{name}".replace("-", "_")


def parameters(endpoints: dict, api_name: str) -> list[str]:
    """An endpoint's parameters, in order."""
    return [p["parameter_name"] for p in endpoints[api_name]["parameters"]]


def lab_endpoints(client, lab_id: str, *names: str) -> dict:
    """The API's named endpoints, once checked that the lab's `names` (with train, stop and
    model_info) are listed and that /<lab>_train takes the lab's settings in the spec's order,
    then the lesson link's `lesson` and `lesson_answer` (both optional)."""
    from core.registry import get_lab

    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    missing = {api(lab_id, name) for name in (*names, "train", "stop", "model_info")} - set(endpoints)
    assert not missing, f"not listed: {sorted(missing)}"
    settings = [p.name for p in get_lab(lab_id).spec.params]
    assert parameters(endpoints, api(lab_id, "train")) == [*settings, "lesson", "lesson_answer"]
    return endpoints


def train_through_api(client, lab_id: str, **settings) -> list:
    """A tiny training through /<lab>_train (`client` caps it at DLL_MAX_STEPS): its last update
    says it finished, offers the checkpoint for download and makes the model this session's.
    Returns the outputs: status, a chart per metric, samples, download, model choice, model text."""
    outputs = client.predict(**settings, api_name=api(lab_id, "train"))
    status, download, model_choice = outputs[0], outputs[-3], outputs[-2]
    assert "Training finished" in status, status
    assert download, "no download of the trained model"
    assert model_choice == "session"
    return outputs
