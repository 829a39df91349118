"""Checkpoints in the Hugging Face layout: config.json, model.safetensors, metrics.json, README.md.

Saving locally and pushing to the Hub are the same thing: the folder is a model repo. Loading
accepts safetensors only. A pickle (`.pt`, `.pth`, `.bin`) can run arbitrary code when it is
unpickled, so it is refused with a message, never opened.
"""

from __future__ import annotations

import io
import json
import lzma
import os
import shutil
import tempfile
import time
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as load_safetensors_bytes
from safetensors.torch import save_file

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
METRICS_FILE = "metrics.json"
CARD_FILE = "README.md"
PICKLE_SUFFIXES = (".pt", ".pth", ".bin", ".pkl", ".pickle", ".ckpt")
MAX_WEIGHTS_BYTES = 200 * 1024 * 1024  # our labs' models are a few MB; this stops abuse
MAX_ARCHIVE_BYTES = MAX_WEIGHTS_BYTES + 1024 * 1024
# What zipfile raises for a damaged, encrypted or oddly compressed archive or member: a bad
# CRC or a size that lies (a zip bomb's trick), a password, an unknown method, cut-off data.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,
    NotImplementedError,
)


class CheckpointError(Exception):
    """A checkpoint is missing, unsafe, corrupt or does not fit the model."""


@dataclass
class Checkpoint:
    config: dict[str, Any]
    state_dict: dict[str, torch.Tensor]
    metrics: dict[str, Any]
    path: Path


