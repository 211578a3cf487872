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
from lrplot.sources import read_config
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


def _detectron2_solver() -> Any:
    """``detectron2.solver`` as the emitted code imports it: the transcription the reference runs on."""
    import sys
    import types

    reference = _live()
    warmup, multiplier, multistep, cosine = reference._classes()
    solver = types.ModuleType("detectron2.solver")
    solver.WarmupParamScheduler, solver.LRMultiplier = warmup, multiplier
    solver.WarmupMultiStepLR, solver.WarmupCosineLR = multistep, cosine
    package = types.ModuleType("detectron2")
    package.solver = solver
    sys.modules.setdefault("detectron2", package)
    return sys.modules.setdefault("detectron2.solver", solver)


@pytest.mark.parametrize("case_id", [c for c in RAN if "scheduler" in golden(c)["config"]])
def test_emitted_code_runs_on_fvcore_bit_for_bit(case_id: str) -> None:
    from emitted import run_emitted

    _detectron2_solver()
    spec = load(golden(case_id)["config"])
    raised = (golden(case_id)["after_last"] or {}).get("type")
    lr = run_emitted(lrplot.code.library_code(spec), raises=raised)
    expected = np.asarray(golden(case_id)["lr"])
    assert lr.shape == expected.shape and np.array_equal(lr, expected), f"{case_id}: the emitted code trains with other lrs"


def _detectron2_config() -> None:
    """``detectron2.config``, ``.engine`` and the solver's builders as the emitted code imports them:
    the transcription the reference runs on, over a real yacs CfgNode (fvcore's)."""
    import sys
    import types

    reference = _live()
    solver = _detectron2_solver()
    solver.build_lr_scheduler = reference.build_lr_scheduler
    solver.build_optimizer = lambda cfg, model: reference._solver_optimizer(cfg)
    config = types.ModuleType("detectron2.config")
    config.get_cfg = lambda: reference.solver_cfg({})
    engine = types.ModuleType("detectron2.engine")
    engine.DefaultTrainer = type("DefaultTrainer", (), {"auto_scale_workers": staticmethod(reference.auto_scale_workers)})
    sys.modules.setdefault("detectron2.config", config)
    sys.modules.setdefault("detectron2.engine", engine)


@pytest.mark.parametrize("case_id", [c for c in RAN if "detectron2" in golden(c)["config"]])
def test_emitted_solver_code_runs_bit_for_bit(case_id: str) -> None:
    from emitted import run_emitted

    _detectron2_config()
    spec = load(golden(case_id)["config"])
    code = lrplot.code.library_code(spec)
    raised = (golden(case_id)["after_last"] or {}).get("type")
    lr = run_emitted(code, raises=raised)
    assert np.array_equal(lr, np.asarray(golden(case_id)["lr"])), f"{case_id}: the emitted code trains with other lrs"
    section = spec.source["detectron2"]
    assert ("auto_scale_workers(cfg, " in code) == (section.get("REFERENCE_WORLD_SIZE", 0) not in (0, section.get("WORLD_SIZE", 0)))


# ------------------------------------------------------------------------------------------------
# detectron2's own files: YAML with _BASE_, LazyConfig .py


def test_yaml_config_with_its_base_is_the_solver_it_merges() -> None:
    one = load(FIXTURES / "configs" / "COCO-Detection" / "faster_rcnn_R_50_FPN_1x.yaml")
    three = load(FIXTURES / "configs" / "COCO-Detection" / "faster_rcnn_R_50_FPN_3x.yaml")
    assert one.source["detectron2"] == {"IMS_PER_BATCH": 16, "BASE_LR": 0.02, "STEPS": (60000, 80000), "MAX_ITER": 90000}
    assert three.source["detectron2"]["STEPS"] == (210000, 250000) and three.run.total_steps == 270000
    assert any("Base-RCNN-FPN.yaml: SOLVER IMS_PER_BATCH, BASE_LR" in line for line in three.derivation)
    assert any("faster_rcnn_R_50_FPN_3x.yaml: SOLVER STEPS, MAX_ITER" in line for line in three.derivation)
    assert len(three.files) == 2
    trace = lrplot.simulate(one)
    assert trace.lr[0, 0] == 0.02 * 0.001 and trace.lr[0, 1000] == 0.02 and trace.lr[0, 60000] == pytest.approx(0.002)


