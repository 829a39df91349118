"""The inside-cnn lab in core: the pretrained weights (read once, cached as safetensors), the
photos (bundled, uploaded, refused), the top-5, every stage's maps, Grad-CAM, occlusion and
integrated gradients, the per-photo cache, and what its "training" writes."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import models, pretrained
from core.checkpoints import CheckpointError
from core.cli import main
from core.errors import USER_ERRORS
from core.imaging import BUNDLED_PHOTOS, ImageInputError, bundled_photo, read_photo, to_photo
from core.labs.inside_cnn import seeing
from core.labs.inside_cnn.interactions import resolve_target
from core.labs.inside_cnn.model import STAGES
from core.registry import get_lab
from core.specs import SpecError

LAB = get_lab("inside-cnn")
CAT_CLASSES = {"Egyptian cat", "tabby, tabby cat", "tiger cat", "Persian cat", "Siamese cat, Siamese"}


@pytest.fixture(scope="module")
def bundled():
    return models.choose(LAB, None)


def run(name: str, trained, **inputs):
    return LAB.interaction(name)(trained, inputs)


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


# --- the weights ---------------------------------------------------------------------------


def test_the_package_weights_map_onto_timm_and_are_cached_as_safetensors(tmp_path):
    state = pretrained.read_state(tmp_path)  # from the pickle, with weights_only
    copies = list(tmp_path.glob("*.safetensors"))
    assert len(copies) == 1 and copies[0].stat().st_size > 10_000_000
    again = pretrained.read_state(tmp_path)  # from the copy
    assert state.keys() == again.keys() == pretrained.efficientnet_lite0().state_dict().keys()
    assert all(torch.equal(state[k], again[k]) for k in state)
    assert len(pretrained.imagenet_classes()) == 1000
    assert pretrained.imagenet_classes()[285] == "Egyptian cat"


def test_the_bundled_checkpoint_records_the_weights_it_does_not_hold(bundled):
    folder = LAB.bundled_checkpoint()
    assert (folder / "model.safetensors").stat().st_size < 1024  # no 17 MB copy in the repo
    config = json.loads((folder / "config.json").read_text())
    assert config["weights"]["package"] == pretrained.PACKAGE
    assert bundled.metrics["photos_top5"] == 1.0  # what `python -m core train` measured
    assert "top-5 4 of 4" in LAB.headline(bundled.metrics)
    with pytest.raises(CheckpointError, match="uses efficientnet-lite0"):
        LAB.build_model(config | {"weights": {"package": "someone-elses-vgg16"}})


def test_training_checks_the_weights_and_scores_the_photos(tmp_path, capsys):
    out = tmp_path / "small"
    assert main(["train", "inside-cnn", "--set", "image_size=128", "--out", str(out)]) == 0
    summary = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert summary["metrics"]["photos"] == 4 and summary["metrics"]["image_size"] == 128
    trained = LAB.load(out)
    assert trained.config["image_size"] == 128
    assert seeing.look(trained, bundled_photo("coffee")).crop.shape == (128, 128, 3)


# --- what the network says -----------------------------------------------------------------


def test_the_cat_is_a_cat_and_the_coffee_an_espresso(bundled):
    cat = run("top-5", bundled, photo="chelsea")["guesses"]
    assert len(cat.classes) == 5
    assert any(name.rsplit(" [", 1)[0] in CAT_CLASSES for name in cat.classes)
    assert "Egyptian cat [285]" in cat.classes
    coffee = run("top-5", bundled, photo=bundled_photo("coffee"))["guesses"]
    assert coffee.label == "espresso [967]" and coffee.confidence > 0.5


def test_every_stage_has_maps_that_shrink_as_they_deepen(bundled):
    answer = run("feature-maps", bundled, photo="chelsea", stage="head", count=5)
    sizes = [(row["maps"], row["height"]) for row in answer["shapes"]]
    assert [row["stage"] for row in answer["shapes"]] == list(STAGES)
    assert sizes[0] == (32, 112) and sizes[-1] == (1280, 7)
    assert [h for _, h in sizes] == sorted((h for _, h in sizes), reverse=True)
    assert len(answer["maps"]) == 5 and len(answer["overview"]) == len(STAGES)
    assert all(image.shape == (7, 7) for image, _ in answer["maps"])
    filters = run("filters", bundled, photo="chelsea")
    assert len(filters["filters"]) == 32 and filters["filters"][0][0].shape == (3, 3, 3)
    assert all(image.min() >= 0 and image.max() <= 1 for image, _ in filters["filters"])


def test_grad_cam_has_the_photos_shape_is_not_constant_and_follows_the_class(bundled):
    photo = bundled_photo("chelsea")
    cat = run("grad-cam", bundled, photo=photo, target="Egyptian cat")
    assert cat["map"].shape == (224, 224) and cat["overlay"].shape == (224, 224, 3)
    assert cat["map"].std() > 0.05 and cat["map"].max() == pytest.approx(1.0)
    predicted = run("grad-cam", bundled, photo=photo, target="predicted")
    assert "tiger cat" in predicted["note"] or "Egyptian cat" in predicted["note"]
    other = run("grad-cam", bundled, photo=photo, target="967")  # espresso: not in this photo
    assert "espresso [967]" in other["note"]
    assert np.abs(other["map"] - cat["map"]).mean() > 0.05


@pytest.mark.parametrize("method", ["occlusion", "integrated gradients"])
def test_occlusion_and_integrated_gradients_make_a_map_of_the_photo(bundled, method):
    answer = run("attribution", bundled, photo="coffee", target="espresso", method=method)
    assert answer["map"].shape == (224, 224) and answer["map"].std() > 0.02
    assert "espresso [967]" in answer["note"]


def test_a_photo_is_looked_at_once(bundled):
    photo = bundled_photo("rocket")
    first = seeing.look(bundled, photo)
    assert seeing.look(bundled, photo.copy()) is first  # same pixels: kept
    assert seeing.look(bundled, photo[:, ::-1].copy()) is not first


# --- what is refused, and how ----------------------------------------------------------------


def test_classes_are_found_by_number_or_name_and_a_wrong_one_is_explained(bundled):
    sight = seeing.look(bundled, bundled_photo("chelsea"))
    assert resolve_target("285", sight) == resolve_target("egyptian  cat", sight) == 285
    assert resolve_target("tabby", sight) == 281
    assert resolve_target("", sight) == sight.predicted
    with pytest.raises(SpecError, match="fits 7 ImageNet classes: tabby"):
        resolve_target("cat", sight)
    with pytest.raises(SpecError, match="0 to 999"):
        resolve_target("1000", sight)
    with pytest.raises(SpecError, match="no ImageNet class is called 'unicorn'"):
        run("grad-cam", bundled, photo="chelsea", target="unicorn")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not a readable png"),
        (png(np.zeros((8, 8, 3), dtype=np.uint8)), "at least 32 pixels"),
        (png(np.zeros((3000, 14000), dtype=np.uint8)), "megapixels"),
    ],
)
def test_a_bad_upload_gets_a_clear_message(data, message):
    with pytest.raises(ImageInputError, match=message):
        read_photo(data)


def test_any_photo_shape_is_read_or_refused_plainly(bundled):
    grey = read_photo(png(np.full((64, 80), 200, dtype=np.uint8)))
    assert grey.shape == (64, 80, 3) and grey.max() == pytest.approx(200 / 255)
    assert read_photo(png(np.zeros((2000, 1500, 4), dtype=np.uint8))).shape == (1024, 768, 3)
    assert to_photo(np.ones((40, 40, 3)) * 255).max() == 1.0
    for bad, message in [
        (np.ones((40, 40, 2)), "3 colours"),
        (np.full((40, 40, 3), np.nan), "from 0 to 1"),
        ("dog", "No bundled photo named 'dog'"),
        (None, "No photo yet"),
    ]:
        with pytest.raises(USER_ERRORS, match=message):
            run("top-5", bundled, photo=bad)
    assert set(BUNDLED_PHOTOS) >= {"chelsea", "coffee", "astronaut", "rocket"}


def test_the_cli_reads_a_bundled_name_or_a_file(tmp_path, capsys):
    assert main(["inside-cnn", "top-5", "coffee", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["guesses"]["prediction"] == "espresso [967]"
    photo = tmp_path / "cat.png"
    photo.write_bytes(png((bundled_photo("chelsea") * 255).astype(np.uint8)))
    out = tmp_path / "cam.png"
    assert main(["inside-cnn", "grad-cam", str(photo), "Egyptian cat", "--out", str(out)]) == 0
    assert Image.open(out).size == (224, 224)
    assert main(["inside-cnn", "top-5", str(tmp_path / "missing.jpg")]) == 2
    assert "no such file, and no bundled photo" in capsys.readouterr().err
