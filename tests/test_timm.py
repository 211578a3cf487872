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
from lrplot.engine.events import find_events
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.explain import explain
from lrplot.registry import family

import test_golden as checks
from emitted import run_emitted
from examples import CONFIGS

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


@pytest.mark.parametrize("case_id", RAN)
def test_emitted_code_runs_on_timm_bit_for_bit(case_id: str) -> None:
    _live().timm_scheduler_module()  # `from timm.scheduler import ...` without torchvision
    spec = load(golden(case_id)["config"], base_dir=GOLDEN)
    lr = run_emitted(lrplot.code.library_code(spec))
    expected = np.asarray(golden(case_id)["lr"])
    assert lr.shape == expected.shape
    assert np.array_equal(lr, expected), f"{case_id}: first difference at update {np.argmax((lr != expected).any(axis=0))}"


def test_noise_generator_matches_torch() -> None:
    """torch.Generator's normal and uniform draws and timm's _calculate_noise, over many seeds."""
    torch = _live() and __import__("torch")
    from lrplot.frameworks.timm.noise import Generator, noise

    g, ours = torch.Generator(), Generator(2**32 + 7)  # only the low 32 bits of a seed count
    g.manual_seed(7)
    for i in range(1500):  # past the first 624-word twist
        draw = (torch.rand if i % 3 == 2 else torch.randn)(1, generator=g).item()
        assert draw == (ours.rand() if i % 3 == 2 else ours.randn()), f"draw {i} differs"
    scheduler = _live().timm_scheduler_module().scheduler.Scheduler
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    for kind, pct, std, seed in (("normal", 0.67, 1.0, 42), ("normal", 0.02, 1.0, -3), ("uniform", 0.3, 1.0, 5)):
        timm = type("Noise", (scheduler,), {"_get_lr": lambda self, t: [0.0]})(opt, "lr", noise_type=kind, noise_pct=pct, noise_std=std, noise_seed=seed)
        expected = [timm._calculate_noise(t) for t in range(300)]
        assert noise(seed + np.arange(300), kind, pct, std).tolist() == expected


# ------------------------------------------------------------------------------------------------
# The noise generator without torch: the vectorized first twist against the plain generator


def test_vectorized_noise_is_the_plain_generator() -> None:
    from lrplot.frameworks.timm.noise import noise, noise_at

    seeds = np.array([0, 1, 41, 2**31, 2**32 - 1, 2**32 + 3, -1, -12345] + list(range(100, 400, 7)), dtype=np.int64)
    for kind, pct, std in (("normal", 0.67, 1.0), ("normal", 0.005, 1.0), ("normal", 0.5, 0.2), ("uniform", 0.3, 1.0)):
        # pct 0.005: most draws are redrawn past the vectorized passes, down to the plain generator
        assert noise(seeds, kind, pct, std).tolist() == [noise_at(int(s), kind, pct, std) for s in seeds]


# ------------------------------------------------------------------------------------------------
# Stepping: train.py's calls, run.step and t_in_epochs


def _spec(scheduler: dict, **run: Any):
    return load({"scheduler": scheduler, "run": run or {"epochs": 10}})


def test_run_step_and_t_in_epochs_fill_each_other() -> None:
    assert _spec({"type": "timm.cosine"}).scheduler.params["t_in_epochs"] is True
    assert _spec({"type": "timm.cosine", "t_in_epochs": False}, epochs=5, steps_per_epoch=4).run.step == "iteration"
    per_update = _spec({"type": "timm.cosine"}, epochs=5, steps_per_epoch=4, step="iteration")
    assert per_update.scheduler.params["t_in_epochs"] is False and per_update.scheduler.params["t_initial"] == 20
    assert _spec({"type": "timm.cosine"}, iterations=30).scheduler.params["t_in_epochs"] is False


