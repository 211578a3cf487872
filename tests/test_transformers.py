"""transformers 5.23: lrplot against golden traces of the real library, its words, code and command line.

The golden traces (``tests/golden/transformers/*.json``, recorded by ``record_transformers.py``)
hold what ``get_scheduler`` and a real ``Trainer`` did. Where transformers is importable, the live
tests run the library now: every scheduler case against lrplot, the code ``lrplot code`` writes for
every golden config, and the field list of TrainingArguments.
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
from lrplot.cli import cli
from lrplot.code import library_code
from lrplot.config import load
from lrplot.engine.events import find_events
from lrplot.errors import ConfigError, TorchWouldRaise
from lrplot.explain import explain
from lrplot.frameworks.transformers import engine, records, trainer
from lrplot.registry import FAMILIES, lookup

import test_golden as checks  # the comparison helpers and the module loader

GOLDEN = Path(__file__).resolve().parent / "golden"
record = checks._load_module("lrplot_record_transformers", GOLDEN / "record_transformers.py")
CASES = {cid: (kind, config) for cid, kind, config in record.load_cases()}
FAMILY = next(f for f in FAMILIES if f.name == "transformers")


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads(record.trace_path(case_id).read_text(encoding="utf-8"))


def _ids(kind: str, outcome: str) -> list[str]:
    return [cid for cid, (k, _) in CASES.items() if k == kind and (golden(cid)["error"] is None) == (outcome == "ran")]


def _spec(case_id: str):
    return load(golden(case_id)["config"], base_dir=GOLDEN)


def check_refusal(case_id: str, error: dict[str, Any], exact: bool) -> None:
    """lrplot refuses where the library raised: TorchWouldRaise naming the exception (a choice
    keyword is refused while the config is read, by the values it takes)."""
    with pytest.raises(TorchWouldRaise) as refused:
        lrplot.simulate(_spec(case_id), exact=exact)
    message = str(refused.value)
    choice = re.search(r"must be one of", message)
    assert error["type"] in message or choice, f"{case_id}: lrplot refuses, but not naming {error['type']}: {message}"


# ------------------------------------------------------------------------------------------------
# The golden cases


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", _ids("scheduler", "ran") + _ids("trainer", "ran"))
def test_trace_matches_transformers(case_id: str, exact: bool) -> None:
    doc = golden(case_id)
    trace = lrplot.simulate(_spec(case_id), exact=exact)
    checks.check_trace(case_id, trace, doc["lr"], doc["momentum"], exact)
    if "metric" in doc:
        fed = trace.metric[~np.isnan(trace.metric)]
        assert fed.tolist() == doc["metric"], f"{case_id}: lrplot fed other metric values than transformers was fed"


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "default"])
@pytest.mark.parametrize("case_id", _ids("scheduler", "raised") + _ids("trainer", "raised"))
def test_refuses_where_transformers_raises(case_id: str, exact: bool) -> None:
    check_refusal(case_id, golden(case_id)["error"], exact)


@pytest.mark.parametrize("case_id", _ids("trainer", "ran"))
def test_trainer_arithmetic_matches(case_id: str) -> None:
    """num_training_steps and num_warmup_steps as the Trainer passed them to get_scheduler."""
    doc = golden(case_id)
    params = _spec(case_id).scheduler.params
    for key in ("num_training_steps", "num_warmup_steps"):
        if key in params:
            assert params[key] == doc[key], f"{case_id}: {key} {params[key]}, the Trainer passed {doc[key]}"
    plan = trainer.read(doc["config"]["transformers"]).plan
    assert (plan.num_training_steps, plan.num_warmup_steps) == (doc["num_training_steps"], doc["num_warmup_steps"])


def test_goldens_match_cases() -> None:
    recorded = {p.stem for p in record.TRACES.glob("*.json")}
    assert recorded == set(CASES), f"run tests/golden/record_transformers.py: missing {sorted(set(CASES) - recorded)}, stale {sorted(recorded - set(CASES))}"
    changed = [cid for cid, (_, config) in CASES.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_transformers.py): {changed}"


def test_goldens_cover_every_name_keyword_and_step_mode() -> None:
    by_name: dict[str, set[str]] = {s.name: set() for s in FAMILY.schedulers}
    keywords: dict[str, set[str]] = {s.name: set() for s in FAMILY.schedulers}
    modes: dict[str, set[str]] = {}
    trainer_types, devices = set(), set()
    for cid, (kind, config) in CASES.items():
        if kind == "scheduler":
            info = lookup(config["scheduler"]["type"])
            by_name[info.name].add(cid)
            keywords[info.name] |= set(config["scheduler"]) - {"type"}
            modes.setdefault(config["run"].get("step", "iteration"), set()).add(cid)
        else:
            section = config["transformers"]
            trainer_types.add(section.get("lr_scheduler_type", "linear"))
            devices.add(section.get("devices", 1))
    for name, cases in by_name.items():
        assert len(cases) >= 3, f"{name} appears in {len(cases)} golden cases"
        missing = {p.name for p in records.BY_NAME[name].params} - keywords[name]
        assert not missing, f"{name}: no golden case sets {sorted(missing)}"
    assert all(len(modes.get(m, ())) >= 5 for m in ("iteration", "epoch", "fractional")), modes.keys()
    assert trainer_types >= set(trainer.SCHEDULER_TYPES)
    assert devices >= {1, 2, 3, 4}
    assert len(CASES) >= 200


# ------------------------------------------------------------------------------------------------
# Live: the library itself, now (the reference environment)


def _library():
    pytest.importorskip("torch", reason="the live tests need the reference extra (torch 2.13.0, transformers 5.23.0)")
    transformers = pytest.importorskip("transformers", reason="the live tests need the reference extra (transformers 5.23.0)")
    if transformers.__version__ != "5.23.0":
        pytest.skip(f"the live tests need transformers 5.23.0, found {transformers.__version__}")
    from lrplot.frameworks.transformers import reference

    return reference


@pytest.mark.parametrize("case_id", [cid for cid, (kind, _) in CASES.items() if kind == "scheduler"])
def test_live_get_scheduler(case_id: str) -> None:
    reference = _library()
    fresh = record.record(case_id, "scheduler", CASES[case_id][1])
    assert record.dumps(fresh) == record.trace_path(case_id).read_text(encoding="utf-8"), (
        f"{case_id}: transformers gives other numbers now; re-record with tests/golden/record_transformers.py {case_id}"
    )
    assert reference.VERSION in fresh["transformers"]


def _lrs_of(code: str, namespace: dict[str, Any]) -> np.ndarray:
    """Run emitted code and record each optimizer step's lrs (a global torch optimizer pre-hook)."""
    import warnings

    from torch.optim.optimizer import register_optimizer_step_pre_hook

    steps: list[list[float]] = []
    hook = register_optimizer_step_pre_hook(
        lambda opt, args, kwargs: steps.append([float(g["lr"]) for g in opt.param_groups])
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, "<lrplot code>", "exec"), namespace)  # the test runs lrplot's own output
    finally:
        hook.remove()
    return np.array(steps).T