def test_yaml_reader_agrees_with_fvcores_load_yaml_with_base() -> None:
    _live()
    from fvcore.common.config import CfgNode

    for name in ("configs/COCO-Detection/faster_rcnn_R_50_FPN_3x.yaml", "layoutlmv3/cascade_layoutlmv3.yaml",
                 "configs/COCO-Detection/retinanet_R_50_FPN_1x.yaml"):
        # allow_unsafe, as detectron2's get_cfg().merge_from_file passes: Base-RetinaNet.yaml's
        # anchor sizes are a !!python/object/apply:eval of detectron2's own (the reference runs it; lrplot never does)
        theirs = CfgNode.load_yaml_with_base(str(FIXTURES / name), allow_unsafe=True)["SOLVER"]
        ours = load(FIXTURES / name).source["detectron2"]
        from lrplot.frameworks.detectron2.section import decode

        assert {k: decode(v) for k, v in theirs.items() if k in ours} == ours


def test_retinanet_reads_past_the_python_tag_of_its_base() -> None:
    """Base-RetinaNet.yaml's anchor SIZES are `!!python/object/apply:eval [...]`, which detectron2 runs
    through yaml.unsafe_load: lrplot, reading only SOLVER, leaves the value unread."""
    spec = load(FIXTURES / "configs" / "COCO-Detection" / "retinanet_R_50_FPN_1x.yaml")
    assert spec.source["detectron2"] == {"IMS_PER_BATCH": 16, "BASE_LR": 0.01, "STEPS": (60000, 80000), "MAX_ITER": 90000}
    same = load({"detectron2": dict(spec.source["detectron2"])})
    assert spec.scheduler == same.scheduler and spec.run == same.run and spec.optimizer == same.optimizer
    assert any("Base-RetinaNet.yaml: SOLVER IMS_PER_BATCH, BASE_LR, STEPS, MAX_ITER" in line for line in spec.derivation)


@pytest.mark.parametrize(("solver", "fragment"), [
    ("  BASE_LR: !!python/object/apply:eval ['0.01 * 2']\n", "b.yaml: SOLVER.BASE_LR: holds !!python/object/apply:eval (line 3)"),
    ("  STEPS: [1000, !custom 2000]\n", "b.yaml: SOLVER.STEPS: holds !custom"),
])
def test_a_python_tag_in_a_solver_key_is_named(tmp_path, solver: str, fragment: str) -> None:
    (tmp_path / "b.yaml").write_text("MODEL: {SIZES: !!python/object/apply:eval ['[[32]]']}\nSOLVER:\n" + solver)
    (tmp_path / "a.yaml").write_text("_BASE_: b.yaml\nSOLVER: {MAX_ITER: 3000}\n")
    with pytest.raises(ConfigError) as err:
        load(tmp_path / "a.yaml")
    assert fragment in str(err.value) and "never runs" in str(err.value)


def test_lrplots_own_yaml_still_refuses_a_python_tag(tmp_path) -> None:
    (tmp_path / "a.yaml").write_text("scheduler: {type: step, step_size: !!python/object/apply:eval ['3']}\n")
    with pytest.raises(ConfigError) as err:
        load(tmp_path / "a.yaml")
    assert "could not determine a constructor" in str(err.value)


def test_cosine_config_of_a_real_project() -> None:
    trace = lrplot.simulate(FIXTURES / "layoutlmv3" / "cascade_layoutlmv3.yaml")
    spec = trace.spec
    assert spec.run.total_steps == 60000 and spec.scheduler.params["scheduler"].type == "detectron2.CosineParamScheduler"
    # the warmup ramps to the cosine's value at 1000/60000, not to BASE_LR
    assert trace.lr[0, 999] < 0.0002 * 0.9994 and trace.lr[0, 1000] < 0.0002
    text = lrplot.explain.explain(trace) if hasattr(lrplot, "explain") else __import__("lrplot.explain").explain.explain(trace)
    assert "GRADIENT_ACCUMULATION_STEPS, OPTIMIZER, BACKBONE_MULTIPLIER" in text