@pytest.mark.parametrize(
    ("scheduler", "run", "path", "fragment"),
    [
        ({"type": "timm.cosine", "t_in_epochs": True}, {"epochs": 4, "step": "iteration"}, "scheduler.t_in_epochs", "set run.step: epoch"),
        ({"type": "timm.cosine", "t_in_epochs": False}, {"epochs": 4, "step": "epoch"}, "scheduler.t_in_epochs", "silently ignores"),
        ({"type": "timm.cosine"}, {"epochs": 4, "step": "fractional"}, "run.step", "never fractions"),
        ({"type": "timm.plateau"}, {"epochs": 4, "step": "iteration"}, "run.step", "Plateau LR only supports step per epoch"),
        ({"type": "timm.cosine", "warmup_t": 10, "warmup_prefix": True}, {"epochs": 10}, "scheduler.warmup_t", "leaving nothing for t_initial"),
        ({"type": "timm.cosine", "noise_range_t": [1, 2, 3]}, {"epochs": 4}, "scheduler.noise_range_t", "or [start, end)"),
        ({"type": "timm.cosine", "noise_pct": 0}, {"epochs": 4}, "scheduler.noise_pct", "must be > 0"),
        ({"type": "timm.cosine", "noise_range_t": 1, "noise_pct": 1e-4}, {"epochs": 4}, "scheduler.noise_pct", "redraws until"),
        ({"type": "timm.multistep", "decay_t": [8, 3]}, {"epochs": 4}, "scheduler.decay_t", "increasing order"),
        ({"type": "timm.step", "decay_t": 0}, {"epochs": 4}, "scheduler.decay_t", "must be > 0"),
    ],
)
def test_stepping_and_keyword_mistakes_are_named(scheduler, run, path, fragment) -> None:
    config = {"scheduler": scheduler, "run": run}
    if scheduler["type"] == "timm.plateau":
        config["metric"] = {"synthetic": True}
    with pytest.raises(ConfigError) as err:
        load(config)
    assert err.value.path == path and fragment in err.value.message


def test_lengths_are_filled_from_the_run() -> None:
    assert _spec({"type": "timm.cosine", "warmup_t": 3}).scheduler.params["t_initial"] == 10  # the warmup runs under the decay
    assert _spec({"type": "timm.poly", "warmup_t": 3, "warmup_prefix": True}).scheduler.params["t_initial"] == 7
    assert _spec({"type": "timm.wsd", "warmup_t": 3, "decay_t": 2}).scheduler.params["t_initial"] == 7  # always a prefix
    code = lrplot.code.library_code(_spec({"type": "timm.cosine"}, epochs=6, steps_per_epoch=5, step="iteration"))
    assert "CosineLRScheduler(optimizer, t_initial=30, t_in_epochs=False)" in code


def test_first_epoch_trains_with_the_constructors_lr() -> None:
    # TanhLRScheduler's _get_lr(0) is 0.99999917 * lr, but nothing calls it: epoch 0 trains at the lr itself
    trace = lrplot.simulate({"scheduler": {"type": "timm.tanh"}, "run": {"epochs": 5, "steps_per_epoch": 3}, "optimizer": {"lr": 0.1}})
    assert trace.lr[0, :3].tolist() == [0.1] * 3 and trace.lr[0, 3] < 0.1


# ------------------------------------------------------------------------------------------------
# The timm: section


def test_section_explains_what_train_py_derives() -> None:
    trace = lrplot.simulate(CONFIGS / "timm-seresnet34-cosine.yaml")
    assert trace.lr.shape == (1, 150 * 1251)
    text = explain(trace)
    for words in ("--sched cosine --epochs 150", "per process", "updates_per_epoch = 1251", "num_epochs = t_initial 150"):
        assert words in text
    step = explain(lrplot.simulate({"timm": {"sched": "multistep", "epochs": 10, "warmup_epochs": 2, "warmup_prefix": True, "cooldown_epochs": 3}}))
    assert "num_epochs = epochs 10 + warmup_epochs 2 (prefix) (cooldown_epochs 3 is ignored for multistep) = 12" in step
    scaled = explain(lrplot.simulate({"timm": {"sched": "cosine", "epochs": 5, "opt": "lamb", "batch_size": 64, "world_size": 4}}))
    assert "(sqrt scaling)" in scaled


