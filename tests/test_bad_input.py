"""Bad input across every lab (issue 6): whatever a student types, uploads or sends through the
API, the answer is a result or a clear user-facing error (one of USER_ERRORS), never a crash.

Property-based: hypothesis generates edge values, out-of-range and wrong-typed settings, random
and malformed files, odd Unicode and extreme numbers, and every entry point is checked the same
way. The hyperparameter strategies are derived from each lab's `Param`s and the labs come from
the registry, so a new lab is covered by the spec tests without a change here.
"""

from __future__ import annotations

import functools
import io
import json
import math
import pickle
import shutil
import struct
import zipfile
import zlib
from collections.abc import Hashable
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image, ImageDraw
from tampering import SMALL_JUNK
from tampering import key_paths as tampering_paths

from core import bit_codes, checkpoints, imaging, noise
from core.catalogue import ready_specs
from core.checkpoints import CheckpointError
from core.cli import main
from core.imaging import ImageInputError
from core.interactions import result_json
from core.labs.attention import explorer as attention
from core.labs.attention.interactions import run_toy
from core.labs.attention.spec import TASKS as ATTENTION_TASKS
from core.labs.binary_addition import interactions as binary_addition
from core.labs.binary_ae import interactions as binary_ae
from core.labs.binary_prior import interactions as binary_prior
from core.labs.charlstm import interactions as charlstm
from core.labs.denoise import interactions as denoise
from core.labs.digits.interactions import classify as classify_digit
from core.labs.gan import latent as gan
from core.labs.mnist_rows import interactions as mnist_rows
from core.labs.palindromes import interactions as palindromes
from core.labs.seq2seq import interactions as seq2seq
from core.labs.transformer import interactions as transformer
from core.labs.vae import latent as vae
from core.labs.vae.interactions import encode_digit
from core.recurrent import SequenceInputError, check_temperature
from core.registry import get_lab, lab_ids
from core.specs import Param, SpecError
from core.tokens import TextInputError
from gradio_tabs.common import USER_ERRORS

# What counts as a user error; the attention explorer has its own (the CLI and both fronts show it).
ALLOWED = (*USER_ERRORS, attention.AttentionInputError)
LAB_IDS = [spec.id for spec in ready_specs()]
FAST = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FEW = settings(FAST, max_examples=15)


def outcome(call, *args, allowed=ALLOWED, **kwargs) -> Any:
    """The call's result, or None when it raised a user error with a message; any other
    exception fails the test (pytest shows it with its traceback)."""
    try:
        return call(*args, **kwargs)
    except allowed as error:
        assert str(error).strip(), f"{type(error).__name__} without a message"
        return None


@functools.cache
def bundled(lab_id: str, **variant: Any):
    return get_lab(lab_id).load_bundled(variant or None)


@functools.cache
def prior_data():
    """The binary prior's training digits, loaded once (generate would load them every call)."""
    from core.data import training_data

    return training_data(bundled("binary-prior").config)


def test_the_issue_covers_every_ready_lab():
    assert lab_ids() == LAB_IDS and all(get_lab(lab_id).spec.id == lab_id for lab_id in LAB_IDS)
    assert issubclass(SequenceInputError, SpecError), "sequence input errors must be user errors"


# --- junk: values of every wrong kind --------------------------------------------------------

HUGE = st.sampled_from([10**400, -(10**400), 2**63, -(2**63) - 1, 10**30])
ODD_NUMBERS = st.sampled_from(
    [math.nan, math.inf, -math.inf, 0.0, -0.0, -1.0, 1e-320, 1e308, -1e308, 0.5, 1e6, -1e6]
)
ODD_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\t\n",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "1e400",
        "-1e400",
        "0x10",
        "1_000",
        "١٢",  # Arabic-Indic digits
        "１２",  # full-width digits
        "1,5",
        "3.",
        ".5",
        "--1",
        "None",
        "true",
        "[1, 2]",
        "\x00",
        "9" * 400,
    ]
)
# What a JSON API call can carry (Python's json reads NaN, Infinity and ints of any size)...
JSON_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    HUGE,
    ODD_NUMBERS,
    st.floats(allow_nan=True, allow_infinity=True),
    ODD_STRINGS,
    st.text(max_size=30),
    st.lists(st.integers(min_value=-5, max_value=5), max_size=4),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
# ...and what only a Python caller can pass.
JUNK = st.one_of(JSON_JUNK, st.binary(max_size=10), st.just(object()), st.just(np.array([1.0, 2.0])))


# --- 1. hyperparameters: every lab's spec, every Param ----------------------------------------


def numbers_near(param: Param) -> st.SearchStrategy:
    """Values of a numeric param around and outside its range, as numbers and as text."""
    low, high = param.low, param.high
    edges = [low, high, low - 1, high + 1, low - 1e-9, high + 1e-9, (low + high) / 2, -high, high * 10]
    if low > 0:
        edges += [0, low / 2]
    numbers = st.one_of(
        st.sampled_from(edges),
        st.floats(min_value=low, max_value=high),
        st.floats(min_value=low - abs(high - low) - 1, max_value=high + abs(high - low) + 1),
    )
    if param.kind == "int":
        numbers = st.one_of(
            numbers,
            st.integers(min_value=int(low), max_value=int(high)),
            st.integers(min_value=int(low) - 1000, max_value=int(high) + 1000),
        )
    return st.one_of(numbers, numbers.map(str), numbers.map(lambda v: f" {v!r} "))


def values_for(param: Param) -> st.SearchStrategy:
    """Good, edge, out-of-range and wrong-typed values for one parameter."""
    if param.kind in ("int", "float"):
        own = numbers_near(param)
    elif param.kind == "choice":
        names = st.sampled_from(param.choices)
        own = st.one_of(
            names, names.map(str.upper), names.map(lambda c: f" {c}\t"), names.map(lambda c: c + "x")
        )
    elif param.kind == "multichoice":
        names = st.sampled_from([*param.choices, "", " ", "nope", "RNN"])
        own = st.one_of(
            st.lists(names, max_size=5),
            st.lists(names, max_size=5).map(",".join),
            st.lists(names, max_size=3).map(tuple),
            st.sets(names, max_size=3),
        )
    elif param.kind == "bool":
        own = st.sampled_from(
            [True, False, "yes", "No", " on ", "OFF", "1", "0", 1, 0, 2, 0.5, "maybe", "", []]
        )
    else:  # text
        lines = st.text(max_size=250)
        own = st.one_of(
            lines,
            st.lists(lines, max_size=60).map("\n".join),
            st.sampled_from(
                ["", "\n\n", "a" * 10_001, "x\n" * 5_000, "\u2028".join(["a", "b"]), "😀\u200b\u202e"]
            ),
        )
    return st.one_of(own, own, JUNK)


def assert_valid_setting(param: Param, value: Any) -> None:
    """A value that validation let through is of the param's type and within its range."""
    if param.kind == "int":
        assert type(value) is int, (param.name, value)
        assert param.low <= value <= param.high, (param.name, value)
    elif param.kind == "float":
        assert type(value) is float and math.isfinite(value), (param.name, value)
        assert param.low <= value <= param.high, (param.name, value)
    elif param.kind == "choice":
        assert value in param.choices, (param.name, value)
    elif param.kind == "bool":
        assert type(value) is bool, (param.name, value)
    elif param.kind == "multichoice":
        assert isinstance(value, list) and value, (param.name, value)
        assert set(value) <= set(param.choices) and len(set(value)) == len(value), (param.name, value)
    else:
        assert isinstance(value, str), (param.name, value)
        if param.check:
            assert param.check(value) == value, "cleaning a cleaned text must change nothing"


