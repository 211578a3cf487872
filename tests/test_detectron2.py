"""detectron2: lrplot against golden traces recorded from real fvcore 0.1.5.post20221221, and the family's behaviour.

``tests/golden/detectron2/<id>.json`` holds a config and what fvcore's ParamSchedulers did with it
under detectron2's solver, stepped as its trainer steps it (``tests/golden/record_detectron2.py``).
detectron2 is not on the package index: the recorder's ``LRMultiplier``, ``WarmupParamScheduler``,
``build_lr_scheduler``, ``auto_scale_workers`` and the legacy LRSchedulers are transcribed in
``lrplot/frameworks/detectron2/reference.py`` from facebookresearch/detectron2 at
02b5c4e295e990042a714712c21dc79b731e8833 (``detectron2/solver/lr_scheduler.py``, ``solver/build.py``,
``config/defaults.py``, ``engine/defaults.py``, ``engine/hooks.py``, ``engine/train_loop.py``).
``--exact`` must be bit-identical, the default mode within 1e-12 of the peak lr, and where the
libraries raised lrplot must refuse, naming the exception. With torch and fvcore importable the same
cases run live, and the code ``lrplot code`` writes is run on them.
"""

from __future__ import annotations

import functools
import json
import re
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
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "detectron2"
TRACE_FILES = sorted((GOLDEN / "detectron2").glob("*.json"))
FAMILY = family("detectron2")


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / "detectron2" / f"{case_id}.json").read_text(encoding="utf-8"))


RAN = [p.stem for p in TRACE_FILES if golden(p.stem)["error"] is None]


def check_case(case_id: str, config: Any, expected: dict[str, Any]) -> None:
    if expected.get("error"):
        for exact in (True, False):
            with pytest.raises(TorchWouldRaise) as refused:
                lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
            message = str(refused.value)
            # a choice keyword is refused while the config is read, by the values it takes
            assert expected["error"]["type"] in message or re.search(r"must be (one of|a list of)", message), (
                f"{case_id}: lrplot refuses, but not naming {expected['error']['type']}: {message}")
        return
    for exact in (True, False):
        trace = lrplot.simulate(load(config, base_dir=GOLDEN), exact=exact)
        checks.check_trace(case_id, trace, expected["lr"], expected["momentum"], exact)
    from lrplot.frameworks.detectron2.engine import after_last

    raised = after_last(load(config, base_dir=GOLDEN))
    said = None if raised is None else type(raised).__name__
    assert said == (expected["after_last"] or {}).get("type"), f"{case_id}: after the last iteration lrplot says {said}, the libraries {expected['after_last']}"


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_golden_case(case_id: str) -> None:
    doc = golden(case_id)
    check_case(case_id, doc["config"], doc)


def test_goldens_match_cases_and_cover_the_family() -> None:
    record = checks._load_module("lrplot_detectron2_record", GOLDEN / "record_detectron2.py")
    cases = dict(record.load_cases())
    recorded = {p.stem for p in TRACE_FILES}
    assert recorded == set(cases), f"run tests/golden/record_detectron2.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [cid for cid, config in cases.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_detectron2.py): {changed}"
    used: dict[str, set[str]] = {info.name: set() for info in FAMILY.schedulers}
    for case_id in RAN:
        for node in load(golden(case_id)["config"]).scheduler.walk():
            used[node.type].add(case_id)
    thin = {name: len(ids) for name, ids in used.items() if len(ids) < 2}
    assert not thin, f"detectron2 schedulers with fewer than 2 golden traces: {thin}"
    sections = [cid for cid in RAN if "detectron2" in golden(cid)["config"]]
    names = {load(golden(cid)["config"]).source["detectron2"].get("LR_SCHEDULER_NAME", "WarmupMultiStepLR") for cid in sections}
    assert names == {"WarmupMultiStepLR", "WarmupCosineLR", "WarmupStepWithFixedGammaLR"} and len(sections) >= 12
    assert sum(golden(cid)["after_last"] is not None for cid in RAN) >= 5, "the raise after the last iteration needs its goldens"


# ------------------------------------------------------------------------------------------------
# Live: real fvcore and torch, where importable


def _live() -> Any:
    pytest.importorskip("torch", reason="the live detectron2 tests need the reference extra (torch==2.13.0, fvcore)")
    pytest.importorskip("fvcore", reason="the live detectron2 tests need fvcore==0.1.5.post20221221")
    from lrplot.frameworks.detectron2 import reference

    return reference


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_live_fvcore_agrees_and_goldens_are_fresh(case_id: str) -> None:
    _live()
    record = checks._load_module("lrplot_detectron2_record", GOLDEN / "record_detectron2.py")
    doc = golden(case_id)
    fresh = record.record(case_id, doc["config"])
    assert record.dumps(fresh) == (GOLDEN / "detectron2" / f"{case_id}.json").read_text(encoding="utf-8"), (
        f"{case_id}: the libraries record something else now; re-record with `python tests/golden/record_detectron2.py {case_id}`"
    )
