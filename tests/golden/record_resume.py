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


def path_of(case_id: str) -> Path:
    return OUT / f"{case_id}.json"


def main(argv: list[str]) -> int:
    dumps = _record_module().dumps
    check = "--check" in argv
    wanted = [a for a in argv if not a.startswith("-")]
    cases = load_cases()
    known = {cid for cid, _, _ in cases}
    unknown = [w for w in wanted if w not in known]
    if unknown:
        print(f"unknown case ids: {', '.join(unknown)}", file=sys.stderr)
        return 2
    OUT.mkdir(exist_ok=True)
    differing = []
    for case_id, config, resume_at in cases:
        if wanted and case_id not in wanted:
            continue
        text = dumps(record(case_id, config, resume_at))
        path = path_of(case_id)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        differing.append(case_id)
        if not check:
            path.write_text(text, encoding="utf-8")
    stale = [p for p in sorted(OUT.glob("*.json")) if p.stem not in known]
    if check:
        for case_id in differing:
            print(f"{case_id}: committed file differs from a fresh recording", file=sys.stderr)
        for p in stale:
            print(f"{p.name}: file of a case no longer in resume_cases.py", file=sys.stderr)
        return 1 if differing or stale else 0
    if not wanted:
        for p in stale:
            p.unlink()
    print(f"{len(differing)} files written, {len(stale) if not wanted else 0} stale removed, {len(cases)} cases")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main(sys.argv[1:]))
