"""Every scheduler lrplot knows, as data, across frameworks.

Each framework describes its schedulers in its own ``frameworks/<name>/records.py``; this module
joins them into one table and looks names up: torch's class names and aliases as they are
(``StepLR``, ``cosine``), other frameworks' as ``<framework>.<name>`` (``transformers.cosine``).
The config loader, ``lrplot list``, the CLI flags and the tests all read this table; nothing else
lists schedulers.

A family's records load the first time something asks for that family: a plain name is torch's, a
prefixed name its framework's, a config's section (named like its framework) that framework's.
So a command on a torch config loads torch's records alone, however many frameworks are listed
in ``PACKAGES``; what asks about every framework (``lrplot list``, a suggestion for a misspelt
name, ``FAMILIES``) loads them all.
"""

from __future__ import annotations

import importlib
from typing import Any

from .frameworks.base import FROM_RUN, NON_NEGATIVE, POSITIVE, REQUIRED, Bound, Family, Param, ResolveContext, SchedulerInfo

__all__ = [
    "PACKAGES", "FAMILIES", "SCHEDULERS", "BY_NAME", "FROM_RUN", "REQUIRED", "POSITIVE", "NON_NEGATIVE",
    "Bound", "Family", "Param", "ResolveContext", "SchedulerInfo", "lookup", "all_names", "family", "families",
    "section_family",
]

# The framework packages under lrplot/frameworks/, in the order `lrplot list` shows them: adding a
# framework is its package plus one name here. torch comes first: plain names are torch's. A
# family's config section (if it has one) is named as its package.
PACKAGES: tuple[str, ...] = ("torch", "transformers", "timm", "yolo", "keras", "optax", "detectron2", "mmengine", "deepspeed", "megatron",
                             "torchtitan", "usercode")

_PACKAGE: dict[str, Family] = {}  # package -> its family, loaded
_FAMILY: dict[str, Family] = {}  # family name -> family, of the loaded ones
_TABLE: dict[str, dict[str, SchedulerInfo]] = {}  # package -> its names and aliases (keyed) -> record


def _key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


def _load(package: str) -> Family:
    found = _PACKAGE.get(package)
    if found is None:
        found = importlib.import_module(f"lrplot.frameworks.{package}.records").FAMILY
        _PACKAGE[package] = found
        _FAMILY[found.name] = found
    return found


def family(name: str) -> Family:
    """The framework a scheduler (``info.family``) or a family name belongs to; its records load now
    (a family named unlike its package, usercode's ``code``, is found among every family's)."""
    found = _FAMILY.get(name)
    if found is None:
        if name in PACKAGES:
            _load(name)
        found = _FAMILY.get(name)
        if found is None:
            families()
            found = _FAMILY[name]  # KeyError: no such family
    return found


def families() -> tuple[Family, ...]:
    """Every family, in PACKAGES order (each one's records loaded)."""
    return tuple(_load(package) for package in PACKAGES)


def _table(package: str) -> dict[str, SchedulerInfo]:
    table = _TABLE.get(package)
    if table is None:
        table = {}
        for info in _load(package).schedulers:
            for spelling in (info.name, *info.aliases):  # other frameworks' aliases carry their prefix too
                table.setdefault(_key(spelling), info)
        _TABLE[package] = table
    return table


def lookup(name: str) -> SchedulerInfo | None:
    """The scheduler a type name or alias means: case-insensitive, ``-`` and ``_`` alike. Loads only
    the family the name belongs to (torch for a plain name of torch's, ``<framework>`` for
    ``<framework>.name``; any other name is looked for in every family)."""
    key = _key(name)
    if "/" in key or "\\" in key:  # a path, not a name: no family need load to say so
        return None
    prefix, dot, _ = key.partition(".")
    if dot and prefix in PACKAGES:
        return _table(prefix).get(key)
    found = None if dot else _table(PACKAGES[0]).get(key)
    if found is None:
        # A plain name torch lacks, or a family named unlike its package (usercode's `code`,
        # `code.function`): every family loads to find it.
        found = next((t[key] for t in map(_table, PACKAGES) if key in t), None)
    return found


def section_family(key: Any) -> Family | None:
    """The family whose config section ``key`` is (``transformers:``), or None; loads that family only."""
    if isinstance(key, str) and key in PACKAGES and _load(key).section == key:
        return _load(key)
    return None


def all_names() -> list[str]:
    """Every accepted spelling (type names first), for suggestions and help: every family loads."""
    schedulers = [s for f in families() for s in f.schedulers]
    return [s.name for s in schedulers] + [a for s in schedulers for a in s.aliases]


def __getattr__(name: str) -> Any:
    # FAMILIES, SCHEDULERS, BY_NAME: every family's records, loaded on first use.
    if name == "FAMILIES":
        return families()
    if name == "SCHEDULERS":
        return tuple(s for f in families() for s in f.schedulers)
    if name == "BY_NAME":
        return {s.name: s for f in families() for s in f.schedulers}
    raise AttributeError(f"module 'lrplot.registry' has no attribute {name!r}")
