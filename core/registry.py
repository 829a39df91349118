"""Where the labs' code is: each ready lab's class, imported on first use.

Importing a lab pulls in torch and its models, so it waits until someone opens the lab;
`core.catalogue` has every spec without that cost.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from core.catalogue import READY

if TYPE_CHECKING:
    from core.labs.base import Lab

LAB_CLASSES = {  # lab id -> "module:class"
    "digits": "core.labs.digits:DigitsLab",
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
        return f"unknown lab {self.args[0]!r}; ready labs: {', '.join(LAB_CLASSES)}"


def get_lab(lab_id: str) -> Lab:
    """The lab object for a ready lab's id (one shared instance per process)."""
    if lab_id not in LAB_CLASSES:
        raise UnknownLabError(lab_id)
    if lab_id not in _labs:
        module_name, class_name = LAB_CLASSES[lab_id].split(":")
        _labs[lab_id] = getattr(importlib.import_module(module_name), class_name)()
    return _labs[lab_id]


def ready_labs() -> list[Lab]:
    return [get_lab(spec.id) for spec in READY]