def validated(lab_id: str, values: dict[str, Any]) -> dict[str, Any] | None:
    """What a front does with the settings: the spec's checks, then the lab's own."""
    lab = get_lab(lab_id)

    def both():
        return lab.check_params(lab.spec.validate(values))

    return outcome(both, allowed=SpecError)


@pytest.mark.parametrize("lab_id", LAB_IDS)
@settings(FAST, max_examples=60)
@given(data=st.data())
def test_any_settings_are_validated_or_refused_with_a_spec_error(lab_id, data):
    spec = get_lab(lab_id).spec
    names = data.draw(st.lists(st.sampled_from([p.name for p in spec.params]), max_size=4, unique=True))
    values = {name: data.draw(values_for(spec.param(name)), label=name) for name in names}
    if data.draw(st.booleans(), label="add an unknown setting"):
        values[data.draw(st.sampled_from(["", "nope", "Epochs", " seed", "__class__"]))] = 1
    settings_ = validated(lab_id, values)
    if settings_ is None:
        return
    assert set(settings_) == {p.name for p in spec.params}
    for param in spec.params:
        assert_valid_setting(param, settings_[param.name])


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_the_ends_of_every_range_are_accepted(lab_id):
    spec = get_lab(lab_id).spec
    assert validated(lab_id, {}) is not None, "the defaults must pass"
    for param in spec.params:
        if param.kind not in ("int", "float"):
            continue
        for edge in (param.low, param.high):
            value = int(edge) if param.kind == "int" else edge
            for shown in (value, str(value)):
                checked = spec.validate({param.name: shown})  # no SpecError at the very ends
                assert_valid_setting(param, checked[param.name])
                assert checked[param.name] == value


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_wrong_types_and_names_name_the_setting(lab_id):
    spec = get_lab(lab_id).spec
    with pytest.raises(SpecError, match="unknown setting 'no_such_setting'"):
        spec.validate({"no_such_setting": 1})
    for param in spec.params:
        for bad in (None, [], {}, object()) if param.kind != "bool" else ("maybe", [], None):
            if param.kind == "multichoice" and bad == []:
                continue  # an empty list is its own message ("pick at least one")
            with pytest.raises(SpecError) as caught:
                spec.validate({param.name: bad})
            assert param.label in str(caught.value)


# --- 2. uploads: images, drawings and checkpoints ----------------------------------------------


def png_bytes(image: Image.Image, **options: Any) -> bytes:
    return encoded(image, "PNG", **options)


def encoded(image: Image.Image, fmt: str, **options: Any) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def digit_image(size: int = 96, mode: str = "L", dark_on_light: bool = True) -> Image.Image:
    """A hand-drawn-looking '7' on paper."""
    image = Image.new("L", (size, size), 255 if dark_on_light else 0)
    draw = ImageDraw.Draw(image)
    ink = 0 if dark_on_light else 255
    draw.line(
        [(size * 0.25, size * 0.2), (size * 0.75, size * 0.2), (size * 0.4, size * 0.85)],
        fill=ink,
        width=size // 10,
    )
    return image.convert(mode)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def declared_png(width: int, height: int, depth: int = 1, colour: int = 0, rows: int = 1) -> bytes:
    """A tiny PNG whose header declares width x height pixels (a decompression bomb when large);
    its data holds a few short rows only."""
    header = struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)
    row_bytes = min(max(1, (width * depth + 7) // 8), 16)
    raw = (b"\x00" + b"\x00" * row_bytes) * rows
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw))
        + png_chunk(b"IEND", b"")
    )


def bomb_png() -> bytes:
    """A real 8,000 x 8,000 one-bit PNG: 64 megapixels in about 8 kB."""
    raw = (b"\x00" + b"\x00" * 1000) * 8000
    header = struct.pack(">IIBBBBB", 8000, 8000, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(raw, 9))
        + png_chunk(b"IEND", b"")
    )