def test_lazyconfig_is_read_statically_through_its_imports_and_function() -> None:
    spec = load(FIXTURES / "configs" / "COCO-Detection" / "retinanet_R_50_FPN_1x.py")
    assert spec.optimizer.groups[0].lr == 0.01 and spec.optimizer.momentum == 0.9 and spec.run.total_steps == 90000
    explicit = load({
        "optimizer": {"lr": 0.01, "momentum": 0.9}, "run": {"iterations": 90000},
        "scheduler": {"type": "detectron2.WarmupParamScheduler", "warmup_length": 1000 / 90000, "warmup_factor": 0.001,
                      "scheduler": {"type": "detectron2.MultiStepParamScheduler", "values": [1.0, 0.1, 0.01],
                                    "milestones": [60000, 80000], "num_updates": 90000}},
    })
    assert spec.scheduler == explicit.scheduler
    assert any("coco_schedule.py:39" in line for line in spec.derivation)
    assert {Path(f).name for f in spec.files} == {"retinanet_R_50_FPN_1x.py", "optim.py", "coco_schedule.py", "coco.py", "train.py"}


def test_lazyconfig_reads_what_it_sets_on_a_get_config_result() -> None:
    """torchvision_imagenet_R_50.py: `train = get_config("common/train.py").train` (detectron2's own
    file, not read), then `train.max_iter = 100 * 1281167 // 256`."""
    spec = load(FIXTURES / "configs" / "Misc" / "torchvision_imagenet_R_50.py")
    assert spec.run.total_steps == 100 * 1281167 // 256 and spec.run.unit == "iteration"
    assert any(f"train.max_iter: {100 * 1281167 // 256} iterations" in line for line in spec.derivation)


def test_a_lazyconfig_without_its_length_is_refused_not_drawn_for_100_epochs(tmp_path) -> None:
    config = tmp_path / "c.py"
    config.write_text("from detectron2.config import LazyCall as L\nfrom detectron2.model_zoo import get_config\n"
                      "from fvcore.common.param_scheduler import CosineParamScheduler\n"
                      "lr_multiplier = L(CosineParamScheduler)(start_value=1.0, end_value=0.0)\n"
                      "train = get_config('common/train.py').train\ntrain.init_checkpoint = None\n")
    with pytest.raises(ConfigError) as err:
        load(config)
    assert "c.py sets no train.max_iter (a call of get_config() at" in str(err.value) and "--iterations" in str(err.value)
    assert load(config, run={"iterations": 300}).run.total_steps == 300


def test_new_baselines_longer_schedules_scale_their_100ep_sibling() -> None:
    """mask_rcnn_R_50_FPN_400ep_LSJ.py imports everything from the 100ep file, then `train.max_iter *= 4`
    and `[milestone * 4 for milestone in ...]`; warmup_length stays the 100ep file's fraction, as in detectron2."""
    folder = FIXTURES / "configs" / "new_baselines"
    base = load(folder / "mask_rcnn_R_50_FPN_100ep_LSJ.py")
    long = load(folder / "mask_rcnn_R_50_FPN_400ep_LSJ.py")
    assert read_config(folder / "mask_rcnn_R_50_FPN_400ep_LSJ.py").framework == "detectron2"
    inner, inner4 = base.scheduler.params["scheduler"], long.scheduler.params["scheduler"]
    assert long.run.total_steps == 4 * base.run.total_steps
    assert inner4.params["milestones"] == tuple(4 * m for m in inner.params["milestones"])
    assert inner4.params["num_updates"] == 4 * inner.params["num_updates"]
    assert long.scheduler.params["warmup_length"] == base.scheduler.params["warmup_length"]


@pytest.mark.parametrize(("line", "fragment"), [
    ("[m * 4 for m in lr_multiplier.scheduler.milestones if m > 1]", "a list comprehension other than [expression for name in list]"),
    ("[m * 4 for m in optimizer]", "a list comprehension over"),
])
def test_a_comprehension_lrplot_does_not_read_is_named(tmp_path, line: str, fragment: str) -> None:
    config = tmp_path / "c.py"
    config.write_text("from detectron2.config import LazyCall as L\nfrom detectron2.solver import WarmupParamScheduler\n"
                      "from fvcore.common.param_scheduler import MultiStepParamScheduler\noptimizer = 3\n"
                      "lr_multiplier = L(WarmupParamScheduler)(scheduler=L(MultiStepParamScheduler)(values=[1.0, 0.1], milestones=[10], "
                      "num_updates=20), warmup_length=0.1, warmup_factor=0.1)\n"
                      f"lr_multiplier.scheduler.milestones = {line}\n")
    with pytest.raises(ConfigError) as err:
        load(config, run={"iterations": 20})
    assert fragment in str(err.value) and "c.py:6" in str(err.value)