@pytest.mark.parametrize("case_id", _ids("scheduler", "ran"))
def test_emitted_get_scheduler_code_reproduces_the_trace(case_id: str) -> None:
    _library()
    spec = _spec(case_id)
    lr = _lrs_of(library_code(spec), {})
    checks.assert_identical(case_id, "lr of the emitted code", lr, lrplot.simulate(spec, exact=True).lr)


@pytest.mark.parametrize("case_id", [cid for cid in _ids("trainer", "ran") if golden(cid)["config"]["transformers"].get("devices", 1) == 1])
def test_emitted_trainer_code_reproduces_the_trace(case_id: str, tmp_path, monkeypatch) -> None:
    """The TrainingArguments lrplot writes, trained by a real Trainer on the stand-in model and data."""
    reference = _library()
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    monkeypatch.chdir(tmp_path)  # the Trainer writes its output_dir here
    config = golden(case_id)["config"]
    namespace = reference.stand_ins(config["transformers"], config.get("metric", {}).get("values"))
    lr = _lrs_of(library_code(_spec(case_id)), namespace)
    checks.assert_identical(case_id, "lr of the emitted Trainer", lr[:1], lrplot.simulate(_spec(case_id), exact=True).lr)


def test_training_arguments_fields_are_5_23s() -> None:
    _library()
    import dataclasses

    from transformers import TrainingArguments

    assert trainer.TRAINING_ARGUMENTS == tuple(f.name for f in dataclasses.fields(TrainingArguments))


