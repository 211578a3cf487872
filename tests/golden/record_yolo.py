"""Record the YOLO golden traces: run the cases of ``yolo_cases.py`` through ultralytics' own schedule code and YOLOv5's loop.

Needs torch 2.13.0 and ultralytics (``pip install --no-deps ultralytics==<version>``: its schedule
code is compiled from the installed package's source, never imported); lrplot and the golden tests do
not. Each ultralytics case names the release that records it, so record once per release, from the
repository root:

    for v in 8.3.150 8.4.2 8.4.5 8.4.102 8.4.150 8.4.190; do
        pip install -q --no-deps ultralytics==$v && python tests/golden/record_yolo.py
    done
    python tests/golden/record_yolo.py --check   # the installed release's cases and YOLOv5's; exit 1 if a trace differs

Each case becomes ``tests/golden/yolo/<id>.json`` (``lr[g][k]``/``momentum[g][k]``: param group g at
batch k, as the loop leaves them for that batch; the code that recorded it: ``ultralytics 8.4.N`` or
YOLOv5's commit). Cases of other releases are left as they are.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "yolo"
ROOT = HERE.parent.parent


def _cases_module() -> Any:
    spec = importlib.util.spec_from_file_location("lrplot_yolo_cases", HERE / "yolo_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    return _cases_module().CASES


def versions() -> dict[str, str]:
    return _cases_module().VERSIONS


def installed() -> tuple[str | None, str]:
    """(ultralytics, torch) versions; SystemExit unless torch is the reference 2.13.0."""
    import torch

    from lrplot.frameworks.yolo.reference import ultralytics_version

    if not torch.__version__.startswith("2.13.0"):
        raise SystemExit(f"YOLO golden traces are recorded on torch 2.13.0, found {torch.__version__}")
    return ultralytics_version(), torch.__version__


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from lrplot.frameworks.yolo.reference import YOLOV5_COMMIT, yolo_trace

    version = versions()[case_id]
    found, torch = installed()
    if version != "yolov5" and version != found:
        raise SystemExit(f"{case_id} is recorded with ultralytics {version}, but {found} is installed")
    code = f"yolov5 {YOLOV5_COMMIT}" if version == "yolov5" else f"ultralytics {version}"
    result = yolo_trace(config)
    return {"id": case_id, "code": code, "torch": torch, "config": config, "lr": result["lr"], "momentum": result["momentum"], "error": None}


def dumps(doc: dict[str, Any]) -> str:
    import json

    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True) + "\n"


def main(argv: list[str]) -> int:
    from record import arguments, save  # tests/golden/record.py, beside this script

    cases = load_cases()
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    found, _ = installed()
    mine = [cid for cid, _ in cases if versions()[cid] in ("yolov5", found)]
    wanted = [cid for cid in (wanted or mine) if cid in mine]
    print(f"ultralytics {found} installed: {len(wanted)} cases ({len(known) - len(mine)} belong to other releases)")
    docs = (record(case_id, config) for case_id, config in cases if case_id in wanted)
    return save(TRACES, docs, known, wanted, check, "yolo_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
