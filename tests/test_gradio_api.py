"""The Gradio app's HTTP API, driven the way an outside program would: gradio_client over HTTP.

The app runs in this process on a free port. Trainings are capped at a few steps
(DLL_MAX_STEPS) so the whole file takes seconds on two CPU cores.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from gradio_client.exceptions import AppError
from helpers import lab_endpoints, photo_file, train_through_api
from PIL import Image


def draw_one(path: Path) -> Path:
    """A thick vertical stroke on white paper, as a phone photo of a '1' would look."""
    return photo_file(path, [(100, 30), (100, 170)], width=18, mode="RGB")


def classify(client: Client, path: Path, model: str = "fast-cnn") -> dict:
    return client.predict(image=handle_file(str(path)), model=model, api_name="/digits_classify")


def test_api_lists_the_named_endpoints(client: Client) -> None:
    lab_endpoints(client, "digits", "classify")


def test_classify_reads_a_photo_of_a_one(client: Client, tmp_path: Path) -> None:
    result = classify(client, draw_one(tmp_path / "one.png"))
    prediction = result["prediction"]
    assert prediction["prediction"] == "1"
    assert prediction["confidence"] > 0.5
    assert set(prediction["probabilities"]) == {str(d) for d in range(10)}
    assert abs(sum(prediction["probabilities"].values()) - 1) < 0.01
    assert result["seen"].startswith("data:image/png;base64,")  # the 28x28 the model saw
    assert result["model"] == "fast-cnn" and result["origin"] == "bundled"
    assert "MNIST" in result["trained_on"]


def test_classify_refuses_a_file_that_is_not_an_image(client: Client, tmp_path: Path) -> None:
    text = tmp_path / "notes.png"
    text.write_text("this is not a picture")
    with pytest.raises(AppError, match="not a readable png, jpg or webp image"):
        classify(client, text)


def test_classify_refuses_a_truncated_image(client: Client, tmp_path: Path) -> None:
    whole = draw_one(tmp_path / "one.png").read_bytes()
    cut = tmp_path / "cut.png"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(AppError, match="truncated"):
        classify(client, cut)


@pytest.mark.parametrize("colour", ["white", "black"])
def test_classify_refuses_a_blank_page_or_pad(client: Client, tmp_path: Path, colour: str) -> None:
    blank = tmp_path / "blank.png"
    Image.new("RGB", (64, 64), colour).save(blank)
    with pytest.raises(AppError, match="almost no contrast"):
        classify(client, blank)


def test_classify_refuses_an_unknown_model(client: Client, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="Unknown model 'resnet'"):
        classify(client, draw_one(tmp_path / "one.png"), "resnet")


def test_train_rejects_bad_settings_with_a_clear_message(client: Client) -> None:
    with pytest.raises(AppError, match=r"Learning rate: 100 is out of range \[1e-05, 10\]"):
        client.predict(learning_rate=100, api_name="/digits_train")
    with pytest.raises(AppError, match="less than minimum value 1"):  # sliders check their own range
        client.predict(epochs=0, api_name="/digits_train")


@pytest.mark.usefixtures("data_dir")
def test_a_tiny_training_becomes_this_sessions_model(client: Client, app_url: str, tmp_path: Path) -> None:
    with pytest.raises(AppError, match="no trained model yet"):
        classify(client, draw_one(tmp_path / "one.png"), "session")

    outputs = train_through_api(client, "digits", epochs=1, batch_size=64)
    status, loss, accuracy, samples, download, _choice, model_text = outputs
    assert "Training finished (ended by the step limit)" in status
    assert json.loads(loss["plot"])["data"], "the loss chart has no series"
    assert json.loads(accuracy["plot"])["data"], "the accuracy chart has no series"
    assert samples, "no held-out predictions were shown"
    assert "**fast-cnn**, trained in this session" in model_text and "MNIST" in model_text
    with zipfile.ZipFile(download) as archive:
        names = {Path(name).name for name in archive.namelist()}
    assert {"config.json", "model.safetensors", "metrics.json", "README.md"} <= names

    result = classify(client, draw_one(tmp_path / "one.png"), "session")
    assert result["origin"] == "session"
    assert result["prediction"]["prediction"] in result["prediction"]["probabilities"]
    report = client.predict(model="session", api_name="/digits_mistakes")
    assert "Held-out accuracy" in report["note"] and report["mistakes"], "20 steps cannot be perfect"

    # Another session has its own state: it cannot see this session's model.
    stranger = Client(app_url, verbose=False)
    with pytest.raises(AppError, match="no trained model yet"):
        classify(stranger, draw_one(tmp_path / "one.png"), "session")


@pytest.mark.skipif(
    (Path(__file__).resolve().parents[2] / "shared" / "datasets" / "FashionMNIST").exists(),
    reason="Fashion-MNIST is available here, so this training would not fail",
)
def test_a_training_that_fails_says_why(client: Client, monkeypatch, tmp_path) -> None:
    # Offline, with only MNIST in the data directory and no Debian copy, Fashion-MNIST cannot be
    # found (the server runs in this process and reads the variable when the data is loaded).
    monkeypatch.setenv("DLL_SYSTEM_DATASETS", str(tmp_path / "none"))
    outputs = client.predict(dataset="fashion-mnist", api_name="/digits_train")
    assert "Training failed" in outputs[0] and "could not be downloaded" in outputs[0]


@pytest.mark.parametrize(
    "endpoint",
    [
        "/digits_model_info",
        "/gan_model_info",
        "/vae_model_info",
        "/denoise_model_info",
        "/mnist_rows_model_info",
        "/charlstm_model_info",
        "/palindromes_model_info",
        "/binary_addition_model_info",
        "/attention_model_info",
        "/seq2seq_model_info",
    ],
)
def test_every_model_info_endpoint_answers_in_markdown(client: Client, endpoint: str) -> None:
    bundled = client.predict(api_name=endpoint)  # the default choice: a bundled model
    assert isinstance(bundled, str) and "bundled" in bundled.lower() and "Not available" not in bundled
    missing = client.predict("session", api_name=endpoint)
    assert "no trained model yet" in missing


def test_identical_images_written_at_once_never_truncate_each_other(tmp_path) -> None:
    """Gradio names a cached image by its bytes' hash; many students asking for the same
    picture at once must each get the whole file (the load benchmark once saw cut downloads)."""
    import threading

    from gradio import processing_utils
    from PIL import Image

    import gradio_tabs.common  # noqa: F401 - installs the fix

    picture = Image.effect_noise((580, 580), 60).convert("L")
    paths, sizes, stop = [], [], threading.Event()
    expected = len(processing_utils.encode_pil_to_bytes(picture, "webp"))

    def write() -> None:
        for _ in range(20):
            paths.append(processing_utils.save_pil_to_cache(picture, str(tmp_path)))

    def read() -> None:
        while not stop.is_set():
            for path in list(paths):
                sizes.append(Path(path).stat().st_size)

    reader = threading.Thread(target=read)
    reader.start()
    writers = [threading.Thread(target=write) for _ in range(4)]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    stop.set()
    reader.join()
    assert len(set(paths)) == 1 and sizes and set(sizes) == {expected}


def test_every_lab_is_a_page_of_its_own_holding_only_its_own_controls() -> None:
    """The pages are built in one context (gradio_app.start_page): each lab's controls and events
    must still belong to its page alone, as `app.route` would have recorded them."""
    import gradio_app
    from core.catalogue import ready_specs

    config = gradio_app.demo.config
    ids = [spec.id for spec in ready_specs()]
    assert [path for path, _, _ in config["pages"]] == ["", *ids]
    owner = {}
    for path, page in config["page"].items():
        for component in page["components"]:
            assert component not in owner, f"component {component} on {owner.get(component)!r} and {path!r}"
            owner[component] = path
    for lab_id in ids:
        own = set(config["page"][lab_id]["dependencies"])
        endpoints = {fn["api_name"] for fn in config["dependencies"] if fn["id"] in own}
        assert any(name and name.startswith(lab_id.replace("-", "_")) for name in endpoints), lab_id