# ------------------------------------------------------------------------------------------------
# Records, flags and the command line


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_flags_named_like_the_keywords_with_the_run_filling_the_length():
    result = run("export", "transformers.cosine", "--num-warmup-steps", "100", "--iterations", "1000", "--format", "json")
    assert result.exit_code == 0, result.output
    lr = json.loads(result.output)["lr"][0]
    spec = load({"scheduler": {"type": "transformers.cosine", "num_warmup_steps": 100}, "run": {"iterations": 1000}})
    assert spec.scheduler.params["num_training_steps"] == 1000 and spec.run.step == "iteration"
    assert lr == lrplot.simulate(spec).lr[0].tolist()
    assert "num_training_steps=1000" in run("code", "transformers.cosine", "--num-warmup-steps", "100", "--iterations", "1000").output


def test_a_flag_wrong_for_the_scheduler_names_its_real_keywords():
    result = run("plot", "transformers.linear", "--num-warmup-steps", "10", "--num-cycles", "2")
    assert result.exit_code == 2
    assert "transformers.linear has no option 'num_cycles'" in result.output
    assert "--num-warmup-steps, --num-training-steps" in result.output


def test_list_a_family_and_one_schedule():
    listed = run("list", "transformers").output
    for info in FAMILY.schedulers:
        assert info.name in listed and info.aliases[0] in listed
    one = run("list", "transformers.warmup_stable_decay").output
    for flag in ("--num-decay-steps", "--num-stable-steps", "--warmup-type", "--min-lr-ratio"):
        assert flag in one
    assert "transformers" in run("list").output and "--num-warmup-steps" not in run("plot", "--help").output


def test_function_names_are_aliases():
    assert lookup("transformers.get_cosine_schedule_with_warmup").name == "transformers.cosine"
    assert lookup("transformers.get_wsd_schedule").name == "transformers.warmup_stable_decay"
    assert lookup("cosine").family == "torch"  # plain names stay torch's


def test_compare_mixes_torch_and_transformers_inline(tmp_path):
    out = tmp_path / "mix.svg"
    result = run(
        "compare", "cosine", "transformers.cosine:num_warmup_steps=100", "transformers.warmup_stable_decay:num_warmup_steps=50,num_decay_steps=200",
        "--iterations", "1000", "-o", str(out),
    )
    assert result.exit_code == 0, result.output
    assert out.read_text().count("<svg") == 1


# ------------------------------------------------------------------------------------------------
# The transformers: section


LLM = {
    "dataset_size": 52_002, "per_device_train_batch_size": 4, "gradient_accumulation_steps": 8, "devices": 4,
    "num_train_epochs": 3, "learning_rate": 2e-5, "lr_scheduler_type": "cosine", "warmup_steps": 0.03,
}


