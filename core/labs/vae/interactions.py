"""What a student does with a VAE: walk its latent space. Pure functions of (model, input).

Dimensions are shown as z1, z2, ... (counted from 1), as on the maps' axes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PIL import Image, ImageDraw

from core import charts
from core.data import DataUnavailableError
from core.imaging import ImageInputError, example_digit, to_mnist_frame
from core.interactions import Interaction, Output, digit_input
from core.labs.base import TrainedModel
from core.labs.vae.latent import (
    GRID_SIZES,
    STEP_COUNTS,
    Z_LIMIT,
    LatentInputError,
    decode,
    encode,
    heldout_map,
    interpolate,
    latent_size,
    manifold,
    parse_codes,
    traverse,
)
from core.specs import Param

MAX_DIM = 32  # the largest latent the lab trains (spec: latent_dim)


def example_one(size: int = 112) -> np.ndarray:
    """A drawn "1" as a drawing pad gives it: the other end of the example interpolation."""
    image = Image.new("L", (size, size), 0)
    ImageDraw.Draw(image).line(
        [(size * 0.5, size * 0.15), (size * 0.5, size * 0.85)], fill=255, width=size // 10
    )
    return np.asarray(image, dtype=np.float32) / 255.0


def coordinate(name: str, label: str, default: float, help: str) -> Param:
    return Param(name, "float", default, help, label=label, low=-Z_LIMIT, high=Z_LIMIT, step=0.05)


def axis(name: str, default: int, side: str) -> Param:
    return Param(
        name,
        "int",
        default,
        f"Which latent dimension the map's {side} axis shows (z1 is the first); the others stay at 0.",
        label=f"{side.capitalize()} axis: z dimension",
        low=1,
        high=MAX_DIM,
    )


X_DIM, Y_DIM = axis("x_dim", 1, "horizontal"), axis("y_dim", 2, "vertical")
LOW = Param(
    "low",
    "float",
    -3.0,
    "Lowest latent value. The prior N(0, 1) puts 997 codes in 1,000 within ±3.",
    label="From",
    low=-Z_LIMIT,
    high=Z_LIMIT,
    step=0.25,
)
HIGH = Param("high", "float", 3.0, "Highest latent value.", label="To", low=-Z_LIMIT, high=Z_LIMIT, step=0.25)


def steps_param(default: int) -> Param:
    return Param(
        "steps", "int", default, "How many pictures along the way.", low=STEP_COUNTS[0], high=STEP_COUNTS[1]
    )


# --- helpers -------------------------------------------------------------------------------


def axes(trained: TrainedModel, x_dim: int, y_dim: int) -> tuple[int, int]:
    """The map's two axes, as z1-based numbers checked against the model -> 0-based dims."""
    size = latent_size(trained)
    for number in (x_dim, y_dim):
        if not 1 <= number <= size:
            raise LatentInputError(f"this model's codes have {size} numbers: pick axes from z1 to z{size}")
    if x_dim == y_dim:
        raise LatentInputError("pick two different dimensions for the map's axes")
    return x_dim - 1, y_dim - 1


def rounded(array: np.ndarray) -> list:
    """Numbers for JSON: 4 decimals, without float32's trailing digits (1.2000000476837158)."""
    return np.round(np.asarray(array, dtype=np.float64), 4).tolist()


def code_text(z: np.ndarray, shown: int = 8) -> str:
    values = ", ".join(f"{v:.2f}" for v in z[:shown])
    return f"({values}{', ...' if len(z) > shown else ''})"


def map_figure(
    trained: TrainedModel,
    dims: tuple[int, int],
    overlays: Sequence[tuple[str, np.ndarray]] = (),
    title: str = "Held-out digits in latent space (means of q(z|x))",
) -> charts.go.Figure:
    """The held-out digits placed by their codes on two dimensions, `overlays` (name, (K, d)
    codes) on top. Each dot carries its held-out row in `customdata`."""
    latent_map = heldout_map(trained)
    return charts.class_scatter(
        latent_map.means[:, list(dims)],
        latent_map.labels,
        latent_map.classes,
        title=title,
        x_title=f"z{dims[0] + 1}",
        y_title=f"z{dims[1] + 1}",
        overlays=[(name, np.asarray(codes)[:, list(dims)]) for name, codes in overlays],
    )


def with_map(result: dict[str, Any], trained: TrainedModel, dims, overlays, title: str) -> dict[str, Any]:
    """`result` with the map drawn under `overlays`, or a note saying why there is none (the
    held-out digits are not here): the answer itself does not need them."""
    try:
        return result | {"map": map_figure(trained, dims, overlays, title)}
    except DataUnavailableError as error:
        return result | {"note": f"No map: the held-out digits are not available here ({error})."}


