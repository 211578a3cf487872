"""YOLO: lrplot against golden traces from ultralytics' own schedule code and YOLOv5's loop, and the yolo family's behaviour.

``tests/golden/yolo/<id>.json`` holds a config and the lr and momentum of every param group at every
batch, as the training loop leaves them (``tests/golden/record_yolo.py``: ultralytics 8.4.2, 8.4.5,
8.4.102, 8.4.150 and 8.4.190 run their own ``one_cycle``, ``_setup_scheduler``,
``_get_warmup_iterations``, ``build_optimizer`` and warmup statement over torch 2.13 optimizers;
YOLOv5's train.py is transcribed). ``--exact`` must be bit-identical, the default mode within 1e-12
of the peak lr. Where ultralytics and torch are importable, the installed release's cases run live.
The real run folders in ``tests/fixtures/yolo/`` (an ultralytics and a YOLOv5 run, copied from public
repositories) are read and verified as they are.
"""

from __future__ import annotations

import ast
import functools
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import lrplot
import lrplot.code
from lrplot.cli import cli
from lrplot.config import load
from lrplot.engine.events import find_events
from lrplot.errors import ConfigError
from lrplot.explain import explain
from lrplot.frameworks.yolo import loop, section
from lrplot.registry import family
from lrplot.runlog import read_runlog
from lrplot.sources import read_config

import test_golden as checks
from examples import CONFIGS

GOLDEN = Path(__file__).resolve().parent / "golden"
TRACE_FILES = sorted((GOLDEN / "yolo").glob("*.json"))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "yolo"
ULTRALYTICS_RUN = FIXTURES / "ultralytics-yolo26-train"
YOLOV5_RUN = FIXTURES / "yolov5-exp"
YOLO = family("yolo")


@functools.lru_cache(maxsize=None)
def golden(case_id: str) -> dict[str, Any]:
    return json.loads((GOLDEN / "yolo" / f"{case_id}.json").read_text(encoding="utf-8"))


def _record() -> Any:
    return checks._load_module("lrplot_yolo_record", GOLDEN / "record_yolo.py")


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


# ------------------------------------------------------------------------------------------------
# Golden traces


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_golden_case(case_id: str) -> None:
    doc = golden(case_id)
    for exact in (True, False):
        trace = lrplot.simulate(load(doc["config"]), exact=exact)
        checks.check_trace(case_id, trace, doc["lr"], doc["momentum"], exact)


def test_goldens_match_cases_and_cover_the_rules() -> None:
    record = _record()
    cases = dict(record.load_cases())
    recorded = {p.stem for p in TRACE_FILES}
    assert recorded == set(cases), f"run tests/golden/record_yolo.py: missing {sorted(set(cases) - recorded)}, stale {sorted(recorded - set(cases))}"
    changed = [cid for cid, config in cases.items() if record.dumps({"c": config}) != record.dumps({"c": golden(cid)["config"]})]
    assert not changed, f"configs changed since their traces were recorded (run tests/golden/record_yolo.py): {changed}"
    rules: dict[str, set[str]] = {}
    for case_id in cases:
        spec = load(golden(case_id)["config"])
        code = spec.scheduler.info.library_name
        rule = "yolov5" if code == "yolov5" else spec.scheduler.params["warmup_rule"]
        rules.setdefault(rule, set()).add(case_id)
        expected = record.versions()[case_id]
        assert golden(case_id)["code"].startswith("yolov5" if expected == "yolov5" else f"ultralytics {expected}")
    assert {r: len(ids) for r, ids in rules.items() if len(ids) < 5} == {}, "each warmup rule and YOLOv5 need their own goldens"
    assert sum("yolo" in golden(cid)["config"] for cid in cases) >= 12, "the yolo: section needs its own goldens"
    params = [golden(cid)["config"].get("scheduler", golden(cid)["config"].get("yolo")) for cid in cases]
    assert any(p.get("cos_lr") for p in params) and any(p.get("warmup_epochs") == 0 for p in params)