def test_section_becomes_a_run_in_iterations_with_the_arithmetic_explained():
    spec = load({"transformers": LLM})
    # 52002 / 4 = 13001 batches; over 4 devices 3251; / 8 = 407 optimizer steps per epoch (ceil)
    assert (spec.run.total_steps, spec.run.steps_per_epoch, spec.run.step) == (1221, 407, "iteration")
    assert dict(spec.scheduler.params) == {"num_warmup_steps": 37, "num_training_steps": 1221, "num_cycles": 0.5}
    assert spec.optimizer.groups[0].lr == 2e-5
    text = explain(lrplot.simulate(spec))
    for line in (
        "52,002 samples / per_device_train_batch_size 4 = 13,001 batches (the last one of 2)",
        "13,001 batches over 4 devices = 3,251 per device (accelerate fills the last round with samples from the start)",
        "3,251 batches / gradient_accumulation_steps 8 = 407 optimizer steps per epoch (the last step accumulates 3)",
        "num_training_steps = ceil(num_train_epochs 3 x 407) = 1,221",
        "num_warmup_steps = ceil(1,221 x warmup_steps 0.03) = 37",
        "get_scheduler('cosine', optimizer, num_warmup_steps=37, num_training_steps=1221)",
        "linear warmup from 0",
        "cosine decay to 0",
        "each of the 4 devices counts its own batches",
    ):
        assert line in text, f"{line!r} not in:\n{text}"


def test_section_pitfalls_are_noted():
    def notes(**section: Any) -> str:
        return explain(lrplot.simulate({"transformers": {"dataset_size": 100, "per_device_train_batch_size": 1, **section}}))

    assert "ceil adds a step" in notes(num_train_epochs=0.07)
    assert "never reaches its peak" in notes(num_train_epochs=1, warmup_steps=500)
    assert "get_scheduler ignores warmup_steps for constant" in notes(lr_scheduler_type="constant", warmup_steps=10)
    assert "int() truncates" in notes(warmup_steps=2.7)
    assert "max_steps overrides num_train_epochs" in notes(max_steps=20, num_train_epochs=3)


@pytest.mark.parametrize(
    ("section", "path", "fragment"),
    [
        ({"warmup_ratio": 0.03}, "transformers.warmup_ratio", "write warmup_steps: 0.03"),
        ({"lr_scheduler_type": "Cosine"}, "transformers.lr_scheduler_type", "did you mean 'cosine'"),
        ({"per_device_batch_size": 8}, "transformers.per_device_batch_size", "did you mean 'per_device_train_batch_size'"),
        ({"lr_scheduler_kwargs": {"min_lr": -1}, "lr_scheduler_type": "cosine_with_min_lr"}, "transformers.lr_scheduler_kwargs.min_lr", "must be >= 0"),
        ({"lr_scheduler_type": "cosine", "lr_scheduler_kwargs": {"num_cycle": 1}}, "transformers.lr_scheduler_kwargs.num_cycle", "did you mean 'num_cycles'"),
        ({"lr_scheduler_type": "reduce_lr_on_plateau", "eval_strategy": "steps"}, "transformers.eval_strategy", "eval_strategy: epoch"),
        ({"num_train_epochs": 0}, "transformers.num_train_epochs", "gives no optimizer step"),
        ({"devices": 3, "accelerator_config": {"split_batches": True}}, "transformers.accelerator_config.split_batches", "round multiple"),
    ],
)
def test_section_errors_name_the_training_argument(section, path, fragment):
    with pytest.raises(ConfigError) as error:
        lrplot.simulate({"transformers": {"dataset_size": 100, **section}})
    assert error.value.path == path and fragment in error.value.message, str(error.value)