def point_code(trained: TrainedModel, x: float, y: float, dims: tuple[int, int]) -> np.ndarray:
    """The code with `x` and `y` on the two dimensions, 0 (the prior's centre) on the others."""
    z = np.zeros(latent_size(trained), dtype=np.float32)
    z[list(dims)] = x, y
    return z


def point_caption(trained: TrainedModel, z: np.ndarray) -> str:
    others = (
        " The dimensions not on the map stay at 0, the prior's centre." if latent_size(trained) > 2 else ""
    )
    return f"Decoded from z = {code_text(z, 4)}.{others}"


# --- the interactions ----------------------------------------------------------------------


def show_point(trained: TrainedModel, x: float, y: float, x_dim: int, y_dim: int) -> dict[str, Any]:
    dims = axes(trained, x_dim, y_dim)
    z = point_code(trained, x, y, dims)
    latent_map = heldout_map(trained)
    return {
        "map": map_figure(trained, dims, [("decoded point", z[None])]),
        "decoded": decode(trained, z)[0],
        "note": f"{point_caption(trained, z)} The map shows {len(latent_map.labels):,} held-out digits "
        f"of {latent_map.data}.",
    }


def encode_digit(trained: TrainedModel, image: np.ndarray, x_dim: int, y_dim: int) -> dict[str, Any]:
    dims = axes(trained, x_dim, y_dim)
    encoding = encode(trained, to_mnist_frame(image))
    sigma = np.exp(0.5 * encoding.log_variances[0])
    code = ", ".join(f"{m:.2f} ± {s:.2f}" for m, s in zip(encoding.means[0][:8], sigma[:8], strict=True))
    result = {
        "seen": encoding.frames[0],
        "reconstruction": encoding.reconstructions[0],
        "code": f"Code (mean ± σ): {code}{' ...' if len(sigma) > 8 else ''}",
        **encoding.to_dicts()[0],
    }
    return with_map(result, trained, dims, [("your digit", encoding.means)], "Where your digit lands")


def decode_codes(trained: TrainedModel, z: str) -> dict[str, Any]:
    codes = parse_codes(z, latent_size(trained))
    images = decode(trained, codes)
    return {
        "decoded": [(image, f"z = {code_text(code)}") for image, code in zip(images, codes, strict=True)],
        "z": rounded(codes),
    }


def manifold_grid(
    trained: TrainedModel, low: float, high: float, n: int, x_dim: int, y_dim: int
) -> dict[str, Any]:
    dims = axes(trained, x_dim, y_dim)
    grid = manifold(trained, low, high, n, dims=dims)
    others = latent_size(trained) - 2
    return {
        "grid": charts.tile(grid.images.reshape(-1, 28, 28), columns=grid.n),
        "caption": f"z{dims[0] + 1} from {low:g} (left) to {high:g} (right), z{dims[1] + 1} from "
        f"{high:g} (top) to {low:g} (bottom)" + (f"; the other {others} dimensions at 0" if others else ""),
        "values": rounded(grid.values),
    }


def traverse_dimension(
    trained: TrainedModel, dim: int, low: float, high: float, steps: int, base: str
) -> dict[str, Any]:
    size = latent_size(trained)
    if not 1 <= dim <= size:
        raise LatentInputError(f"this model's codes have {size} numbers: pick a dimension from z1 to z{size}")
    codes = parse_codes(base, size, "Other dimensions") if base.strip() else np.zeros((1, size), np.float32)
    if len(codes) > 1:
        raise LatentInputError("Other dimensions: give one code, not several")
    path = traverse(trained, codes[0], dim - 1, low, high, steps)
    fixed = f"at {code_text(codes[0])}" if base.strip() else "at 0, the prior's centre"
    return {
        "frames": [
            (image, f"z{dim} = {z[dim - 1]:.2f}") for image, z in zip(path.images, path.z, strict=True)
        ],
        "caption": f"z{dim} from {low:g} to {high:g}; every other dimension fixed {fixed}",
        "z": rounded(path.z),
    }


def interpolate_digits(
    trained: TrainedModel, start: np.ndarray, end: np.ndarray, steps: int, x_dim: int, y_dim: int
) -> dict[str, Any]:
    dims = axes(trained, x_dim, y_dim)
    ends = []
    for name, picture in (("start", start), ("end", end)):
        try:
            ends.append(encode(trained, to_mnist_frame(picture)).means[0])
        except ImageInputError as error:
            raise ImageInputError(f"The {name} digit: {error}") from None
    path = interpolate(trained, ends[0], ends[1], steps)
    along = np.linspace(0.0, 1.0, len(path.images))
    frames = [(image, f"t = {t:.2f}") for image, t in zip(path.images, along, strict=True)]
    result = {"frames": frames, "z": rounded(path.z)}
    return with_map(result, trained, dims, [("path", path.z)], "The path through latent space")