def test_goldens_show_what_the_issue_says() -> None:
    # 8.4.102: a 35-batch run spends all of it inside the 100-batch minimum warmup
    short = np.asarray(golden("u102-short-run")["lr"])
    assert short.shape[1] == 35 and short[1, -1] < 0.01 * 0.35
    # 8.4.150: a fractional warmup leaves its epoch's later batches at the last warm lr, the momentum short of 0.937
    strict = golden("u150-fractional-warmup")
    lr, momentum = np.asarray(strict["lr"]), np.asarray(strict["momentum"])
    assert (lr[:, 48:57] == lr[:, 47:48]).all() and lr[0, 57] != lr[0, 47]
    assert momentum[0, -1] < 0.937
    # 8.4.190 lands on the targets: the momentum reaches 0.937
    assert np.asarray(golden("u190-fractional-warmup")["momentum"])[0, -1] == 0.937
    # YOLOv5: epoch e >= 1 trains at lf(e - 1); ultralytics at lf(e)
    v5, u = np.asarray(golden("v5-default")["lr"]), np.asarray(golden("u190-default")["lr"])
    assert v5[1, 20 * 9] == 0.01 * loop.lf_python("yolov5", False, 0.01, 10)(8) and u[1, 20 * 9] == 0.01 * loop.lf_python("ultralytics", False, 0.01, 10)(9)
    assert v5[1, 20 * 6] == v5[1, 100]  # the warmup ends in epoch 5 at lf(5); epoch 6 trains at lf(5) again
    # 8.4.5's optimizer: auto builds MuSGD's 8 groups, the head's at 3x the lr
    musgd = np.asarray(golden("sec-u5-auto-musgd")["lr"])
    assert musgd.shape[0] == 8 and musgd[0, -1] == pytest.approx(3 * musgd[1, -1])


# ------------------------------------------------------------------------------------------------
# Live: ultralytics' own code and torch, where importable


def _live() -> Any:
    pytest.importorskip("torch", reason="the live YOLO tests need torch 2.13.0 and ultralytics (pip install --no-deps)")
    from lrplot.frameworks.yolo import reference

    if reference.ultralytics_version() is None:
        pytest.skip("ultralytics is not installed: the live YOLO tests need it (pip install --no-deps ultralytics==8.4.190)")
    return reference


@pytest.mark.parametrize("case_id", [p.stem for p in TRACE_FILES])
def test_live_ultralytics_agrees_and_goldens_are_fresh(case_id: str) -> None:
    reference = _live()
    record = _record()
    version = record.versions()[case_id]
    if version not in ("yolov5", reference.ultralytics_version()):
        pytest.skip(f"{case_id} is recorded with ultralytics {version}")
    fresh = record.record(case_id, golden(case_id)["config"])
    assert record.dumps(fresh) == (GOLDEN / "yolo" / f"{case_id}.json").read_text(encoding="utf-8"), (
        f"{case_id}: the loop records something else now; re-record with `python tests/golden/record_yolo.py {case_id}`"
    )


def test_live_auto_above_10000_iterations_is_musgd() -> None:
    # too long for a golden file: 10,032 batches x 8 groups; checked against build_optimizer live
    reference = _live()
    version = reference.ultralytics_version()
    config = {"yolo": {"version": version, "epochs": 33, "batch": 64, "dataset_size": 19456, "nc": 80}}
    expected = reference.yolo_trace(config)
    trace = lrplot.simulate(config, exact=True)
    assert np.array_equal(trace.lr, np.asarray(expected["lr"])) and np.array_equal(trace.momentum, np.asarray(expected["momentum"]))


# ------------------------------------------------------------------------------------------------
# The loop's arithmetic


@pytest.mark.parametrize(
    ("code", "rule", "warmup_epochs", "nb", "epochs", "nw", "warm"),
    [
        ("ultralytics", "min100", 3.0, 20, 10, 100, 101),
        ("ultralytics", "min100", 3.0, 50, 10, 150, 151),
        ("ultralytics", "min100", 0.0, 50, 10, -1, 0),
        ("ultralytics", "strict", 2.5, 19, 8, 48, 48),  # round(47.5) = 48 (banker's rounding: 2.5 x 19)
        ("ultralytics", "strict", 3.0, 10, 2, 10, 10),  # capped at epochs - 1
        ("ultralytics", "inclusive", 3.0, 10, 2, 10, 11),
        ("ultralytics", "inclusive", 3.0, 30, 1, 0, 0),  # a one-epoch run has no warmup
        ("yolov5", "min100", 0.0, 20, 10, 100, 101),  # YOLOv5 warms 100 batches even for warmup_epochs 0
    ],
)
def test_warmup_iterations(code, rule, warmup_epochs, nb, epochs, nw, warm) -> None:
    assert loop.warmup_iterations(code, rule, warmup_epochs, nb, epochs) == nw
    assert loop.warm_batches(code, rule, nw) == warm