@pytest.mark.parametrize(
    ("config", "path", "fragment"),
    [
        ({"timm": {"sched": "cosin"}}, "timm.sched", "did you mean 'cosine'"),
        ({"timm": {"sched": "none"}}, "timm.sched", "without a scheduler"),
        ({"timm": {"warmup_epoch": 3}}, "timm.warmup_epoch", "did you mean 'warmup_epochs'"),
        ({"timm": {"epochs": 0}}, "timm.epochs", "must be > 0"),
        ({"timm": {"lr_noise": [0.1, 0.5, 0.9]}}, "timm.lr_noise", "one fraction"),
        ({"timm": {"sched_on_updates": True}}, "timm.sched_on_updates", "updates_per_epoch must be set"),
        ({"timm": {"dataset_size": 100, "batch_size": 128}}, "timm.batch_size", "drops a partial one"),
        ({"timm": {"updates_per_epoch": 5, "dataset_size": 100}}, "timm.dataset_size", "give one or the other"),
        ({"timm": {}, "run": {"iterations": 5}}, "run.iterations", "sizes the run itself; from the run it takes epochs (as timm.epochs)"),
        ({"timm": {}, "scheduler": "cosine"}, "scheduler", "no `scheduler:`"),
        ({"timm": {"sched": "rsqrt", "epochs": 10, "warmup_epochs": 0, "decay_epochs": 0.2}}, "timm.lr_stable_timescale", "timm raises ValueError"),
    ],
)
def test_section_mistakes_are_named(config, path, fragment) -> None:
    with pytest.raises(ConfigError) as err:
        load(config)
    assert err.value.path == path and fragment in err.value.message


def test_the_run_and_optimizer_beside_the_section_set_its_keys() -> None:
    # what --epochs, --lr, --dataset-size and the other run flags do to a `timm:` config
    beside = load({"timm": {"sched": "cosine", "epochs": 300, "batch_size": 32}, "run": {"epochs": 5, "dataset_size": 1000},
                   "optimizer": {"lr": 0.2}})
    inside = load({"timm": {"sched": "cosine", "epochs": 5, "batch_size": 32, "dataset_size": 1000, "lr": 0.2}})
    assert beside.run == inside.run and beside.optimizer == inside.optimizer and beside.scheduler == inside.scheduler
    assert "timm.epochs = 5 (from run.epochs, over the section's 300)" in beside.derivation


# ------------------------------------------------------------------------------------------------
# Words, events and the command line


def test_events_mark_where_the_lr_changes_course() -> None:
    config = {"scheduler": {"type": "timm.cosine", "t_initial": 10, "cycle_limit": 3, "warmup_t": 2, "warmup_prefix": True,
                            "noise_range_t": [5, 9]}, "run": {"epochs": 40, "steps_per_epoch": 2}}
    trace = lrplot.simulate(config)
    kinds = {(e.kind, e.label): e.step for e in find_events(trace)}
    assert kinds[("milestone", "end of warmup")] == 4 and trace.lr[0, 4] == 0.1  # the warmup is a prefix: the cosine starts at the lr
    restarts = sorted(e.step for e in find_events(trace) if e.kind == "restart")
    assert restarts == [24, 44] and all(trace.lr[0, k] > trace.lr[0, k - 1] for k in restarts)
    assert kinds[("milestone", "lr_min")] == 64 and (trace.lr[0, 64:] == 0).all()
    assert kinds[("milestone", "noise on")] == 10 and kinds[("milestone", "noise off")] == 18