def test_lazyconfig_3x_takes_the_functions_else_branch(tmp_path) -> None:
    common = tmp_path / "common"
    common.mkdir()
    for name in ("coco_schedule.py", "train.py"):
        (common / name).write_text((FIXTURES / "configs" / "common" / name).read_text())
    config = tmp_path / "mine" / "three.py"
    config.parent.mkdir()
    config.write_text("from ..common.coco_schedule import lr_multiplier_3x as lr_multiplier\nfrom ..common.train import train\n"
                      "train.max_iter = 270000\n")
    spec = load(config)
    inner = spec.scheduler.params["scheduler"]
    assert inner.params["milestones"] == (210000, 250000) and inner.params["num_updates"] == 270000
    assert spec.scheduler.params["warmup_length"] == 1000 / 270000 and spec.run.total_steps == 270000


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("from ..nowhere import lr_multiplier\n", "nowhere.py, which is not there"),
        ("import math\nlr_multiplier = math.inf\n", "an import (import math)"),
        ("from detectron2.config import LazyCall as L\nfrom mine import MyScheduler\nlr_multiplier = L(MyScheduler)(x=1)\n",
         "is not one of fvcore's ParamSchedulers"),
        ("from detectron2.config import LazyCall as L\nfrom fvcore.common.param_scheduler import CosineParamScheduler as C\n"
         "def f(n):\n    for i in range(n):\n        pass\n    return L(C)(start_value=1, end_value=0)\nlr_multiplier = f(3)\n",
         "a for loop in a function"),
        ("from detectron2.config import LazyCall as L\nlr_multiplier_1x = dict(a=1)\n", "defines no lr_multiplier"),
        ("from detectron2.config import LazyCall as L\nfrom fvcore.common.param_scheduler import CosineParamScheduler\n"
         "lr_multiplier = L(CosineParamScheduler)(start_value=1.0, end_value='???')\n", "OmegaConf's missing value"),
    ],
)
def test_what_a_lazyconfig_cannot_say_statically_is_named(tmp_path, text: str, fragment: str) -> None:
    config = tmp_path / "configs" / "bad.py"
    config.parent.mkdir()
    config.write_text(text)
    with pytest.raises(ConfigError) as err:
        load(config)
    assert fragment in str(err.value) and "bad.py" in str(err.value)


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"a.yaml": "_BASE_: b.yaml\n", "b.yaml": "_BASE_: a.yaml\n"}, "comes back to itself"),
        ({"a.yaml": "_BASE_: missing.yaml\n"}, "missing.yaml is not a file"),
        ({"a.yaml": "_BASE_: https://example.invalid/x.yaml\n"}, "is a URL"),
        ({"a.yaml": "_BASE_: b.yaml\nSOLVER: {BASE_LR: 0.1}\n", "b.yaml": "SOLVER: 3\n"}, "Cannot inherit key 'SOLVER'"),
        ({"a.yaml": "_BASE_: b.yaml\nSOLVER: 3\n", "b.yaml": "SOLVER: {BASE_LR: 0.1}\n"}, "a.yaml: SOLVER: must be a mapping"),
        ({"a.yaml": "_BASE_: b.yaml\nSOLVER: {BASE_LR: 1}\n", "b.yaml": "SOLVER: {MAX_ITER: 100}\n"}, "a.yaml: SOLVER.BASE_LR"),
        ({"a.yaml": "SOLVER: {MAX_ITER: 9e4}\n"}, "write 90000"),
        ({"a.yaml": "SOLVER: {STEPS: '(60000, 80000'}\n"}, "a.yaml: SOLVER.STEPS: detectron2 raises ValueError: Type mismatch"),
    ],
)
def test_yaml_mistakes_name_the_file(tmp_path, files: dict[str, str], fragment: str) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(ConfigError) as err:
        load(tmp_path / "a.yaml")
    assert fragment in str(err.value)


