"""Resumed runs and stepping mistakes (lrplot.whatif) against what real torch 2.13.0 recorded.

``tests/golden/resume/<id>.json`` holds, for each case of ``golden/resume_cases.py``, what torch did
when the run was resumed by each method at each resume point, and run with each stepping mistake
(``golden/record_resume.py``). lrplot must give the same numbers bit for bit (mistakes within 1e-12
of the peak in the default mode) and raise where torch raised.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

import lrplot
from lrplot import whatif
from lrplot.config import load
from lrplot.errors import ConfigError, TorchWouldRaise

from test_golden import _load_module, assert_close, assert_identical

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = sorted((GOLDEN / "resume").glob("*.json"))


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict:
    return json.loads((GOLDEN / "resume" / f"{case_id}.json").read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=None)
def planned(case_id: str, exact: bool):
    return lrplot.simulate(load(golden(case_id)["config"], base_dir=GOLDEN), exact=exact)


IDS = [p.stem for p in FILES]


def _check(case_id: str, what: str, outcome: whatif.Outcome, recorded: dict, start: int, exact: bool) -> None:
    if recorded["error"] is not None:
        assert outcome.error is not None and outcome.lr is None, f"{case_id} {what}: torch raised {recorded['error']}, lrplot drew a curve"
        error = recorded["error"]
        assert f"torch raises {error['type']}" in outcome.error, f"{case_id} {what}: {outcome.error!r} for {error}"
        assert error["message"].splitlines()[0] in outcome.error
        where = "while resuming" if error["step"] is None else f"at optimizer step {error['step']}"
        assert where in outcome.error, f"{case_id} {what}: {outcome.error!r} does not say {where!r}"
        return
    assert outcome.error is None, f"{case_id} {what}: lrplot says {outcome.error!r}, torch ran"
    check = assert_identical if exact else assert_close
    check(f"{case_id} {what}", "lr", outcome.lr[:, start:], recorded["lr"])
    if recorded["momentum"] is not None:
        check(f"{case_id} {what}", "momentum", outcome.momentum[:, start:], recorded["momentum"])
    else:
        assert outcome.momentum is None


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", IDS)
def test_resumes_match_torch(case_id: str, exact: bool) -> None:
    trace = planned(case_id, exact)
    for at, methods in golden(case_id)["resumes"].items():
        outcomes = whatif.resumes(trace, int(at))
        assert [o.name for o in outcomes] == list(whatif.METHOD_NAMES)
        for outcome in outcomes:
            start = whatif.resume_step(trace.spec.run, int(at))
            # before the resume, every method is the planned run
            if outcome.lr is not None:
                assert np.array_equal(outcome.lr[:, :start], trace.lr[:, :start])
            # the resumed part follows torch bit for bit when the planned trace does
            _check(case_id, f"resumed at {at} with {outcome.name}", outcome, methods[outcome.name], start, True if exact else False)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", IDS)
def test_mistakes_match_torch(case_id: str, exact: bool) -> None:
    trace = planned(case_id, exact)
    recorded = golden(case_id)["mistakes"]
    applying = [m for m in whatif.MISTAKE_NAMES if whatif.mistake_applies(trace.spec, m) is None]
    assert sorted(applying) == sorted(recorded), f"{case_id}: torch was run with {list(recorded)}"
    for outcome in whatif.mistakes(trace, applying, exact):
        _check(case_id, f"with the mistake {outcome.name}", outcome, recorded[outcome.name], 0, exact)


def test_every_class_and_method_outcome_is_covered() -> None:
    classes = {node.type for cid in IDS for node in load(golden(cid)["config"], base_dir=GOLDEN).scheduler.walk()}
    assert classes == {s.name for s in lrplot.registry.SCHEDULERS if s.family == "torch"}
    kinds = {(m, o["error"] is None) for cid in IDS for ms in golden(cid)["resumes"].values() for m, o in ms.items()}
    # each method both runs and raises somewhere, except the ones torch always runs
    assert {m for m, ran in kinds if ran} == set(whatif.METHOD_NAMES)
    assert {m for m, ran in kinds if not ran} == {"last_epoch", "last_epoch_fresh", "catch_up"}
    mistakes = {m for cid in IDS for m in golden(cid)["mistakes"]}
    assert mistakes == set(whatif.MISTAKE_NAMES)


def test_recorded_cases_are_current() -> None:
    record = _load_module("lrplot_golden_record_resume", GOLDEN / "record_resume.py")
    cases = {cid: (config, at) for cid, config, at in record.load_cases()}
    assert set(cases) == set(IDS), "run tests/golden/record_resume.py"
    for cid, (config, at) in cases.items():
        doc = golden(cid)
        assert doc["config"] == config and sorted(map(int, doc["resumes"])) == sorted(at), f"{cid}: re-record it"


def test_live_torch_agrees_with_the_committed_files() -> None:
    torch = pytest.importorskip("torch", reason="the live check needs torch 2.13.0 (`pip install -e .[reference]`)")
    if not torch.__version__.startswith("2.13.0"):
        pytest.skip(f"needs torch 2.13.0, found {torch.__version__}")
    record = _load_module("lrplot_golden_record_resume", GOLDEN / "record_resume.py")
    dumps = _load_module("lrplot_golden_record", GOLDEN / "record.py").dumps
    for cid, config, at in record.load_cases()[:4]:
        assert dumps(record.record(cid, config, at)) == (GOLDEN / "resume" / f"{cid}.json").read_text(encoding="utf-8")
