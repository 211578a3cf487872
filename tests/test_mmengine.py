"""mmengine: lrplot against golden traces recorded from a real mmengine 0.10.7 Runner, and the family's behaviour.

``tests/golden/mmengine/<id>.json`` holds a config and what mmengine's Runner trained with, iteration
by iteration (``tests/golden/record_mmengine.py``). ``--exact`` must be bit-identical (mmengine
computes in Python floats, and lrplot replays its arithmetic), the default mode within 1e-12 of the
peak lr (it computes stretches of one scheduler over numpy arrays); where mmengine
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
from lrplot.cli import cli as main
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
        checks.check_trace(case_id, trace, expected["lr"], expected["momentum"], exact)
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


# ------------------------------------------------------------------------------------------------
# OpenMMLab config files, read as they are


def _file_spec(path: Path, **run: Any):
    from lrplot.sources import read_config
    from lrplot.config import from_mapping

    read = read_config(path)
    data = dict(read.data)
    if run:
        data["run"] = run
    return from_mapping(data, default_name=path.stem, base_dir=path.parent, origin=read), read


def test_mmdetection_faster_rcnn_chain_is_read_without_running_it() -> None:
    path = MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"
    spec, read = _file_spec(path, dataset_size=117266, devices=8)
    assert read.framework == "mmengine"
    # every file of the _base_ chain, for --watch and the gallery
    assert len(read.files) == 5 and all(Path(f).exists() for f in read.files)
    origins = "\n".join(read.lines)
    assert "param_scheduler from" in origins and "schedule_1x.py" in origins and "coco_detection.py" in origins
    # the same keys written as an mmengine: section give the same schedule (the file reader is only a reader)
    section = {k: v for k, v in read.data["mmengine"].items()}
    same = load({"mmengine": {**section, "dataset_size": 117266, "world_size": 8}})
    assert spec.run == same.run and spec.run.steps_per_epoch == -(-(-(-117266 // 8)) // 2)
    a, b = lrplot.simulate(spec), lrplot.simulate(same)
    assert np.array_equal(a.lr, b.lr)
    lr0 = section["optim_wrapper"]["optimizer"]["lr"]
    start = section["param_scheduler"][0]["start_factor"]
    assert a.lr[0, 0] == lr0 * start and a.lr[0, 499] == a.lr.max()  # LinearLR: full lr at end - 1


def test_mmpretrain_swin_chain_with_old_style_train_cfg() -> None:
    path = FIXTURES / "mmpretrain" / "configs" / "swin_transformer" / "swin-tiny_16xb64_in1k.py"
    spec, read = _file_spec(path, dataset_size=1281167, devices=16)
    assert spec.optimizer.betas == (0.9, 0.999) and spec.run.epochs == 300
    warmup, cosine = spec.scheduler.children
    assert warmup.params["convert_to_iter_based"] and cosine.params["end"] == 300  # the Runner's default end
    trace = lrplot.simulate(spec)
    warm = 20 * spec.run.steps_per_epoch
    assert trace.lr[0, warm - 1] == trace.lr.max() and np.all(np.diff(trace.lr[0, :warm]) > 0)


def _file_cases() -> dict[str, str]:
    return checks._load_module("lrplot_mmengine_cases", GOLDEN / "mmengine_cases.py").FILES


PLAN_KEYS = ("dataset_size", "world_size")


@pytest.mark.parametrize("case_id", sorted(_file_cases()))
def test_real_config_files_give_the_golden_schedule(case_id: str) -> None:
    """A real file (new-style with imported classes, a weight_decay scheduler) read as its golden
    case's keys, and trained as the real Runner trained them."""
    doc = golden(case_id)
    section = doc["config"]["mmengine"]
    path = FIXTURES / _file_cases()[case_id]
    spec, read = _file_spec(path, dataset_size=section["dataset_size"], devices=section["world_size"])
    assert json.loads(json.dumps(read.data["mmengine"])) == {k: v for k, v in section.items() if k not in PLAN_KEYS}
    for exact in (True, False):
        checks.check_trace(case_id, lrplot.simulate(spec, exact=exact), doc["lr"], doc["momentum"], exact)


