"""Live differential test: every golden case run on real PyTorch 2.13.0 right now, against lrplot.

Skipped without torch (the committed golden traces cover the same ground, see test_golden.py).
Also checks that each committed trace still equals a fresh recording, so goldens cannot go stale.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import pytest

torch = pytest.importorskip(
    "torch",
    reason="torch is not installed: the live differential test against real PyTorch needs `pip install -e .[reference]`",
)
if not torch.__version__.startswith("2.13.0"):
    pytest.skip(
        f"the live differential test needs torch 2.13.0 (the version lrplot reproduces), found {torch.__version__}",
        allow_module_level=True,
    )

from lrplot.config import load  # noqa: E402
from lrplot.engine import simulate  # noqa: E402
from lrplot.frameworks.torch.reference import TorchError, torch_trace  # noqa: E402

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"

import test_golden as checks  # noqa: E402  (the comparison helpers and the module loader)

record = checks._load_module("lrplot_golden_record", GOLDEN / "record.py")
CASES = dict(record.load_cases())


@functools.lru_cache(maxsize=None)
def live(case_id: str) -> dict[str, Any]:
    """What torch does with the case now: the golden document, recorded in memory."""
    return record.record(case_id, CASES[case_id])


@pytest.mark.parametrize("case_id", list(CASES))
def test_lrplot_matches_live_torch(case_id: str) -> None:
    config = CASES[case_id]
    try:
        expected = torch_trace(load(config, base_dir=record.HERE))
    except TorchError as exc:
        expected = {"error": {"type": exc.kind, "message": exc.message, "step": exc.step}}
    if "error" in expected:
        for exact in (True, False):
            checks.check_refusal(case_id, config, expected["error"], exact)
        return
    for exact in (True, False):
        checks.check_trace(case_id, simulate(load(config, base_dir=record.HERE), exact=exact), expected["lr"], expected["momentum"], exact)


@pytest.mark.parametrize("case_id", list(CASES))
def test_committed_trace_is_fresh(case_id: str) -> None:
    path = record.trace_path(case_id)
    assert path.exists(), f"{case_id}: no golden trace; run `python tests/golden/record.py {case_id}`"
    fresh = record.dumps(live(case_id))
    assert path.read_text(encoding="utf-8") == fresh, (
        f"{case_id}: the committed trace differs from what torch {torch.__version__} records now; "
        f"re-record with `python tests/golden/record.py {case_id}`"
    )
