"""Take the model away: a trained or bundled model as one zip that works outside this app.

The zip holds the checkpoint as the app saves it (config.json, model.safetensors, metrics.json,
the model card README.md), so the app can load it back; `model.onnx` where the lab's model
exports (checked against PyTorch with onnxruntime in the tests); and, where the lab ships a
`predict.py` beside a `model.py` that needs nothing but torch, both files (with the helpers of
core/standalone/ that predict.py imports, such as pictures.py), so the model runs with only
`pip install torch safetensors`. EXPORT.md says what is inside and how to run it: the usage
lines are the `python predict.py ...` lines of predict.py's docstring.
"""

from __future__ import annotations

import ast
import inspect
import io
import re
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path

import safetensors.torch
import torch

from core import checkpoints
from core.labs.base import Lab, TrainedModel

STANDALONE_IMPORTS = {
    "torch",
    "safetensors",
    "__future__",
    "argparse",
    "collections",
    "copy",
    "csv",
    "dataclasses",
    "html",
    "json",
    "math",
    "struct",
    "sys",
    "typing",
    "unicodedata",
    "zlib",
    "pathlib",
    "re",
}
# Modules an export may ship beside predict.py: torch-only helpers several labs share.
HELPERS = Path(__file__).resolve().parent / "standalone"


def standalone_files(lab: Lab) -> dict[str, str]:
    """The lab's model.py and predict.py, with the helpers they import (pictures.py,
    recurrent.py...), when it has a predict.py and each of these files imports nothing but torch
    and the standard library (no part of this project). A model.py that the app imports reads a
    helper as `core.standalone.recurrent`; the shipped copies read it as `recurrent`, beside them."""
    package = Path(__import__(type(lab).__module__, fromlist=["_"]).__file__).parent
    model, predict = package / "model.py", package / "predict.py"
    if not (model.is_file() and predict.is_file()):
        return {}
    files = {"model.py": as_shipped(model.read_text()), "predict.py": as_shipped(predict.read_text())}
    wanted = [name for source in files.values() for name in sorted(imported_names(source))]
    while wanted:  # helpers may import helpers
        name = wanted.pop()
        path = HELPERS / f"{name}.py"
        if name != "__init__" and f"{name}.py" not in files and path.is_file():
            files[f"{name}.py"] = as_shipped(path.read_text())
            wanted += sorted(imported_names(files[f"{name}.py"]))
    shipped = {Path(name).stem for name in files}
    if not all(runs_alone(source, shipped) for source in files.values()):
        return {}
    return files


def as_shipped(source: str) -> str:
    """A module as an export ships it: its imports of core.standalone's helpers read the copies
    shipped beside it (`from core.standalone.recurrent import` becomes `from recurrent import`)."""
    return re.sub(r"^(\s*)from core\.standalone\.(\w+) import", r"\1from \2 import", source, flags=re.M)


def imported_names(source: str) -> set[str]:
    """The top-level names of the modules a module imports."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            names.add((node.module or "").split(".")[0])
    return names


def runs_alone(source: str, beside: set[str] = frozenset()) -> bool:
    """Whether a module's imports are all torch, safetensors, the standard library's few or the
    files shipped `beside` it (model, pictures...)."""
    return imported_names(source) <= STANDALONE_IMPORTS | set(beside)


def usage(predict_source: str) -> list[str]:
    """The `python predict.py ...` lines of predict.py's docstring: how to run it."""
    docstring = ast.get_docstring(ast.parse(predict_source)) or ""
    return [line.strip() for line in docstring.splitlines() if line.strip().startswith("python predict.py")]


def onnx_bytes(lab: Lab, trained: TrainedModel) -> tuple[bytes | None, str]:
    """The model as ONNX (batch size free), or None and the reason it is not there."""
    inputs = lab.onnx_inputs(trained)
    if inputs is None:
        return None, lab.onnx_note
    model = lab.onnx_module(trained).eval()
    names = [f"input_{i}" for i in range(len(inputs))]
    try:
        with warnings.catch_warnings(), tempfile.TemporaryDirectory() as scratch:
            warnings.simplefilter("ignore")
            path = Path(scratch) / "model.onnx"
            if lab.onnx_traced:
                torch.onnx.export(
                    model,
                    inputs,
                    str(path),
                    dynamo=False,
                    input_names=names,
                    output_names=["output"],
                    dynamic_axes={
                        name: {0: "batch", **({1: "length"} if lab.onnx_lengths and x.dim() > 1 else {})}
                        for name, x in zip([*names, "output"], [*inputs, torch.zeros(1)], strict=True)
                    },
                )
            else:
                program = torch.onnx.export(
                    model,
                    inputs,
                    dynamo=True,
                    verbose=False,
                    input_names=names,
                    output_names=["output"],
                    dynamic_shapes=batch_first(model, len(inputs), torch.export.Dim("batch")),
                )
                program.save(str(path))
            return path.read_bytes(), ""
    except ImportError as error:  # onnx and onnxscript are in requirements.txt, but may be left out
        return None, f"writing ONNX needs the onnx and onnxscript packages ({error})."
    except Exception as error:  # an exporter failure must not cost the student the rest
        return None, f"PyTorch's ONNX exporter failed on this model ({type(error).__name__}: {error})."