def awkward_files() -> dict[str, bytes]:
    """Files a student might upload, named by what is odd about them."""
    digit = digit_image()
    sixteen = Image.fromarray((np.asarray(digit, dtype=np.uint16) * 257).astype(np.uint16))
    palette = digit.convert("RGB").convert("P", palette=Image.Palette.ADAPTIVE, colors=4)
    clear = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
    opaque_alpha = digit.convert("RGBA")
    ink_alpha = Image.merge("LA", (Image.new("L", digit.size, 0), Image.eval(digit, lambda v: 255 - v)))
    frames = [digit_image(), digit_image(dark_on_light=False)]
    valid_png = png_bytes(digit)
    valid_jpeg = encoded(digit.convert("RGB"), "JPEG")
    exif = Image.Exif()
    exif[0x0112] = 99  # an orientation that does not exist
    return {
        "empty": b"",
        "one byte": b"\x89",
        "png signature only": valid_png[:8],
        "truncated png": valid_png[: len(valid_png) // 2],
        "png without its end": valid_png[:-12],
        "png with a broken crc": valid_png[:30] + b"\x00\x00\x00\x00" + valid_png[34:],
        "truncated jpeg": valid_jpeg[: len(valid_jpeg) // 2],
        "jpeg header only": valid_jpeg[:200],
        "declared 30000x30000": declared_png(30_000, 30_000),
        "declared 100000x1": declared_png(100_000, 1),
        "declared 0x0": declared_png(0, 0),
        "declared 1x0": declared_png(1, 0),
        "real 64 megapixel bomb": bomb_png(),
        "16-bit grey png": png_bytes(sixteen),
        "1-bit png": png_bytes(digit.convert("1")),
        "paletted png": png_bytes(palette),
        "paletted png with transparency": png_bytes(palette, transparency=0),
        "fully transparent png": png_bytes(clear),
        "rgba png, opaque": png_bytes(opaque_alpha),
        "la png, ink in alpha": png_bytes(ink_alpha),
        "1x1 png": png_bytes(Image.new("L", (1, 1), 128)),
        "1x500 png": png_bytes(Image.new("L", (1, 500), 0)),
        "blank white png": png_bytes(Image.new("L", (50, 50), 255)),
        "cmyk jpeg": encoded(digit.convert("CMYK"), "JPEG"),
        "jpeg with a bad orientation": encoded(digit.convert("RGB"), "JPEG", exif=exif.tobytes()),
        "progressive jpeg": encoded(digit.convert("RGB"), "JPEG", progressive=True),
        "webp": encoded(digit, "WEBP"),
        "animated png": png_bytes(frames[0], save_all=True, append_images=frames[1:]),
        "animated gif": encoded(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "gif": encoded(digit, "GIF"),
        "bmp": encoded(digit, "BMP"),
        "tiff": encoded(digit, "TIFF"),
        "ico": encoded(digit, "ICO"),
        "pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF",
        "text": "Ceci n'est pas une image. 😀".encode(),
        "svg": b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
        "zip": zip_bytes({"a.png": valid_png}),
        "pickle": pickle.dumps({"a": 1}),
        "nul bytes": b"\x00" * 4096,
        "valid png": valid_png,
        "valid jpeg": valid_jpeg,
    }


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


AWKWARD = awkward_files()


def assert_grey_image(gray: np.ndarray) -> None:
    assert gray.ndim == 2 and gray.size > 0 and np.isfinite(gray).all()
    assert gray.min() >= 0 and gray.max() <= 1


@pytest.mark.parametrize("name", list(AWKWARD))
def test_awkward_files_are_read_or_refused_with_an_image_error(name):
    gray = outcome(imaging.read_upload, AWKWARD[name], allowed=ImageInputError)
    if gray is not None:
        assert_grey_image(gray)
        frame = outcome(imaging.to_mnist_frame, gray, allowed=ImageInputError)
        assert frame is None or (frame.shape == (28, 28) and np.isfinite(frame).all())
    if name.startswith(("valid", "webp", "cmyk", "16-bit", "paletted png", "progressive")):
        assert gray is not None, f"a readable {name} was refused"
    if name.startswith(("declared", "real 64", "animated gif", "gif", "bmp", "tiff", "pdf", "text", "zip")):
        assert gray is None, f"{name} should be refused"


def mutated(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    """`data` with some bytes overwritten and maybe cut short: a corrupted download."""
    array = bytearray(data)
    for position, value in edits:
        if array:
            array[position % len(array)] = value
    return bytes(array[:cut] if cut is not None else array)


CORRUPTED = st.builds(
    mutated,
    st.sampled_from([AWKWARD["valid png"], AWKWARD["valid jpeg"], AWKWARD["webp"], AWKWARD["animated png"]]),
    st.lists(st.tuples(st.integers(min_value=0, max_value=10**6), st.integers(0, 255)), max_size=6),
    st.none() | st.integers(min_value=0, max_value=3000),
)
ANY_BYTES = st.one_of(st.binary(max_size=3000), CORRUPTED, st.sampled_from(list(AWKWARD.values())))


@FAST
@given(data=ANY_BYTES)
def test_random_and_corrupted_bytes_never_escape_as_another_error(data):
    gray = outcome(imaging.read_upload, data, allowed=ImageInputError)
    if gray is not None:
        assert_grey_image(gray)


# The labs' own upload entry points, each with its bundled model.
UPLOADS = {
    "digits": lambda data: classify_digit(bundled("digits"), imaging.read_upload(data)),
    "vae": lambda data: encode_digit(bundled("vae"), imaging.read_upload(data), 1, 2),
    "denoise": lambda data: denoise.restore(
        bundled("denoise"), imaging.read_upload(data), "gaussian", 0.3, 0
    ),
    "binary-ae": lambda data: binary_ae.encode(bundled("binary-ae"), imaging.read_upload(data)),
    "mnist-rows": lambda data: mnist_rows.read(bundled("mnist-rows"), imaging.read_upload(data)),
}
DRAWINGS = {
    "digits": lambda pad: classify_digit(bundled("digits"), imaging.canvas_to_gray(pad)),
    "vae": lambda pad: encode_digit(bundled("vae"), imaging.canvas_to_gray(pad), 1, 2),
    "denoise": lambda pad: denoise.restore(bundled("denoise"), imaging.canvas_to_gray(pad), "mask", 0.5, 3),
    "binary-ae": lambda pad: binary_ae.encode(bundled("binary-ae"), imaging.canvas_to_gray(pad)),
    "mnist-rows": lambda pad: mnist_rows.read(bundled("mnist-rows"), imaging.canvas_to_gray(pad)),
}


@pytest.mark.parametrize("lab_id", list(UPLOADS))
def test_every_lab_reads_a_good_upload_and_refuses_the_awkward_ones(lab_id):
    assert UPLOADS[lab_id](AWKWARD["valid png"]) is not None
    for name, data in AWKWARD.items():
        try:
            UPLOADS[lab_id](data)
        except ImageInputError as error:
            assert str(error), name


@pytest.mark.parametrize("lab_id", list(UPLOADS))
@settings(FEW, max_examples=20)
@given(data=ANY_BYTES)
def test_every_lab_upload_survives_random_bytes(lab_id, data):
    outcome(UPLOADS[lab_id], data, allowed=ImageInputError)


def dotted(size: int, points: list[tuple[int, int]]) -> np.ndarray:
    pad = np.zeros((size, size), np.float32)
    for y, x in points:
        pad[y % size, x % size] = 1.0
    return pad


ODD_PADS = st.one_of(
    hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.uint8, np.int64, np.bool_, np.float16]),
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=40),
    ),
    hnp.arrays(
        np.float64,
        st.sampled_from([(28, 28), (60, 60, 4), (30, 20, 3), (5, 5, 2), (1, 1), (1, 200)]),
        elements=st.floats(allow_nan=True, allow_infinity=True, width=64),
    ),
    st.builds(
        dotted,
        st.sampled_from([28, 280, 1024]),
        st.lists(st.tuples(st.integers(0, 1023), st.integers(0, 1023)), min_size=1, max_size=3),
    ),
    JUNK,
    st.lists(st.lists(st.integers(0, 255), max_size=5), max_size=5),  # ragged rows
    st.lists(st.lists(st.text(max_size=2), min_size=1, max_size=3), min_size=1, max_size=3),
)


@FAST
@given(pad=ODD_PADS)
def test_any_drawing_is_a_frame_or_an_image_error(pad):
    def prepare():
        return imaging.to_mnist_frame(imaging.canvas_to_gray(pad))

    frame = outcome(prepare, allowed=ImageInputError)
    if frame is not None:
        assert frame.shape == (28, 28) and np.isfinite(frame).all() and frame.max() > 0


def test_two_far_apart_dots_are_refused_not_a_crash():
    # Found by this file: ink too thin to survive shrinking to 20 px left an empty frame, and
    # centring it divided by zero (ValueError: cannot convert float NaN to integer).
    pad = dotted(1024, [(0, 0), (1023, 1023)])
    with pytest.raises(ImageInputError, match="ink"):
        imaging.to_mnist_frame(pad)


@pytest.mark.parametrize("lab_id", list(DRAWINGS))
@settings(FEW, max_examples=20)
@given(pad=ODD_PADS)
def test_every_lab_drawing_entry_point_refuses_odd_pads(lab_id, pad):
    outcome(DRAWINGS[lab_id], pad, allowed=ImageInputError)


# Checkpoints: safetensors only, never a pickle, never a crash on a broken archive or config.


class Tripwire:
    """Unpickling this writes a file: the proof that a pickle was (wrongly) opened."""

    path = ""

    def __reduce__(self):
        return (Path(self.path).write_text, ("pickle code ran",))


def evil_pickle(tmp_path: Path) -> tuple[bytes, Path]:
    trap = tmp_path / "TRIPPED"
    wire = Tripwire()
    wire.path = str(trap)
    return pickle.dumps(wire), trap


@FAST
@given(
    data=st.one_of(
        st.binary(max_size=600), st.binary(max_size=40).map(lambda b: struct.pack("<Q", len(b)) + b)
    )
)
def test_random_weights_bytes_are_a_checkpoint_error(data):
    outcome(checkpoints.parse_safetensors, data, allowed=CheckpointError)


