"""`python -m core LAB INTERACTION ...`: a subcommand per declared interaction, the same
grammar for every lab.

Inputs: an image is a file (png, jpg or webp; several files run one after another, one answer
each), a photo a file or a bundled photo's name (`chelsea`), a text is a positional argument
(an interaction's only text may be given several times, or as `-` to read one per line from
stdin: one answer each, with `--json` one JSON line each, so a teacher can translate a file),
every other input an option (`--steps 10`, a yes/no
one `--causal` / `--no-causal`). The model is the lab's default bundled one, or `--model NAME`
(another bundled variant) or `--checkpoint DIR`. The answer is readable text, or with `--json`
one JSON object (pictures as their shape); `--out FILE` writes the first picture (.png, or
.npy for the raw floats).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from core import models
from core.errors import USER_ERRORS
from core.imaging import BUNDLED_PHOTOS, ImageInputError, read_photo, read_upload
from core.interactions import Interaction, png_bytes, result_json
from core.labs.base import Lab
from core.specs import Param, SpecError


def add_lab_commands(commands: argparse._SubParsersAction, lab: Lab) -> None:
    """`python -m core <lab>` with one subcommand per interaction."""
    # argparse formats help with %: "3.3% do" in a summary broke `python -m core --help`.
    parser = commands.add_parser(lab.spec.id, help=f"{lab.spec.title}: {lab.spec.summary}".replace("%", "%%"))
    interactions = parser.add_subparsers(dest="interaction", metavar="INTERACTION", required=True)
    for interaction in lab.interactions:
        command = interactions.add_parser(
            interaction.name,
            help=interaction.title.replace("%", "%%"),
            description=interaction.help.replace("%", "%%"),
        )
        # A value that starts with a minus and a digit is a value, not an option: `decode -1,0.5`,
        # `--low -1e9` (argparse alone reads only plain negative numbers that way).
        command._negative_number_matcher = re.compile(r"^-\.?\d")
        for param in interaction.inputs:
            _add_input(
                command,
                param,
                first_image=param is _first_image(interaction),
                several_texts=param is _only_text(interaction),
            )
        if interaction.needs_model:
            choice = command.add_mutually_exclusive_group()
            choice.add_argument(
                "--model",
                choices=list(lab.variants),
                help=f"a bundled model (default: {models.default_choice(lab)})",
            )
            choice.add_argument("--checkpoint", help="a checkpoint folder (config.json + model.safetensors)")
        command.add_argument("--json", action="store_true", help="print the answer as one JSON object")
        if any(output.kind in ("image", "gallery", "file") for output in interaction.outputs):
            command.add_argument("--out", help="write the first picture or file here (.png or .npy)")
        command.set_defaults(
            handler=lambda args, lab=lab, interaction=interaction: run(lab, interaction, args)
        )


def _first_image(interaction: Interaction) -> Param | None:
    return next((param for param in interaction.inputs if param.kind == "image"), None)


def _only_text(interaction: Interaction) -> Param | None:
    """The interaction's text input when it has exactly one (and no image): it may be given
    several times, one answer each."""
    texts = [param for param in interaction.inputs if param.kind == "text"]
    return texts[0] if len(texts) == 1 and _first_image(interaction) is None else None


def _texts(values: list[str] | None, default: Any) -> list[str]:
    """The texts asked for: each argument, `-` standing for stdin's lines (blank ones
    skipped); none given, the default."""
    if not values:
        return [default]
    texts: list[str] = []
    for value in values:
        if value == "-":
            texts += [line.rstrip("\r\n") for line in sys.stdin if line.strip()]
        else:
            texts.append(value)
    return texts


def _add_input(
    command: argparse.ArgumentParser, param: Param, first_image: bool, several_texts: bool = False
) -> None:
    help = param.help.replace("%", "%%")  # argparse formats help with %
    if param.kind == "image":  # the first image may be several files: one answer each
        command.add_argument(
            param.name, nargs="+" if first_image else None, metavar=param.name.upper(), help=help
        )
    elif param.kind == "photo":
        command.add_argument(
            param.name,
            nargs="?",
            default=param.default,
            metavar=param.name.upper(),
            help=f"{help} A png, jpg or webp file, or a bundled photo: {', '.join(BUNDLED_PHOTOS)} "
            f"(default: {param.default}).",
        )
    elif param.kind == "classes":
        command.add_argument(
            f"--{param.name.replace('_', '-')}",
            dest=param.name,
            default=param.default,
            metavar="DIR",
            help=f"{help} (default: {param.default})",
        )
    elif param.kind == "text" and several_texts:
        command.add_argument(
            param.name,
            nargs="*",
            default=None,
            metavar=param.name.upper(),
            help=f"{help} Several may be given, or - to read one per line from stdin: one answer each.",
        )
    elif param.kind == "text":
        command.add_argument(
            param.name, nargs="?", default=param.default, metavar=param.name.upper(), help=help
        )
    elif param.kind == "bool":
        command.add_argument(
            f"--{param.name.replace('_', '-')}",
            dest=param.name,
            action=argparse.BooleanOptionalAction,
            default=param.default,
            help=help,
        )
    else:
        bounds = (
            f" ({param.low:g} to {param.high:g})" if param.low is not None and param.high is not None else ""
        )
        choices = f" (one of {', '.join(param.choices)})" if param.choices else ""
        command.add_argument(
            f"--{param.name.replace('_', '-')}",
            dest=param.name,
            default=param.default,
            metavar=param.kind.upper(),
            help=f"{help}{bounds}{choices} (default: {param.default})",
        )


def read_image_file(name: str) -> np.ndarray:
    """An image file as the grey picture every front makes of an upload."""
    try:
        data = Path(name).read_bytes()
    except OSError as error:
        raise ImageInputError(f"{name}: {error.strerror or error}") from None
    return read_upload(data)


def read_photo_argument(name: str) -> np.ndarray | str:
    """A photo argument: a file's colour photo, else a bundled photo's name (core reads it)."""
    path = Path(name)
    if path.is_file():
        try:
            return read_photo(path.read_bytes())
        except OSError as error:
            raise ImageInputError(f"{name}: {error.strerror or error}") from None
    if name.strip().lower() in BUNDLED_PHOTOS:
        return name.strip().lower()
    raise ImageInputError(
        f"{name}: no such file, and no bundled photo by that name ({', '.join(BUNDLED_PHOTOS)})."
    )


def read_classes_argument(value: str) -> Any:
    from core.image_classes import read_argument

    try:
        return read_argument(value)
    except OSError as error:
        raise ImageInputError(f"{value}: {error.strerror or error}") from None


def run(lab: Lab, interaction: Interaction, args: argparse.Namespace) -> int:
    trained = None
    if interaction.needs_model:
        trained = lab.load(args.checkpoint) if args.checkpoint else models.choose(lab, args.model)
    values = {param.name: getattr(args, param.name) for param in interaction.inputs}
    for param in interaction.inputs:
        if param.kind == "photo":
            values[param.name] = read_photo_argument(values[param.name])
        if param.kind == "classes":  # a folder of class folders (or a zip of them) is read here
            values[param.name] = read_classes_argument(values[param.name])
    image = _first_image(interaction)
    text = _only_text(interaction)
    if text is not None:
        texts = _texts(values[text.name], text.default)
        if not texts:
            raise SpecError(f"{text.name}: `-` read no lines from stdin")
        if len(texts) == 1:  # one text: its error is the command's, as for any input
            _answer(lab, interaction, trained, values | {text.name: texts[0]}, args)
            return 0
        failures = 0
        for one in texts:  # one answer per text; a text it cannot take does not stop the others
            try:
                _answer(lab, interaction, trained, values | {text.name: one}, args, text=one)
            except USER_ERRORS as error:
                failures += 1
                line = {"text": one, "error": str(error)}
                print(json.dumps(line) if args.json else f"{one}: error: {error}")
        return 1 if failures else 0
    if image is None:
        _answer(lab, interaction, trained, values, args)
        return 0
    failures = 0
    for name in values[image.name]:  # one answer per file; a bad file does not stop the others
        try:
            pictures = {
                param.name: read_image_file(values[param.name])
                for param in interaction.inputs
                if param.kind == "image" and param is not image
            }
            _answer(
                lab, interaction, trained, values | pictures | {image.name: read_image_file(name)}, args, name
            )
        except ImageInputError as error:
            failures += 1
            print(json.dumps({"file": name, "error": str(error)}) if args.json else f"{name}: error: {error}")
    return 1 if failures else 0


def _answer(
    lab: Lab,
    interaction: Interaction,
    trained: Any,
    values: dict,
    args,
    file: str | None = None,
    text: str | None = None,
) -> None:
    result = interaction(trained, values)
    if getattr(args, "out", None):
        _write_first_picture(interaction, result, Path(args.out))
    shown = result_json(interaction, result, images=False)
    if args.json:
        answer = ({"file": file} if file else {}) | ({"text": text} if text is not None else {}) | shown
        if trained is not None:
            answer |= models.answered_by(lab, trained)
        print(json.dumps(answer))
        return
    if file:
        print(f"{file}:")
    if text is not None:
        print(f"{text}:")
    for output in interaction.outputs:
        if output.name in shown:
            print(_readable(output.kind, output.label, shown[output.name]))


def _readable(kind: str, label: str, value: Any) -> str:
    if kind == "label":
        return f"{label}: {value['prediction']} ({value['confidence']:.1%})"
    if kind in ("markdown", "text"):
        return value.replace("**", "")
    if kind in ("image", "gallery", "plot"):
        return f"{label}: a picture (write it with --out, or see it in the app)"
    return f"{label}: {json.dumps(value)}"


PICTURE_SUFFIXES = (".png", ".npy")


def _write_first_picture(interaction: Interaction, result: dict, path: Path) -> None:
    """The output that fits the file's name: the first picture (.png, or .npy for the raw
    floats), else a file the interaction offers with that ending (a .gif)."""
    from core import charts

    suffix = path.suffix.lower()
    for output in interaction.outputs:
        value = result.get(output.name)
        if suffix in PICTURE_SUFFIXES and output.kind in ("image", "gallery") and value is not None:
            break  # a picture the interaction shows comes before a file it offers
        if output.kind == "file" and value is not None and Path(value.name).suffix.lower() == suffix:
            path.write_bytes(value.data)
            return
    if suffix not in PICTURE_SUFFIXES:
        endings = sorted(
            {*PICTURE_SUFFIXES}
            | {
                Path(result[o.name].name).suffix
                for o in interaction.outputs
                if o.kind == "file" and result.get(o.name) is not None
            }
        )
        raise SpecError(f"--out: {interaction.name} writes {', '.join(endings)}, not {path.name!r}")
    for output in interaction.outputs:
        value = result.get(output.name)
        if value is None or output.kind not in ("image", "gallery"):
            continue
        if output.kind == "gallery":
            stack = [np.asarray(image, dtype=np.float32) for image, _ in value]
            array = np.stack(stack) if len({a.shape for a in stack}) == 1 else None
            picture = charts.tile(array, output.columns) if array is not None else stack[0]
        else:
            array = picture = np.asarray(value, dtype=np.float32)
        if suffix == ".npy":
            np.save(path, array if array is not None else picture)
        else:
            path.write_bytes(png_bytes(picture))
        return
    raise SpecError(f"--out: {interaction.name} gave no picture to write")
