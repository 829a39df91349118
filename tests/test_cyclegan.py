"""The CycleGAN lab: the two emoji styles and their unpaired split, the networks, the style
judge, a short training through the runner, the interactions and the command line
(`python -m core cyclegan translate|picture|heldout`). Skipped, saying what to install, where
Noto Color Emoji or OpenMoji is missing."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
import torch
from PIL import Image

from core import emoji as emoji_module
from core.cli import main
from core.data import DataUnavailableError
from core.emoji import SIZE, fonts_available, load_emoji, render, split
from core.events import Progress, Samples
from core.imaging import read_photo
from core.labs.cyclegan import train as training
from core.labs.cyclegan.interactions import translate_emoji, translate_picture
from core.labs.cyclegan.judge import openmoji_probability, style_judge
from core.labs.cyclegan.model import CycleGAN, build_cyclegan, to_tensor
from core.registry import get_lab
from core.runner import TrainingRunner
from core.specs import SpecError

needs_fonts = pytest.mark.skipif(fonts_available() is not None, reason=str(fonts_available()))
LAB = get_lab("cyclegan")


# --- the data -------------------------------------------------------------------------------


@needs_fonts
def test_the_split_is_unpaired_and_the_heldout_emoji_are_in_neither_training_set():
    emoji = load_emoji()
    a, b, held = set(emoji.train_a.tolist()), set(emoji.train_b.tolist()), set(emoji.heldout.tolist())
    assert not a & b and not held & (a | b), "no emoji in two parts"
    assert len(a) + len(b) + len(held) == len(emoji.chars) > 1000
    assert abs(len(a) - len(b)) <= 1 and len(held) > 150
    assert emoji.noto.shape == emoji.openmoji.shape == (len(emoji.chars), SIZE, SIZE, 3)
    assert emoji.noto.dtype == np.uint8
    # The split is fixed: the same emoji on every machine.
    assert all(
        (x == y).all()
        for x, y in zip(split(len(emoji.chars)), (emoji.train_a, emoji.train_b, emoji.heldout), strict=True)
    )
    assert "held out" in emoji.split_of(int(emoji.heldout[0]))


@needs_fonts
def test_both_styles_draw_a_picture_on_white_and_differ():
    noto, openmoji = render("🍒", "noto"), render("🍒", "openmoji")
    for picture in (noto, openmoji):
        assert picture.shape == (SIZE, SIZE, 3)
        assert (picture[0, 0] == 255).all(), "white background"
        assert (picture < 200).any(axis=2).mean() > 0.05, "something drawn"
    assert np.abs(noto.astype(int) - openmoji.astype(int)).mean() > 10
    assert (openmoji < 40).all(axis=2).mean() > (noto < 40).all(axis=2).mean(), "OpenMoji's black outlines"


def test_a_missing_font_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(emoji_module, "NOTO_FONT_PATHS", (str(tmp_path / "none.ttf"),))
    monkeypatch.delenv("DLL_NOTO_EMOJI_FONT", raising=False)
    with pytest.raises(DataUnavailableError, match="apt-get install fonts-noto-color-emoji"):
        emoji_module.noto_font_path()
    assert "fonts-noto-color-emoji" in (emoji_module.fonts_available() or "")
    assert "fonts-noto-color-emoji" in (LAB.missing() or "")


# --- the networks and the judge ---------------------------------------------------------------


def test_a_generator_that_starts_as_the_identity_returns_its_input():
    model = CycleGAN(width=4, blocks=1, d_width=4)
    x = torch.rand(2, 3, SIZE, SIZE) * 2 - 1
    there, back = model.translate(x, "ab")
    assert torch.equal(there, x) and torch.equal(back, x)
    assert model.d_b(x).shape == (2, 1, 3, 3), "a 3x3 grid of patch verdicts"


def test_the_course_sized_generator_keeps_the_picture_size():
    model = build_cyclegan("course", residual=False)
    assert sum(p.numel() for p in model.g_ab.parameters()) > 7_000_000  # the course's 9 blocks
    with torch.no_grad():
        out = model.g_ab(torch.zeros(1, 3, SIZE, SIZE))
    assert out.shape == (1, 3, SIZE, SIZE) and out.abs().max() <= 1


@needs_fonts
def test_the_bundled_judge_tells_the_real_heldout_styles_apart():
    emoji = load_emoji()
    judge = style_judge()
    noto = openmoji_probability(to_tensor(emoji.noto[emoji.heldout]), judge)
    openmoji = openmoji_probability(to_tensor(emoji.openmoji[emoji.heldout]), judge)
    assert (noto <= 0.5).float().mean() > 0.95 and (openmoji > 0.5).float().mean() > 0.95


# --- training -------------------------------------------------------------------------------


@pytest.mark.slow
@needs_fonts
def test_a_short_training_streams_losses_figures_and_colour_strips(tmp_path, monkeypatch):
    monkeypatch.setattr(training, "CHECKS_PER_EPOCH", 145)  # a probe every 2 steps (290 a pass at batch 2)
    runner = TrainingRunner(max_concurrent=1, out_root=tmp_path)
    settings = {"epochs": 1, "batch_size": 2, "lambda_identity": 5.0}
    job = runner.submit(LAB, settings, max_steps=2)
    assert job.wait(120)
    events = job.events_since(0)
    steps = [e for e in events if isinstance(e, Progress)]
    wanted = {"loss", "g_gan", "cycle_l1", "identity_l1", "d_a", "d_b", "heldout_pass_ab", "heldout_cycle_l1"}
    assert len(steps) == 2 and wanted <= set(steps[-1].metrics)
    samples = [e for e in events if isinstance(e, Samples)][-1]
    assert samples.images.shape == (8, SIZE, 3 * SIZE + 2 * training.PAD, 3)
    assert "judged" in samples.captions[0]
    trained = job.result
    assert trained is not None and trained.metrics["heldout_size"] == len(load_emoji().heldout)
    assert 0 <= trained.metrics["heldout_pass_ab"] <= 1
    reloaded = LAB.load(trained.path)
    assert "identity baseline" in (trained.path / "README.md").read_text()
    assert LAB.headline(reloaded.metrics).startswith(f"{trained.metrics['heldout_pass_ab']:.0%}")


# --- interactions and the command line ----------------------------------------------------------


@pytest.fixture(scope="module")
def untrained():
    from core.labs.base import TrainedModel

    return TrainedModel("cyclegan", CycleGAN(width=4, blocks=1, d_width=4).eval(), {})


@needs_fonts
def test_translating_a_heldout_emoji_shows_the_real_one_beside_it(untrained):
    result = translate_emoji(untrained, "🍕\ufe0f", "Noto → OpenMoji → Noto")
    assert len(result["trip"]) == 4 and "held out" in result["note"]
    figures = result["figures"]
    # An untrained identity generator: a perfect round trip, a translation no better than nothing.
    assert figures["cycle_l1"] == 0 and figures["translation_l1"] == figures["identity_l1"] > 0.05


@needs_fonts
@pytest.mark.parametrize(
    ("text", "message"),
    [("", "type or paste one emoji"), ("🇫🇷", "one emoji at a time"), ("x", "not one both fonts draw")],
)
def test_an_unusable_emoji_gets_a_clear_message(untrained, text, message):
    with pytest.raises(SpecError, match=message):
        translate_emoji(untrained, text, "Noto → OpenMoji → Noto")


@needs_fonts
def test_an_uploaded_drawing_with_transparency_is_put_on_white_and_translated(untrained):
    drawing = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    drawing.paste((200, 30, 30, 255), (100, 20, 200, 100))
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG")
    result = translate_picture(untrained, read_photo(buffer.getvalue()), "OpenMoji → Noto → OpenMoji")
    first = result["trip"][0][0]
    assert first.shape == (SIZE, SIZE, 3) and first[0, 0].min() > 0.99, "padded with white"


@needs_fonts
def test_the_command_line_translates_an_emoji_with_the_bundled_model(capsys):
    assert main(["cyclegan", "translate", "🍒", "--json"]) == 0
    answer = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert {"judged_as_target", "cycle_l1", "translation_l1", "identity_l1"} <= set(answer["figures"])
