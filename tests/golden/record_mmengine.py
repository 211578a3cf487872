"""Record the mmengine golden traces: run every config in ``mmengine_cases.py`` on a real mmengine 0.10.7 Runner.

Needs the reference extra (torch 2.13.0 first, then mmengine 0.10.7); lrplot and the golden tests do
not. Run from the repository root:

    python tests/golden/record_mmengine.py              # re-record every case, delete traces of removed cases
    python tests/golden/record_mmengine.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_mmengine.py --check      # record into memory; exit 1 if a committed trace differs

Each case becomes ``tests/golden/mmengine/<id>.json``, in the format of ``record.py``'s torch traces
(``lr[g][k]``: the lr param group g trains with at iteration k, as the Runner's ParamSchedulerHook
steps the schedulers; driven by :func:`lrplot.frameworks.mmengine.reference.mmengine_trace`), plus
the mmengine version. When mmengine raises, ``error`` holds its exception class, message and the
iteration (null: while the Runner builds the schedulers). A synthetic metric's values are recorded
as fed.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "mmengine"
ROOT = HERE.parent.parent


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location("lrplot_mmengine_cases", HERE / "mmengine_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def versions() -> tuple[str, str]:
    """(mmengine, torch) versions; SystemExit unless they are the reference ones."""
    import torch

    from lrplot.frameworks.mmengine.reference import MMENGINE_VERSION, mmengine_version

    found = mmengine_version()
    if found != MMENGINE_VERSION or not torch.__version__.startswith("2.13.0"):
        raise SystemExit(f"mmengine golden traces are recorded with mmengine {MMENGINE_VERSION} on torch 2.13.0, found {found}, torch {torch.__version__}")
    return found, torch.__version__


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from lrplot.frameworks.mmengine.reference import MMEngineError, mmengine_trace

    mmengine, torch = versions()
    doc: dict[str, Any] = {"id": case_id, "mmengine": mmengine, "torch": torch, "config": config, "lr": None, "momentum": None, "error": None}
    try:
        result = mmengine_trace(config, base_dir=HERE)
    except MMEngineError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    else:
        doc["lr"] = result["lr"]
        doc["momentum"] = result["momentum"]
        if result["metric"] is not None and (config.get("metric") or {}).get("values") is None:
            doc["metric"] = result["metric"]
    return doc


def dumps(doc: dict[str, Any]) -> str:
    import json

    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True) + "\n"


def main(argv: list[str]) -> int:
    from record import arguments, save  # tests/golden/record.py, beside this script

    cases = load_cases()
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    versions()
    docs = (record(case_id, config) for case_id, config in cases if not wanted or case_id in wanted)
    return save(TRACES, docs, known, wanted, check, "mmengine_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