def save_checkpoint(
    directory: str | Path,
    model: torch.nn.Module,
    config: dict[str, Any],
    metrics: dict[str, Any],
    card: str,
) -> Path:
    """Write the checkpoint folder atomically: readers see the old folder or the new, never half.

    Everything is written into a temporary sibling folder, flushed, then swapped in with
    renames, so a crash or a full disk mid-save leaves the previous checkpoint intact.
    """
    target = Path(directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        state = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
        save_file(state, staging / WEIGHTS_FILE, metadata={"format": "pt", "lab": str(config.get("lab", ""))})
        _write_text(staging / CONFIG_FILE, json.dumps(config, indent=2, sort_keys=True))
        _write_text(staging / METRICS_FILE, json.dumps(metrics, indent=2, sort_keys=True))
        _write_text(staging / CARD_FILE, card)
        _fsync(staging / WEIGHTS_FILE)
        staging.chmod(0o755)  # mkdtemp makes it private; a checkpoint is meant to be shared
        for file in staging.iterdir():
            file.chmod(0o644)
        _swap_in(staging, target)
    except OSError as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise CheckpointError(
            f"could not save the checkpoint to {target}: {error.strerror or error}"
        ) from error
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def _write_text(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text if text.endswith("\n") else text + "\n")


def _fsync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def _swap_in(staging: Path, target: Path) -> None:
    if not target.exists():
        os.replace(staging, target)
        return
    retired = target.with_name(f".{target.name}.old-{os.getpid()}")
    shutil.rmtree(retired, ignore_errors=True)
    os.replace(target, retired)
    os.replace(staging, target)
    # A checkpoint's files are replaced; a subfolder is a lab's own record of the run (the
    # early-stopping lab's per-epoch checkpoints) and moves into the new folder as it is.
    for kept in retired.iterdir():
        if kept.is_dir() and not (target / kept.name).exists():
            os.replace(kept, target / kept.name)
    shutil.rmtree(retired, ignore_errors=True)


def sweep_interrupted_saves(root: str | Path, min_age: float = 600.0) -> list[str]:
    """Tidy what a save killed half-way left in `root` (a server killed mid-save): staging
    folders are removed, and a previous checkpoint parked aside by `_swap_in` goes back in place
    when its replacement never arrived. Only leftovers older than `min_age` seconds are
    touched, so a save running in another process is never disturbed. Returns what it did."""
    folder = Path(root)
    if not folder.is_dir():
        return []
    done = []
    now = time.time()
    for leftover in sorted(folder.glob(".*")):
        try:
            if not leftover.is_dir() or now - leftover.stat().st_mtime < min_age:
                continue
        except OSError:
            continue
        name, _, tag = leftover.name[1:].rpartition(".")
        target = folder / name
        if tag.startswith("old-") and name and not target.exists():
            os.replace(leftover, target)
            done.append(f"restored {target.name}")
        else:
            shutil.rmtree(leftover, ignore_errors=True)
            done.append(f"removed {leftover.name}")
    return done


def read_checkpoint(directory: str | Path) -> Checkpoint:
    """Read a checkpoint folder; raise CheckpointError with a readable reason on any problem."""
    path = Path(directory)
    if not path.is_dir():
        if path.suffix in PICKLE_SUFFIXES:
            raise CheckpointError(_pickle_refusal(path.name))
        raise CheckpointError(f"no checkpoint folder at {path}")
    weights = path / WEIGHTS_FILE
    if not weights.is_file():
        pickles = sorted(p.name for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES)
        if pickles:
            raise CheckpointError(_pickle_refusal(pickles[0]))
        raise CheckpointError(f"{path} has no {WEIGHTS_FILE}")
    if weights.stat().st_size > MAX_WEIGHTS_BYTES:
        raise CheckpointError(f"{weights} is larger than {MAX_WEIGHTS_BYTES // 2**20} MB; refused")
    state_dict = parse_safetensors(weights.read_bytes(), weights.name)
    config = _read_json(path / CONFIG_FILE, required=True)
    metrics = _read_json(path / METRICS_FILE, required=False)
    return Checkpoint(config=config, state_dict=state_dict, metrics=metrics, path=path)


def parse_safetensors(data: bytes, name: str = WEIGHTS_FILE) -> dict[str, torch.Tensor]:
    """Tensors from safetensors bytes; anything else (a pickle above all) is refused.

    Parsing comes first: safetensors only reads a length and a JSON header, which is safe for
    any bytes, and a valid file may well start with 0x80, a pickle's first byte (the low byte
    of a 2,176-byte header is 0x80). Only bytes that fail to parse are named as a pickle."""
    try:
        return load_safetensors_bytes(data)
    except (SafetensorError, ValueError, RuntimeError) as error:
        if data[:2] == b"PK" or data[:1] == b"\x80":
            raise CheckpointError(_pickle_refusal(name)) from None
        raise CheckpointError(f"{name} is not a valid safetensors file ({error})") from None


def _pickle_refusal(name: str) -> str:
    return (
        f"{name} looks like a pickled PyTorch file. Pickles can run arbitrary code when loaded, "
        "so only safetensors checkpoints (model.safetensors + config.json) are accepted."
    )


def _read_json(path: Path, required: bool) -> dict[str, Any]:
    if not path.is_file():
        if required:
            raise CheckpointError(f"{path.parent} has no {path.name}")
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON ({error})") from None
    if not isinstance(value, dict):
        raise CheckpointError(f"{path} should hold a JSON object")
    return value


def load_weights(model: torch.nn.Module, state_dict: dict[str, torch.Tensor], source: Any) -> None:
    """Load weights strictly; a wrong architecture gives a short list of what does not fit."""
    expected = model.state_dict()
    problems = []
    missing = sorted(set(expected) - set(state_dict))
    unexpected = sorted(set(state_dict) - set(expected))
    if missing:
        problems.append(f"missing {', '.join(missing[:3])}{'...' if len(missing) > 3 else ''}")
    if unexpected:
        problems.append(f"unexpected {', '.join(unexpected[:3])}{'...' if len(unexpected) > 3 else ''}")
    for name in sorted(set(expected) & set(state_dict)):
        if expected[name].shape != state_dict[name].shape:
            problems.append(
                f"{name} has shape {tuple(state_dict[name].shape)}, "
                f"the model needs {tuple(expected[name].shape)}"
            )
    if problems:
        raise CheckpointError(f"{source}: the weights do not fit this model: {'; '.join(problems[:4])}")
    model.load_state_dict(state_dict)


def archive_bytes(directory: str | Path) -> bytes:
    """The checkpoint folder as a zip, for a download button."""
    path = Path(directory)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in (CONFIG_FILE, WEIGHTS_FILE, METRICS_FILE, CARD_FILE):
            if (path / name).is_file():
                archive.write(path / name, f"{path.name}/{name}")
    return buffer.getvalue()


def extract_archive(data: bytes, destination: str | Path) -> Path:
    """Unpack a checkpoint zip made by `archive_bytes` (or by hand) into `destination`.

    Only the four known file names are taken, from any one folder level, each size-checked
    before it is read, so a zip bomb or a path like ../../etc cannot do harm.
    """
    if len(data) > MAX_ARCHIVE_BYTES:
        raise CheckpointError("the archive is too large to be one of our checkpoints")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ZIP_ERRORS:
        if data[:1] == b"\x80":
            raise CheckpointError(_pickle_refusal("the upload")) from None
        raise CheckpointError("the upload is not a zip archive of a checkpoint folder") from None
    wanted = {CONFIG_FILE, WEIGHTS_FILE, METRICS_FILE, CARD_FILE}
    target = Path(destination)
    target.mkdir(parents=True, exist_ok=True)
    found = set()
    with archive:
        for info in archive.infolist():
            name = Path(info.filename).name
            if info.is_dir() or name not in wanted:
                if Path(info.filename).suffix in PICKLE_SUFFIXES:
                    raise CheckpointError(_pickle_refusal(Path(info.filename).name))
                continue
            if info.file_size > MAX_WEIGHTS_BYTES:
                raise CheckpointError(f"{name} in the archive is too large")
            try:
                content = archive.read(info)
            except ZIP_ERRORS as error:
                raise CheckpointError(f"{name} in the archive cannot be read ({error})") from None
            (target / name).write_bytes(content)
            found.add(name)
    if WEIGHTS_FILE not in found or CONFIG_FILE not in found:
        raise CheckpointError(f"the archive must hold {WEIGHTS_FILE} and {CONFIG_FILE}")
    return target


def push_to_hub(directory: str | Path, repo_id: str, token: str | None = None) -> str:
    """Upload a checkpoint folder as a Hub model repo; returns the repo URL."""
    from huggingface_hub import HfApi

    api = HfApi(token=token)
    api.create_repo(repo_id, repo_type="model", exist_ok=True)
    api.upload_folder(folder_path=str(directory), repo_id=repo_id, repo_type="model")
    return f"https://huggingface.co/{repo_id}"
