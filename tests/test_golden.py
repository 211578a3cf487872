"""lrplot against golden traces recorded from real PyTorch 2.13.0 (no torch needed here).

Each ``tests/golden/traces/<id>.json`` holds a config and what torch produced for it (see
``tests/golden/record.py``). ``simulate(config, exact=True)`` must be bit-identical to torch, the
default (vectorized) mode within 1e-12 of the peak lr, and where torch raised lrplot must refuse with
:class:`~lrplot.errors.TorchWouldRaise` naming torch's exception.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from lrplot import registry
from lrplot.config import load
from lrplot.engine import simulate
from lrplot.errors import TorchWouldRaise

GOLDEN = Path(__file__).resolve().parent / "golden"
TRACE_FILES = sorted((GOLDEN / "traces").glob("*.json"))
REL_TOL = 1e-12


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / "traces" / f"{case_id}.json").read_text(encoding="utf-8"))


def _ids(kind: str) -> list[str]:
    """Case ids of the recorded traces where torch raised (``error``) or ran (``trace``)."""
    out = []
    for path in TRACE_FILES:
        raised = json.loads(path.read_text(encoding="utf-8"))["error"] is not None
        if raised == (kind == "error"):
            out.append(path.stem)
    return out


ERROR_IDS = _ids("error")
TRACE_IDS = _ids("trace")


def _load_module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------------
# Comparison helpers: messages name the case, the group, the first differing step and both values.


def _check_shape(case_id: str, what: str, actual: np.ndarray, expected: np.ndarray) -> None:
    assert actual.shape == expected.shape, (
        f"{case_id}: {what} has shape {actual.shape} (groups, steps), torch recorded {expected.shape}"
    )


def _differs_bitwise(actual: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """True where the float64 bit patterns differ (so -0.0 != 0.0, NaN == same NaN)."""
    a = np.ascontiguousarray(actual, dtype=np.float64)
    e = np.ascontiguousarray(expected, dtype=np.float64)
    return a.view(np.uint64) != e.view(np.uint64)


def _first_difference(case_id: str, what: str, bad: np.ndarray, actual: np.ndarray, expected: np.ndarray, note: str = "") -> str:
    g, k = (int(i[0]) for i in np.nonzero(bad))
    count = int(bad[g].sum())
    ours, theirs = float(actual[g, k]), float(expected[g, k])
    return (
        f"{case_id}: {what} of group {g} first differs at optimizer step {k}: "
        f"lrplot {ours!r}, torch {theirs!r} "
        f"(diff {ours - theirs!r}; {count} of {bad.shape[1]} steps differ in this group){note}"
    )


def assert_identical(case_id: str, what: str, actual: Any, expected: Any) -> None:
    """Bit-identical arrays of shape (groups, steps)."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    _check_shape(case_id, what, actual, expected)
    bad = _differs_bitwise(actual, expected)
    if bad.any():
        pytest.fail(_first_difference(case_id, what, bad, actual, expected), pytrace=False)
    assert np.array_equal(actual, expected)