def safetensors_header(header: dict, body: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


TENSOR_HEADERS = st.dictionaries(
    st.text(max_size=6),
    st.fixed_dictionaries(
        {
            "dtype": st.sampled_from(["F32", "F16", "I64", "BOOL", "U8", "F64", "XX", ""]),
            "shape": st.lists(st.integers(min_value=-2, max_value=2**40), max_size=3),
            "data_offsets": st.lists(st.integers(min_value=-1, max_value=2**40), max_size=3),
        }
    ),
    max_size=3,
)


@FAST
@given(header=TENSOR_HEADERS, body=st.binary(max_size=64))
def test_lying_safetensors_headers_are_a_checkpoint_error(header, body):
    tensors = outcome(
        checkpoints.parse_safetensors, safetensors_header(header, body), allowed=CheckpointError
    )
    assert tensors is None or isinstance(tensors, dict)


def test_a_malicious_pickle_is_never_opened(tmp_path):
    data, trap = evil_pickle(tmp_path)
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"lab": "digits"}))
    (folder / "model.safetensors").write_bytes(data)
    with pytest.raises(CheckpointError, match="pickled"):
        get_lab("digits").load(folder)
    for suffix in (".pt", ".pth", ".bin", ".ckpt"):
        (tmp_path / f"model{suffix}").write_bytes(data)
        with pytest.raises(CheckpointError, match="pickled"):
            get_lab("digits").load(tmp_path / f"model{suffix}")
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.extract_archive(zip_bytes({"x/model.pt": data}), tmp_path / "unzipped")
    with pytest.raises(CheckpointError, match="pickled"):
        checkpoints.extract_archive(data, tmp_path / "unzipped2")
    assert not trap.exists(), "the pickle was unpickled"


def lying_zip(member: str, data: bytes, declared: int) -> bytes:
    """A zip whose member says it is `declared` bytes long when it is not (a zip bomb's trick)."""
    raw = bytearray(zip_bytes({member: data}))
    size = struct.pack("<I", len(data))
    for start in (i for i in range(len(raw) - 4) if raw[i : i + 4] == size):
        raw[start : start + 4] = struct.pack("<I", declared)
    return bytes(raw)


