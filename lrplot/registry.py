"""Every scheduler lrplot knows, as data, across frameworks.

Each framework describes its schedulers in its own ``frameworks/<name>/records.py``; this module
joins them into one table and looks names up: torch's class names and aliases as they are
(``StepLR``, ``cosine``), other frameworks' as ``<framework>.<name>`` (``transformers.cosine``).
The config loader, ``lrplot list``, the CLI flags and the tests all read this table; nothing else
lists schedulers.
"""

from __future__ import annotations

import importlib

from .frameworks.base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Bound, Family, Param, ResolveContext, SchedulerInfo

__all__ = [
    "PACKAGES", "FAMILIES", "SCHEDULERS", "BY_NAME", "FROM_RUN", "REQUIRED", "POSITIVE", "NON_NEGATIVE",
    "Bound", "Family", "Param", "ResolveContext", "SchedulerInfo", "lookup", "all_names", "family",
]

# The framework packages under lrplot/frameworks/, in the order `lrplot list` shows them: adding a
# framework is its package plus one name here. torch comes first: plain names are torch's.
PACKAGES: tuple[str, ...] = ("torch", "transformers", "timm", "yolo", "keras", "optax", "detectron2", "mmengine", "deepspeed", "megatron",
                             "torchtitan", "usercode")
FAMILIES: tuple[Family, ...] = tuple(importlib.import_module(f"lrplot.frameworks.{name}.records").FAMILY for name in PACKAGES)
SCHEDULERS: tuple[SchedulerInfo, ...] = tuple(s for f in FAMILIES for s in f.schedulers)
BY_NAME: dict[str, SchedulerInfo] = {s.name: s for s in SCHEDULERS}
_BY_FAMILY: dict[str, Family] = {f.name: f for f in FAMILIES}


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


_LOOKUP: dict[str, SchedulerInfo] = {}
for _info in SCHEDULERS:
    for _n in (_info.name, *_info.aliases):  # other frameworks' aliases carry their prefix too
        _LOOKUP.setdefault(_key(_n), _info)


def lookup(name: str) -> SchedulerInfo | None:
    """The scheduler a type name or alias means: case-insensitive, ``-`` and ``_`` alike."""
    return _LOOKUP.get(_key(name))


def family(name: str) -> Family:
    """The framework a scheduler (``info.family``) or a family name belongs to."""
    return _BY_FAMILY[name]


def all_names() -> list[str]:
    """Every accepted spelling (type names first), for suggestions and help."""
    return [s.name for s in SCHEDULERS] + [a for s in SCHEDULERS for a in s.aliases]