# ------------------------------------------------------------------------------------------------
# The detectron2: section


@pytest.mark.parametrize(
    ("section", "path", "fragment"),
    [
        ({"BASE_LR": 1}, "detectron2.BASE_LR", "Type mismatch"),
        ({"LR_SCHEDULER_NAME": "WarmupPolyLR"}, "detectron2.LR_SCHEDULER_NAME", "Unknown LR scheduler"),
        ({"LR_SCHEDULER_NAME": "WarmupCosinLR"}, "detectron2.LR_SCHEDULER_NAME", "did you mean 'WarmupCosineLR'"),
        ({"BASE_LRR": 0.1}, "detectron2.BASE_LRR", "did you mean 'BASE_LR'"),
        ({"STEPS": [100, 200], "MAX_ITER": 200}, "detectron2.STEPS", "Milestone must be smaller than total number of updates"),
        ({"MAX_ITER": 0}, "detectron2.MAX_ITER", "ZeroDivisionError"),
        ({"MAX_ITER": 10**18}, "detectron2.MAX_ITER", "too large"),
        ({"GAMMA": 1e308, "LR_SCHEDULER_NAME": "WarmupStepWithFixedGammaLR", "NUM_DECAYS": 4}, "scheduler", "overflows"),
        ({"WARMUP_METHOD": "cosine"}, "detectron2.WARMUP_METHOD", "must be one of linear, constant"),
        ({"IMS_PER_BATCH": 12, "REFERENCE_WORLD_SIZE": 8, "WORLD_SIZE": 2}, "detectron2.REFERENCE_WORLD_SIZE", "AssertionError"),
        ({"WORLD_SIZE": 0}, "detectron2.WORLD_SIZE", ">= 1"),
        ({"LR_SCHEDULER_NAME": "WarmupCosineLR", "BASE_LR": 0.0}, "detectron2.BASE_LR", "ZeroDivisionError"),
    ],
)
def test_section_mistakes_are_named(section, path: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as err:
        lrplot.simulate(load({"detectron2": {"MAX_ITER": 200, "STEPS": [100], "WARMUP_ITERS": 10, **section}}))
    assert err.value.path.startswith(path) and fragment in err.value.message, str(err.value)


def test_devices_rescale_as_auto_scale_workers() -> None:
    config = {"detectron2": {"BASE_LR": 0.02, "IMS_PER_BATCH": 16, "REFERENCE_WORLD_SIZE": 8, "STEPS": [60000, 80000], "MAX_ITER": 90000},
              "run": {"devices": 4}}
    spec = load(config)
    assert spec.run.total_steps == 180000 and spec.optimizer.groups[0].lr == 0.01
    assert spec.scheduler.params["scheduler"].params["milestones"] == (120000, 160000)
    assert "detectron2.WORLD_SIZE = 4 (from run.devices)" in spec.derivation
    assert any(line.startswith("auto_scale_workers: 4 GPUs") for line in spec.derivation)
    with pytest.raises(ConfigError) as err:
        load({**config, "run": {"epochs": 12}})
    assert "iterations (as detectron2.MAX_ITER), devices (as detectron2.WORLD_SIZE)" in err.value.message


def test_steps_beyond_max_iter_are_dropped_and_said() -> None:
    spec = load({"detectron2": {"STEPS": [50, 70, 200], "MAX_ITER": 80, "WARMUP_ITERS": 5}})
    assert spec.scheduler.params["scheduler"].params["milestones"] == (50, 70)
    assert any("STEPS [200] > MAX_ITER 80 dropped" in line for line in spec.derivation)


def test_fixed_gamma_raises_after_the_last_iteration_and_says_so() -> None:
    from lrplot.engine.events import find_events
    from lrplot.explain import explain

    trace = lrplot.simulate({"detectron2": {"LR_SCHEDULER_NAME": "WarmupStepWithFixedGammaLR", "MAX_ITER": 100, "WARMUP_ITERS": 10}})
    assert trace.lr.shape == (1, 100)  # every iteration trains
    assert ("milestone", "then IndexError") in {(e.kind, e.label) for e in find_events(trace) if e.step == 99}
    text = explain(trace)
    assert "after the last iteration detectron2 raises IndexError" in text and "model_final.pth" in text


def test_events_and_phases_land_where_the_lr_changes() -> None:
    from lrplot.engine.events import find_events

    trace = lrplot.simulate({"detectron2": {"STEPS": [600, 800], "MAX_ITER": 900, "WARMUP_ITERS": 100}})
    marks = [(e.label, e.step) for e in find_events(trace)]
    # each milestone multiplies the lr by 0.1, as its mark says (x0.01 at the second read as a factor)
    assert marks == [("end of warmup", 100), ("x0.1", 600), ("x0.1", 800)]
    for label, k in marks:
        assert trace.lr[0, k] != trace.lr[0, k - 1]
        if label.startswith("x"):
            assert np.isclose(trace.lr[0, k] / trace.lr[0, k - 1], float(label[1:]))


# ------------------------------------------------------------------------------------------------
# The command line and verify


def _cli(*args: str):
    from click.testing import CliRunner

    from lrplot.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_code_for_a_file_trains_the_plan_its_flags_drew(tmp_path) -> None:
    """`lrplot code FILE --devices 4` on a config written for REFERENCE_WORLD_SIZE 8: the emitted
    code calls auto_scale_workers as DefaultTrainer does, and trains exactly what was drawn."""
    from emitted import run_emitted

    _detectron2_config()
    config = tmp_path / "cos.yaml"
    config.write_text("SOLVER:\n  LR_SCHEDULER_NAME: WarmupCosineLR\n  BASE_LR: 0.02\n  BASE_LR_END: 0.0002\n  MAX_ITER: 500\n"
                      "  WARMUP_ITERS: 70\n  IMS_PER_BATCH: 16\n  REFERENCE_WORLD_SIZE: 8\n")
    spec = load(config, run={"devices": 4})
    code = lrplot.code.library_code(spec)
    assert "auto_scale_workers(cfg, 4)" in code and spec.run.total_steps == 1000
    assert np.array_equal(run_emitted(code), lrplot.simulate(spec, exact=True).lr)


def test_command_line_speaks_detectron2(tmp_path) -> None:
    listed = _cli("list", "detectron2").output
    assert "detectron2.WarmupParamScheduler" in listed and "REFERENCE_WORLD_SIZE" in listed and "WORLD_SIZE" in listed
    one = str(FIXTURES / "configs" / "COCO-Detection" / "faster_rcnn_R_50_FPN_1x.yaml")
    data = json.loads(_cli("export", one, "--devices", "16", "--format", "json").output)
    assert len(data["lr"][0]) == 90000  # REFERENCE_WORLD_SIZE 0: no rescaling
    code = _cli("code", str(FIXTURES / "configs" / "COCO-Detection" / "retinanet_R_50_FPN_1x.py")).output
    assert "WarmupParamScheduler(" in code and "LRMultiplier(optimizer, multiplier, max_iter=90000)" in code
    out = tmp_path / "cmp.png"
    compared = _cli("compare", one, "detectron2.cosine:start_value=1,end_value=0", "--iterations", "900", "-o", str(out))
    assert compared.exit_code == 0 and out.stat().st_size > 0, compared.output
    wrong = _cli("plot", "detectron2.warmup", "--warmup-factr", "0.1")
    assert wrong.exit_code == 2 and "did you mean '--warmup-factor'" in wrong.output


def test_verify_reads_a_run_folder(tmp_path) -> None:
    run = tmp_path / "output"
    run.mkdir()
    (run / "metrics.json").write_bytes((FIXTURES / "balloon-run" / "metrics.json").read_bytes())
    (run / "config.yaml").write_text("SOLVER:\n  IMS_PER_BATCH: 2\n  BASE_LR: 0.00025\n  MAX_ITER: 300\n  STEPS: []\n")
    result = _cli("verify", str(run))
    assert result.exit_code == 0 and "FOLLOWED THE PLAN" in result.output, result.output
    (run / "config.yaml").write_text("SOLVER:\n  IMS_PER_BATCH: 2\n  BASE_LR: 0.00025\n  MAX_ITER: 300\n  STEPS: []\n  WARMUP_ITERS: 100\n")
    diverged = _cli("verify", str(run))
    assert diverged.exit_code == 1 and "DIVERGED at optimizer step 19" in diverged.output