MAP = Output("map", "plot", "Latent map")
# A row of frames (the command line's --out: one strip PNG, or an .npy of (steps, 28, 28)).
FRAMES = Output("frames", "gallery", "Decoded along the way", size=56, columns=11)

INTERACTIONS = (
    Interaction(
        "latent-map",
        "Latent map",
        "Every held-out digit placed by its code, coloured by its label. Pick a point (in the app: "
        "click a digit's dot, or drag a box) and the decoder draws it.",
        show_point,
        inputs=(
            coordinate("x", "Point: horizontal coordinate", 0.0, "Where on the map's horizontal axis."),
            coordinate("y", "Point: vertical coordinate", 0.0, "Where on the map's vertical axis."),
            X_DIM,
            Y_DIM,
        ),
        outputs=(MAP, Output("decoded", "image", "Decoded point", size=224), Output("note", "markdown", "")),
        example={"x": 1.0, "y": -0.5},
    ),
    Interaction(
        "encode",
        "Draw or upload a digit",
        "The encoder places a digit on the latent map: its code (mean ± σ of q(z|x)), what it "
        "saw, and the decoder's reconstruction from the code.",
        encode_digit,
        inputs=(digit_input(), X_DIM, Y_DIM),
        outputs=(
            Output("seen", "image", "What the encoder sees (28x28)", size=112),
            Output("reconstruction", "image", "Decoded from its code", size=112),
            Output("code", "markdown", "Code"),
            MAP,
            Output("mean", "json", "Mean of q(z|x)"),
            Output("log_variance", "json", "Log-variance of q(z|x)"),
            Output("note", "markdown", ""),
        ),
        example={"image": example_digit},
    ),
    Interaction(
        "decode",
        "Decode a code",
        "Type a latent code (as many numbers as the model's latent size, each within ±10) and the "
        "decoder draws it; several codes, one per line or separated by ';', are drawn side by side.",
        decode_codes,
        inputs=(
            Param(
                "z",
                "text",
                "0.5, -1",
                "Numbers separated by commas or spaces, such as 0.5, -1 (on the command line a code "
                'that starts with a minus needs a space after its comma: "-1, 0.5").',
                label="Code(s)",
            ),
        ),
        outputs=(Output("decoded", "gallery", "Decoded", size=112, columns=10), Output("z", "json", "Codes")),
        example={"z": "0.5, -1; -1, 0.5"},
    ),
    Interaction(
        "manifold",
        "Manifold",
        "An n x n grid of decodings over a range of two latent dimensions: how one digit morphs "
        "into another across the latent plane.",
        manifold_grid,
        inputs=(
            LOW,
            HIGH,
            Param(
                "n",
                "int",
                15,
                "Pictures per side.",
                label="Grid size (n x n)",
                low=GRID_SIZES[0],
                high=GRID_SIZES[1],
            ),
            X_DIM,
            Y_DIM,
        ),
        outputs=(
            Output("grid", "image", "Decoded grid", size=580),
            Output("caption", "markdown", ""),
            Output("values", "json", "Values along each axis"),
        ),
        example={"low": -2.0, "high": 2.0, "n": 6},
    ),
    Interaction(
        "traverse",
        "Traverse one dimension",
        "Vary one latent dimension with every other one fixed (at 0, or at a code you give, such "
        "as the mean of a drawn digit): what that dimension controls.",
        traverse_dimension,
        inputs=(
            Param(
                "dim",
                "int",
                1,
                "The dimension to vary (z1 is the first).",
                label="Dimension to vary",
                low=1,
                high=MAX_DIM,
            ),
            LOW,
            HIGH,
            steps_param(11),
            Param(
                "base",
                "text",
                "",
                "The other dimensions' values: a whole code (such as a drawn digit's mean); empty "
                "for all 0, the prior's centre.",
                label="Other dimensions at",
            ),
        ),
        outputs=(FRAMES, Output("caption", "markdown", ""), Output("z", "json", "Codes along the way")),
        example={"dim": 2, "steps": 7, "base": "0.5, 0"},
    ),
    Interaction(
        "interpolate",
        "Interpolate between two digits",
        "Draw or upload two digits: the decoder walks the straight line between their codes.",
        interpolate_digits,
        inputs=(digit_input("start", "From"), digit_input("end", "To"), steps_param(10), X_DIM, Y_DIM),
        outputs=(FRAMES, MAP, Output("z", "json", "Codes along the way"), Output("note", "markdown", "")),
        example={"start": example_digit, "end": example_one, "steps": 6},
    ),
)
