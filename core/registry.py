"""Where the labs are: found, not listed.

A lab is a package in core/labs/ with a torch-free `spec.py` (its `SPEC`: what the catalogue,
the home pages and the CLI's `list` read) and a `lab.py` whose `LAB` is the lab object (models,
training, interactions), imported only when someone opens the lab, since it pulls in torch.
Labs still written as one module are listed in LEGACY_LABS until they move into a package.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.labs.base import Lab
    from core.specs import LabSpec

LEGACY_LABS = {  # lab id -> "module:class", for labs not yet in a package of their own
    "gan": "core.labs.gan:GanLab",
    "vae": "core.labs.vae:VAELab",
    "denoise": "core.labs.denoise:DenoiseLab",
    "transformer": "core.labs.transformer:TransformerLab",
    "mnist-rows": "core.labs.mnist_rows:MnistRowsLab",
    "charlstm": "core.labs.charlstm:CharLSTMLab",
    "attention": "core.labs.attention:AttentionLab",
    "seq2seq": "core.labs.seq2seq:Seq2seqLab",
    "palindromes": "core.labs.palindromes:PalindromesLab",
    "binary-addition": "core.labs.binary_addition:BinaryAdditionLab",
    "binary-ae": "core.labs.binary_ae:BinaryAELab",
    "binary-prior": "core.labs.binary_prior:BinaryPriorLab",
}
_labs: dict[str, Lab] = {}


class UnknownLabError(KeyError):
    def __str__(self) -> str:
        return f"unknown lab {self.args[0]!r}; ready labs: {', '.join(lab_ids())}"


@functools.cache
def lab_packages() -> dict[str, str]:
    """Lab id -> its package (core.labs.<name>), for every package with a spec.py and a lab.py."""
    import core.labs

    packages = {}
    for info in pkgutil.iter_modules(core.labs.__path__):
        folder = Path(info.module_finder.path) / info.name
        if info.ispkg and (folder / "spec.py").is_file() and (folder / "lab.py").is_file():
            package = f"core.labs.{info.name}"
            packages[importlib.import_module(f"{package}.spec").SPEC.id] = package
    return packages


def package_specs() -> list[LabSpec]:
    return [importlib.import_module(f"{package}.spec").SPEC for package in lab_packages().values()]


def lab_ids() -> list[str]:
    """Every ready lab's id, in catalogue order."""
    from core.catalogue import ready_specs

    return [spec.id for spec in ready_specs()]


def get_lab(lab_id: str) -> Lab:
    """The lab object for a ready lab's id (one shared instance per process)."""
    if lab_id not in _labs:
        if lab_id in lab_packages():
            _labs[lab_id] = importlib.import_module(f"{lab_packages()[lab_id]}.lab").LAB
        elif lab_id in LEGACY_LABS:
            module_name, class_name = LEGACY_LABS[lab_id].split(":")
            _labs[lab_id] = getattr(importlib.import_module(module_name), class_name)()
        else:
            raise UnknownLabError(lab_id)
    return _labs[lab_id]


def ready_labs() -> list[Lab]:
    return [get_lab(lab_id) for lab_id in lab_ids()]
