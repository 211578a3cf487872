"""Record the transformers golden traces: every case of ``transformers_cases.py`` on real transformers 5.23.0.

Needs the reference environment (``pip install -e .[reference]`` after torch 2.13.0). Run from the
repository root:

    python tests/golden/record_transformers.py              # re-record every case, delete stale traces
    python tests/golden/record_transformers.py ID [ID ...]  # re-record only these cases
    python tests/golden/record_transformers.py --check      # record into memory; exit 1 if a trace differs

Each case becomes ``tests/golden/transformers/<id>.json``::

    {"config": {...}, "error": null | {"message", "step", "type"}, "id": "...", "kind": "scheduler" | "trainer",
     "lr": [[...] per group] | null, "momentum": [[...]] | null, "torch": "2.13.0+cpu", "transformers": "5.23.0"}

``scheduler`` cases are built with ``transformers.get_scheduler`` and stepped as DESIGN.md says;
``trainer`` cases train a tiny model with a real ``Trainer`` and also hold the ``num_training_steps``
and ``num_warmup_steps`` it passed to the scheduler; those with ``devices`` > 1 run under
``torchrun`` (gloo on CPU), one process per device, and record process 0 (the processes agree). A
``metric`` key holds what a metric-driven scheduler was fed when the config does not list it.
Where the library raises, ``error`` holds its exception class, message and optimizer step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TRACES = HERE / "transformers"
ROOT = HERE.parent.parent


def load_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(case id, kind, config) for every case, scheduler cases first."""
    spec = importlib.util.spec_from_file_location("lrplot_transformers_cases", HERE / "transformers_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return [(cid, "scheduler", c) for cid, c in module.SCHEDULER_CASES] + [(cid, "trainer", c) for cid, c in module.TRAINER_CASES]


def versions() -> dict[str, str]:
    import torch

    from lrplot.frameworks.transformers.reference import check_version

    if not torch.__version__.startswith("2.13.0"):
        raise SystemExit(f"golden traces are recorded with torch 2.13.0, but torch {torch.__version__} is installed")
    return {"torch": torch.__version__, "transformers": check_version()}


def record(case_id: str, kind: str, config: dict[str, Any]) -> dict[str, Any]:
    """Run one case on the real library (in this process) and return its golden document."""
    from lrplot.frameworks.transformers.reference import LibraryError, get_scheduler_trace, trainer_trace

    doc: dict[str, Any] = {"id": case_id, "kind": kind, **versions(), "config": config, "lr": None, "momentum": None, "error": None}
    try:
        if kind == "scheduler":
            result = get_scheduler_trace(config, base_dir=HERE)
            doc["momentum"] = result["momentum"]
            if result["metric"] is not None and "values" not in config.get("metric", {}):
                doc["metric"] = result["metric"]
        else:
            metric = config.get("metric", {}).get("values")
            result = trainer_trace(config["transformers"], metric)
            doc["num_training_steps"] = result["num_training_steps"]
            doc["num_warmup_steps"] = result["num_warmup_steps"]
            if metric is not None and result["metric"] != metric[: len(result["metric"] or [])]:
                raise SystemExit(f"{case_id}: the Trainer evaluated to {result['metric']}, not the case's metric values")
    except LibraryError as exc:
        doc["error"] = {"type": exc.kind, "message": exc.message, "step": exc.step}
    else:
        doc["lr"] = result["lr"]
    return doc


def dumps(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), allow_nan=True) + "\n"


def trace_path(case_id: str) -> Path:
    return TRACES / f"{case_id}.json"


def devices(config: dict[str, Any]) -> int:
    return int(config.get("transformers", {}).get("devices", 1))


def record_distributed(cases: list[tuple[str, str, dict[str, Any]]], world: int) -> list[dict[str, Any]]:
    """Record cases that need ``world`` processes: one torchrun for all of them."""
    with tempfile.TemporaryDirectory(prefix="lrplot-record-") as tmp:
        given, out = Path(tmp, "cases.json"), Path(tmp, "docs.json")
        given.write_text(json.dumps(cases))
        with socket.socket() as sock:  # a free port for the rendezvous
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        command = [sys.executable, "-m", "torch.distributed.run", f"--nproc_per_node={world}", f"--master_port={port}",
                   __file__, "--worker", str(given), str(out)]
        env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "TRANSFORMERS_VERBOSITY": "error"}
        subprocess.run(command, check=True, env=env, cwd=ROOT)
        return json.loads(out.read_text())


def worker(given: str, out: str) -> int:
    """Under torchrun: every process trains every case; process 0 writes the documents."""
    cases = json.loads(Path(given).read_text())
    docs = [record(cid, kind, config) for cid, kind, config in cases]
    if int(os.environ.get("RANK", "0")) == 0:
        Path(out).write_text(json.dumps(docs))
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--worker"]:
        return worker(argv[1], argv[2])
    from record import arguments, save  # tests/golden/record.py, beside this script

    cases = load_cases()
    known = {cid for cid, _, _ in cases}
    check, wanted = arguments(argv, known)
    versions()
    chosen = [c for c in cases if not wanted or c[0] in wanted]
    docs = [record(*c) for c in chosen if devices(c[2]) == 1]
    for world in sorted({devices(c[2]) for c in chosen} - {1}):
        docs += record_distributed([c for c in chosen if devices(c[2]) == world], world)
    return save(TRACES, docs, known, wanted, check, "transformers_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
