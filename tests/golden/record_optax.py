"""Record the optax golden traces: run every config in ``optax_cases.py`` on real optax 0.2.8 (CPU jax).

Needs the reference extra (jax, jaxlib, optax 0.2.8); lrplot and the golden tests do not. Run from
the repository root:

    python tests/golden/record_optax.py              # re-record every case, delete traces of removed cases
    python tests/golden/record_optax.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_optax.py --check      # record into memory; exit 1 if a committed trace differs

Each case becomes ``tests/golden/optax/<id>.json`` (``lr[0][k]``: the lr optimizer step k trains
with, as :func:`lrplot.frameworks.optax.reference.schedule_trace` reads it), with the versions. A
config lrplot refuses is built by optax from its keywords as written, and ``error`` holds what
optax raised.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "optax"
ROOT = HERE.parent.parent


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    spec = importlib.util.spec_from_file_location("lrplot_optax_cases", HERE / "optax_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def record(case_id: str, config: dict[str, Any]) -> dict[str, Any]:
    from lrplot.config import load
    from lrplot.errors import TorchWouldRaise
    from lrplot.frameworks.optax.reference import LibraryError, library_error, schedule_trace, versions

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


def main(argv: list[str]) -> int:
    from record import arguments, save  # tests/golden/record.py, beside this script

    cases = load_cases()
    known = {cid for cid, _ in cases}
    check, wanted = arguments(argv, known)
    docs = (record(case_id, config) for case_id, config in cases if not wanted or case_id in wanted)
    return save(TRACES, docs, known, wanted, check, "optax_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    raise SystemExit(main(sys.argv[1:]))
