"""timm: lrplot against golden traces recorded from real timm 1.0.31, and the timm family's behaviour.

``tests/golden/timm/<id>.json`` holds a config and what timm did with it, stepped the way train.py
steps it (``tests/golden/record_timm.py``). ``--exact`` must be bit-identical, the default mode
within 1e-12 of the peak lr, and where timm raised lrplot must refuse, naming timm's exception.
With timm and torch importable, the same cases run live, and the code ``lrplot code`` writes is run
on real timm.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import lrplot
import lrplot.code
from lrplot.config import load
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.registry import family

import test_golden as checks

GOLDEN = Path(__file__).resolve().parent / "golden"
TRACE_FILES = sorted((GOLDEN / "timm").glob("*.json"))
TIMM = family("timm")


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / "timm" / f"{case_id}.json").read_text(encoding="utf-8"))


RAN = [p.stem for p in TRACE_FILES if golden(p.stem)["error"] is None]
RAISED = [p.stem for p in TRACE_FILES if golden(p.stem)["error"] is not None]


def check_refusal(case_id: str, config: Any, error: dict[str, Any], exact: bool) -> None:
    """lrplot refuses a config timm raises on, naming timm's exception."""
    with pytest.raises(TorchWouldRaise) as refused:
        lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
    assert error["type"] in str(refused.value), f"{case_id}: the refusal does not name timm's {error['type']}: {refused.value}"


def check_case(case_id: str, config: Any, expected: dict[str, Any]) -> None:
    if expected.get("error"):
        for exact in (True, False):
            check_refusal(case_id, config, expected["error"], exact)
        return
    for exact in (True, False):
        trace = lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
        checks.check_trace(case_id, trace, expected["lr"], expected["momentum"], exact)
        if expected.get("metric") is not None:
            fed = trace.metric[~np.isnan(trace.metric)].tolist()
            assert fed == expected["metric"], f"{case_id}: lrplot fed the scheduler other metric values than timm got"


# ------------------------------------------------------------------------------------------------
# Golden traces


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_golden_case(case_id: str) -> None:
    doc = golden(case_id)
    check_case(case_id, doc["config"], doc)


def test_goldens_match_cases_and_cover_the_family() -> None:
    record = checks._load_module("lrplot_timm_record", GOLDEN / "record_timm.py")
    cases = dict(record.load_cases())
    recorded = {p.stem for p in TRACE_FILES}
    assert recorded == set(cases), f"run tests/golden/record_timm.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [cid for cid, config in cases.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_timm.py): {changed}"
    used: dict[str, set[str]] = {info.name: set() for info in TIMM.schedulers}
    modes: dict[str, set[str]] = {}
    for case_id in RAN:
        spec = load(golden(case_id)["config"], base_dir=GOLDEN)
        used[spec.scheduler.type].add(case_id)
        modes.setdefault(spec.run.step, set()).add(case_id)
        assert len(spec.optimizer.groups) <= 3
    thin = {name: len(ids) for name, ids in used.items() if len(ids) < 4}
    assert not thin, f"timm schedulers with fewer than 4 golden traces: {thin}"
    assert len(modes.get("epoch", ())) >= 10 and len(modes.get("iteration", ())) >= 10
    assert sum("timm" in golden(cid)["config"] for cid in RAN) >= 15, "the timm: section needs its own goldens"


# ------------------------------------------------------------------------------------------------
# Live: real timm and torch, where importable


def _live() -> Any:
    pytest.importorskip("torch", reason="the live timm tests need the reference extra (torch==2.13.0, timm==1.0.31)")
    import importlib.util

    if importlib.util.find_spec("timm") is None:
        pytest.skip("timm is not installed: the live timm tests need the reference extra")
    from lrplot.frameworks.timm import reference

    if reference.timm_version() != reference.TIMM_VERSION:
        pytest.skip(f"the live timm tests need timm {reference.TIMM_VERSION}")
    return reference


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_live_timm_agrees_and_goldens_are_fresh(case_id: str) -> None:
    _live()
    record = checks._load_module("lrplot_timm_record", GOLDEN / "record_timm.py")
    doc = golden(case_id)
    fresh = record.record(case_id, doc["config"])
    assert record.dumps(fresh) == (GOLDEN / "timm" / f"{case_id}.json").read_text(encoding="utf-8"), (
        f"{case_id}: timm records something else now; re-record with `python tests/golden/record_timm.py {case_id}`"
    )
    check_case(case_id, doc["config"], fresh)


def _run_emitted(code: str) -> np.ndarray:
    import warnings

    import torch

    records: list[list[float]] = []
    originals = {cls: cls.step for cls in (torch.optim.SGD, torch.optim.Adam)}

    def recording(original):
        def step(self, *args, **kwargs):
            records.append([float(g["lr"]) for g in self.param_groups])
            return original(self, *args, **kwargs)

        return step

    try:
        for cls, original in originals.items():
            cls.step = recording(original)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "<lrplot code>", "exec"), {})  # the test runs lrplot's own output
    finally:
        for cls, original in originals.items():
            cls.step = original
    return np.array(records).T


@pytest.mark.parametrize("case_id", RAN)
def test_emitted_code_runs_on_timm_bit_for_bit(case_id: str) -> None:
    _live().timm_scheduler_module()  # `from timm.scheduler import ...` without torchvision
    spec = load(golden(case_id)["config"], base_dir=GOLDEN)
    lr = _run_emitted(lrplot.code.library_code(spec))
    expected = np.asarray(golden(case_id)["lr"])
    assert lr.shape == expected.shape
    assert np.array_equal(lr, expected), f"{case_id}: first difference at update {np.argmax((lr != expected).any(axis=0))}"