def test_engine_warmup_is_numpy_interp() -> None:
    spec = load(golden("u190-fractional-warmup")["config"])
    trace = lrplot.simulate(spec, exact=True)
    nb, lf = 19, loop.lf_python("ultralytics", False, 0.01, 8)
    for ni in (0, 1, 18, 19, 47, 48):
        epoch = ni // nb
        assert trace.lr[2, ni] == float(np.interp(ni, [0, 48], [0.1, 0.01 * lf(epoch)]))  # bias falls from warmup_bias_lr
        assert trace.lr[0, ni] == float(np.interp(ni, [0, 48], [0.0, 0.01 * lf(epoch)]))


# ------------------------------------------------------------------------------------------------
# The yolo: section


def test_section_explains_what_the_trainer_derives() -> None:
    text = explain(lrplot.simulate(CONFIGS / "yolo-500-images-8.4.150.yaml"))
    for words in ("ultralytics 8.4.150: model.train(epochs=100)", "len(train_loader) = ceil(500 / 16) = 32 batches per epoch (the last one of 4)",
                  "= 800 <= 10,000 -> AdamW(lr=0.001429, momentum=0.9)", "nw = round(warmup_epochs 3 x 32 batches) = 96",
                  "warm while ni < nw", "accumulate = max(round(nbs 64 / batch 16), 1) = 4"):
        assert words in text, words
    coco = load(CONFIGS / "yolo-coco-defaults-8.4.190.yaml")
    assert coco.group_names == ("weight.head", "weight", "bn.head", "bn", "bias.head", "bias", "muon.head", "muon")
    assert [g.lr for g in coco.optimizer.groups][:2] == [0.03, 0.01] and coco.run.steps_per_epoch == 7393
    ddp = " ".join(load({"yolo": {"dataset_size": 1001, "devices": 4, "batch": 64, "optimizer": "SGD"}}).derivation)
    assert "1,001 images / 4 devices = 251 per device (DistributedSampler repeats 3), batch 64 // 4 devices = 16 per device" in ddp
    assert "ceil(251 / 16) = 16 batches per epoch" in ddp


@pytest.mark.parametrize(
    ("version", "picked", "lr"),
    [("8.4.2", "SGD", 0.01), ("8.4.5", "MuSGD", 0.01), ("8.4.8", "MuSGD", 0.01), ("8.4.2", "MuSGD", 0.001429), ("8.4.5", "MuSGD", 0.001429),
     ("8.4.8", "AdamW", 0.001429)],
)
def test_auto_choice_by_version(version, picked, lr) -> None:
    many = lr == 0.01
    args = section.read_args({"version": version, "epochs": 200 if many else 10, "dataset_size": 6400, "nc": 3}, "yolo")
    name, got, momentum, lines = section.auto_optimizer(args, "yolo")
    assert (name, got, momentum) == (picked, lr, 0.9) and f"ultralytics {version}" in lines[0]


def test_the_run_and_optimizer_beside_the_section_set_its_keys() -> None:
    beside = load({"yolo": {"epochs": 300, "optimizer": "SGD"}, "run": {"epochs": 5, "dataset_size": 1000, "devices": 2},
                   "optimizer": {"lr": 0.02, "momentum": 0.9}})
    inside = load({"yolo": {"epochs": 5, "optimizer": "SGD", "dataset_size": 1000, "devices": 2, "lr0": 0.02, "momentum": 0.9}})
    assert beside.run == inside.run and beside.optimizer == inside.optimizer and beside.scheduler == inside.scheduler
    assert "yolo.lr0 = 0.02 (from optimizer.lr)" in beside.derivation


