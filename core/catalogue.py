"""The catalogue: every lab's spec, grouped by topic, in catalogue order.

Each lab declares its own spec in its package (core/labs/<lab>/spec.py, torch-free); the
catalogue reads those, so the home pages show every lab in a moment, before torch is imported.
A lab that is announced but not built yet is a spec with status "planned" in PLANNED.
"""

from __future__ import annotations

from core.specs import LabSpec

PLANNED: tuple[LabSpec, ...] = ()


def all_specs() -> list[LabSpec]:
    """Every lab's spec, ready and planned, by `order`."""
    from core.registry import package_specs  # torch-free: reads only each package's spec.py

    specs = {spec.id: spec for spec in PLANNED} | {spec.id: spec for spec in package_specs()}
    return sorted(specs.values(), key=lambda spec: spec.order)


def ready_specs() -> list[LabSpec]:
    return [spec for spec in all_specs() if spec.status == "ready"]


def catalogue() -> dict[str, list[LabSpec]]:
    """All labs grouped by topic: topics in the order of their first lab, labs by `order`."""
    topics: dict[str, list[LabSpec]] = {}
    for spec in all_specs():
        topics.setdefault(spec.topic, []).append(spec)
    return topics