@pytest.mark.parametrize("case_id", sorted(_file_cases()))
def test_live_config_fromfile_reads_what_the_golden_case_holds(case_id: str) -> None:
    _live()
    from mmengine.config import Config

    def named(value: Any) -> Any:  # a class a new-style config imports, by its name
        if isinstance(value, type):
            return value.__name__
        if isinstance(value, dict):
            return {k: named(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [named(v) for v in value]
        return value

    cfg = Config.fromfile(str(FIXTURES / _file_cases()[case_id]))
    theirs = {k: named(cfg[k]) for k in ("param_scheduler", "train_cfg", "optim_wrapper", "auto_scale_lr") if k in cfg}
    theirs["train_dataloader"] = {"batch_size": cfg.train_dataloader.batch_size}
    section = golden(case_id)["config"]["mmengine"]
    assert theirs == {k: v for k, v in section.items() if k not in PLAN_KEYS}


def test_new_style_import_names_the_class_and_other_packages_in_full(tmp_path: Path) -> None:
    _write(tmp_path, {
        "c.py": "from mmengine.optim.scheduler.lr_scheduler import LinearLR, MultiStepLR, PolyLR, CosineAnnealingLR\n"
                "from mmdet.engine.schedulers import QuadraticWarmupLR\nfrom torch.optim import SGD\n"
                "train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2)\noptim_wrapper = dict(optimizer=dict(type=SGD, lr=0.1))\n"
                "param_scheduler = [dict(type=QuadraticWarmupLR, end=5)]\ntrain_dataloader = dict(batch_size=1)\n",
    })
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "c.py"), "--dataset-size", "10"])
    assert result.exit_code == 2 and "'mmdet.engine.schedulers.QuadraticWarmupLR' is not an mmengine 0.10.7 scheduler" in result.output
    assert "c.py: param_scheduler[0].type" in result.output, result.output  # named in the file that wrote it
    # an import lrplot cannot read, where it is needed, is named whole (not cut inside its list of names)
    _write(tmp_path, {"d.py": "import mmengine.optim as optim\ntrain_cfg = dict(type='EpochBasedTrainLoop', max_epochs=2)\n"
                              "optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1))\nparam_scheduler = optim.LinearLR\n"})
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "d.py"), "--dataset-size", "10"])
    assert result.exit_code == 2 and "an import (import mmengine.optim)" in result.output, result.output


def test_mmyolos_own_scheduler_hook_is_named_not_modelled(tmp_path: Path) -> None:
    """mmyolo's YOLOv5/PPYOLOE configs: `param_scheduler = None` and a hook that sets the lr itself."""
    _write(tmp_path, {
        "runtime.py": "default_hooks = dict(param_scheduler=dict(type='ParamSchedulerHook'), logger=dict(type='LoggerHook'))\n",
        "c.py": SCHEDULE.replace("param_scheduler = [", "_base_ = 'runtime.py'\nparam_scheduler = None\nold = [")
                + "default_hooks = dict(param_scheduler=dict(type='YOLOv5ParamSchedulerHook', scheduler_type='linear', lr_factor=0.01))\n",
    })
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "c.py"), "--dataset-size", "100"])
    assert result.exit_code == 2 and "c.py: default_hooks.param_scheduler: is YOLOv5ParamSchedulerHook" in result.output, result.output
    assert "lrplot does not model" in result.output and result.output.count("Error:") == 1


def test_a_weight_decay_scheduler_is_left_out_and_said() -> None:
    path = FIXTURES / _file_cases()["file-mmpretrain-mobileone-coswd"]
    spec, _ = _file_spec(path, dataset_size=512, devices=8)
    text = explain(lrplot.simulate(spec))
    assert "param_scheduler[2]: CosineAnnealingParamScheduler moves the optimizer's 'weight_decay'" in text
    assert "imagenet_bs256_coslr_coswd_300e.py" in text  # the file the list came from