@pytest.mark.parametrize(
    ("config", "path", "fragment"),
    [
        ({"yolo": {"epochs": 10}}, "yolo.dataset_size", "the batches per epoch"),
        ({"yolo": {"dataset_size": 100, "warmup_epoch": 3}}, "yolo.warmup_epoch", "did you mean 'warmup_epochs'"),
        ({"yolo": {"dataset_size": 100, "time": 2}}, "yolo.time", "cannot know"),
        ({"yolo": {"dataset_size": 100, "batch": -1}}, "yolo.batch", "AutoBatch"),
        ({"yolo": {"dataset_size": 100, "batch": 0.7}}, "yolo.batch", "AutoBatch"),
        ({"yolo": {"dataset_size": 100, "optimizer": "sgdd"}}, "yolo.optimizer", "NotImplementedError"),
        ({"yolo": {"code": "yolov5", "dataset_size": 100, "optimizer": "MuSGD"}}, "yolo.optimizer", "--optimizer SGD, Adam, AdamW"),
        ({"yolo": {"code": "yolov5", "dataset_size": 100, "nbs": 32}}, "yolo.nbs", "fixed in train.py"),
        ({"yolo": {"dataset_size": 100, "version": "8.2.103"}}, "yolo.version", "8.3 or 8.4 version"),
        ({"yolo": {"dataset_size": 100, "version": "8.3.150", "optimizer": "MuSGD"}}, "yolo.optimizer", "8.3.150 raises NotImplementedError"),
        ({"yolo": {"dataset_size": 100, "version": "8.3.150", "compile": True}}, "yolo.compile", "8.3.196 added it"),
        ({"yolo": {"dataset_size": 100, "version": "8.4.134", "fraction": 50}}, "yolo.fraction", "came in 8.4.135"),
        ({"yolo": {"dataset_size": 100, "fraction": 1.5}}, "yolo.fraction", "an image count is a whole number"),
        ({"yolo": {"dataset_size": 100, "version": "8.4.102", "fraction": 0.001, "optimizer": "SGD"}}, "yolo.fraction", "rounds to 0"),
        ({"yolo": {"dataset_size": 10, "batch": 16, "compile": True, "version": "8.4.102", "optimizer": "SGD", "devices": 4}}, "yolo.compile", "has no batch"),
        ({"yolo": {"dataset_size": 100, "code": "yolov8"}}, "yolo.code", "did you mean"),
        ({"yolo": {"dataset_size": 100}}, "yolo.nc", "give nc"),
        ({"yolo": {"dataset_size": 100, "batch": 4, "devices": 8, "optimizer": "SGD"}}, "yolo.batch", "0 images per device"),
        ({"yolo": {"dataset_size": 10**13}}, "yolo.dataset_size", "beyond any dataset"),
        ({"yolo": {"dataset_size": 100, "warmup_epochs": 1e308}}, "yolo.warmup_epochs", "beyond any run"),
        ({"yolo": {"dataset_size": 10**9, "epochs": 1000, "optimizer": "SGD"}}, "yolo.epochs", "at most 10,000,000"),
        ({"yolo": {"dataset_size": 100}, "run": {"iterations": 5}}, "run.iterations", "sizes the run itself"),
        ({"yolo": {"dataset_size": 100}, "scheduler": "cosine"}, "scheduler", "sets the LambdaLR and the warmup"),
        ({"yolo": {"dataset_size": 100}, "optimizer": {"betas": [0.9, 0.99]}}, "optimizer.betas", "builds the optimizer"),
        ({"yolo": "coco"}, "yolo", "must be a mapping"),
    ],
)
def test_section_mistakes_are_named(config, path, fragment) -> None:
    with pytest.raises(ConfigError) as err:
        load(config)
    assert err.value.path == path and fragment in err.value.message, (err.value.path, err.value.message)


@pytest.mark.parametrize(
    ("scheduler", "run", "path", "fragment"),
    [
        ({"type": "yolo.ultralytics"}, {"epochs": 4, "step": "iteration"}, "run.step", "once per epoch"),
        ({"type": "yolo.yolov5"}, {"iterations": 40}, "run.step", "once per epoch"),
        ({"type": "yolo.ultralytics", "warmup_rule": "strikt"}, {"epochs": 4}, "scheduler.warmup_rule", "did you mean 'strict'"),
        ({"type": "SequentialLR", "milestones": [2], "schedulers": [{"type": "yolo.ultralytics"}, "constant"]}, {"epochs": 4},
         "scheduler.schedulers[0].type", "nests torch schedulers only"),
    ],
)
def test_plain_scheduler_mistakes_are_named(scheduler, run, path, fragment) -> None:
    with pytest.raises(ConfigError) as err:
        load({"scheduler": scheduler, "run": run})
    assert err.value.path == path and fragment in err.value.message, (err.value.path, err.value.message)


# ------------------------------------------------------------------------------------------------
# Files, logs and run folders, as the real tools wrote them


