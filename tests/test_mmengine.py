"""mmengine: lrplot against golden traces recorded from a real mmengine 0.10.7 Runner, and the family's behaviour.

``tests/golden/mmengine/<id>.json`` holds a config and what mmengine's Runner trained with, iteration
by iteration (``tests/golden/record_mmengine.py``). ``--exact`` and the default mode must both be
bit-identical (mmengine computes in Python floats, and lrplot replays its arithmetic); where mmengine
raised lrplot must refuse, naming mmengine's exception. With mmengine and torch importable, the same
cases run live, and the code ``lrplot code`` writes is run on real mmengine.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
import lrplot.code
from lrplot.cli import main
from lrplot.config import load
from lrplot.engine.events import find_events
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.explain import explain
from lrplot.registry import family

import test_golden as checks
from emitted import run_emitted

HERE = Path(__file__).resolve().parent
GOLDEN = HERE / "golden"
FIXTURES = HERE / "fixtures" / "mmengine"
MMDET = FIXTURES / "mmdetection" / "configs"
TRACE_FILES = sorted((GOLDEN / "mmengine").glob("*.json"))
MMENGINE = family("mmengine")


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / "mmengine" / f"{case_id}.json").read_text(encoding="utf-8"))


RAN = [p.stem for p in TRACE_FILES if golden(p.stem)["error"] is None]
RAISED = [p.stem for p in TRACE_FILES if golden(p.stem)["error"] is not None]


def check_case(case_id: str, config: Any, expected: dict[str, Any]) -> None:
    if expected.get("error"):
        for exact in (True, False):
            with pytest.raises(TorchWouldRaise) as refused:
                lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
            assert expected["error"]["type"] in str(refused.value), f"{case_id}: the refusal does not name mmengine's {expected['error']['type']}: {refused.value}"
        return
    for exact in (True, False):
        trace = lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
        checks.check_trace(case_id, trace, expected["lr"], expected["momentum"], True)  # bit for bit in both modes
        if expected.get("metric") is not None:
            fed = trace.metric[~np.isnan(trace.metric)].tolist()
            assert fed == expected["metric"], f"{case_id}: lrplot fed the scheduler other metric values than mmengine got"


# ------------------------------------------------------------------------------------------------
# Golden traces


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_golden_case(case_id: str) -> None:
    doc = golden(case_id)
    check_case(case_id, doc["config"], doc)


def test_goldens_match_cases_and_cover_the_family() -> None:
    record = checks._load_module("lrplot_mmengine_record", GOLDEN / "record_mmengine.py")
    cases = dict(record.load_cases())
    recorded = {p.stem for p in TRACE_FILES}
    assert recorded == set(cases), f"run tests/golden/record_mmengine.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [cid for cid, config in cases.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_mmengine.py): {changed}"
    used: dict[str, set[str]] = {info.name: set() for info in MMENGINE.schedulers}
    branches: dict[str, set[str]] = {"by_epoch": set(), "by_iteration": set(), "convert": set(), "begin": set(), "iterloop": set(), "groups": set(), "betas": set()}
    for case_id in RAN:
        spec = load(golden(case_id)["config"], base_dir=GOLDEN)
        used[spec.scheduler.type].add(case_id)
        for node in spec.scheduler.walk():
            if node.info.composite:
                continue
            used[node.type].add(case_id)
            p = node.params
            branches["convert" if p["convert_to_iter_based"] else "by_epoch" if p["by_epoch"] else "by_iteration"].add(case_id)
            if p["begin"]:
                branches["begin"].add(case_id)
        if spec.run.unit == "iteration":
            branches["iterloop"].add(case_id)
        if len(spec.optimizer.groups) > 1:
            branches["groups"].add(case_id)
        if spec.optimizer.betas is not None:
            branches["betas"].add(case_id)
    thin = {name: len(ids) for name, ids in used.items() if len(ids) < 2}
    assert not thin, f"mmengine schedulers with fewer than 2 golden traces: {thin}"
    assert all(len(ids) >= 3 for ids in branches.values()), {k: len(v) for k, v in branches.items()}
    assert len(RAISED) >= 6


# ------------------------------------------------------------------------------------------------
# Live: a real mmengine Runner, where importable


def _live() -> Any:
    pytest.importorskip("torch", reason="the live mmengine tests need the reference extra (torch==2.13.0, mmengine==0.10.7)")
    pytest.importorskip("mmengine", reason="the live mmengine tests need the reference extra (torch==2.13.0, mmengine==0.10.7)")
    from lrplot.frameworks.mmengine import reference

    if reference.mmengine_version() != reference.MMENGINE_VERSION:
        pytest.skip(f"the live mmengine tests need mmengine {reference.MMENGINE_VERSION}")
    return reference


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES][::7])
def test_live_mmengine_agrees_and_goldens_are_fresh(case_id: str) -> None:
    _live()
    record = checks._load_module("lrplot_mmengine_record", GOLDEN / "record_mmengine.py")
    doc = golden(case_id)
    fresh = record.record(case_id, doc["config"])
    assert record.dumps(fresh) == (GOLDEN / "mmengine" / f"{case_id}.json").read_text(encoding="utf-8"), (
        f"{case_id}: mmengine records something else now; re-record with `python tests/golden/record_mmengine.py {case_id}`"
    )


@pytest.mark.parametrize("case_id", RAN[::3])
def test_emitted_code_runs_on_mmengine_bit_for_bit(case_id: str) -> None:
    _live()
    spec = load(golden(case_id)["config"], base_dir=GOLDEN)
    lr = run_emitted(lrplot.code.library_code(spec))
    expected = np.asarray(golden(case_id)["lr"])
    assert lr.shape == expected.shape, (lr.shape, expected.shape)
    assert np.array_equal(lr, expected), f"{case_id}: first difference at iteration {np.argmax((lr != expected).any(axis=0))}"