@pytest.mark.parametrize(("item", "fragment"), [
    ({"type": "CosineAnnealingParamScheduler", "eta_min": 0.0}, "param_scheduler[1].param_name: missing; mmengine raises TypeError"),
    ({"type": "OneCycleParamScheduler", "param_name": "momentum", "eta_max": 0.1}, "param_scheduler[1].param_name: mmengine raises AssertionError (OneCycle only works"),
])
def test_generic_scheduler_mistakes_name_the_file(tmp_path: Path, item: dict[str, Any], fragment: str) -> None:
    _write(tmp_path, {"c.py": SCHEDULE.replace("dict(type='MultiStepLR', milestones=[8, 11])", f"dict(**{item!r})")})
    result = CliRunner().invoke(main, ["explain", str(tmp_path / "c.py"), "--dataset-size", "100"])
    assert result.exit_code == 2 and f"c.py: {fragment}" in result.output, result.output


def test_check_names_the_configs_own_index_past_a_left_out_entry(tmp_path: Path) -> None:
    _write(tmp_path, {"c.py": SCHEDULE.replace(
        "param_scheduler = [", "param_scheduler = [dict(type='CosineAnnealingParamScheduler', param_name='weight_decay', eta_min=0.0),\n")
        .replace("milestones=[8, 11]", "milestones=[8, 14]")})
    result = CliRunner().invoke(main, ["check", str(tmp_path / "c.py"), "--dataset-size", "100", "--format", "json"])
    fields = [f["field"] for f in json.loads(result.output)["findings"]]
    assert "mmengine.param_scheduler[2].milestones" in fields, result.output


def _write(folder: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")


SCHEDULE = """
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=12)
optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.02, momentum=0.9), clip_grad=dict(max_norm=35))
param_scheduler = [dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=500),
                   dict(type='MultiStepLR', milestones=[8, 11])]
train_dataloader = dict(batch_size=2, dataset=dict(type=build_dataset()))
"""


def test_merge_rules_delete_and_base_substitution(tmp_path: Path) -> None:
    _write(tmp_path, {
        "base/schedule.py": SCHEDULE,
        "child.py": "_base_ = './base/schedule.py'\n"
                    "max_epochs = {{_base_.train_cfg.max_epochs}} * 2\n"
                    "train_cfg = dict(max_epochs=max_epochs)\n"  # a dict merges into the base's
                    "optim_wrapper = dict(_delete_=True, optimizer=dict(type='AdamW', lr=1e-3))\n"  # replaces it
                    "param_scheduler = [dict(type='CosineAnnealingLR', eta_min=_base_.optim_wrapper.optimizer.lr / 100)]\n",  # a list replaces
    })
    spec, read = _file_spec(tmp_path / "child.py", dataset_size=100)
    assert spec.run.epochs == 24 and spec.optimizer.betas == (0.9, 0.999) and spec.optimizer.groups[0].lr == 1e-3
    (cosine,) = spec.scheduler.children
    assert cosine.params["eta_min"] == 0.02 / 100 and cosine.params["end"] == 24
    assert any("child.py (over" in line for line in read.lines)


def test_new_style_read_base_imports(tmp_path: Path) -> None:
    _write(tmp_path, {
        "_base_/schedule.py": SCHEDULE,
        "configs/child.py": "from mmengine.config import read_base\n\nwith read_base():\n    from .._base_.schedule import *\n\n"
                            "train_cfg.update(max_epochs=3)\n",  # a method call: not read, so the base's stays
    })
    spec, _ = _file_spec(tmp_path / "configs" / "child.py", dataset_size=100)
    assert spec.run.epochs == 12 and len(spec.scheduler.children) == 2


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"c.py": "_base_ = 'mmdet::_base_/schedules/schedule_1x.py'\n"}, "installed package"),
        ({"c.py": "_base_ = ['./missing.py']\n"}, "is not there"),
        ({"c.py": "import os\n_base_ = os.path.join('a', 'b.py')\n"}, "_base_ must be a path"),
        ({"c.py": "_base_ = './c.py'\n"}, "includes itself"),
        ({"a.py": "train_cfg = dict(max_epochs=1)\n", "b.py": "train_cfg = dict(max_epochs=2)\n", "c.py": "_base_ = ['a.py', 'b.py']\n"},
         "Duplicate key"),
        ({"s.py": SCHEDULE, "c.py": "_base_ = 's.py'\nlr = get_lr()\noptim_wrapper = dict(optimizer=dict(lr=lr))\n"}, "a call of get_lr()"),
        ({"s.py": SCHEDULE, "c.py": "_base_ = 's.py'\nparam_scheduler = [dict(type='mmdet.QuadraticWarmupLR', end=5)]\n"}, "mmdet's own scheduler"),
        ({"s.py": SCHEDULE, "c.py": "_base_ = 's.py'\nx = {{_base_.nothing}}\ntrain_cfg = dict(max_epochs=x)\n"}, "do not hold"),
        ({"c.py": "param_scheduler = [dict(type='LinearLR')]\n"}, "has no train_cfg, optim_wrapper"),
    ],
)
def test_what_cannot_be_read_is_an_error_naming_file_and_line(tmp_path: Path, files: dict[str, str], fragment: str) -> None:
    _write(tmp_path, files)
    result = CliRunner().invoke(main, ["plot", str(tmp_path / "c.py"), "--dataset-size", "100", "-o", str(tmp_path / "out.png")])
    assert result.exit_code == 2, result.output
    assert fragment in result.output and "Traceback" not in result.output
    assert result.output.count("Error:") == 1
    assert not (tmp_path / "out.png").exists()