def test_args_yaml_is_read_as_ultralytics_and_timm_s_is_not() -> None:
    read = read_config(ULTRALYTICS_RUN / "args.yaml")
    assert read.framework == "yolo" and read.data["yolo"]["optimizer"] == "auto" and "model" not in read.data["yolo"]
    timm_args = {"sched": "cosine", "epochs": 10, "warmup_epochs": 2, "model": "resnet50", "opt": "sgd", "lr": 0.1, "momentum": 0.9}
    ultralytics_args = (ULTRALYTICS_RUN / "args.yaml").read_text(encoding="utf-8")
    from lrplot.sources import SourceFile

    from lrplot.frameworks.timm import files as timm_files
    from lrplot.frameworks.yolo import files as yolo_files

    assert yolo_files.claims(SourceFile(Path("args.yaml"), "args.yaml", "", timm_args)) is None
    assert timm_files.claims(SourceFile(Path("args.yaml"), "args.yaml", ultralytics_args, read_config(ULTRALYTICS_RUN / "args.yaml").data)) is None
    import yaml

    raw = yaml.safe_load(ultralytics_args)
    assert timm_files.claims(SourceFile(Path("args.yaml"), "args.yaml", ultralytics_args, raw)) is None
    assert yolo_files.claims(SourceFile(Path("args.yaml"), "args.yaml", ultralytics_args, raw)) == "ultralytics training arguments (args.yaml)"


def test_yolov5_files_are_read(tmp_path) -> None:
    hyp = read_config(FIXTURES / "hyp.scratch-low.yaml")
    assert hyp.framework == "yolo" and hyp.data == {"yolo": {"code": "yolov5", "lr0": 0.01, "lrf": 0.01, "momentum": 0.937, "weight_decay": 0.0005,
                                                            "warmup_epochs": 3.0, "warmup_momentum": 0.8, "warmup_bias_lr": 0.1}}
    opt = read_config(YOLOV5_RUN / "opt.yaml")
    assert opt.data["yolo"]["epochs"] == 300 and opt.data["yolo"]["batch"] == 4 and opt.data["yolo"]["optimizer"] == "SGD"
    # compile: true drops a last partial batch (8.4.102: when len(dataset) % batch != 0)
    compiled = tmp_path / "args.yaml"
    compiled.write_text((ULTRALYTICS_RUN / "args.yaml").read_text().replace("compile: false", "compile: true"))
    wrapper = tmp_path / "plan.yaml"
    wrapper.write_text(f"include: {compiled}\nyolo: {{version: 8.4.102, dataset_size: 420, nc: 2}}\n")
    drawn = load(wrapper)
    assert drawn.run.steps_per_epoch == 420 // 16 and "compile drops the last partial batch of 4" in " ".join(drawn.derivation)


def test_real_runs_verify_against_their_plans(tmp_path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: {ULTRALYTICS_RUN / 'args.yaml'}\nyolo: {{version: 8.4.102, dataset_size: 420, nc: 2}}\n")
    result = run("verify", str(plan), str(ULTRALYTICS_RUN / "results.csv"))
    assert result.exit_code == 0 and "FOLLOWED THE PLAN: all 50 logged points within 5e-06" in result.output, result.output
    # the same run drawn as 8.4.190 (a warmup of 81 batches, not 100) is not what it trained with
    plan.write_text(f"include: {ULTRALYTICS_RUN / 'args.yaml'}\nyolo: {{version: 8.4.190, dataset_size: 420, nc: 2}}\n")
    assert run("verify", str(plan), str(ULTRALYTICS_RUN / "results.csv")).exit_code == 1
    # a YOLOv5 run folder holds its plan (opt.yaml) and log; only the images are missing
    folder = run("verify", str(YOLOV5_RUN), "--dataset-size", "150")
    assert folder.exit_code == 0 and "FOLLOWED THE PLAN: all 20 logged points within 5e-05" in folder.output, folder.output
    log = read_runlog(YOLOV5_RUN / "results.csv")
    assert log.columns == ("x/lr0", "x/lr1", "x/lr2") and log.first_step == 0 and log.per_epoch == "last" and log.digits == 5
    own = read_runlog(ULTRALYTICS_RUN)
    assert own.columns == ("lr/pg0", "lr/pg1", "lr/pg2") and own.first_step == 1 and own.digits == 6


def test_results_csv_mistakes(tmp_path) -> None:
    csv = tmp_path / "results.csv"
    csv.write_text("epoch,time,lr/pg0\n1,3.0,0.001\n2,4.0\n")
    with pytest.raises(ConfigError, match="line 3 has 2 fields"):
        read_runlog(csv)
    csv.write_text("epoch,time,lr/pg0\n1,3.0,abc\n")
    with pytest.raises(ConfigError, match="not a number"):
        read_runlog(csv)
    with pytest.raises(ConfigError, match="numbers its rows by epoch"):
        read_runlog(ULTRALYTICS_RUN / "results.csv", first_step=0)
    other = tmp_path / "other" / "results.csv"
    other.parent.mkdir()
    other.write_text("step,lr\n0,0.1\n1,0.1\n")  # a results.csv of another tool: the plain CSV reader takes it
    assert read_runlog(other).kind != "ultralytics results.csv"


# ------------------------------------------------------------------------------------------------
# Words, events, code and the command line


def test_events_and_phases() -> None:
    trace = lrplot.simulate(golden("u150-fractional-warmup")["config"])
    events = {(e.kind, e.label): e.step for e in find_events(trace)}
    assert events[("milestone", "end of warmup")] == 48 and events[("switch", "LambdaLR")] == 57
    text = explain(trace)
    assert "the lr stays at the last warm batch's until the epoch ends" in text and "momentum between 0.8 and" in text


def test_code_round_trips_through_the_section() -> None:
    short = {"yolo": {"version": "8.4.102", "optimizer": "SGD", "epochs": 10, "dataset_size": 100, "cos_lr": True, "warmup_bias_lr": 0.05}}
    for spec in (load(CONFIGS / "yolo-500-images-8.4.190.yaml"), load(CONFIGS / "yolo-coco-defaults-8.4.102.yaml"), load(short)):
        name = spec.name
        text = lrplot.code.library_code(spec)
        call = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "train")
        kwargs = {k.arg: ast.literal_eval(k.value) for k in call.keywords}
        version = text.splitlines()[0].split("==")[1]
        again = load({"yolo": {**kwargs, "version": version, **{k: spec.source["yolo"][k] for k in ("dataset_size", "nc") if k in spec.source["yolo"]}}})
        assert np.array_equal(lrplot.simulate(again).lr, lrplot.simulate(spec).lr), name


