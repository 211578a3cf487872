"""Record resumed runs and stepping mistakes from real PyTorch 2.13.0 (``resume_cases.py``).

For each case, the config is run on torch, a checkpoint (``optimizer.state_dict()`` and
``scheduler.state_dict()`` through ``torch.save``/``torch.load``) is taken after each scheduler step
of its ``resume_at`` list, and a new optimizer and scheduler resume from it by each method of
``lrplot.whatif.RESUME_METHODS``; then the whole run is repeated with each stepping mistake of
``lrplot.whatif.MISTAKES`` that applies. Needs torch 2.13.0; lrplot and its tests do not. From the
repository root:

    python tests/golden/record_resume.py              # re-record every case, delete stale files
    python tests/golden/record_resume.py ID [ID ...]  # only these cases
    python tests/golden/record_resume.py --check      # exit 1 if a committed file differs

Each case becomes ``tests/golden/resume/<id>.json``::

    {"config": {...}, "id": "...", "torch": "2.13.0+cpu",
     "resumes": {"<at>": {"<method>": OUTCOME, ...}, ...},
     "mistakes": {"<mistake>": OUTCOME, ...}}

where OUTCOME is ``{"lr": [[...] per group] | null, "momentum": [[...]] | null, "error": null |
{"type", "message", "step"}}``: for a resume, the optimizer steps from the resume on (the steps before
are the uninterrupted run's); for a mistake, the whole run. ``error.step`` is the optimizer step
torch raised at (null: while resuming). Same canonical JSON as ``record.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "resume"
ROOT = HERE.parent.parent


def _record_module():
    spec = importlib.util.spec_from_file_location("lrplot_golden_record", HERE / "record.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_cases() -> list[tuple[str, dict[str, Any], list[int]]]:
    spec = importlib.util.spec_from_file_location("lrplot_golden_resume_cases", HERE / "resume_cases.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


def record(case_id: str, config: dict[str, Any], resume_at: list[int]) -> dict[str, Any]:
    from lrplot.config import load
    from lrplot.frameworks.torch.reference import torch_mistake_trace, torch_resume_trace
    from lrplot.engine.whatif import mistake_applies
    from lrplot.whatif import MISTAKE_NAMES, METHOD_NAMES

    version = _record_module().check_torch()
    spec = load(config, base_dir=HERE)
    resumes = {str(at): {m: torch_resume_trace(spec, at, m) for m in METHOD_NAMES} for at in resume_at}
    mistakes = {m: torch_mistake_trace(spec, m) for m in MISTAKE_NAMES if mistake_applies(spec, m) is None}
    return {"id": case_id, "torch": version, "config": config, "resumes": resumes, "mistakes": mistakes}


def main(argv: list[str]) -> int:
    golden = _record_module()
    cases = load_cases()
    known = {cid for cid, _, _ in cases}
    check, wanted = golden.arguments(argv, known)
    docs = (record(case_id, config, resume_at) for case_id, config, resume_at in cases if not wanted or case_id in wanted)
    return golden.save(OUT, docs, known, wanted, check, "resume_cases.py")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
