"""What a student does with a CycleGAN: pure functions of (model, input), declared once for every
front, the API and the CLI. Each shows a picture's trip A -> B -> A (or B -> A -> B) with the
style judge's verdict, and, for an emoji both fonts draw, the true picture in the other style."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from core.emoji import SIZE, STYLE_NAMES, load_emoji
from core.imaging import example_photo
from core.interactions import Interaction, Output, photo_input
from core.labs.base import TrainedModel
from core.labs.cyclegan.judge import openmoji_probability
from core.labs.cyclegan.model import to_pictures, to_tensor
from core.labs.cyclegan.train import l1
from core.markup import code
from core.specs import Param, SpecError

DIRECTIONS = {
    "Noto → OpenMoji → Noto": ("ab", "noto", "openmoji"),
    "OpenMoji → Noto → OpenMoji": ("ba", "openmoji", "noto"),
}
DEFAULT_EMOJI = "🍕"  # held out: in neither training set (the note says which for any emoji)
GALLERY_MAX = 48
SKIPPED = {0xFE0E, 0xFE0F, 0x200D}  # selectors and joiners that ride along with a pasted emoji


def direction_input(label: str = "Direction") -> Param:
    return Param(
        "direction",
        "choice",
        next(iter(DIRECTIONS)),
        "Which style to start from: the first generator translates, the second brings it back.",
        label=label,
        choices=tuple(DIRECTIONS),
    )


def emoji_char(text: str) -> str:
    """The one emoji a student typed or pasted (selectors ignored); SpecError otherwise."""
    chars = [c for c in str(text).strip() if ord(c) not in SKIPPED and not c.isspace()]
    if not chars:
        raise SpecError("Emoji: type or paste one emoji, for example 🐢 or 🍒.")
    if len(chars) > 1:
        raise SpecError(
            f"Emoji: one emoji at a time, please ({code(text)} is {len(chars)} characters; flags, "
            "families and skin tones are sequences, which the lab does not draw)."
        )
    emoji = load_emoji()
    if emoji.index(chars[0]) is None:
        raise SpecError(
            f"Emoji: {code(chars[0])} (U+{ord(chars[0]):04X}) is not one both fonts draw; try one of "
            + " ".join([emoji.chars[i] for i in emoji.heldout if ord(emoji.chars[i]) >= 0x1F300][:12])
        )
    return chars[0]


def trip(trained: TrainedModel, picture: torch.Tensor, direction: str) -> dict[str, Any]:
    """Translate one picture ((1, 3, 64, 64) in [-1, 1]) and bring it back; the judge's view."""
    way, source, target = DIRECTIONS[direction]
    there, back = trained.model.translate(picture, way)
    p_openmoji = float(openmoji_probability(torch.cat([picture, there])).tolist()[1])
    judged = p_openmoji if target == "openmoji" else 1.0 - p_openmoji
    return {
        "pictures": [to_pictures(picture)[0], to_pictures(there)[0], to_pictures(back)[0]],
        "judged": judged,
        "cycle_l1": l1(back, picture),
        "source": STYLE_NAMES[source],
        "target": STYLE_NAMES[target],
        "there": there,
    }


def translate_emoji(trained: TrainedModel, emoji: str, direction: str) -> dict[str, Any]:
    char = emoji_char(emoji)
    emoji_set = load_emoji()
    index = emoji_set.index(char)
    _, source, target = DIRECTIONS[direction]
    real = to_tensor(emoji_set.pictures(source)[[index]])
    truth = to_tensor(emoji_set.pictures(target)[[index]])
    result = trip(trained, real, direction)
    real_pic, there, back = result["pictures"]
    gallery = [
        (real_pic, f"{result['source']} (real)"),
        (there, f"→ {result['target']} (translated)"),
        (back, f"→ {result['source']} (round trip)"),
        (to_pictures(truth)[0], f"{result['target']} (the real one)"),
    ]
    figures = {
        "judged_as_target": round(result["judged"], 4),
        "cycle_l1": round(result["cycle_l1"], 4),
        "translation_l1": round(l1(result["there"], truth), 4),
        "identity_l1": round(l1(real, truth), 4),
    }
    note = (
        f"{char} is {emoji_set.split_of(index)}. The judge calls the translation "
        f"**{result['target']}** with probability **{result['judged']:.0%}**. Round trip L1 "
        f"{figures['cycle_l1']:.3f}; the translation is {figures['translation_l1']:.3f} from the real "
        f"{result['target']} picture, where leaving it unchanged would be {figures['identity_l1']:.3f} "
        "(the identity baseline; pixels in [0, 1])."
    )
    return {"trip": gallery, "note": note, "figures": figures}


