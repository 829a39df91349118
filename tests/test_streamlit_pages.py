"""The Streamlit front through AppTest: every page renders, and the Digits page trains through
the shared runner, then offers the trained model, predicts uploads and loads checkpoints."""

from __future__ import annotations

import pytest
from helpers import ROOT, digit_one_png, open_lab, open_page, texts, train_on_page

import ui_streamlit as ui
from app_pages import lab_page
from core.catalogue import catalogue
from core.checkpoints import archive_bytes
from core.events import Progress
from core.registry import get_lab
from core.runner import default_runner

# Pages that still have a file of their own; generated lab pages are opened in test_interactions.
PAGES = sorted(
    f"app_pages/{path.name}" for path in (ROOT / "app_pages").glob("*.py") if path.name != "__init__.py"
)
MODEL_RADIO = "digits-training-model"
DEFAULT_MODEL = "Bundled fast-cnn"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(page):
    at = open_page(page)
    assert at.title, f"{page} shows no title"


def test_home_lists_every_lab_and_links_the_ready_ones():
    at = open_page("app_pages/home.py")
    cards = texts(at.markdown)
    specs = [spec for topic in catalogue().values() for spec in topic]
    for spec in specs:
        assert spec.title in cards
    ready_with_page = [spec for spec in specs if lab_page(spec)]
    assert len(at.get("page_link")) == len(ready_with_page) >= 1


def test_digits_page_starts_with_the_pretrained_model_and_an_empty_pad():
    at = open_lab("digits")
    assert at.radio(key=MODEL_RADIO).value == DEFAULT_MODEL
    assert "**fast-cnn**, bundled" in texts(at.caption)
    assert "trained on MNIST" in texts(at.caption)  # which data, always said
    assert "Draw or upload a picture" in texts(at.info)
    assert not at.error


def test_uploaded_photo_is_classified_and_a_bad_file_explained():
    at = open_lab("digits")
    at.file_uploader(key="digits-classify-image-upload").upload("one.png", digit_one_png(), "image/png").run()
    assert "Prediction: 1" in texts(at.markdown)

    at.file_uploader(key="digits-classify-image-upload").clear().upload(
        "broken.png", b"not an image", "image/png"
    ).run()
    assert not at.exception
    assert "not a readable png, jpg or webp image" in texts(at.error)


def test_tiny_training_completes_and_the_page_switches_to_its_model():
    at, view = train_on_page("digits", {"epochs": 1}, max_steps=20)  # the runner caps the job
    assert view.history.steps["loss"], "the page did not read the job's progress"
    assert "trained in this session" in texts(at.caption)
    # The confusion matrix and gallery now describe the new model, not the bundled one.
    accuracy = view.job.result.metrics["heldout_accuracy"]
    at.button(key="digits-mistakes-run").click().run()
    assert f"Held-out accuracy **{accuracy:.2%}**" in texts(at.markdown)
    assert at.get("download_button"), "no way to download the trained model"

    at.radio(key=MODEL_RADIO).set_value(DEFAULT_MODEL).run()
    assert "**fast-cnn**, bundled" in texts(at.caption)


def test_diverging_training_is_stopped_and_explained(monkeypatch):
    monkeypatch.setenv("DLL_MAX_STEPS", "50")
    at = open_lab("digits")
    at.select_slider(key="digits-learning_rate").set_value(10.0)
    at.selectbox(key="digits-optimizer").set_value("sgd")
    at.selectbox(key="digits-schedule").set_value("constant")
    at.slider(key="digits-batch_size").set_value(32)
    at.button(key="digits-train").click().run()
    job = at.session_state["digits-training"].job
    assert job.wait(timeout=120)

    at.run()
    assert job.stop_reason == "nan", job.message
    assert job.message in texts(at.error)  # the runner's explanation, as an error box
    assert "learning rate" in job.message
    assert not at.exception


def test_stop_ends_the_training_and_keeps_the_model_so_far():
    at = open_lab("digits")
    at.slider(key="digits-epochs").set_value(1)
    at.button(key="digits-train").click().run()
    job = at.session_state["digits-training"].job
    next(event for event in job.stream() if isinstance(event, Progress))  # it is training now

    at.button(key="digits-training-stop").click().run()
    assert job.wait(timeout=60)
    at.run()
    assert job.state == "stopped" and job.result is not None
    assert "Stopped on request" in texts(at.warning)
    assert at.radio(key=MODEL_RADIO).value == ui.SESSION


def test_second_training_in_the_same_session_is_refused_with_a_message():
    at = open_lab("digits")
    at.session_state["owner"] = "student-with-a-training"
    running = default_runner().submit(get_lab("digits"), {}, owner="student-with-a-training")
    try:
        at.button(key="digits-train").click().run()
        assert not at.exception
        assert "already queued or running" in texts(at.error)
    finally:
        running.stop()
        running.wait(timeout=60)


def test_checkpoint_zip_loads_and_a_pickle_is_refused():
    at = open_lab("digits")
    bundled = get_lab("digits").bundled_checkpoint()
    at.file_uploader(key="digits-training-zip").upload(
        "mine.zip", archive_bytes(bundled), "application/zip"
    ).run()
    assert not at.exception
    assert at.radio(key=MODEL_RADIO).value == ui.LOADED
    assert "loaded from mine.zip" in texts(at.caption)

    pickle = b"\x80\x04\x95pickled torch.save output"
    at.file_uploader(key="digits-training-zip").clear().upload(
        "torch-save.zip", pickle, "application/zip"
    ).run()
    assert "Could not load torch-save.zip" in texts(at.error)
    assert "pickle" in texts(at.error)