def encrypted_zip(member: str, data: bytes) -> bytes:
    """A zip whose member is flagged as encrypted (what `zip -e` makes)."""
    raw = bytearray(zip_bytes({member: data}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = raw.find(signature)
        raw[start + offset] |= 0x01
    return bytes(raw)


def odd_method_zip(member: str, data: bytes, method: int = 99) -> bytes:
    """A zip whose member uses a compression method Python cannot read (99: AES)."""
    raw = bytearray(zip_bytes({member: data}, zipfile.ZIP_STORED))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        start = raw.find(signature)
        raw[start + offset : start + offset + 2] = struct.pack("<H", method)
    return bytes(raw)


def bundled_folder(lab_id: str) -> Path:
    return get_lab(lab_id).bundled_checkpoint()


def weights_of(lab_id: str) -> bytes:
    return (bundled_folder(lab_id) / checkpoints.WEIGHTS_FILE).read_bytes()


def awkward_archives() -> dict[str, bytes]:
    weights = weights_of("binary-addition")
    config = (bundled_folder("binary-addition") / checkpoints.CONFIG_FILE).read_bytes()
    good = {"ckpt/config.json": config, "ckpt/model.safetensors": weights}
    return {
        "good": zip_bytes(good),
        "empty zip": zip_bytes({}),
        "no weights": zip_bytes({"config.json": config}),
        "no config": zip_bytes({"model.safetensors": weights}),
        "weights are text": zip_bytes({"config.json": config, "model.safetensors": b"hello"}),
        "config is not json": zip_bytes({"config.json": b"{nope", "model.safetensors": weights}),
        "config is a list": zip_bytes({"config.json": b"[1, 2]", "model.safetensors": weights}),
        "config is latin-1": zip_bytes(
            {"config.json": '{"lab": "é"}'.encode("latin-1"), "model.safetensors": weights}
        ),
        "nested zip": zip_bytes({"inner.zip": zip_bytes(good)}),
        "weights are a zip": zip_bytes({"config.json": config, "model.safetensors": zip_bytes(good)}),
        "path escape": zip_bytes({"../../config.json": config, "/abs/model.safetensors": weights}),
        "a directory entry": zip_bytes({"ckpt/": b"", **good}),
        "stored": zip_bytes(good, zipfile.ZIP_STORED),
        "bzip2": zip_bytes(good, zipfile.ZIP_BZIP2),
        "lzma": zip_bytes(good, zipfile.ZIP_LZMA),
        "lying size (bomb)": lying_zip("model.safetensors", b"\x00" * 100_000, 10),
        "huge declared size": lying_zip("model.safetensors", b"\x00" * 50_000, 2**31),
        "encrypted member": encrypted_zip("model.safetensors", weights),
        "unknown compression": odd_method_zip("config.json", config),
        "truncated": zip_bytes(good)[:-30],
        "cut in half": zip_bytes(good)[: len(zip_bytes(good)) // 2],
    }


ARCHIVES = awkward_archives()


@pytest.mark.parametrize("name", list(ARCHIVES))
def test_awkward_checkpoint_archives_are_a_checkpoint_error(name, tmp_path):
    target = outcome(checkpoints.extract_archive, ARCHIVES[name], tmp_path / "out", allowed=CheckpointError)
    if target is not None:
        outcome(get_lab("binary-addition").load, target, allowed=CheckpointError)
    if name == "good":
        assert target is not None
    if name in ("lying size (bomb)", "huge declared size", "encrypted member", "no config", "nested zip"):
        assert target is None


@FAST
@given(
    data=st.one_of(
        st.binary(max_size=500),
        st.builds(
            mutated,
            st.sampled_from(list(ARCHIVES.values())),
            st.lists(st.tuples(st.integers(min_value=0, max_value=10**7), st.integers(0, 255)), max_size=8),
            st.none() | st.integers(min_value=0, max_value=5000),
        ),
    )
)
def test_corrupted_checkpoint_archives_are_a_checkpoint_error(data, tmp_path_factory):
    target = outcome(
        checkpoints.extract_archive, data, tmp_path_factory.mktemp("zip") / "out", allowed=CheckpointError
    )
    if target is not None:
        outcome(get_lab("binary-addition").load, target, allowed=CheckpointError)


def key_paths(value: Any) -> list[tuple]:
    """Every key path in a JSON object, nested dicts included (lists are treated as values)."""
    return tampering_paths(value, into_lists=False)


def bundled_config(lab_id: str) -> dict:
    """A fresh copy of the bundled config (some are 700 KB of vocabulary: read once)."""
    return json.loads(bundled_config_text(lab_id))


@functools.cache
def bundled_config_text(lab_id: str) -> str:
    return (bundled_folder(lab_id) / checkpoints.CONFIG_FILE).read_text()


# Each lab's main interaction with good input, for a model loaded from an uploaded checkpoint.
USE_ONCE_LOADED = {
    "digits": lambda t: classify_digit(t, imaging.read_upload(AWKWARD["valid png"])),
    "gan": lambda t: (gan.sample(t, 2, 0), gan.sample_names(t, 2, 0), gan.training_timeline(t)),
    "vae": lambda t: (
        vae.decode(t, np.zeros(vae.latent_size(t))),
        encode_digit(t, imaging.read_upload(AWKWARD["valid png"]), 1, 2),
    ),
    "denoise": lambda t: denoise.restore(t, imaging.read_upload(AWKWARD["valid png"]), "gaussian", 0.3, 0),
    "attention": lambda t: run_toy(t, "3141"),
    "seq2seq": lambda t: seq2seq.translate(t, "i am cold ."),
    "transformer": lambda t: transformer.translate(t, "i am cold ."),
    "palindromes": lambda t: palindromes.predict_last_digit(t, "1234543"),
    "binary-addition": lambda t: binary_addition.add_numbers(t, "101", "11"),
    "mnist-rows": lambda t: mnist_rows.read(t, imaging.read_upload(AWKWARD["valid png"])),
    "charlstm": lambda t: charlstm.generate(t, "", 0.5, 2, 0),
    "binary-ae": lambda t: (
        binary_ae.encode(t, imaging.read_upload(AWKWARD["valid png"])),
        bit_codes.decode(t, "01" * 24),
    ),
    "binary-prior": lambda t: binary_prior.generate(t, 4, 1.0, 0, None, prior_data()),
}


def use_once_loaded(lab_id: str):
    """The lab's main interaction with good input: the hand-picked one above, or else its first
    declared interaction with that interaction's own example (so a new lab needs no entry)."""
    if lab_id in USE_ONCE_LOADED:
        return USE_ONCE_LOADED[lab_id]
    interaction = get_lab(lab_id).interactions[0]
    return lambda trained: interaction(trained, interaction.example_inputs())


def test_every_lab_has_an_interaction_to_try_after_loading():
    for lab_id in LAB_IDS:
        assert lab_id in USE_ONCE_LOADED or get_lab(lab_id).interactions, lab_id


@pytest.mark.parametrize("lab_id", LAB_IDS)
@settings(FEW, max_examples=8)  # x 30 labs: each example loads a checkpoint and uses it (1 s for some)
@given(data=st.data())
def test_a_tampered_config_is_a_checkpoint_error(lab_id, data, tmp_path_factory):
    """config.json edited by hand: a key dropped, or set to a value of the wrong kind. Sizes stay
    small (-3 to 9): a config asking for a billion units would be a memory test, not this one."""
    config = bundled_config(lab_id)
    paths = [p for p in key_paths(config) if p != ("lab",)]
    path = data.draw(st.sampled_from(paths), label="key")
    *parents, last = path
    holder = config
    for key in parents:
        holder = holder[key]
    if data.draw(st.booleans(), label="drop it"):
        del holder[last]
    else:
        holder[last] = data.draw(SMALL_JUNK, label="value")
    folder = tmp_path_factory.mktemp("ckpt")
    shutil.copy(bundled_folder(lab_id) / checkpoints.WEIGHTS_FILE, folder / checkpoints.WEIGHTS_FILE)
    (folder / checkpoints.CONFIG_FILE).write_text(json.dumps(config))
    trained = outcome(get_lab(lab_id).load, folder, allowed=CheckpointError)
    if trained is not None:  # what loads must also work: a bad config is refused on load, not later
        outcome(use_once_loaded(lab_id), trained)
        get_lab(lab_id).headline(trained.metrics)


@pytest.mark.parametrize("lab_id", LAB_IDS)
def test_another_labs_weights_or_config_are_refused(lab_id, tmp_path):
    other = "digits" if lab_id != "digits" else "gan"
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / checkpoints.WEIGHTS_FILE).write_bytes(weights_of(other))
    (folder / checkpoints.CONFIG_FILE).write_text(json.dumps(bundled_config(lab_id)))
    with pytest.raises(CheckpointError, match="do not fit"):
        get_lab(lab_id).load(folder)
    (folder / checkpoints.CONFIG_FILE).write_text(json.dumps(bundled_config(other)))
    with pytest.raises(CheckpointError, match="for lab"):
        get_lab(lab_id).load(folder)
    with pytest.raises(CheckpointError):
        get_lab(lab_id).load(tmp_path / "nowhere")


# --- the bugs this file found, pinned down (hypothesis finds them again only by chance) -------


def tampered_load(lab_id: str, tmp_path: Path, **changes: Any):
    config = json.loads(json.dumps(bundled_config(lab_id)))
    for key, value in changes.items():
        if value is DROP:
            del config[key]
        else:
            config[key] = value
    shutil.copy(bundled_folder(lab_id) / checkpoints.WEIGHTS_FILE, tmp_path / checkpoints.WEIGHTS_FILE)
    (tmp_path / checkpoints.CONFIG_FILE).write_text(json.dumps(config))
    return get_lab(lab_id).load(tmp_path)


class _Drop:
    """Marks a setting to remove from the config; named, so a test id is the same in every
    process (pytest-xdist's workers must collect the same ids)."""

    def __repr__(self) -> str:
        return "DROP"


DROP = _Drop()
REFUSED = [  # (what, call, the user error it must raise); each raised another exception before
    ("a setting of 10**400 (OverflowError)", lambda: ready_specs()[0].validate({"seed": 10**400}), SpecError),
    ("charlstm count inf (OverflowError)", lambda: charlstm.check_count(math.inf), SpecError),
    ("charlstm seed inf (OverflowError)", lambda: charlstm.check_seed(-math.inf), SpecError),
    ("transformer beam inf (OverflowError)", lambda: transformer.check_beam(math.inf), TextInputError),
    ("binary-ae bit number inf (OverflowError)", lambda: bit_codes.flip("01" * 24, math.inf), SpecError),
    ("binary-ae code of 10**400 (OverflowError)", lambda: bit_codes.check_bits([10**400] * 48), SpecError),
    ("gan nudge dimension 'x' (ValueError)", lambda: gan.nudge(np.zeros(4), {"x": 1.0}), SpecError),
    ("gan nudge dimension inf (OverflowError)", lambda: gan.nudge(np.zeros(4), {math.inf: 1.0}), SpecError),
    ("gan nudge value 'abc' (ValueError)", lambda: gan.nudge(np.zeros(4), {1: "abc"}), SpecError),
    ("gan latent of 10**400 (OverflowError)", lambda: gan.check_latents([10**400], 1), SpecError),
    ("prior samples 10**400 (OverflowError)", lambda: binary_prior.check_samples(10**400), SpecError),
    (
        "prior temperature -10**400 (OverflowError)",
        lambda: binary_prior.check_temperature(-(10**400)),
        SpecError,
    ),
    ("vae grid size 10**400 (OverflowError)", lambda: vae.check_count(10**400, (2, 20), "n"), SpecError),
    ("vae range to 10**400 (OverflowError)", lambda: vae.check_range(0, 10**400), SpecError),
    ("vae latent of 10**400 (OverflowError)", lambda: vae.check_latents([10**400, 0], 2), SpecError),
    ("noise level 10**400 (OverflowError)", lambda: noise.check_noise("gaussian", 10**400), SpecError),
    ("noise kind an array (ValueError)", lambda: noise.check_noise(np.array([1, 2]), 0.5), SpecError),
    ("attention heads 10**400 (OverflowError)", lambda: attention.check_heads(10**400, 64), ALLOWED),
    ("attention pad to 10**400 (OverflowError)", lambda: attention.check_pad_to(10**400), ALLOWED),
    ("attention dim an array (ValueError)", lambda: attention.check_dim(np.array([64, 64])), ALLOWED),
    ("a drawing of text (ValueError)", lambda: imaging.canvas_to_gray("abc"), ImageInputError),
    ("a drawing of ragged rows (ValueError)", lambda: imaging.canvas_to_gray([[1, 2], [3]]), ImageInputError),
    ("an empty drawing (ValueError)", lambda: imaging.canvas_to_gray(np.zeros((0, 0))), ImageInputError),
    ("a drawing of a dict (TypeError)", lambda: imaging.canvas_to_gray({}), ImageInputError),
    ("denoising text (ValueError)", lambda: denoise.denoise(bundled("denoise"), "x"), ImageInputError),
]


@pytest.mark.parametrize(("what", "call", "error"), REFUSED, ids=[r[0] for r in REFUSED])
def test_found_bugs_now_raise_user_errors(what, call, error):
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value).strip()


@pytest.mark.parametrize(
    "check",
    [
        charlstm.check_temperature,
        binary_prior.check_temperature,
        check_temperature,
        attention.check_temperature,
    ],
)
def test_a_temperature_too_big_for_a_float_is_clamped_like_any_huge_one(check):
    assert check(10**400)[0] == check(1e308)[0] and check(10**400)[1]
    assert check("1e400")[0] == check(1e308)[0]  # "1e400" used to crash binary-prior's clamp note


@pytest.mark.parametrize(
    ("lab_id", "changes"),
    [
        ("gan", {"params": None}),  # AttributeError in build_model
        ("digits", {"dropout": math.nan}),  # RuntimeError from every classification, after loading
        ("vae", {"dropout": math.nan}),  # RuntimeError from every encoding, after loading
        ("binary-addition", {"hidden_size": 0}),  # ZeroDivisionError in torch's initialiser
        ("binary-addition", {"hidden_size": -2}),  # RuntimeError: negative dimension
        ("binary-addition", {"max_bits": None}),  # TypeError when adding, after loading
        ("binary-addition", {"train_length": "x"}),  # TypeError when adding, after loading
        ("attention", {"task": DROP}),  # KeyError when answering, after loading
        ("charlstm", {"sentences": 5}),  # TypeError when generating, after loading
        ("binary-prior", {"digits": "x"}),  # ValueError when generating, after loading
        ("binary-prior", {"codes": DROP}),  # KeyError when generating, after loading
        ("binary-prior", {"autoencoder": {"path": 3}}),  # TypeError when generating, after loading
    ],
    ids=lambda value: str(value)[:40],
)
def test_a_tampered_config_found_by_this_file_is_refused_on_load(lab_id, changes, tmp_path):
    with pytest.raises(CheckpointError, match=r"config\.json is not usable"):
        tampered_load(lab_id, tmp_path, **changes)


def test_transformer_heads_that_are_not_whole_are_refused_on_load(tmp_path):
    config = json.loads(json.dumps(bundled_config("transformer")))
    config["model"]["heads"] = 0.5  # built, then failed mid-translation with a TypeError
    shutil.copy(bundled_folder("transformer") / checkpoints.WEIGHTS_FILE, tmp_path / checkpoints.WEIGHTS_FILE)
    (tmp_path / checkpoints.CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match=r"config\.json is not usable"):
        get_lab("transformer").load(tmp_path)


# --- 3. text and numbers typed into the labs ---------------------------------------------------

ODD_TEXT = st.one_of(
    st.text(max_size=120),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=60),
    st.sampled_from(
        [
            "",
            " ",
            "\n\t ",
            "\x00",
            "a\x00b",
            "😀😀😀",
            "👩‍👩‍👧‍👦",
            "مرحبا بالعالم",
            "שלום \u202e עולם",
            "e\u0301\u0301\u0301",
            "Z\u0335\u0336\u0337a\u0338l\u0334g\u0335o",
            "\ufeffhello",
            "\u200b\u200b",
            "hello world",
            "i am cold .",
            "I'm happy!",
            "12 apples and 3 pears",
            "1" * 10_001,
            "a" * 10_001,
            "word " * 3000,
            "10" * 6000,
            "0b101",
            "1e400",
            "-1",
            "1 0 1 1",
            "1_0_1",
            "١٢٣",
            "12321",
            "1234543",
            "31415",
            "3 1 4 1 5",
            "9,9,9",
            "The quick brown fox",
        ]
    ),
)