@pytest.mark.parametrize(
    ("config", "note"),
    [
        ({"scheduler": {"type": "timm.cosine", "warmup_t": 20}, "run": {"epochs": 10}}, "longer than the run"),
        ({"scheduler": {"type": "timm.cosine", "t_initial": 50, "warmup_t": 5, "warmup_prefix": True}, "run": {"epochs": 50}}, "never reaches lr_min"),
        ({"scheduler": {"type": "timm.cosine", "t_initial": 30}, "run": {"epochs": 50}}, "the lr stays at lr_min"),
        ({"scheduler": {"type": "timm.cosine", "t_initial": 5000}, "run": {"epochs": 50}}, "a length in updates needs t_in_epochs: false"),
        ({"scheduler": {"type": "timm.cosine", "t_initial": 20, "warmup_t": 5}, "run": {"epochs": 20}}, "without warmup_prefix the decay runs under the warmup"),
        ({"scheduler": {"type": "timm.multistep", "decay_t": [10]}, "run": {"epochs": 20}}, "one epoch earlier than torch's MultiStepLR"),
        ({"scheduler": {"type": "timm.wsd", "decay_t": 4}, "run": {"epochs": 20}}, "WSD reaches lr_min one step after its last"),
        ({"scheduler": {"type": "timm.cosine", "noise_range_t": 5}, "run": {"epochs": 20}}, "seed 43 repeats it one epoch earlier"),
        ({"scheduler": {"type": "timm.plateau", "warmup_t": 3}, "run": {"epochs": 20}, "metric": {"synthetic": True}}, "patience counts from epoch 4"),
    ],
    ids=["long-warmup", "prefix-lr-min", "short-t-initial", "t-initial-in-updates", "no-prefix-drop", "multistep-early", "wsd-last", "noise-seed", "plateau-warmup"],
)
def test_pitfalls_are_noted(config, note) -> None:
    assert note in explain(lrplot.simulate(config))


def test_command_line_speaks_timm() -> None:
    from click.testing import CliRunner

    from lrplot.cli import cli

    def run(*args: str):
        return CliRunner().invoke(cli, list(args))

    listed = run("list", "timm.cosine").output
    assert "--warmup-t" in listed and "--noise-range-t" in listed and "from run" in listed
    wrong = run("plot", "timm.cosine", "--T-max", "3")
    assert wrong.exit_code == 2 and "--t-initial" in wrong.output and "lrplot list timm.cosine" in wrong.output
    data = json.loads(run("export", "timm.cosine", "--warmup-t", "5", "--epochs", "20", "--exact").output)
    assert data["lr"] == lrplot.simulate({"scheduler": {"type": "timm.cosine", "warmup_t": 5}, "run": {"epochs": 20}}, exact=True).lr.tolist()
    code = run("code", str(CONFIGS / "timm-efficientnet-b2-step.yaml")).output
    assert "create_scheduler_v2(" in code and "decay_epochs=2.4," in code and "scheduler.step(epoch + 1)" in code
    assert "for epoch in range(num_epochs):  # 450" in code


def test_compare_mixes_frameworks_inline(tmp_path) -> None:
    from click.testing import CliRunner

    from lrplot.cli import cli

    out = tmp_path / "mixed.svg"
    result = CliRunner().invoke(cli, ["compare", "cosine", "timm.cosine:warmup_t=5,lr_min=1e-4", "timm.plateau:mode=min",
                                      "--metric", "synthetic", "--epochs", "30", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().count(b"<path") > 3


def test_noisy_plateau_marks_only_the_reductions_its_log_made():
    # noise moves the lr every epoch; only the patience running out is a plateau reduction
    from lrplot.engine.events import find_events

    trace = lrplot.simulate({
        "timm": {"sched": "plateau", "epochs": 120, "dataset_size": 1000, "batch_size": 100, "lr_noise": [0.1], "lr_noise_pct": 0.3},
        "metric": {"synthetic": {"model": "steps", "every": 15, "seed": 3}},
    })
    log = trace.plateau
    made = set((log.at[log.reduced.astype(bool)] + 1).tolist())
    lowered = np.nonzero((trace.lr[:, 1:] < trace.lr[:, :-1]).any(axis=0))[0] + 1
    marked = {e.step for e in find_events(trace) if e.kind == "reduction"}
    assert len(lowered) > len(made) > 0  # the noise lowers the lr far more often than the patience runs out
    assert marked and marked <= made