def test_an_unreadable_model_part_does_not_matter(tmp_path: Path) -> None:
    _write(tmp_path, {"s.py": SCHEDULE, "c.py": "_base_ = 's.py'\nimport torch\nmodel = dict(backbone=torch.nn.Linear(1, 1))\n"})
    spec, _ = _file_spec(tmp_path / "c.py", dataset_size=100)
    assert spec.run.epochs == 12


def test_claims_openmmlab_configs_only(tmp_path: Path) -> None:
    from lrplot.frameworks.mmengine.files import claims
    from lrplot.sources import read_source

    _write(tmp_path, {"a.py": "_base_ = 'x.py'\n", "b.py": SCHEDULE, "train.py": "def get_lr(step):\n    return 0.1\n",
                      "lazy.py": "from detectron2.config import LazyCall as L\nlr_multiplier = L(dict)()\noptimizer = dict(lr=0.1)\n"})
    assert claims(read_source(tmp_path / "a.py")) and claims(read_source(tmp_path / "b.py"))
    assert claims(read_source(tmp_path / "train.py")) is None and claims(read_source(tmp_path / "lazy.py")) is None


# ------------------------------------------------------------------------------------------------
# The mmengine: section


BASE_SECTION = {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "end": 50}, {"type": "MultiStepLR", "milestones": [8, 11]}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 12},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.02, "momentum": 0.9}},
    "train_dataloader": {"batch_size": 2},
}


