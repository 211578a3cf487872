"""DeepSpeed, Megatron-LM and torchtitan: lrplot against golden traces recorded from the real libraries.

``tests/golden/<family>/<id>.json`` holds a config and what the library did with it, stepped as the
stack's own loop steps it (DeepSpeed's engine on CPU, Megatron's step(increment) in samples,
torchtitan's LambdaLR; ``tests/golden/record_<family>.py``). ``--exact`` must be bit-identical, the
default engine within 1e-12 of the peak lr, and where the library raised lrplot must refuse, naming
its exception. With the libraries importable the cases run live, and the code ``lrplot code``
writes runs on them.
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
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.explain import explain
from lrplot.registry import family

import test_golden as checks
from emitted import run_emitted

GOLDEN = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FAMILIES = ("deepspeed", "megatron", "torchtitan")
CASES = [(f, p.stem) for f in FAMILIES for p in sorted((GOLDEN / f).glob("*.json"))]


@functools.lru_cache(maxsize=None)
def golden(name: str, case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / name / f"{case_id}.json").read_text(encoding="utf-8"))


def check_case(name: str, case_id: str, doc: dict[str, Any]) -> None:
    if doc["error"] is not None:
        for exact in (True, False):
            with pytest.raises(TorchWouldRaise) as refused:
                lrplot.simulate(load(doc["config"]), exact=exact)
            assert doc["error"]["type"] in str(refused.value), f"{case_id}: the refusal does not name {doc['error']['type']}: {refused.value}"
        return
    for exact in (True, False):
        trace = lrplot.simulate(load(doc["config"]), exact=exact)
        checks.check_trace(case_id, trace, doc["lr"], doc["momentum"] if doc["momentum"] is not None else None, exact)


# ------------------------------------------------------------------------------------------------
# Golden traces


@pytest.mark.parametrize(("name", "case_id"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_golden_case(name: str, case_id: str) -> None:
    check_case(name, case_id, golden(name, case_id))


@pytest.mark.parametrize("name", FAMILIES)
def test_goldens_match_cases_and_cover_every_class_and_style(name: str) -> None:
    recorder = checks._load_module("lrplot_family_recorder", GOLDEN / "family_recorder.py")
    cases = dict(recorder.load_cases(name))
    recorded = {c for f, c in CASES if f == name}
    assert recorded == set(cases), f"run tests/golden/record_{name}.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [c for c, config in cases.items() if json.dumps(config, sort_keys=True) != json.dumps(golden(name, c)["config"], sort_keys=True)]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_{name}.py): {changed}"
    ran = [golden(name, c) for c in cases if golden(name, c)["error"] is None]
    specs = [load(d["config"]) for d in ran]
    used = {info.name for info in family(name).schedulers}
    assert used <= {s.scheduler.type for s in specs}
    assert any(name in d["config"] for d in ran), f"the {name}: section needs its own goldens"
    assert len(ran) < len(cases), f"no {name} case records a refusal"
    if name == "megatron":
        styles = {(s.scheduler.params["lr_decay_style"], s.scheduler.params["lr_wsd_decay_style"] if s.scheduler.params["lr_decay_style"] == "WSD" else "")
                  for s in specs}
        assert {st for st, _ in styles} == {"constant", "linear", "cosine", "inverse-square-root", "WSD"}
        assert {w for st, w in styles if st == "WSD"} == {"exponential", "linear", "cosine", "minus_sqrt"}
        assert any(s.scheduler.params["rampup_batch_size"] for s in specs)
    if name == "torchtitan":
        assert {s.scheduler.params["decay_type"] for s in specs} == {"linear", "sqrt", "cosine"}
    if name == "deepspeed":
        assert any(s.scheduler.params["skipped_steps"] for s in specs)
        assert any("transformers" in d["config"] for d in ran)


# ------------------------------------------------------------------------------------------------
# Live: the real libraries, where importable


def _live(name: str) -> Any:
    pytest.importorskip("torch", reason="the live tests need the reference extra")
    import importlib.util

    top = {"deepspeed": "deepspeed", "megatron": "megatron.core", "torchtitan": "torchtitan"}[name]
    try:
        found = importlib.util.find_spec(top)
    except ModuleNotFoundError:
        found = None
    if found is None:
        pytest.skip(f"{top} is not installed: the live tests need the reference extra")
    import importlib

    return importlib.import_module(f"lrplot.frameworks.{name}.reference")


@pytest.mark.parametrize(("name", "case_id"), CASES, ids=[f"{f}-{c}" for f, c in CASES])
def test_live_library_agrees_and_goldens_are_fresh(name: str, case_id: str) -> None:
    _live(name)
    recorder = checks._load_module("lrplot_family_recorder", GOLDEN / "family_recorder.py")
    doc = golden(name, case_id)
    fresh = recorder.record(name, case_id, doc["config"])
    assert json.dumps(fresh, sort_keys=True) == json.dumps(doc, sort_keys=True), (
        f"{case_id}: {name} records something else now; re-record with `python tests/golden/record_{name}.py {case_id}`"
    )


EMITTED = [(f, c) for f, c in CASES if golden(f, c)["error"] is None and "transformers" not in golden(f, c)["config"]]


@pytest.mark.parametrize(("name", "case_id"), EMITTED, ids=[f"{f}-{c}" for f, c in EMITTED])
def test_emitted_code_runs_on_the_library_bit_for_bit(name: str, case_id: str) -> None:
    _live(name)
    spec = load(golden(name, case_id)["config"])
    lr = run_emitted(lrplot.code.library_code(spec))
    expected = np.asarray(golden(name, case_id)["lr"])
    assert lr.shape == expected.shape
    assert np.array_equal(lr, expected), f"{case_id}: first difference at step {np.argmax((lr != expected).any(axis=0))}"
