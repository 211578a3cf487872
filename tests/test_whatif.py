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
from lrplot.engine import whatif as curves
from lrplot.config import load
from lrplot.errors import ConfigError

from examples import CONFIGS, legend_labels
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


def _check(case_id: str, what: str, outcome: curves.Outcome, recorded: dict, start: int, exact: bool, trace=None) -> None:
    if recorded["error"] is not None:
        assert outcome.error is not None, f"{case_id} {what}: torch raised {recorded['error']}, lrplot drew a curve"
        error = recorded["error"]
        assert f"torch raises {error['type']}" in outcome.error, f"{case_id} {what}: {outcome.error!r} for {error}"
        assert error["message"].splitlines()[0] in outcome.error
        where = "while resuming" if error["step"] is None else f"at optimizer step {error['step']}"
        assert where in outcome.error, f"{case_id} {what}: {outcome.error!r} does not say {where!r}"
        # what the run trained before torch raised, which the figure draws up to the raise
        if error["step"] is None:
            assert outcome.lr.shape[1] == start and np.array_equal(outcome.lr, trace.lr[:, :start])
        else:
            assert outcome.lr.shape[1] in (error["step"], error["step"] + 1), f"{case_id} {what}: {outcome.lr.shape[1]} steps trained"
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
        outcomes = curves.resumes(trace, int(at))
        assert [o.name for o in outcomes] == list(whatif.METHOD_NAMES)
        for outcome in outcomes:
            start = curves.resume_step(trace.spec.run, int(at))
            # before the resume, every method is the planned run
            if outcome.lr is not None:
                assert np.array_equal(outcome.lr[:, :start], trace.lr[:, :start])
            # the resumed part follows torch bit for bit when the planned trace does
            _check(case_id, f"resumed at {at} with {outcome.name}", outcome, methods[outcome.name], start, True if exact else False, trace)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", IDS)
def test_mistakes_match_torch(case_id: str, exact: bool) -> None:
    trace = planned(case_id, exact)
    recorded = golden(case_id)["mistakes"]
    applying = [m for m in whatif.MISTAKE_NAMES if curves.mistake_applies(trace.spec, m) is None]
    assert sorted(applying) == sorted(recorded), f"{case_id}: torch was run with {list(recorded)}"
    for outcome in curves.mistakes(trace, applying, exact):
        _check(case_id, f"with the mistake {outcome.name}", outcome, recorded[outcome.name], 0, exact)
        if outcome.error is not None:
            # the steps before the raise train with the schedule after as many calls as the mistake
            # made by then: the planned (recorded) lr at the step that had made that many
            before, after = curves.mistake_calls(trace.spec.run, outcome.name)
            calls = (np.cumsum(before) + np.concatenate([[0], np.cumsum(after)[:-1]]))[: outcome.lr.shape[1]]
            run = trace.spec.run
            planned_calls = np.arange(len(trace)) // (run.steps_per_epoch if run.step == "epoch" else 1)
            known = calls <= planned_calls[-1]
            at = np.searchsorted(planned_calls, calls[known])
            check = assert_identical if exact else assert_close
            check(f"{case_id} {outcome.name} before the raise", "lr", outcome.lr[:, known], trace.lr[:, at].tolist())


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


# ------------------------------------------------------------------------------------------------
# The config key, the command line and the figure

from click.testing import CliRunner  # noqa: E402

from lrplot.cli import cli  # noqa: E402

STEP = {"name": "step", "scheduler": {"type": "StepLR", "step_size": 10}, "run": {"epochs": 30}}


def run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _config(tmp_path, **run_keys) -> str:
    import yaml

    config = {**STEP, "run": {**STEP["run"], **run_keys}}
    path = tmp_path / "step.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.mark.parametrize("resume, message", [
    ({"at": 0}, "run.resume.at: must be a scheduler step from 1 to 29"),
    ({"at": 30}, "run.resume.at: must be a scheduler step from 1 to 29"),
    ({"method": "state_dict"}, "run.resume.at: missing"),
    ({"at": 5, "method": "state-dict"}, "run.resume.method: must be one of state_dict, build_after_load"),
    ({"at": 5, "when": 3}, "run.resume.when: unknown key"),
    ([5], "run.resume: must be a mapping like {at: 30, method: state_dict}"),
])
def test_run_resume_is_checked(resume, message):
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace("{", r"\{").replace("}", r"\}")):
        load({**STEP, "run": {"epochs": 30, "resume": resume}})


def test_fractional_runs_are_not_resumed():
    with pytest.raises(ConfigError, match="fractional stepping calls step"):
        load({"scheduler": {"type": "CosineAnnealingWarmRestarts", "T_0": 5}, "run": {"epochs": 10, "steps_per_epoch": 4, "step": "fractional", "resume": {"at": 8}}})