def texts(junk: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(ODD_TEXT, ODD_TEXT, junk)


def temperatures(junk: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(
            [
                0,
                0.0,
                -0.0,
                1e-12,
                0.01,
                1,
                1e6,
                -1,
                -1e-9,
                math.nan,
                math.inf,
                -math.inf,
                10**400,
                "0",
                "1e6",
                "nan",
                "hot",
                "",
                None,
            ]
        ),
        st.floats(allow_nan=True, allow_infinity=True),
        junk,
    )


def counts(junk: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(
            [
                0,
                1,
                2,
                5,
                50,
                51,
                -1,
                2.5,
                1.0,
                math.nan,
                math.inf,
                10**400,
                "3",
                " 4 ",
                "2.0",
                "x",
                None,
                True,
            ]
        ),
        st.integers(min_value=-100, max_value=100),
        junk,
    )


def latents(junk: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        junk,
        st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), junk), max_size=4),
        st.lists(st.floats(-5, 5), min_size=2, max_size=2),
        st.lists(st.lists(st.floats(-5, 5), min_size=2, max_size=2), max_size=3),
    )


TEXT, TEMPERATURES, COUNTS = texts(JUNK), temperatures(JUNK), counts(JUNK)
# Gradio hands the API handlers what JSON carries: no numpy arrays, no arbitrary objects.
API_TEXT, API_NUMBERS, API_COUNTS = texts(JSON_JUNK), temperatures(JSON_JUNK), counts(JSON_JUNK)


@settings(FAST, max_examples=60)
@given(text=TEXT)
def test_seq2seq_translates_or_explains(text):
    result = outcome(seq2seq.translate, bundled("seq2seq"), text)
    if result is not None:
        json.dumps(result_json(get_lab("seq2seq").interaction("translate"), seq2seq.shown(result)))


@settings(FAST, max_examples=40)
@given(text=TEXT, beam=COUNTS)
def test_transformer_translates_or_explains(text, beam):
    result = outcome(transformer.translate, bundled("transformer"), text, beam)
    if result is not None:
        assert 1 <= result.beam <= transformer.MAX_BEAM
        shown = transformer.shown(result, 0, 0)
        json.dumps(result_json(get_lab("transformer").interaction("translate"), shown))