def assert_close(case_id: str, what: str, actual: Any, expected: Any, rel: float = REL_TOL) -> None:
    """Per group: max |lrplot - torch| <= rel * max |torch|."""
    actual, expected = np.asarray(actual, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    _check_shape(case_id, what, actual, expected)
    for g in range(expected.shape[0]):
        scale = float(np.max(np.abs(expected[g]))) if expected.shape[1] else 0.0
        tol = rel * scale
        err = np.abs(actual[g] - expected[g])
        bad = np.zeros(expected.shape, dtype=bool)
        bad[g] = ~(err <= tol)  # NaN counts as a difference
        if bad.any():
            worst = float(np.nanmax(err)) if not np.isnan(err).all() else float("nan")
            note = f"; max error {worst!r} > tolerance {tol!r}"
            pytest.fail(_first_difference(case_id, what, bad, actual, expected, note), pytrace=False)


def check_trace(case_id: str, trace: Any, expected_lr: Any, expected_momentum: Any, exact: bool) -> None:
    """A Trace against torch's lr and momentum (both group-major lists, momentum possibly None)."""
    compare = assert_identical if exact else assert_close
    mode = "exact" if exact else "default"
    compare(case_id, f"lr ({mode} mode)", trace.lr, expected_lr)
    if expected_momentum is None:
        assert trace.momentum is None, f"{case_id}: lrplot traces momentum ({mode} mode) but torch recorded none"
    else:
        assert trace.momentum is not None, f"{case_id}: lrplot traces no momentum ({mode} mode) but torch recorded it"
        compare(case_id, f"momentum ({mode} mode)", trace.momentum, expected_momentum)


def check_refusal(case_id: str, config: Any, error: dict[str, Any], exact: bool) -> None:
    """lrplot refuses the config with TorchWouldRaise naming torch's exception class."""
    mode = "exact" if exact else "default"
    try:
        trace = simulate(load(config, base_dir=GOLDEN), exact=exact)
    except TorchWouldRaise as exc:
        assert error["type"] in str(exc), (
            f"{case_id}: lrplot refuses ({mode} mode) but its message does not name torch's {error['type']}: {exc}"
        )
        return
    where = "while constructing the scheduler" if error["step"] is None else f"at optimizer step {error['step']}"
    pytest.fail(
        f"{case_id}: torch raises {error['type']} {where} ({error['message']}), "
        f"but lrplot ({mode} mode) produced a trace of shape {trace.lr.shape}",
        pytrace=False,
    )


# ------------------------------------------------------------------------------------------------
# The golden cases


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", TRACE_IDS)
def test_trace_matches_torch(case_id: str, exact: bool) -> None:
    doc = golden(case_id)
    trace = simulate(load(doc["config"], base_dir=GOLDEN), exact=exact)
    check_trace(case_id, trace, doc["lr"], doc["momentum"], exact)
    if "metric" in doc:  # a replayed log or a synthetic model: torch was fed exactly these values
        fed = trace.metric[~np.isnan(trace.metric)] if trace.metric is not None else None
        assert fed is not None and fed.tolist() == doc["metric"], f"{case_id}: lrplot fed ReduceLROnPlateau other values than torch"


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", ERROR_IDS)
def test_refuses_where_torch_raises(case_id: str, exact: bool) -> None:
    doc = golden(case_id)
    check_refusal(case_id, doc["config"], doc["error"], exact)


@pytest.mark.parametrize("case_id", TRACE_IDS)
def test_trace_shape_follows_run(case_id: str) -> None:
    doc = golden(case_id)
    spec = load(doc["config"], base_dir=GOLDEN)
    shape = (len(spec.optimizer.groups), spec.run.total_steps)
    assert np.asarray(doc["lr"]).shape == shape, f"{case_id}: recorded lr has shape {np.asarray(doc['lr']).shape}, run says {shape}"


# ------------------------------------------------------------------------------------------------
# The golden set itself: in sync with cases.py, and covering every scheduler and step mode.


def test_traces_match_cases() -> None:
    """Every case has a trace recorded from its current config, and no trace is left over."""
    record = _load_module("lrplot_golden_record", GOLDEN / "record.py")
    cases = dict(record.load_cases())
    recorded = {p.stem for p in TRACE_FILES}
    missing = sorted(set(cases) - recorded)
    stale = sorted(recorded - set(cases))
    assert not missing, f"cases without a golden trace (run tests/golden/record.py): {missing}"
    assert not stale, f"golden traces of cases no longer in cases.py (run tests/golden/record.py): {stale}"
    changed = [cid for cid, config in cases.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record.py): {changed}"


@functools.lru_cache(maxsize=None)
def _coverage() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """scheduler class -> case ids using it (any depth); step mode -> case ids."""
    by_class: dict[str, set[str]] = {s.name: set() for s in registry.SCHEDULERS}
    by_mode: dict[str, set[str]] = {}
    for path in TRACE_FILES:
        spec = load(golden(path.stem)["config"], base_dir=GOLDEN)
        for node in spec.scheduler.walk():
            by_class[node.type].add(path.stem)
        by_mode.setdefault(spec.run.step, set()).add(path.stem)
    return by_class, by_mode


def test_enough_cases() -> None:
    assert len(TRACE_FILES) >= 150, f"only {len(TRACE_FILES)} golden traces; the suite promises at least 150"


@pytest.mark.parametrize("name", [s.name for s in registry.SCHEDULERS if s.family == "torch"])  # the others: their own tests
def test_every_scheduler_is_covered(name: str) -> None:
    cases = _coverage()[0][name]
    assert len(cases) >= 3, f"{name} appears in {len(cases)} golden cases ({sorted(cases)}); need at least 3"


@pytest.mark.parametrize("mode", ["epoch", "iteration", "fractional"])
def test_every_step_mode_is_covered(mode: str) -> None:
    cases = _coverage()[1].get(mode, set())
    assert len(cases) >= 3, f"step mode {mode!r} appears in {len(cases)} golden cases; need at least 3"
