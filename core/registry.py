"""Where the labs are: found, not listed.

A lab is a package in core/labs/ with a torch-free `spec.py` (its `SPEC`: what the catalogue,
the home pages and the CLI's `list` read) and a `lab.py` whose `LAB` is the lab object (models,
training, interactions), imported only when someone opens the lab, since it pulls in torch.
Adding a lab adds a package; nothing here changes.
"""

from __future__ import annotations

import functools
import importlib
import os
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.labs.base import Lab
    from core.specs import LabSpec

_labs: dict[str, Lab] = {}


class UnknownLabError(KeyError):
    def __str__(self) -> str:
        return f"unknown lab {self.args[0]!r}; ready labs: {', '.join(lab_ids())}"


class LabSelectionError(ValueError):
    """DLL_LABS names a lab that does not exist (said at start, before any page is built)."""


@functools.cache
def lab_packages() -> dict[str, str]:
    """Lab id -> its package (core.labs.<name>), for every package with a spec.py and a lab.py;
    only the labs DLL_LABS names, when it is set (say "digits,vae": a class that needs two labs
    gets a server that starts faster and holds less)."""
    import core.labs

    packages = {}
    for info in pkgutil.iter_modules(core.labs.__path__):
        folder = Path(info.module_finder.path) / info.name
        if info.ispkg and (folder / "spec.py").is_file() and (folder / "lab.py").is_file():
            package = f"core.labs.{info.name}"
            packages[importlib.import_module(f"{package}.spec").SPEC.id] = package
    return _selected(packages, os.environ.get("DLL_LABS", ""))


def _selected(packages: dict[str, str], selection: str) -> dict[str, str]:
    wanted = [name.strip() for name in selection.split(",") if name.strip()]
    if not wanted:
        return packages
    unknown = [name for name in wanted if name not in packages]
    if unknown:
        named, labs = ", ".join(map(repr, unknown)), ", ".join(sorted(packages))
        raise LabSelectionError(f"DLL_LABS names no lab {named}; the labs are: {labs}")
    return {lab_id: package for lab_id, package in packages.items() if lab_id in wanted}


def package_specs() -> list[LabSpec]:
    return [importlib.import_module(f"{package}.spec").SPEC for package in lab_packages().values()]


def lab_ids() -> list[str]:
    """Every ready lab's id, in catalogue order."""
    from core.catalogue import ready_specs

    return [spec.id for spec in ready_specs()]


def get_lab(lab_id: str) -> Lab:
    """The lab object for a ready lab's id (one shared instance per process)."""
    if lab_id not in _labs:
        if lab_id not in lab_packages():
            raise UnknownLabError(lab_id)
        _labs[lab_id] = importlib.import_module(f"{lab_packages()[lab_id]}.lab").LAB
    return _labs[lab_id]


def ready_labs() -> list[Lab]:
    return [get_lab(lab_id) for lab_id in lab_ids()]