def test_export_writes_the_run_as_resumed(tmp_path):
    result = run("export", "step", "--step-size", "10", "--epochs", "30", "--resume-at", "15", "--resume-method", "scheduler_only", "--format", "json")
    assert result.exit_code == 0, result.output
    lr = json.loads(result.output)["lr"][0]
    assert lr[:15] == [0.1] * 10 + [0.010000000000000002] * 5  # as planned up to the checkpoint
    assert lr[15:20] == [0.1] * 5 and lr[20] == pytest.approx(0.01)  # StepLR restarts from the fresh optimizer's lr
    # the config's run.resume says the same
    declared = run("export", _config(tmp_path, resume={"at": 15, "method": "scheduler_only"}), "--format", "json")
    assert json.loads(declared.output)["lr"][0] == lr


def test_export_needs_one_method_and_refuses_what_torch_raises():
    result = run("export", "step", "--step-size", "10", "--resume-at", "15")
    assert result.exit_code == 2 and "export writes one resumed run: add --resume-method" in result.output
    result = run("export", "step", "--step-size", "10", "--resume-at", "15", "--resume-method", "last_epoch_fresh")
    assert result.exit_code == 2
    assert "--resume-method: resuming with last_epoch_fresh after scheduler step 15: torch raises KeyError while resuming" in result.output
    assert "resume with state_dict instead" in result.output
    assert run("export", "step", "--step-size", "10", "--resume-method", "state_dict").exit_code == 2
    result = run("export", "step", "--step-size", "10", "--epochs", "30", "--resume-at", "40", "--resume-method", "state_dict")
    assert result.exit_code == 2 and "--resume-at: must be a scheduler step from 1 to 29" in result.output


def test_explain_says_which_ways_of_resuming_are_safe(tmp_path):
    result = run("explain", _config(tmp_path, resume={"at": 15, "method": "scheduler_only"}))
    text = result.output
    assert "resumed after scheduler step 15 (training goes on at epoch 15, as run.resume declares):" in text
    assert "state_dict        exact: the planned curve" in text
    assert "scheduler_only    trains with lr 0.1 at epoch 15 where the plan has 0.01; ends at 0.01 instead of 0.001  <- run.resume" in text
    assert "last_epoch_fresh  torch raises KeyError while resuming" in text
    assert "note: resuming with scheduler_only after scheduler step 15 trains with lr 0.1" in text and "(LR201)" in text
    # unasked and undeclared, one line says how to ask (the block was noise in every explain)
    unasked = run("explain", "step", "--step-size", "10", "--epochs", "30").output
    assert "resumed after" not in unasked and unasked.rstrip().endswith("`--resume-at E` says what each way of resuming after scheduler step E does")
    chosen = run("explain", "step", "--step-size", "10", "--epochs", "30", "--resume-at", "20").output
    assert "restart           exact: the planned curve" in chosen  # at a multiple of step_size a restart is harmless


def test_plot_draws_each_curve_once(tmp_path):
    from lrplot.render import plot_trace

    trace = lrplot.simulate(STEP)
    outcomes = curves.resumes(trace, 15)
    fig = plot_trace(trace, overlays=outcomes)
    ax = fig.axes[0]
    drawn = {line.get_gid(): line for line in ax.get_lines() if (line.get_gid() or "").startswith("whatif-")}
    # state_dict, build_after_load and last_epoch keep the plan; last_epoch_fresh raises: neither is drawn
    assert set(drawn) == {f"whatif-{m}-group0" for m in ("scheduler_only", "set_last_epoch", "restart", "catch_up")}
    line = drawn["whatif-scheduler_only-group0"]
    (o,) = [o for o in outcomes if o.name == "scheduler_only"]
    assert line.get_xdata()[0] == 15 and list(line.get_ydata()[:-1]) == list(o.lr[0, 15:])
    labels = legend_labels(ax.figure, ax)
    notes = [t.get_text().replace("\n", " ") for t in fig.texts if t.get_gid() == "note"]
    assert "as planned: state_dict, build_after_load, last_epoch" in notes[0]
    assert "last_epoch_fresh: torch raises KeyError while resuming" in labels
    # where torch raises, a cross at the last lr trained (here the plan's, before the checkpoint)
    (cross,) = [line for line in ax.get_lines() if line.get_gid() == "raises-last_epoch_fresh"]
    assert list(cross.get_xdata()) == [15] and list(cross.get_ydata()) == [trace.lr[0, 14]]
    result = run("plot", "step", "--step-size", "10", "--epochs", "30", "--what-if", "all", "-o", str(tmp_path / "w.svg"))
    assert result.exit_code == 0, result.output
    svg = (tmp_path / "w.svg").read_text()
    assert "whatif-scheduler_first" in svg and "whatif-twice" in svg