def test_section_replaces_run_optimizer_and_scheduler():
    # the run's and the optimizer's values beside it are TrainingArguments (what --epochs, --lr do)
    beside = load({"transformers": {"dataset_size": 100}, "run": {"epochs": 3, "batch_size": 4}, "optimizer": {"lr": 1e-4}})
    inside = load({"transformers": {"dataset_size": 100, "num_train_epochs": 3, "per_device_train_batch_size": 4, "learning_rate": 1e-4}})
    assert (beside.run, beside.optimizer, beside.scheduler) == (inside.run, inside.optimizer, inside.scheduler)
    with pytest.raises(ConfigError) as error:
        load({"transformers": {"dataset_size": 100}, "run": {"step": "epoch"}})
    assert error.value.path == "run.step" and "num_train_epochs" in error.value.message
    with pytest.raises(ConfigError) as error:
        load({"transformers": {"dataset_size": 100}, "scheduler": "cosine"})
    assert error.value.path == "scheduler" and "lr_scheduler_type" in error.value.message


def test_section_code_is_the_training_arguments():
    code = library_code(load({"transformers": {**LLM, "output_dir": "alpaca"}}))
    assert "training_args = TrainingArguments(\n    dataset_size" not in code
    assert "    warmup_steps=0.03,\n" in code and "output_dir='alpaca'" in code
    assert "num_training_steps=1221 and num_warmup_steps=37" in code and "torchrun --nproc_per_node 4" in code
    compile(code, "<lrplot code>", "exec")


# ------------------------------------------------------------------------------------------------
# Words and events


def test_wsd_phases_and_events_in_its_own_words():
    config = {"scheduler": {"type": "transformers.warmup_stable_decay", "num_warmup_steps": 100, "num_decay_steps": 200,
                            "decay_type": "1-sqrt"}, "run": {"iterations": 1000}}
    trace = lrplot.simulate(config)
    text = explain(trace)
    assert "iterations 0-99" in text and "linear warmup from 0 x the lr" in text
    assert "iterations 100-799" in text and "stable at the lr" in text
    assert "iterations 800-999" in text and "1-sqrt decay to min_lr_ratio 0" in text
    assert [(e.step, e.label) for e in find_events(trace)] == [(100, "end of warmup"), (800, "decay")]


def test_restarts_are_marked_where_the_cosine_restarts():
    trace = lrplot.simulate({"scheduler": {"type": "transformers.cosine_with_restarts", "num_warmup_steps": 10, "num_cycles": 3},
                             "run": {"iterations": 100}})
    restarts = [e.step for e in find_events(trace) if e.kind == "restart"]
    jumps = (np.nonzero(np.diff(trace.lr[0]) > 0)[0] + 1).tolist()
    assert restarts == [k for k in jumps if k > 10]


def test_polynomial_warmup_equal_to_the_run_is_refused_with_the_reason():
    with pytest.raises(TorchWouldRaise) as error:
        lrplot.simulate({"scheduler": {"type": "transformers.polynomial", "num_warmup_steps": 100}, "run": {"iterations": 100}})
    assert "ZeroDivisionError" in str(error.value) and "make the warmup shorter than the run" in str(error.value)


def test_epoch_stepping_is_noted():
    text = explain(lrplot.simulate({"scheduler": {"type": "transformers.linear", "num_warmup_steps": 2}, "run": {"epochs": 10, "step": "epoch"}}))
    assert "so num_warmup_steps and num_training_steps count epochs" in text


def test_a_million_steps_take_the_vectorized_path():
    spec = load({"scheduler": {"type": "transformers.cosine", "num_warmup_steps": 10_000}, "run": {"iterations": 1_000_000}})
    lr = engine._vectorized(spec, "cosine", engine.build_keywords(spec))
    assert lr is not None and lr.shape == (1, 1_000_000)


def test_plateau_evaluated_per_epoch_in_a_run_shorter_than_an_epoch():
    trace = lrplot.simulate({"transformers": {"dataset_size": 37, "per_device_train_batch_size": 4, "max_steps": 3, "eval_strategy": "epoch",
                                              "lr_scheduler_type": "reduce_lr_on_plateau"}, "metric": {"synthetic": True}})
    assert trace.lr.tolist() == [[5e-5] * 3] and len(trace.plateau.at) == 0
