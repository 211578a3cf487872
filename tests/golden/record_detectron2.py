"""Record the detectron2 golden traces: run every config in ``detectron2_cases.py`` on real fvcore.

Needs the reference extra's torch 2.13.0 and fvcore 0.1.5.post20221221 (detectron2 itself is not on
the package index: the few pieces of its solver the schedule passes through are transcribed, with
their file and commit, in ``lrplot/frameworks/detectron2/reference.py``). lrplot and the golden
tests need neither. Run from the repository root:

    python tests/golden/record_detectron2.py              # re-record every case, delete traces of removed cases
    python tests/golden/record_detectron2.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_detectron2.py --check      # record into memory; exit 1 if a committed trace differs

Each case becomes ``tests/golden/detectron2/<id>.json``, in the format of ``record.py``'s torch traces
(``lr[g][k]``: the lr param group g trains with at iteration k, detectron2's trainer stepping the
scheduler after every iteration, driven by :func:`lrplot.frameworks.detectron2.reference.trace`),
plus the versions and ``after_last``: what the hook's step after the last iteration raised (the
exception class and message), or null. When the libraries raise earlier, ``error`` holds the
exception, its message and the iteration whose lr could not be computed (null: while building).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "detectron2"
ROOT = HERE.parent.parent


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location("lrplot_detectron2_cases", HERE / "detectron2_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from lrplot.frameworks.detectron2.reference import LibraryError, trace, versions

    fvcore, torch = versions()
    doc: dict[str, Any] = {"id": case_id, "fvcore": fvcore, "torch": torch, "config": config, "lr": None, "momentum": None,
                           "error": None, "after_last": None}
    try:
        result = trace(config, base_dir=HERE)
    except LibraryError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    else:
        doc["lr"], doc["momentum"], doc["after_last"] = result["lr"], result["momentum"], result["after_last"]
    return doc


def dumps(doc: dict[str, Any]) -> str:
    import json

    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True) + "\n"


def main(argv: list[str]) -> int:
    from record import arguments, save  # tests/golden/record.py, beside this script

    from lrplot.frameworks.detectron2.reference import versions

    cases = load_cases()
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    versions()
    docs = (record(case_id, config) for case_id, config in cases if not wanted or case_id in wanted)
    return save(TRACES, docs, known, wanted, check, "detectron2_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