def test_what_if_names_are_checked():
    result = run("plot", "step", "--step-size", "10", "--what-if", "per_epoch")
    assert result.exit_code == 2 and "--what-if per_epoch: an epoch of this run is one step" in result.output
    result = run("plot", "step", "--step-size", "10", "--what-if", "twise")
    assert result.exit_code == 2 and "unknown mistake 'twise' (did you mean 'twice'?)" in result.output
    result = run("plot", "plateau", "--metric", "synthetic", "--what-if", "all")
    assert result.exit_code == 2 and "ReduceLROnPlateau steps on a metric" in result.output


def test_long_runs_jump_where_the_schedule_allows(tmp_path):
    # nanoGPT's LambdaLR: 600,000 iterations, resumed half-way by every method, without replaying them
    trace = lrplot.simulate(CONFIGS / "nanogpt-cosine.yaml")
    outcomes = {o.name: o for o in curves.resumes(trace, 300_000)}
    assert outcomes["catch_up"].same_as(trace) and outcomes["state_dict"].same_as(trace)
    assert outcomes["restart"].lr[0, 300_001] == trace.lr[0, 1]


def test_what_ifs_are_bounded(monkeypatch):
    from lrplot.frameworks.torch import resume

    monkeypatch.setattr(resume, "MAX_CALLS", 1000)
    trace = lrplot.simulate({"scheduler": "cosine", "run": {"iterations": 2000}})
    with pytest.raises(ConfigError, match="--resume-at: replaying torch step by step takes more than 1,000 scheduler steps here"):
        curves.resumes(trace, 600, ("catch_up",))
    # a schedule the replica jumps through costs a few calls, however long
    trace = lrplot.simulate({"scheduler": {"type": "LambdaLR", "lr_lambda": "0.999 ** epoch"}, "run": {"iterations": 2000}})
    assert all(o.error is None or "KeyError" in o.error for o in curves.resumes(trace, 1500))


@pytest.mark.parametrize("name", sorted(__import__("lrplot.docs").docs.WHATIF_FIGURES))
def test_readme_what_if_figures_are_current(name):
    from lrplot import docs

    assert (docs.ROOT / name).read_bytes() == docs.whatif_figure(name), "run `python -m lrplot.docs`"


def test_other_frameworks_plot_as_before_and_say_what_is_not_modelled(tmp_path):
    result = run("plot", "transformers.cosine", "--num-warmup-steps", "10", "--iterations", "100", "-o", str(tmp_path / "hf.svg"))
    assert result.exit_code == 0, result.output
    result = run("plot", "transformers.cosine", "--num-warmup-steps", "10", "--iterations", "100", "--what-if", "twice")
    assert result.exit_code == 2 and "what-ifs are modelled for torch's schedulers" in result.output
    with pytest.raises(ConfigError, match="run.resume: resumes are modelled for torch's schedulers"):
        load({"scheduler": {"type": "transformers.cosine", "num_warmup_steps": 10}, "run": {"iterations": 100, "resume": {"at": 50}}})


def test_a_mistake_that_makes_torch_raise_is_drawn_up_to_the_raise_and_marked_there():
    from lrplot.render import plot_trace

    trace = lrplot.simulate(CONFIGS / "onecycle-per-batch.yaml")  # 2,000 steps of OneCycleLR, stepped twice
    (outcome,) = curves.mistakes(trace, ["twice"])
    assert "torch raises ValueError at optimizer step 1000" in outcome.error
    # steps 0..1000 trained (with the plan's lr after 0, 2, 4, ... calls) before the 2,001st call raised
    assert outcome.lr.shape == (1, 1001) and np.array_equal(outcome.lr[0, :1000], trace.lr[0, :2000:2])
    fig = plot_trace(trace, overlays=[outcome])
    ax = fig.axes[0]
    (line,) = [ln for ln in ax.get_lines() if ln.get_gid() == "whatif-twice-group0"]
    assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == 1001 / 100  # epochs of 100 steps
    assert np.array_equal(line.get_ydata()[:-1], outcome.lr[0])
    (cross,) = [ln for ln in ax.get_lines() if ln.get_gid() == "raises-twice"]
    assert list(cross.get_xdata()) == [10.01] and list(cross.get_ydata()) == [outcome.lr[0, -1]]
    assert "scheduler.step() twice per step: torch raises ValueError at optimizer step 1000" in legend_labels(fig)


def test_a_what_if_drawn_too_close_to_the_plan_to_see_says_so():
    from lrplot.render import plot_trace

    trace = lrplot.simulate(CONFIGS / "onecycle-per-batch.yaml")
    outcomes = curves.mistakes(trace, ["scheduler_first", "per_epoch"])
    labels = legend_labels(plot_trace(trace, overlays=outcomes))
    # one step ahead on 2,000 steps is under a pixel away: the legend says how close it is
    off = np.abs(outcomes[0].lr - trace.lr).max() / trace.lr.max()
    assert 0 < off < 0.01
    assert "scheduler.step() before optimizer.step() (at most 0.3% of the peak off the plan)" in labels
    assert "stepped per epoch instead of per batch" in labels  # far from the plan: no remark
