"""Record the golden traces: run every config in ``cases.py`` on real PyTorch 2.13.0.

Needs torch 2.13.0 (``pip install -e .[reference]``); lrplot itself and the golden tests do not.
Run from the repository root:

    python tests/golden/record.py              # re-record every case, delete traces of removed cases
    python tests/golden/record.py ID [ID ...]  # re-record only these cases
    python tests/golden/record.py --check      # record into memory; exit 1 if a committed trace differs

Each case becomes ``tests/golden/traces/<id>.json``::

    {"config": {...}, "error": null | {"message", "step", "type"}, "id": "...",
     "lr": [[...] per group] | null, "momentum": [[...] per group] | null, "torch": "2.13.0+cpu"}

``lr[g][k]`` is the lr param group g trains with at optimizer step k (DESIGN.md's stepping
convention, driven by :func:`lrplot.reference.torch_trace`). When torch raises, ``error`` holds the
exception class name, its message and the optimizer step (null: while constructing the scheduler),
and ``lr``/``momentum`` are null. The files are deterministic: keys sorted, compact separators, floats
as Python's shortest round-tripping repr (NaN in metric configs as ``NaN``), newline at the end, so
recording twice gives identical bytes.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any, Iterable

HERE = Path(__file__).resolve().parent
TRACES = HERE / "traces"
ROOT = HERE.parent.parent
TORCH_VERSION = "2.13.0"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    """``cases.CASES``, imported by file path (``tests`` is not a package)."""
    spec = importlib.util.spec_from_file_location("lrplot_golden_cases", HERE / "cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def check_torch() -> str:
    """The installed torch version; raises SystemExit unless it is the reference 2.13.0."""
    import torch

    if not torch.__version__.startswith(TORCH_VERSION):
        raise SystemExit(f"golden traces are recorded with torch {TORCH_VERSION}, but torch {torch.__version__} is installed")
    return torch.__version__


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    """Run one config on real torch and return the golden document."""
    from lrplot.config import load
    from lrplot.frameworks.torch.reference import TorchError, torch_trace

    version = check_torch()
    doc: dict[str, Any] = {"id": case_id, "torch": version, "config": config, "lr": None, "momentum": None, "error": None}
    try:
        result = torch_trace(load(config, base_dir=HERE))  # metric logs sit beside this file
    except TorchError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    else:
        doc["lr"] = result["lr"]
        doc["momentum"] = result["momentum"]
        if result["metric"] is not None and config.get("metric", {}).get("values") is None:
            doc["metric"] = result["metric"]  # what torch was fed, when the config does not list it
    return doc


def dumps(doc: dict[str, Any]) -> str:
    """The canonical text of a golden document."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True) + "\n"


def trace_path(case_id: str) -> Path:
    return TRACES / f"{case_id}.json"


def arguments(argv: list[str], known: set[str]) -> tuple[bool, list[str]]:
    """``--check`` and the case ids a recorder's command line names (exit 2 for an unknown id)."""
    wanted = [a for a in argv if not a.startswith("-")]
    unknown = [w for w in wanted if w not in known]
    if unknown:
        print(f"unknown case ids: {', '.join(unknown)}", file=sys.stderr)
        raise SystemExit(2)
    return "--check" in argv, wanted


def save(folder: Path, docs: Iterable[dict[str, Any]], known: set[str], wanted: list[str], check: bool, cases_file: str) -> int:
    """Write each golden document that changed (or, with ``check``, report it) and the files of
    cases no longer in ``cases_file``; every recorder ends here."""
    folder.mkdir(exist_ok=True)
    differing = []
    for doc in docs:
        text, path = dumps(doc), folder / f"{doc['id']}.json"
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        differing.append(doc["id"])
        if not check:
            path.write_text(text, encoding="utf-8")
    stale = [p for p in sorted(folder.glob("*.json")) if p.stem not in known]
    if check:
        for case_id in differing:
            print(f"{case_id}: committed file differs from a fresh recording", file=sys.stderr)
        for p in stale:
            print(f"{p.name}: file of a case no longer in {cases_file}", file=sys.stderr)
        return 1 if differing or stale else 0
    if not wanted:
        for p in stale:
            p.unlink()
    print(f"{len(differing)} files written, {len(stale) if not wanted else 0} stale removed, {len(known)} cases")
    return 0


def main(argv: list[str]) -> int:
    cases = load_cases()
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    check_torch()
    docs = (record(case_id, config) for case_id, config in cases if not wanted or case_id in wanted)
    return save(TRACES, docs, known, wanted, check, "cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