def fit_square(photo: np.ndarray) -> np.ndarray:
    """An (H, W, 3) picture in [0, 1] padded with white to a square, then shrunk to 64x64."""
    from PIL import Image

    height, width = photo.shape[:2]
    side = max(height, width)
    canvas = np.ones((side, side, 3), dtype=np.float32)
    top, left = (side - height) // 2, (side - width) // 2
    canvas[top : top + height, left : left + width] = photo
    image = Image.fromarray((canvas * 255).round().astype(np.uint8))
    return np.asarray(image.resize((SIZE, SIZE), Image.LANCZOS))


def translate_picture(trained: TrainedModel, picture: np.ndarray, direction: str) -> dict[str, Any]:
    small = fit_square(np.asarray(picture, dtype=np.float32))
    result = trip(trained, to_tensor(small[None]), direction)
    real_pic, there, back = result["pictures"]
    gallery = [
        (real_pic, "your picture, 64x64"),
        (there, f"→ {result['target']}"),
        (back, f"→ {result['source']} (round trip)"),
    ]
    note = (
        f"The judge calls the translation **{result['target']}** with probability "
        f"**{result['judged']:.0%}**; round trip L1 {result['cycle_l1']:.3f}. The generators learnt from "
        "emoji on white: a drawing with bold shapes on a white background translates best."
    )
    return {"trip": gallery, "note": note}


def heldout_gallery(trained: TrainedModel, direction: str, count: int) -> dict[str, Any]:
    """The first `count` held-out emoji translated, each captioned with the judge's verdict."""
    way, source, target = DIRECTIONS[direction]
    emoji_set = load_emoji()
    chosen = emoji_set.heldout[:count]
    real = to_tensor(emoji_set.pictures(source)[chosen])
    there, _ = trained.model.translate(real, way)
    p_openmoji = openmoji_probability(there)
    judged = p_openmoji if target == "openmoji" else 1.0 - p_openmoji
    pictures = to_pictures(there)
    gallery = [
        (pictures[i], f"{emoji_set.chars[index]} {float(judged[i]):.0%}") for i, index in enumerate(chosen)
    ]
    passed = float((judged > 0.5).float().mean())
    note = (
        f"{len(chosen)} held-out emoji (in neither training set) turned from {STYLE_NAMES[source]} into "
        f"{STYLE_NAMES[target]}: the judge calls **{passed:.0%}** of them {STYLE_NAMES[target]} (each "
        "caption: its probability). The model's own figures, over all held-out emoji, are in its summary."
    )
    return {"translated": gallery, "note": note}


EMOJI_INPUT = Param(
    "emoji",
    "text",
    DEFAULT_EMOJI,
    "One emoji, typed or pasted (🍕, 🍒, 🎻, ...): any that both fonts draw, 1,363 in all.",
    label="Emoji",
    lines=1,
)
TRIP = Output(
    "trip",
    "gallery",
    "The round trip",
    size=128,
    columns=4,
    help="Real, translated, brought back; for an emoji, the real picture in the other style last.",
)

INTERACTIONS = (
    Interaction(
        "translate",
        "Translate an emoji",
        "Pick any emoji: its picture in one style, translated into the other, brought back, and "
        "the real picture in the other style to compare.",
        translate_emoji,
        inputs=(EMOJI_INPUT, direction_input()),
        outputs=(
            TRIP,
            Output("note", "markdown", ""),
            Output("figures", "json", "Figures", shown=False),
        ),
        example={"emoji": DEFAULT_EMOJI, "direction": next(iter(DIRECTIONS))},
    ),
    Interaction(
        "picture",
        "Translate a picture",
        "Upload a drawing (or take a bundled photo): shrunk to 64x64 on white, translated and brought back.",
        translate_picture,
        inputs=(
            photo_input("picture", "Picture", "A drawing or photo: png, jpg or webp."),
            direction_input(),
        ),
        outputs=(TRIP, Output("note", "markdown", "")),
        example={"picture": example_photo, "direction": next(iter(DIRECTIONS))},
    ),
    Interaction(
        "heldout",
        "Held-out emoji",
        "Many held-out emoji translated at once, each with the style judge's verdict.",
        heldout_gallery,
        inputs=(
            direction_input(),
            Param("count", "int", 24, "How many held-out emoji to translate.", low=1, high=GALLERY_MAX),
        ),
        outputs=(
            Output("translated", "gallery", "Translated held-out emoji", size=96, columns=8),
            Output("note", "markdown", ""),
        ),
        example={"direction": next(iter(DIRECTIONS)), "count": 8},
        live=False,
    ),
)