def batch_first(model: torch.nn.Module, count: int, batch: torch.export.Dim) -> tuple:
    """torch.export's dynamic shapes for `count` inputs whose first dimension is the batch: one
    entry per input, or one entry holding them all for a forward(*inputs) (FirstOutput)."""
    shapes = tuple({0: batch} for _ in range(count))
    parameters = inspect.signature(model.forward).parameters.values()
    return (shapes,) if any(p.kind is p.VAR_POSITIONAL for p in parameters) else shapes


def warm_exporter() -> None:
    """Export a one-layer model once, so that the exporter's first-use costs (importing onnx and
    onnxscript, setting up torch.export: 5 to 15 s) are paid when a server starts, in the
    background, not by the first student who downloads a model. Best effort: any failure is
    left for a real export to report."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(torch.nn.Linear(2, 1).eval(), (torch.zeros(1, 2),), dynamo=True, verbose=False)
    except Exception:  # a warm-up never stops a server
        pass


def warm_exporter_in_background() -> threading.Thread:
    thread = threading.Thread(target=warm_exporter, name="onnx-warm-up", daemon=True)
    thread.start()
    return thread


class SideBySide(torch.nn.Module):
    """Models trained side by side (a ModuleDict: one per loss, method or penalty) as one module
    for ONNX: the same input through each, their outputs as columns in the dict's order, each
    passed through `then` (torch.sigmoid: logits to probabilities)."""

    def __init__(
        self, models: torch.nn.ModuleDict, then: Callable[[torch.Tensor], torch.Tensor] | None = None
    ):
        super().__init__()
        self.models, self.then = models, then

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        outputs = torch.stack([model(*inputs) for model in self.models.values()], dim=1)
        return outputs if self.then is None else self.then(outputs)


class FirstOutput(torch.nn.Module):
    """A model that answers several tensors (logits and attention weights, logits and a state)
    as one module for ONNX that answers the first, the one the app's answer is read from."""

    def __init__(self, model: torch.nn.Module):
        super().__init__()
        self.model = model

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        return self.model(*inputs)[0]


def export_archive(lab: Lab, trained: TrainedModel) -> bytes:
    """The whole export as zip bytes; its folder inside is named after the checkpoint."""
    if trained.path is None or not Path(trained.path).is_dir():
        raise checkpoints.CheckpointError("this model has no saved checkpoint to export yet")
    folder = Path(trained.path)
    files: dict[str, bytes] = {}
    for name in (
        checkpoints.CONFIG_FILE,
        checkpoints.WEIGHTS_FILE,
        checkpoints.METRICS_FILE,
        checkpoints.CARD_FILE,
    ):
        if (folder / name).is_file():
            files[name] = (folder / name).read_bytes()
    onnx, why_not = onnx_bytes(lab, trained)
    if onnx is not None:
        files["model.onnx"] = onnx
    standalone = standalone_files(lab)
    files |= {name: text.encode() for name, text in standalone.items()}
    extra = lab.standalone_weights(trained) if standalone else {}
    files |= {name: safetensors.torch.save(tensors) for name, tensors in extra.items()}
    how = usage(standalone["predict.py"]) if standalone else []
    helpers = sorted(set(standalone) - {"model.py", "predict.py"})
    files["EXPORT.md"] = export_notes(lab, folder.name, why_not, how, helpers, sorted(extra)).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            # Weights barely compress (a few per cent) and deflating 20 MB costs seconds: stored.
            stored = name.endswith((".safetensors", ".onnx"))
            archive.writestr(f"{folder.name}/{name}", data, zipfile.ZIP_STORED if stored else None)
    return buffer.getvalue()


def export_notes(
    lab: Lab,
    name: str,
    onnx_missing: str,
    standalone: list[str],
    helpers: list[str] = (),
    weights: list[str] = (),
) -> str:
    """EXPORT.md: what the zip holds and how to run it; `onnx_missing` says why there is no
    ONNX file (empty when there is one), `standalone` the lines that run predict.py (empty
    when the lab has none), `helpers` the files shipped beside it (pictures.py...), `weights`
    the weights files it reads beside the checkpoint's (a frozen pretrained trunk)."""
    lines = [
        f"# {lab.spec.title}: {name}",
        "",
        "Exported from Deep Learning Labs. Inside:",
        "",
        "- `model.safetensors` and `config.json`: the trained weights and the architecture;",
        '  load this folder (or this zip) back into the app with "Load a checkpoint".',
        "- `metrics.json` and `README.md`: the held-out figures and the model card.",
    ]
    if standalone:
        lines += [
            f"- `model.py` and `predict.py`{''.join(f' (with `{h}`)' for h in helpers)}: run the model "
            "with only PyTorch and safetensors",
            "  (the first lines of predict.py say what it takes and what it prints):",
            "",
            "      pip install torch safetensors",
            *(f"      {line}" for line in standalone),
        ]
        lines += [
            f"- `{file}`: weights predict.py reads that the checkpoint leaves out (the frozen,"
            " pretrained part, which the app loads from a package)."
            for file in weights
        ]
    else:
        lines.append("- No standalone `predict.py` for this lab yet: use the app's CLI, or PyTorch.")
    if not onnx_missing:
        lines += [
            "- `model.onnx`: for ONNX Runtime and other engines, any batch size (the first",
            f"  dimension of its input and output): {lab.onnx_about}",
        ]
    else:
        lines.append(f"- No ONNX file: {onnx_missing}")
    return "\n".join(lines) + "\n"
