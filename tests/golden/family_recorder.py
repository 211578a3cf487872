"""The recorder of a framework whose reference module has ``trace(config)``, ``version()``, ``VERSION``
and ``LibraryError`` (DeepSpeed, Megatron-LM, torchtitan): each case's config run on the real
library into ``tests/golden/<name>/<id>.json``, written and checked by record.py's routine.

    python tests/golden/record_<name>.py              # re-record every case, delete traces of removed cases
    python tests/golden/record_<name>.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_<name>.py --check      # record into memory; exit 1 if a committed trace differs

A document is ``{"id", "<name>": version, "torch", "config", "lr": [[...]] | null, "momentum": ... | null,
"error": null | {"type", "message", "step"}}``: ``lr[g][k]`` is the lr param group g trains with at
optimizer step k, stepped as the stack's own training loop steps it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def load_cases(name: str) -> list[tuple[str, dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location(f"lrplot_{name}_cases", HERE / f"{name}_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def reference(name: str) -> Any:
    module = importlib.import_module(f"lrplot.frameworks.{name}.reference")
    found = module.version()
    if found != module.VERSION:
        raise SystemExit(f"{name} golden traces are recorded with {module.VERSION}, found {found}")
    return module


def record(name: str, case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    import torch

    module = reference(name)
    doc: dict[str, Any] = {"id": case_id, name: module.VERSION, "torch": torch.__version__, "config": config,
                           "lr": None, "momentum": None, "error": None}
    try:
        result = module.trace(config)
    except module.LibraryError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    else:
        doc["lr"], doc["momentum"] = result["lr"], result["momentum"]
    return doc


def main(name: str, argv: list[str]) -> int:
    sys.path.insert(0, str(HERE))
    from record import arguments, save  # tests/golden/record.py, beside this script

    cases = load_cases(name)
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    docs = (record(name, cid, config) for cid, config in cases if not wanted or cid in wanted)
    return save(HERE / name, docs, known, wanted, check, f"{name}_cases.py")