@settings(FAST, max_examples=60)
@given(
    query=TEXT,
    keys=TEXT,
    heads=COUNTS,
    temperature=TEMPERATURES,
    pad_to=COUNTS,
    dim=st.one_of(st.sampled_from(attention.DIMENSIONS), JUNK),
    flags=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_the_attention_explorer_explores_or_explains(query, keys, heads, temperature, pad_to, dim, flags):
    settings = {"heads": heads, "temperature": temperature, "pad_to": pad_to, "dim": dim}
    settings |= dict(zip(("scale", "causal", "mask_padding", "positions"), flags, strict=True))
    result = outcome(attention.explore, query, keys, **settings)
    if result is not None:
        assert np.isfinite(result.mean_weights).all()
        json.dumps(result.to_dict())


@settings(FAST, max_examples=40)
@given(text=TEXT, task=st.sampled_from(ATTENTION_TASKS))
def test_the_toy_attention_model_reads_digits_or_explains(text, task):
    outcome(run_toy, bundled("attention", task=task), text)


@settings(FAST, max_examples=60)
@given(prompt=TEXT, temperature=TEMPERATURES, count=COUNTS, seed=COUNTS)
def test_charlstm_generates_or_explains(prompt, temperature, count, seed):
    result = outcome(charlstm.generate, bundled("charlstm"), prompt, temperature, count, seed)
    if result is not None:
        assert result.texts and 0 <= result.temperature <= charlstm.MAX_TEMPERATURE


@settings(FAST, max_examples=60)
@given(prefix=TEXT, temperature=TEMPERATURES)
def test_palindromes_answer_or_explain(prefix, temperature):
    result = outcome(palindromes.predict_last_digit, bundled("palindromes"), prefix, temperature)
    if result is not None:
        assert 0 <= result.digit("lstm") <= 9 and np.isfinite(result.cell).all()


BITS = st.one_of(
    TEXT, st.text(alphabet="01 _,b\t", max_size=40), st.integers(0, 2**30).map(lambda n: f"{n:b}")
)


@settings(FAST, max_examples=60)
@given(a=BITS, b=BITS, temperature=TEMPERATURES)
def test_binary_addition_adds_or_explains(a, b, temperature):
    result = outcome(binary_addition.add_numbers, bundled("binary-addition"), a, b, temperature)
    if result is not None:
        assert result.expected_value == int(result.a, 2) + int(result.b, 2)
        assert len(result.confidences) == len(result.bits) == len(result.expected_bits)


@settings(FAST, max_examples=40)
@given(n=COUNTS, temperature=TEMPERATURES, seed=COUNTS)
def test_binary_prior_generates_or_explains(n, temperature, seed):
    result = outcome(binary_prior.generate, bundled("binary-prior"), n, temperature, seed, None, prior_data())
    if result is not None:
        json.dumps(result.to_dict())


CODES = st.one_of(
    TEXT,
    st.text(alphabet="01 ,_", min_size=40, max_size=60),
    st.lists(st.sampled_from([0, 1, -1, 2, 0.5, math.nan]), min_size=46, max_size=50),
    hnp.arrays(np.float64, st.sampled_from([(48,), (2, 48), (0, 48), (48, 1), (3, 4, 4)])),
)


@settings(FAST, max_examples=60)
@given(bits=CODES, index=COUNTS)
def test_binary_ae_codes_decode_or_explain(bits, index):
    trained = bundled("binary-ae")
    images = outcome(bit_codes.decode, trained, bits)
    if images is not None:
        assert images.ndim == 3 and np.isfinite(images).all()
    outcome(bit_codes.flip, "01" * 24, index)
    outcome(bit_codes.bits_grid, bits)
    outcome(bit_codes.parse_codes, bits)
    outcome(bit_codes.parse_flips, bits)


LATENTS = st.one_of(
    latents(JUNK), hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4))
)


@settings(FAST, max_examples=60)
@given(z=LATENTS, low=TEMPERATURES, high=TEMPERATURES, n=COUNTS, dim=COUNTS, text=TEXT)
def test_vae_latent_tools_decode_or_explain(z, low, high, n, dim, text):
    trained = bundled("vae")
    outcome(vae.decode, trained, z)
    outcome(vae.parse_latent, text, vae.latent_size(trained))
    outcome(vae.parse_codes, text, vae.latent_size(trained))
    outcome(vae.manifold, trained, low, high, n)
    outcome(vae.traverse, trained, z, dim, low, high, n)
    outcome(vae.interpolate, trained, z, [0.0, 0.0], n)


@settings(FAST, max_examples=60)
@given(z=LATENTS, n=COUNTS, seed=COUNTS, steps=COUNTS, text=TEXT, dim=COUNTS, value=TEMPERATURES)
def test_gan_latent_tools_generate_or_explain(z, n, seed, steps, text, dim, value):
    for recipe in ("dcgan", "cdcgan"):  # unconditional, and conditional on the class
        trained = bundled("gan", recipe=recipe)
        outcome(gan.generate, trained, z)
        images = outcome(gan.sample, trained, n, seed)
        assert images is None or (images.ndim == 3 and np.isfinite(images).all())
        outcome(gan.latent_from_reference, trained, text)
        outcome(gan.clamp_steps, steps)
        outcome(gan.interpolate, trained, z, z, steps)
        key = dim if isinstance(dim, Hashable) else repr(dim)  # a slider's dimension
        outcome(gan.nudge, np.zeros(gan.latent_size(trained), np.float32), {key: value})
        outcome(gan.with_class, trained, np.zeros(gan.latent_size(trained), np.float32), dim)


@settings(FAST, max_examples=60)
@given(
    noise=st.one_of(st.sampled_from(["gaussian", "salt-pepper", "mask", "Gaussian", "blur"]), JUNK),
    level=TEMPERATURES,
    seed=COUNTS,
    frame=st.one_of(ODD_PADS, hnp.arrays(np.float32, (28, 28), elements=st.floats(-2, 2, width=32))),
)
def test_denoise_corrupts_and_denoises_or_explains(noise, level, seed, frame):
    result = outcome(denoise.corrupt_and_denoise, bundled("denoise"), frame, noise, level, seed)
    if result is not None:
        assert np.isfinite(result.denoised).all()
    outcome(denoise.denoise, bundled("denoise"), frame)


# --- 4. the command line --------------------------------------------------------------------

BAD_COMMANDS = [
    ["train", "digits", "--set", "epochs=-1"],
    ["train", "digits", "--set", "epochs=1e400"],
    ["train", "digits", "--set", "nosuch=1"],
    ["train", "digits", "--set", "epochs"],
    ["train", "charlstm", "--set", "sentences="],
    ["train", "transformer", "--set", "heads=3"],
    ["train", "nosuchlab"],
    ["evaluate", "nosuchlab"],
    ["evaluate", "digits", "--checkpoint", "/nonexistent/checkpoint"],
    ["palindromes", "last-digit", "12a45"],
    ["palindromes", "last-digit", "1"],
    ["palindromes", "last-digit", "1234", "--temperature", "nan"],
    ["palindromes", "last-digit", "1234", "--units", "0"],
    ["binary-addition", "add", "102", "1"],
    ["binary-addition", "add", "1", "1", "--temperature", "-1"],
    ["binary-addition", "add", "1" * 500, "1"],
    ["transformer", "translate", ""],
    ["transformer", "translate", "x" * 10_001],
    ["transformer", "translate", "i am cold .", "--beam", "0"],
    ["transformer", "translate", "i am cold .", "--head", "nan"],
    ["transformer", "heldout", "--index", "5000"],
    ["seq2seq", "translate", "   "],
    ["seq2seq", "translate", "😀"],
    ["seq2seq", "heldout", "--index", "-1"],
    ["attention", "explore", "", "the cat"],
    ["attention", "explore", "the cat", "a dog", "--heads", "3"],
    ["attention", "explore", "the cat", "a dog", "--temperature", "nan"],
    ["attention", "explore", "the cat", "a dog", "--dim", "7"],
    ["attention", "toy", "12x"],
    ["attention", "toy", "123456789"],
    ["charlstm", "generate", "Ω☃"],
    ["charlstm", "generate", "--count", "inf"],
    ["charlstm", "generate", "--temperature", "nan"],
    ["charlstm", "memorisation", "--samples", "0"],
    ["binary-prior", "generate", "--n", "0"],
    ["binary-prior", "generate", "--temperature", "-1"],
    ["gan", "sample", "--n", "inf", "--out", "x.png"],
    ["gan", "sample", "--seed", "-1", "--out", "x.png"],
    ["gan", "interpolate", "1", "2", "--steps", "1e400"],
    ["binary-ae", "decode", "012", "--out", "x.png"],
    ["binary-ae", "decode", "01" * 24, "48"],
    ["binary-ae", "digit", "--index", "5000"],
    ["vae", "decode", "a,b", "--out", "x.png"],
    ["vae", "decode", "nan,1", "--out", "x.png"],
]