def test_yolov5_code_is_a_hyp_file_and_a_command() -> None:
    import yaml

    text = lrplot.code.library_code(load(CONFIGS / "yolov5-scratch-low.yaml"))
    assert "# python train.py --hyp hyp.lrplot.yaml --epochs 300 --batch-size 64" in text
    # a whole hyp file: train.py reads hyp["anchor_t"], hyp["box"] and every other key of YOLOv5's own files
    hyp, own = yaml.safe_load(text), yaml.safe_load((FIXTURES / "hyp.scratch-low.yaml").read_text(encoding="utf-8"))
    own.pop("albumentations")  # the fixture's fork of YOLOv5 adds a transform list; 5081342's train.py has none
    assert hyp == own
    changed = lrplot.code.library_code(load({"yolo": {"code": "yolov5", "dataset_size": 100, "lr0": 0.02, "warmup_epochs": 1.5}}))
    assert yaml.safe_load(changed) == {**own, "lr0": 0.02, "warmup_epochs": 1.5}


def test_live_emitted_keywords_are_ultralytics_arguments() -> None:
    _live()
    import yaml
    import importlib.util

    root = Path(list(importlib.util.find_spec("ultralytics").submodule_search_locations)[0])
    known = set(yaml.safe_load((root / "cfg" / "default.yaml").read_text(encoding="utf-8")))
    for path in sorted(CONFIGS.glob("yolo-*.yaml")):
        text = lrplot.code.library_code(load(path))
        call = next(n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "train")
        assert {k.arg for k in call.keywords} <= known, path.name


def test_command_line_speaks_yolo(tmp_path) -> None:
    listed = run("list", "yolo").output
    assert "yolo.ultralytics" in listed and "warmup_bias_lr" in listed and "dataset_size" in listed
    plotted = run("plot", str(ULTRALYTICS_RUN / "args.yaml"), "--dataset-size", "420", "--set", "x=1", "-o", str(tmp_path / "a.png"))
    assert plotted.exit_code == 2  # --set is for Python files; the flags of the plan work:
    plotted = run("plot", str(ULTRALYTICS_RUN / "args.yaml"), "--dataset-size", "420", "-o", str(tmp_path / "a.png"))
    assert plotted.exit_code == 2 and "yolo.nc" in plotted.output  # auto on 420 images needs the classes
    out = tmp_path / "v5.json"
    exported = run("export", str(FIXTURES / "hyp.scratch-low.yaml"), "--dataset-size", "128", "--epochs", "5", "--format", "json", "-o", str(out))
    assert exported.exit_code == 0, exported.output
    data = json.loads(out.read_text())
    assert data["groups"] == ["bias", "weight", "bn"] and data["momentum"][0][0] == 0.8 and len(data["lr"][0]) == 5 * 8
    missing = run("plot", str(FIXTURES / "hyp.scratch-low.yaml"), "-o", str(tmp_path / "x.png"))
    assert missing.exit_code == 2 and "yolo.dataset_size" in missing.output and "Traceback" not in missing.output
    assert not (tmp_path / "x.png").exists()
    compared = run("compare", str(CONFIGS / "yolo-500-images-8.4.190.yaml"), "cosine", "--epochs", "100", "-o", str(tmp_path / "c.svg"))
    assert compared.exit_code == 0, compared.output