@pytest.mark.parametrize(
    ("change", "extra", "path", "fragment"),
    [
        ({}, {}, "mmengine.dataset_size", "needs len(train_dataloader)"),
        ({"train_cfg": {"type": "EpochBasedTrainLoop", "max_iters": 5}}, {"dataset_size": 10}, "mmengine.train_cfg.max_epochs", "missing"),
        ({"train_cfg": {"type": "EpochLoop", "max_epochs": 5}}, {"dataset_size": 10}, "mmengine.train_cfg.type", "did you mean"),
        ({"param_scheduler": [{"type": "LinerLR"}]}, {"dataset_size": 10}, "mmengine.param_scheduler[0].type", "did you mean 'LinearLR'"),
        ({"param_scheduler": [{"type": "LinearLR", "start_factor": 2.0}]}, {"dataset_size": 10}, "mmengine.param_scheduler[0].start_factor", "must be"),
        ({"param_scheduler": [{"type": "LinearLR", "strat_factor": 0.1}]}, {"dataset_size": 10}, "mmengine.param_scheduler[0].strat_factor", "did you mean"),
        ({"param_scheduler": [{"type": "LinearLR", "end": 1e308}]}, {"dataset_size": 10}, "mmengine.param_scheduler[0].end", ""),
        ({}, {"dataset_size": 1e308}, "mmengine.dataset_size", ""),
        ({"train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 10**18}}, {"dataset_size": 10}, "mmengine.train_cfg.max_epochs", ""),
        ({"optim_wrapper": {"optimizer": {"type": "SGD"}}}, {"dataset_size": 10}, "mmengine.optim_wrapper.optimizer.lr", "missing"),
        ({"optim_wrapper": {"optimizer": {"lr": 0.1}, "acumulative_counts": 2}}, {"dataset_size": 10}, "mmengine.optim_wrapper.acumulative_counts", "did you mean"),
        ({"auto_scale_lr": {"enable": True}}, {"dataset_size": 10}, "mmengine.auto_scale_lr.base_batch_size", "missing"),
        ({"param_scheduler": [{"type": "ReduceOnPlateauLR"}], "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 4, "val_interval": 2}},
         {"dataset_size": 10}, "mmengine.train_cfg.val_interval", "every epoch"),
    ],
)
def test_section_mistakes_name_the_config_key(change, extra, path, fragment) -> None:
    with pytest.raises(ConfigError) as raised:
        lrplot.simulate(load({"mmengine": {**BASE_SECTION, **change, **extra}}))
    assert raised.value.path == path, raised.value
    assert fragment in raised.value.message


def test_plan_flags_reach_the_section_keys() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["explain", str(MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"), "--dataset-size", "1000",
                                  "--devices", "2", "--batch-size", "4", "--epochs", "3", "--lr", "0.01", "--grad-accum", "2"])
    assert result.exit_code == 0, result.output
    for line in ("mmengine.dataset_size = 1000", "mmengine.world_size = 2", "mmengine.train_dataloader.batch_size = 4 (from run.batch_size, over the section's 2)",
                 "mmengine.train_cfg.max_epochs = 3", "mmengine.optim_wrapper.optimizer.lr = 0.01", "125 iterations per epoch",
                 "accumulative_counts 2"):
        assert line in result.output, line
    bad = runner.invoke(main, ["plot", str(MMDET / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py"), "--dataset-size", "100", "--step", "epoch"])
    assert bad.exit_code == 2 and "Error:" in bad.output


def test_paramwise_lr_mult_groups_and_auto_scale_lr() -> None:
    section = {**BASE_SECTION, "dataset_size": 64, "world_size": 4,
               "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.02, "weight_decay": 1e-4}, "paramwise_cfg": {"custom_keys": {"backbone": {"lr_mult": 0.1}, "pos": {"decay_mult": 0}}}},
               "auto_scale_lr": {"enable": True, "base_batch_size": 16}}
    spec = load({"mmengine": section})
    assert spec.group_names == ("default", "backbone")
    scale = 4 * 2 / 16
    assert [g.lr for g in spec.optimizer.groups] == [0.02 * scale, 0.02 * scale * 0.1]


def test_list_mmengine_shows_classes_and_section_keys() -> None:
    result = CliRunner().invoke(main, ["list", "mmengine"])
    assert result.exit_code == 0
    for info in MMENGINE.schedulers:
        assert info.name in result.output
    for key in ("param_scheduler", "train_cfg", "optim_wrapper", "auto_scale_lr", "dataset_size", "world_size"):
        assert key in result.output
    one = CliRunner().invoke(main, ["list", "mmengine.CosineAnnealingLR"])
    assert one.exit_code == 0 and "--eta-min-ratio" in one.output and "--convert-to-iter-based" in one.output


def test_scheduler_flags_are_mmengine_keywords(tmp_path: Path) -> None:
    out = tmp_path / "o.json"
    result = CliRunner().invoke(main, ["export", "mmengine.CosineAnnealingLR", "--eta-min", "0.001", "--no-by-epoch", "--begin", "5",
                                       "--epochs", "4", "--steps-per-epoch", "10", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0, result.output
    lr = json.loads(out.read_text())["lr"][0]
    assert lr[:6] == [0.1] * 6 and lr[6] < 0.1 and len(lr) == 40


# ------------------------------------------------------------------------------------------------
# Checks, explain, events


def _trace(schedulers: list, **run: Any):
    return lrplot.simulate(load({"scheduler": {"type": "mmengine.param_scheduler", "schedulers": schedulers}, "run": run or {"epochs": 12, "steps_per_epoch": 100}}))


def _codes(trace) -> set[str]:
    from lrplot.check import trace_findings

    return {f.code for f in trace_findings(trace)}


@pytest.mark.parametrize(
    ("schedulers", "run", "code"),
    [
        ([{"type": "mmengine.MultiStepLR", "milestones": [8], "end": 20}], {}, "MM101"),
        ([{"type": "mmengine.LinearLR", "by_epoch": False, "end": 12}], {}, "MM102"),
        ([{"type": "mmengine.MultiStepLR", "milestones": [1]}], {"iterations": 300, "steps_per_epoch": 100}, "MM103"),
        ([{"type": "mmengine.LinearLR", "by_epoch": False, "end": 5000}], {}, "MM104"),
        ([{"type": "mmengine.LinearLR", "by_epoch": False, "end": 300}, {"type": "mmengine.ExponentialLR", "gamma": 0.9}], {}, "MM201"),
        ([{"type": "mmengine.MultiStepLR", "milestones": [4, 12], "begin": 2, "end": 12}], {}, "MM202"),
        ([{"type": "mmengine.CosineAnnealingLR", "eta_min": 0.0}], {}, "MM301"),
        ([{"type": "mmengine.LinearLR", "end": 3}], {}, "MM302"),
        ([{"type": "mmengine.MultiStepLR", "milestones": [4], "begin": 2}], {}, "MM303"),
    ],
)
def test_check_rules_find_the_traps(schedulers, run, code) -> None:
    assert code in _codes(_trace(schedulers, **run))


def test_a_poly_decay_to_zero_that_ends_with_the_run_gets_mmengines_advice() -> None:
    """SegFormer's PolyLR(eta_min=0, end=max_iters) reaches 0 at its step end - 1, the run's last
    iteration: LR102 says how to avoid it in mmengine's terms, and the advice it gives is right."""
    from lrplot.check import trace_findings

    poly = {"type": "mmengine.PolyLR", "eta_min": 0.0, "power": 1.0, "begin": 15, "end": 600, "by_epoch": False}
    warm = {"type": "mmengine.LinearLR", "start_factor": 1e-6, "by_epoch": False, "end": 15}
    found = [f for f in trace_findings(_trace([warm, poly], iterations=600)) if f.code == "LR102"]
    assert len(found) == 1 and "give eta_min > 0, or end = max_iters + 1 (601)" in found[0].message
    assert "end the decay with the run" not in found[0].message
    fixed = _trace([warm, {**poly, "end": 601}], iterations=600)
    assert fixed.lr[0, -1] > 0 and "LR102" not in _codes(fixed)


def test_mmdet_1x_is_clean_and_accumulation_is_reported(tmp_path: Path) -> None:
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"include: {MMDET / 'faster_rcnn' / 'faster-rcnn_r50_fpn_1x_coco.py'}\nrun: {{dataset_size: 117266, devices: 8}}\n")
    clean = CliRunner().invoke(main, ["check", str(recipe), "--strict"])
    assert clean.exit_code == 0, clean.output
    recipe.write_text(f"include: {MMDET / 'faster_rcnn' / 'faster-rcnn_r50_fpn_1x_coco.py'}\nrun: {{dataset_size: 117266, devices: 8, grad_accum: 4}}\n")
    found = CliRunner().invoke(main, ["check", str(recipe)])
    assert "MM203" in found.output and "500 is 125 updates" in found.output


def test_explain_phases_and_events_follow_the_ranges() -> None:
    trace = _trace([{"type": "mmengine.LinearLR", "start_factor": 0.01, "by_epoch": False, "end": 50},
                    {"type": "mmengine.MultiStepLR", "milestones": [3, 6], "begin": 2}, {"type": "mmengine.CosineRestartLR", "periods": [5, 5],
                                                                                         "restart_weights": [1, 0.5], "eta_min": 0.0, "begin": 9}],
                   epochs=12, steps_per_epoch=100)
    events = {(e.step, e.kind) for e in find_events(trace)}
    assert (49, "milestone") in events and (500, "milestone") in events and (800, "milestone") in events and (200, "switch") in events
    text = explain(trace)
    assert "reached at iteration 49 (end - 1)" in text and "at epochs [5, 8] (milestones [3, 6] counted from begin 2)" in text


# ------------------------------------------------------------------------------------------------
# Logs: the work_dirs a real mmengine run wrote (tests/fixtures/mmengine/record_work_dirs.py)


WORK_DIRS = FIXTURES / "work_dirs"


@pytest.mark.parametrize(("name", "flags", "code", "fragment"), [
    ("mmdet-1x", ["--dataset-size", "30"], 0, "FOLLOWED THE PLAN"),
    ("mmdet-1x-paramwise", ["--dataset-size", "30"], 0, "column base_lr"),
    ("iter-poly", [], 0, "FOLLOWED THE PLAN"),
    ("mmdet-1x-no-warmup", ["--dataset-size", "30"], 1, "DIVERGED at optimizer step 4"),
])
def test_verify_reads_a_work_dir(name: str, flags: list[str], code: int, fragment: str) -> None:
    result = CliRunner().invoke(main, ["verify", str(WORK_DIRS / name), *flags])
    assert result.exit_code == code, result.output
    assert fragment in result.output and "step s is optimizer step s-1" in result.output


def test_verify_needs_the_dataset_size_of_an_epoch_run() -> None:
    result = CliRunner().invoke(main, ["verify", str(WORK_DIRS / "mmdet-1x")])
    assert result.exit_code == 2 and "--dataset-size" in result.output


def test_vis_data_log_steps_are_iterations_plus_one() -> None:
    from lrplot.runlog import read_runlog

    log = read_runlog(WORK_DIRS / "mmdet-1x" / "run" / "vis_data" / "scalars.json")
    assert log.first_step == 1 and log.columns == ("lr",)
    plan = _file_spec(WORK_DIRS / "mmdet-1x" / "mmdet-1x.py", dataset_size=30)[0]
    trace = lrplot.simulate(plan)
    assert np.array_equal(trace.lr[0, log.step], log.lr[0])


def test_mmpose_train_cfg_merges_into_its_base() -> None:
    path = FIXTURES / "mmpose" / "configs" / "body_2d_keypoint" / "topdown_heatmap" / "coco" / "td-hm_hrnet-w32_8xb64-210e_coco-256x192.py"
    spec, read = _file_spec(path, dataset_size=149813, devices=8)
    # the base says by_epoch=True (an EpochBasedTrainLoop), the file max_epochs=210: merged, as Config.fromfile does
    assert read.data["mmengine"]["train_cfg"] == {"by_epoch": True, "max_epochs": 210, "val_interval": 10}
    assert spec.run.unit == "epoch" and spec.run.epochs == 210
    assert any("(over " in line and "default_runtime.py" in line for line in read.lines)