@pytest.mark.parametrize("argv", BAD_COMMANDS, ids=lambda argv: " ".join(argv)[:60])
def test_the_cli_answers_bad_input_with_one_line_and_exit_code_2(argv, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(argv)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert code == 2, captured
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err


# --- 5. through Gradio: the API handlers end in gr.Error, never a raw exception --------------


def gradio_outcome(call, *args, **kwargs) -> Any:
    try:
        return call(*args, **kwargs)
    except gr.Error as error:
        assert str(error.message).strip()
        return None


@settings(FAST, max_examples=40)
@given(text=API_TEXT, other=API_TEXT, number=API_NUMBERS, count=API_COUNTS)
def test_the_sequence_labs_api_inputs_end_in_a_user_error(text, other, number, count):
    """Their endpoints are generated: they run the interactions, whose answers are JSON."""
    for lab_id, name, values in (
        ("charlstm", "generate", {"prompt": text, "greedy": other, "temperature": number, "count": count}),
        ("charlstm", "memorisation", {"samples": count, "temperature": number, "seed": count}),
        ("palindromes", "last-digit", {"prefix": text, "temperature": number, "view": other, "units": count}),
        ("binary-addition", "add", {"a": text, "b": other, "temperature": number}),
    ):
        interaction = get_lab(lab_id).interaction(name)
        answer = outcome(interaction, bundled(lab_id), values)
        if answer is not None:
            json.dumps(result_json(interaction, answer))


@pytest.fixture(scope="module")
def tabs():
    return {}  # every lab's tab is generated: its endpoints run the declared interactions


MODEL_NAMES = st.one_of(st.none(), st.sampled_from(["", "session", "nope", " "]), st.text(max_size=5))


@settings(FAST, max_examples=40)
@given(text=API_TEXT, other=API_TEXT, number=API_NUMBERS, count=API_COUNTS, model=MODEL_NAMES)
def test_the_translation_and_attention_api_inputs_end_in_a_user_error(text, other, number, count, model):
    """Their endpoints are generated: the model by name, then the interaction; answers are JSON."""
    from core import models

    explorer = {"query": text, "keys": other, "heads": count, "temperature": number, "pad_to": count}
    for lab_id, name, chosen, values in (
        ("seq2seq", "translate", model, {"text": text}),
        ("seq2seq", "heldout", model, {"index": count}),
        ("transformer", "translate", None, {"text": text, "beam": count, "layer": count, "head": number}),
        ("transformer", "heldout", model, {"index": count, "beam": number}),
        ("attention", "explore", None, {**explorer, "dim": count, "causal": text}),
        ("attention", "toy", model, {"digits": text}),
    ):
        lab = get_lab(lab_id)
        interaction = lab.interaction(name)
        trained = outcome(models.choose, lab, chosen)
        if trained is not None:
            answer = outcome(interaction, trained if interaction.needs_model else None, values)
            if answer is not None:
                json.dumps(result_json(interaction, answer))


@settings(FAST, max_examples=40)
@given(
    z=latents(JSON_JUNK),
    text=API_TEXT,
    number=API_NUMBERS,
    count=API_COUNTS,
    flips=st.one_of(JSON_JUNK, st.lists(API_COUNTS, max_size=3)),
)
def test_the_number_endpoints_end_in_a_gradio_error(tabs, z, text, number, count, flips):
    # The GAN's API is generated too: its endpoints run the interactions.
    sample_gan, path_gan = get_lab("gan").interaction("sample"), get_lab("gan").interaction("interpolate")
    outcome(sample_gan, bundled("gan"), {"seed": text, "n": count})
    ends = {"start": text, "end": count, "steps": count, "mode": text}
    outcome(path_gan, bundled("gan", recipe="dcgan"), ends)


@settings(FAST, max_examples=40)
@given(z=latents(JSON_JUNK), text=API_TEXT, number=API_NUMBERS, count=API_COUNTS)
def test_the_vae_api_inputs_end_in_a_user_error(z, text, number, count):
    """The VAE's endpoints are generated: they run its interactions and report their user errors."""
    decode_codes, grid = get_lab("vae").interaction("decode"), get_lab("vae").interaction("manifold")
    point = get_lab("vae").interaction("latent-map")
    outcome(decode_codes, bundled("vae"), {"z": z})
    outcome(decode_codes, bundled("vae"), {"z": text})
    outcome(grid, bundled("vae"), {"low": number, "high": count, "n": count, "x_dim": count})
    outcome(point, bundled("vae"), {"x": number, "y": z, "y_dim": count})


@settings(FEW, max_examples=25)
@given(pad=ODD_PADS, data=ANY_BYTES)
def test_the_binary_ae_pictures_end_in_a_user_error(pad, data):
    """Its endpoints are generated: a file read as every upload is (a drawing as every pad is),
    then the interaction."""
    encode = get_lab("binary-ae").interaction("encode")
    for picture in (outcome(imaging.read_upload, data), outcome(imaging.canvas_to_gray, pad)):
        if picture is not None:
            outcome(encode, bundled("binary-ae"), {"image": picture})


@settings(FAST, max_examples=40)
@given(
    text=API_TEXT,
    number=API_NUMBERS,
    count=API_COUNTS,
    flips=st.one_of(JSON_JUNK, st.lists(API_COUNTS, max_size=3)),
    model=MODEL_NAMES,
)
def test_the_binary_ae_and_prior_api_inputs_end_in_a_user_error(text, number, count, flips, model):
    """Their endpoints are generated: the model by name, then the interactions."""
    from core import models

    ae, prior = get_lab("binary-ae"), get_lab("binary-prior")
    outcome(ae.interaction("decode"), bundled("binary-ae"), {"bits": text, "flips": flips})
    outcome(ae.interaction("decode"), bundled("binary-ae"), {"bits": text, "flips": text})
    outcome(ae.interaction("digit"), bundled("binary-ae"), {"split": text, "index": count})
    outcome(ae.interaction("digit"), bundled("binary-ae"), {"split": "held-out", "index": count})
    values = {"n": count, "temperature": number, "seed": count}
    outcome(lambda: prior.interaction("generate")(models.choose(prior, model), values))


@settings(FEW, max_examples=25)
@given(data=ANY_BYTES)
def test_the_denoise_and_mnist_rows_uploads_end_in_a_user_error(data):
    """Their endpoints are generated: the file read as every upload is, then the interaction."""
    picture = outcome(imaging.read_upload, data)
    if picture is not None:
        restore, read = get_lab("denoise").interaction("restore"), get_lab("mnist-rows").interaction("read")
        outcome(restore, bundled("denoise"), {"image": picture, "noise": "mask"})
        outcome(read, bundled("mnist-rows"), {"image": picture})


@settings(FEW, max_examples=20)
@given(noise=st.one_of(st.sampled_from(["gaussian", "mask"]), JSON_JUNK), level=API_NUMBERS, seed=API_COUNTS)
def test_denoise_endpoint_options_end_in_a_user_error(noise, level, seed):
    heldout = get_lab("denoise").interaction("heldout")
    outcome(heldout, bundled("denoise"), {"index": seed, "noise": noise, "level": level, "seed": seed})
    course = bundled("denoise", architecture="course")
    outcome(heldout, course, {"index": 3, "noise": noise, "level": level, "seed": seed})