def test_benchmark_a_million_batches_is_fast() -> None:
    import time

    config = {"yolo": {"epochs": 100, "dataset_size": 160000, "optimizer": "SGD", "cos_lr": True}}
    spec = load(config)
    assert spec.run.total_steps == 1_000_000
    start = time.perf_counter()
    lrplot.simulate(spec)
    assert time.perf_counter() - start < 1.0  # benchmarks/engine.py holds it to 0.1 s on a quiet machine
    assert math.isclose(lrplot.simulate(spec).lr[0, -1], 0.01 * loop.lf_python("ultralytics", True, 0.01, 100)(99), rel_tol=1e-12)


# ------------------------------------------------------------------------------------------------
# ultralytics 8.3, and what an args.yaml says besides the hyperparameters

YOLO11_ARGS = FIXTURES / "ultralytics-8.3-yolo11-args.yaml"  # 4Kings-Rakamin/Resume_OCR_YOLOv11, an 8.3 run


def test_an_8_3_args_yaml_is_drawn_with_8_3_rules() -> None:
    # no `rle` key and a bool multi_scale: an 8.3 file, never silently 8.4.190 (MuSGD's 8 groups, the inclusive warmup)
    read = read_config(YOLO11_ARGS)
    assert read.data["yolo"]["version"] == "8.3.253" and any("an ultralytics 8.3 args.yaml: it has no rle key" in line for line in read.lines)
    result = run("explain", str(YOLO11_ARGS), "--dataset-size", "420", "--set", "nc=2")
    assert result.exit_code == 0 and "drawn as 8.3.253" in result.output and "AdamW param groups (build_optimizer): bias" in result.output
    # the same arguments as the golden recorded by ultralytics 8.3.150's own code (every 8.3 release trains this schedule)
    doc = golden("sec-u83-auto-adamw")
    spec = build_from(YOLO11_ARGS, "--dataset-size", "420", "--set", "nc=2")
    assert spec.group_names == ("bias", "weight", "bn")
    checks.check_trace("sec-u83-auto-adamw", lrplot.simulate(spec, exact=True), doc["lr"], doc["momentum"], True)
    # an 8.4 file says which release it assumed, and how to name another
    own = read_config(ULTRALYTICS_RUN / "args.yaml")
    assert "version" not in own.data["yolo"] and any("8.4.190 assumed" in line and "--set version=8.4.N" in line for line in own.lines)


def build_from(*args: str):
    from lrplot.cli import build_spec

    target, *rest = args
    kwargs = {"dataset_size": int(rest[1]), "exact": True}
    return build_spec(str(target), kwargs, flags=list(rest[2:]))


@pytest.mark.parametrize(("version", "picked", "lr"), [("8.3.150", "SGD", 0.01), ("8.3.0", "AdamW", 0.001429)])
def test_auto_choice_in_8_3(version, picked, lr) -> None:
    args = section.read_args({"version": version, "epochs": 200 if lr == 0.01 else 10, "dataset_size": 6400, "nc": 3}, "yolo")
    assert section.auto_optimizer(args, "yolo")[:3] == (picked, lr, 0.9)


def test_set_completes_a_run_folder_from_the_command_line() -> None:
    # optimizer: auto on 420 images needs the classes: the message names the flag that gives them, and it works
    missing = run("verify", str(ULTRALYTICS_RUN), "--dataset-size", "420")
    assert missing.exit_code == 2 and "--set nc=" in missing.output, missing.output
    flag = run("plot", str(ULTRALYTICS_RUN / "args.yaml"), "--dataset-size", "420", "--nc", "2")
    assert flag.exit_code == 2 and "--set KEY=VALUE" in flag.output
    # the version is not in args.yaml: verify says which release's rules the log follows, not a stepping mistake
    unnamed = run("verify", str(ULTRALYTICS_RUN), "--dataset-size", "420", "--set", "nc=2")
    assert unnamed.exit_code == 1 and "EXPLAINED: the run trained with ultralytics 8.4.8-8.4.102" in unnamed.output, unnamed.output
    assert "--set version=8.4.102" in unnamed.output and "--first-step" not in unnamed.output
    named = run("verify", str(ULTRALYTICS_RUN), "--dataset-size", "420", "--set", "nc=2,version=8.4.102")
    assert named.exit_code == 0 and "FOLLOWED THE PLAN" in named.output, named.output


