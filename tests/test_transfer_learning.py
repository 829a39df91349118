"""The transfer-learning lab: a student's classes (the "classes" input kind) from every front's
form and their bad input, the default Fashion-MNIST classes, the cut network (only the tail and
head saved), the three-phase training through the runner, teaching kept per pictures, the CLI
reading a folder of class folders."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import torch
from PIL import Image

from core.checkpoints import read_checkpoint
from core.cli import main
from core.data import FASHION_CLASSES
from core.image_classes import (
    DEFAULT,
    FASHION_PICKS,
    MAX_UPLOAD_BYTES,
    SOURCES,
    ImageClasses,
    colour_pictures,
    form_value,
    picture_count,
    read_folder,
    read_zip,
    shot_picture,
    to_classes,
    to_zip,
    uploaded_picture,
    write_folder,
)
from core.imaging import ImageInputError
from core.labs.transfer_learning import interactions
from core.labs.transfer_learning.spec import GARMENTS, PICKS
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

LAB = get_lab("transfer-learning")


def photo(colour: tuple[int, int, int], size: int = 40) -> np.ndarray:
    """A flat colour (8-bit levels, as a PNG keeps them) with a white square."""
    picture = np.ones((size, size, 3), dtype=np.float32) * (np.asarray(colour, dtype=np.float32) / 255.0)
    picture[size // 4 : size // 2, size // 4 : size // 2] = 1.0  # a white square: something to see
    return picture


def png(picture: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray((picture * 255).round().astype(np.uint8)).save(buffer, format="PNG")
    return buffer.getvalue()


RED, BLUE = photo((230, 25, 25)), photo((25, 25, 230))
TWO = [("red", [RED] * 4), ("blue", [BLUE] * 4)]


# --- the classes input kind ---------------------------------------------------------------------


def test_the_spec_names_fashion_mnist_as_core_does():
    assert GARMENTS == FASHION_CLASSES and PICKS == FASHION_PICKS


def test_classes_come_from_arrays_bytes_a_zip_and_a_folder_alike(tmp_path):
    from_arrays = to_classes(TWO)
    assert from_arrays.names == ("red", "blue") and from_arrays.counts == (4, 4)
    from_bytes = to_classes({"red": [png(RED)] * 4, "blue": [png(BLUE)] * 4})
    assert from_bytes.fingerprint() == from_arrays.fingerprint()  # the same pixels, the same key
    assert read_zip(to_zip(from_arrays)).fingerprint() == from_arrays.fingerprint()
    folder = read_folder(write_folder(from_arrays, tmp_path))  # a folder's classes: by name
    assert folder.fingerprint() == to_classes(TWO[::-1]).fingerprint()
    big = to_classes([("a", [np.ones((600, 400, 3))] * 2), ("b", [RED] * 2)])
    assert max(big.photos[0][0].shape[:2]) == 160  # shrunk on arrival


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (None, "No classes yet"),
        ([("only", [RED] * 3)], "2 to 6 classes"),
        ([(f"c{i}", [RED] * 2) for i in range(7)], "2 to 6 classes"),
        ([("same", [RED] * 2), ("Same", [BLUE] * 2)], "same name"),
        ([("", [RED] * 2), ("b", [BLUE] * 2)], "needs a name"),
        ([("a", [RED]), ("b", [BLUE] * 2)], "has 1 picture"),
        ([("a", [b"not a picture"] * 2), ("b", [BLUE] * 2)], "Class 'a'"),
        ([("a", "RED"), ("b", [BLUE] * 2)], "list of pictures"),
        ("/", "is not 'fashion-mnist'"),  # never a path: a server reads no folder a caller names
        (b"PK not really a zip", "not a zip"),
        (42, "named groups"),
    ],
)
def test_bad_classes_are_refused_saying_what_to_fix(value, says):
    with pytest.raises(ImageInputError, match=says):
        to_classes(value)


def test_the_fronts_form_becomes_the_ready_made_name_or_named_pictures():
    own = SOURCES[1]
    assert form_value(SOURCES[0], [("red", [RED] * 2)]) == DEFAULT  # the boxes are not read
    assert form_value(own, [("red", []), ("blue", [])]) is None  # nothing given yet: wait
    form = [("red", [RED] * 2), ("blue", []), ("green", [BLUE] * 2), ("empty", [])]
    assert [name for name, _ in form_value(own, form)] == ["red", "blue", "green", "empty"]
    # Gradio shows six classes' boxes: the empty ones past the first two are not classes.
    assert [name for name, _ in form_value(own, form, drop_empty=True)] == ["red", "blue", "green"]
    with pytest.raises(ImageInputError, match="Class 'blue' has 0 pictures"):
        to_classes(form_value(own, form, drop_empty=True))
    assert (picture_count([]), picture_count([RED]), picture_count([RED] * 3)) == (
        "0 pictures",
        "1 picture",
        "3 pictures",
    )


def test_an_uploaded_file_or_a_shot_is_checked_shrunk_and_a_refusal_names_the_file():
    assert uploaded_picture(png(RED), "red.png").shape == RED.shape
    big = (np.ones((600, 300, 3)) * 255).astype(np.uint8)
    assert shot_picture(big).shape == (160, 80, 3)  # a webcam's uint8 frame, shrunk
    with pytest.raises(ImageInputError, match=r"^notes\.png: .*not a readable png, jpg or webp"):
        uploaded_picture(b"not a picture", "notes.png")


def test_a_zip_bomb_is_refused_before_it_is_inflated():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a/huge.png", b"\0" * (MAX_UPLOAD_BYTES + 1))  # a few kB deflated
        archive.writestr("b/one.png", png(BLUE))
    with pytest.raises(ImageInputError, match="larger than"):
        read_zip(buffer.getvalue())


def test_the_default_classes_are_colour_garments_on_white():
    garments = np.zeros((3, 28, 28), dtype=np.uint8)
    garments[:, 10:20, 10:20] = 255
    pictures = colour_pictures(garments, seed=1, size=56)
    assert pictures.shape == (3, 56, 56, 3)
    assert np.allclose(pictures[:, 0, 0], 1.0)  # white where there is no garment
    colours = pictures[:, 28, 28]
    assert not np.allclose(colours[0], colours[1])  # each picture a colour of its own
    default = to_classes(DEFAULT)
    assert default.names == FASHION_PICKS and set(default.counts) == {8}


# --- the network ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trained_small(tmp_path_factory):
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path_factory.mktemp("runs"))
    settings = {
        "classes": "Trouser,Bag",
        "images_per_class": 5,
        "image_size": 64,
        "head_epochs": 2,
        "fine_tune_epochs": 1,
        "scratch_seconds": 1,
    }
    job = runner.submit(LAB, settings)
    job.wait()
    assert job.state == "finished", job.message
    return job


def test_training_reports_the_three_models_and_saves_only_the_tail_and_head(trained_small):
    metrics = trained_small.result.metrics
    for name in ("frozen_accuracy", "fine_tuned_accuracy", "scratch_accuracy"):
        assert 0.0 <= metrics[name] <= 1.0
    assert metrics["heldout_size"] == 100 and metrics["classes"] == ["Trouser", "Bag"]
    saved = read_checkpoint(trained_small.checkpoint_dir)
    assert {key.split(".")[0] for key in saved.state_dict} == {"tail", "conv_head", "bn2", "head"}
    assert saved.config["params"]["images_per_class"] == 5
    reloaded = LAB.load(trained_small.checkpoint_dir)
    pictures = torch.rand(2, 3, 64, 64) * 2 - 1
    with torch.no_grad():
        assert torch.allclose(reloaded.model(pictures), trained_small.result.model(pictures), atol=1e-5)
    assert "frozen" in LAB.headline(metrics)


def test_the_lab_refuses_one_garment_or_seven():
    with pytest.raises(SpecError, match="2 to 6"):
        LAB.check_params(LAB.spec.validate({"classes": "Bag"}))


def test_the_bundled_model_is_small_and_classifies_a_photo():
    folder = LAB.bundled_checkpoint()
    assert (folder / "model.safetensors").stat().st_size < 20 * 2**20
    trained = LAB.load_bundled()
    answer = LAB.interaction("classify")(trained, {"photo": "coffee"})
    assert answer["prediction"].classes == FASHION_PICKS
    assert answer["seen"].shape == (96, 96, 3)


# --- teaching a student's own classes ----------------------------------------------------------------


def test_the_same_pictures_are_taught_once_and_other_pictures_apart():
    teach = LAB.interaction("your-classes")
    first = teach(None, {"images": TWO, "photo": RED, "fine_tune": False})
    assert first["prediction"].classes == ("red", "blue")
    assert first["prediction"].label == "red"  # a red picture, two classes this different
    model, _ = interactions.teach(to_classes(TWO), False)
    again, _ = interactions.teach(to_classes(TWO), False)
    assert again is model  # kept: another photo answers at once
    other, _ = interactions.teach(to_classes([("red", [RED] * 2), ("blue", [BLUE] * 3)]), False)
    assert other is not model
    assert "2 held-out pictures" in first["note"]


def test_the_cli_reads_a_folder_of_class_folders(tmp_path, capsys):
    folder = write_folder(ImageClasses(("red", "blue"), ((RED,) * 4, (BLUE,) * 4)), tmp_path / "mine")
    assert (
        main(["transfer-learning", "your-classes", "--images", str(folder), "--no-fine-tune", "--json"]) == 0
    )
    answer = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert set(answer["prediction"]["probabilities"]) == {"red", "blue"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["transfer-learning", "your-classes", "--images", str(empty)]) != 0
    assert "no sub-folders" in capsys.readouterr().err
