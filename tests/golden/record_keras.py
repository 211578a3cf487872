"""Record the Keras golden traces: run every config in ``keras_cases.py`` on real Keras 3.15.

Needs the reference extra (torch 2.13.0 first, then keras 3.15 and jax); lrplot and the golden
tests do not. Run from the repository root:

    python tests/golden/record_keras.py              # re-record every case, delete traces of removed cases
    python tests/golden/record_keras.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_keras.py --check      # record into memory; exit 1 if a committed trace differs

Each case becomes ``tests/golden/keras/<id>.json`` (``lr[0][k]``: the lr optimizer step k trains
with, read as :func:`lrplot.frameworks.keras.reference.schedule_trace` says), with the versions.
Keras fixes its backend at import, so the float64 cases run in a process on the torch backend and
the float32 cases in one on JAX (``reference.BACKEND``). A config lrplot refuses is built by Keras
from its keywords as written, and ``error`` holds what Keras raised.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "keras"
ROOT = HERE.parent.parent


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location("lrplot_keras_cases", HERE / "keras_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from lrplot.config import load
    from lrplot.errors import TorchWouldRaise
    from lrplot.frameworks.keras.reference import LibraryError, library_error, schedule_trace, versions

    doc: dict[str, Any] = {"id": case_id, **versions(), "config": config, "lr": None, "error": None}
    try:
        load(config)
    except TorchWouldRaise:
        raised = library_error(config)
        doc["error"] = None if raised is None else {"type": raised.kind, "message": raised.message, "step": None}
        return doc
    try:
        doc["lr"] = schedule_trace(config)["lr"]
    except LibraryError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    return doc


def _dtype(config: dict[str, Any]) -> str:
    return config["run"].get("dtype", "float64")


def main(argv: list[str]) -> int:
    from record import arguments, save  # tests/golden/record.py, beside this script
    from lrplot.frameworks.keras.reference import BACKEND

    cases = load_cases()
    if argv and argv[0] == "--pass":  # a child process: this backend's cases, as JSON lines
        wanted = set(argv[2:])
        for case_id, config in cases:
            if BACKEND[_dtype(config)] == argv[1] and (not wanted or case_id in wanted):
                print(json.dumps(record(case_id, config)), flush=True)
        return 0
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    docs: dict[str, dict[str, Any]] = {}
    for backend in sorted(set(BACKEND.values())):
        env = {**os.environ, "KERAS_BACKEND": backend}
        out = subprocess.run([sys.executable, __file__, "--pass", backend, *wanted], env=env, check=True, capture_output=True, text=True).stdout
        docs.update((d["id"], d) for d in map(json.loads, out.splitlines()))
    ordered = (docs[case_id] for case_id, _ in cases if case_id in docs)
    return save(TRACES, ordered, known, wanted, check, "keras_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    raise SystemExit(main(sys.argv[1:]))
