"""Gradio writes every output image into its cache folder under a name made from the image's
bytes, and writes it again, in place, whenever the same image is produced once more. When two
students ask for the same picture at the same moment (the default VAE manifold, say), one
request can serve the file while the other is rewriting it: the download is cut short
("peer closed connection without sending complete message body"). The load benchmark hit this
with 30 students. Here the write becomes atomic (a temporary file renamed into place) and is
skipped when the file is already there, which, the name being the bytes' hash, means it already
holds these bytes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from gradio import processing_utils


def _write_once(target: Path, data: bytes) -> None:
    if target.exists():
        return
    handle, staging = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(staging, 0o644)
        os.replace(staging, target)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def save_pil_to_cache(img, cache_dir: str, name: str = "image", format: str = "webp") -> str:
    """`gradio.processing_utils.save_pil_to_cache`, written atomically and once."""
    data = processing_utils.encode_pil_to_bytes(img, format)
    folder = Path(cache_dir) / processing_utils.hash_bytes(data)
    folder.mkdir(exist_ok=True, parents=True)
    target = (folder / f"{name}.{format}").resolve()
    _write_once(target, data)
    return str(target)


def install() -> None:
    """Use the atomic writer for every image output (components call it through the module)."""
    processing_utils.save_pil_to_cache = save_pil_to_cache