def test_a_wrapper_without_the_version_is_explained_by_the_release(tmp_path) -> None:
    plan = tmp_path / "plan.yaml"
    plan.write_text(f"include: {ULTRALYTICS_RUN / 'args.yaml'}\nyolo: {{dataset_size: 420, nc: 2}}\n")
    result = run("verify", str(plan), str(ULTRALYTICS_RUN / "results.csv"))
    assert result.exit_code == 1 and "EXPLAINED: the run trained with ultralytics 8.4.8-8.4.102" in result.output, result.output


def test_device_is_the_world_size(tmp_path) -> None:
    args = tmp_path / "args.yaml"
    args.write_text((ULTRALYTICS_RUN / "args.yaml").read_text().replace("device: '0'", "device: 0,1,2").replace("optimizer: auto", "optimizer: SGD"))
    read = read_config(args)
    assert read.data["yolo"]["devices"] == 3 and any("device '0,1,2': 3 processes" in line for line in read.lines)
    # 1000 images, batch 16 over 3 devices: 16 // 3 = 5 a device, ceil(1000 / 3) = 334 each, ceil(334 / 5) = 67 batches
    # (sec-u190-ddp-uneven-batch: a real DataLoader over a DistributedSampler)
    assert load(args, run={"dataset_size": 1000}).run.steps_per_epoch == 67 == len(golden("sec-u190-ddp-uneven-batch")["lr"][0]) // 3
    assert load(args, run={"dataset_size": 1000, "devices": 1}).run.steps_per_epoch == 63  # --devices overrides


def test_an_args_yaml_s_mistakes_name_the_file(tmp_path) -> None:
    args = tmp_path / "args.yaml"
    args.write_text(YOLO11_ARGS.read_text().replace("time: null", "time: 2.0"))
    result = run("plot", str(args), "--dataset-size", "100", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and f"{args}: time:" in result.output and "--set epochs=N,time=null" in result.output, result.output
    fixed = run("export", str(args), "--dataset-size", "100", "--set", "epochs=20,time=null,nc=3", "--format", "csv", "-o", "-")
    assert fixed.exit_code == 0, fixed.output
    args.write_text(YOLO11_ARGS.read_text().replace("batch: 8", "batch: -1"))
    result = run("plot", str(args), "--dataset-size", "100", "-o", str(tmp_path / "x.png"))
    assert result.exit_code == 2 and f"{args}: batch:" in result.output and "AutoBatch" in result.output


def test_dataset_size_hint_quotes_what_each_code_prints() -> None:
    with pytest.raises(ConfigError) as v5:
        load({"yolo": {"code": "yolov5"}})
    assert "YOLOv5's train.py prints them in its 'train: Scanning ... N images, M backgrounds" in v5.value.message
    assert "Using N train" not in v5.value.message


def test_explain_speaks_each_code_s_words() -> None:
    text = explain(lrplot.simulate(CONFIGS / "yolov5-scratch-low.yaml"))
    assert "YOLOv5 train.py: hyp {lr0: 0.01," in text and "python train.py --epochs 300 --batch-size 64" in text and "model.train" not in text
    # YOLO computes in float64: --dtype float32 says so, whichever way the schedule is given
    for target in (str(CONFIGS / "yolov5-scratch-low.yaml"), "yolo.ultralytics"):
        result = run("export", target, "--epochs", "3", "--steps-per-epoch", "5", "--dtype", "float32", "--format", "csv", "-o", "-") \
            if target.startswith("yolo.") else run("export", target, "--dtype", "float32", "--format", "csv", "-o", "-")
        assert result.exit_code == 2 and "float64" in result.output and "(keras, optax)" in result.output, result.output


def test_the_engine_benchmark_s_help_needs_no_reference_library() -> None:
    # benchmarks/engine.py imports the references (transformers, torch, ...) only where a run needs them
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    blocked = "import sys, runpy; sys.modules.update(transformers=None, torch=None, timm=None); sys.argv[0] = 'engine.py'; runpy.run_path('benchmarks/engine.py', run_name='__main__')"
    done = subprocess.run([sys.executable, "-c", blocked, "--help"], cwd=root, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "--closed-forms" in done.stdout, done.stderr
