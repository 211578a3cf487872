"""The configurations whose mmengine 0.10.7 traces are recorded as golden files (inputs only).

``CASES`` is a list of ``(case_id, config)``; ``tests/golden/record_mmengine.py`` runs each on a real
mmengine Runner (over torch 2.13.0), whose ParamSchedulerHook steps the schedulers, and writes
``tests/golden/mmengine/<id>.json``. Every class (lr and momentum), ``begin``/``end``/``by_epoch``/
``convert_to_iter_based``, both train loops, several schedulers in one list, one to three param
groups, SGD momentum and Adam's beta1, and the ``mmengine:`` section (the ``sec-`` cases, given to
the Runner as its own config) appear. Runs are short so the traces stay small.
"""

from __future__ import annotations

from typing import Any

Config = dict[str, Any]
CASES: list[tuple[str, Config]] = []

GROUPS2 = [{"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
GROUPS3 = [{"name": "embed", "lr": 0.002}, {"name": "backbone", "lr": 0.01}, {"name": "head", "lr": 0.1}]
LOSS = [2.0, 1.6, 1.4, 1.35, 1.36, 1.34, 1.35, 1.2, 1.1, 1.1, 1.1, 1.1, 1.1, 1.05, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]


def add(case_id: str, schedulers: Any, *, epochs: int = 12, spe: int = 4, iterations: int | None = None, lr: Any = 0.1,
        groups: list[dict[str, Any]] | None = None, momentum: float | None = 0.9, betas: list[float] | None = None,
        metric: Any = None) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    optimizer: Config = {"param_groups": [dict(g) for g in groups]} if groups is not None else {"lr": lr}
    if betas is not None:
        optimizer["betas"] = betas
    elif momentum is not None:
        optimizer["momentum"] = momentum
    run: Config = {"iterations": iterations, "steps_per_epoch": spe} if iterations is not None else {"epochs": epochs, "steps_per_epoch": spe}
    scheduler = {"type": "mmengine.param_scheduler", "schedulers": schedulers} if isinstance(schedulers, list) else schedulers
    config: Config = {"name": case_id, "optimizer": optimizer, "run": run, "scheduler": scheduler}
    if metric is not None:
        config["metric"] = metric
    CASES.append((case_id, config))


def section(case_id: str, keys: dict[str, Any], *, metric: Any = None) -> None:
    assert all(case_id != cid for cid, _ in CASES), f"duplicate case id {case_id}"
    config: Config = {"name": case_id, "mmengine": keys}
    if metric is not None:
        config["metric"] = metric
    CASES.append((case_id, config))


def m(cls: str, **keys: Any) -> dict[str, Any]:
    return {"type": f"mmengine.{cls}", **keys}


# ------------------------------------------------------------------------------------------------
# Each class alone, per epoch and per iteration, with begin/end and the Runner's default end

for kind in ("LR", "Momentum"):
    add(f"constant-{kind}", m(f"Constant{kind}", factor=0.5, end=5))
    add(f"constant-default-{kind}", m(f"Constant{kind}", by_epoch=False), epochs=3)
    add(f"linear-{kind}", m(f"Linear{kind}", start_factor=0.1, end=6))
    add(f"linear-iter-{kind}", m(f"Linear{kind}", start_factor=0.25, end_factor=0.75, by_epoch=False, begin=3, end=20), epochs=6)
    add(f"step-{kind}", m(f"Step{kind}", step_size=3, gamma=0.5))
    add(f"step-begin-iter-{kind}", m(f"Step{kind}", step_size=5, gamma=0.8, by_epoch=False, begin=4, end=30), epochs=9)
    add(f"multistep-{kind}", m(f"MultiStep{kind}", milestones=[4, 8]))
    add(f"multistep-begin-{kind}", m(f"MultiStep{kind}", milestones=[2, 2, 5], gamma=0.5, begin=3, end=11))
    add(f"exponential-{kind}", m(f"Exponential{kind}", gamma=0.9), epochs=10)
    add(f"exponential-iter-{kind}", m(f"Exponential{kind}", gamma=0.97, by_epoch=False, begin=2, end=35), epochs=10)
    add(f"cosine-{kind}", m(f"CosineAnnealing{kind}", eta_min=0.001 if kind == "LR" else 0.5), epochs=10)
    add(f"cosine-tmax-{kind}", m(f"CosineAnnealing{kind}", T_max=4, by_epoch=False, begin=2, end=30), epochs=8)
    add(f"cosine-ratio-{kind}", m(f"CosineAnnealing{kind}", eta_min_ratio=0.1, by_epoch=False), epochs=6, groups=GROUPS2)
    add(f"poly-{kind}", m(f"Poly{kind}", eta_min=0.0001 if kind == "LR" else 0.85, power=0.9), epochs=10)
    add(f"poly-iter-{kind}", m(f"Poly{kind}", power=2.0, by_epoch=False, begin=5, end=40), epochs=12)
    add(f"restart-{kind}", m(f"CosineRestart{kind}", periods=[3, 5], restart_weights=[1, 0.5], eta_min=0.0 if kind == "LR" else 0.5), epochs=10)
    add(f"restart-iter-{kind}", m(f"CosineRestart{kind}", periods=[8, 8, 16], restart_weights=[1, 0.7, 0.4], eta_min_ratio=0.05, by_epoch=False), epochs=10)
    add(f"plateau-{kind}", m(f"ReduceOnPlateau{kind}", patience=1, factor=0.5, cooldown=1), epochs=14, metric={"values": LOSS[:14]})

add("onecycle", m("OneCycleLR", eta_max=0.5, by_epoch=False), epochs=6)
add("onecycle-three-phase-linear", m("OneCycleLR", eta_max=0.5, total_steps=30, pct_start=0.25, anneal_strategy="linear", three_phase=True,
                                     by_epoch=False), epochs=8)
add("onecycle-groups-raises", m("OneCycleLR", eta_max=[0.05, 0.5], by_epoch=False), epochs=4, groups=GROUPS2)
add("onecycle-epochs", m("OneCycleLR", eta_max=[0.05, 0.5, 0.2], div_factor=10.0, final_div_factor=100.0, end=8), epochs=8, groups=GROUPS2)

# ------------------------------------------------------------------------------------------------
# convert_to_iter_based: lengths in epochs, stepped per iteration

add("convert-linear", m("LinearLR", start_factor=0.01, end=2, convert_to_iter_based=True), epochs=6)
add("convert-step", m("StepLR", step_size=2, gamma=0.5, begin=1, convert_to_iter_based=True), epochs=8)
add("convert-multistep", m("MultiStepLR", milestones=[3, 5], convert_to_iter_based=True), epochs=8)
add("convert-cosine", m("CosineAnnealingLR", eta_min=1e-4, begin=1, T_max=5, convert_to_iter_based=True), epochs=8)
add("convert-cosine-default", m("CosineAnnealingLR", eta_min=1e-4, convert_to_iter_based=True), epochs=6)
add("convert-poly", m("PolyLR", eta_min=1e-4, power=0.9, convert_to_iter_based=True), epochs=6)
add("convert-exponential", m("ExponentialLR", gamma=0.95, begin=1, end=5, convert_to_iter_based=True), epochs=6)
add("convert-constant", m("ConstantLR", factor=0.25, end=2, convert_to_iter_based=True), epochs=5)
add("convert-restart", m("CosineRestartLR", periods=[2, 3], restart_weights=[1, 0.5], eta_min=0.0, convert_to_iter_based=True), epochs=6)
add("convert-onecycle", m("OneCycleLR", eta_max=0.3, total_steps=5, end=5, convert_to_iter_based=True), epochs=5)
add("convert-momentum", m("CosineAnnealingMomentum", eta_min=0.85, convert_to_iter_based=True), epochs=5)

# ------------------------------------------------------------------------------------------------
# Several schedulers in one list: warmups, overlaps, gaps, both units

add("mmdet-1x-small", [m("LinearLR", start_factor=0.001, by_epoch=False, begin=0, end=20), m("MultiStepLR", begin=0, end=12, milestones=[8, 11])], epochs=12)
add("warmup-cosine-convert", [m("LinearLR", start_factor=1e-3, by_epoch=False, end=10),
                              m("CosineAnnealingLR", eta_min=1e-5, begin=2, end=12, convert_to_iter_based=True)], epochs=12, spe=5)
add("warmup-overlaps-decay", [m("LinearLR", start_factor=0.1, by_epoch=False, end=30), m("MultiStepLR", milestones=[3, 6])], epochs=9)
add("gap-between", [m("LinearLR", start_factor=0.5, end=2), m("ExponentialLR", gamma=0.8, begin=5, end=10)], epochs=12)
add("constant-then-poly", [m("ConstantLR", factor=0.1, by_epoch=False, end=8), m("PolyLR", eta_min=0.0, power=1.0, by_epoch=False, begin=8)], epochs=6)
add("lr-and-momentum", [m("LinearLR", start_factor=0.2, by_epoch=False, end=12), m("CosineAnnealingLR", eta_min=0.0, begin=3),
                        m("LinearMomentum", start_factor=0.9, by_epoch=False, end=12), m("CosineAnnealingMomentum", eta_min=0.8, begin=3)], epochs=10)
add("adam-beta1", [m("LinearLR", start_factor=0.5, by_epoch=False, end=8), m("CosineAnnealingMomentum", eta_min=0.8, by_epoch=False, begin=8)],
    epochs=6, betas=[0.95, 0.999])
add("adam-plateau-beta1", [m("ReduceOnPlateauMomentum", rule="less", patience=0, factor=0.9)], epochs=10, betas=[0.9, 0.999],
    metric={"values": LOSS[:10]})
add("three-groups", [m("LinearLR", start_factor=0.25, by_epoch=False, end=6), m("StepLR", step_size=2, gamma=0.7, begin=1)],
    epochs=8, groups=GROUPS3)
add("onecycle-after-warmup", [m("ConstantLR", factor=0.5, end=2), m("OneCycleLR", eta_max=0.4, by_epoch=False, begin=8, end=40)], epochs=10)
add("restart-then-linear", [m("CosineRestartLR", periods=[4, 4], restart_weights=[1, 0.5], eta_min=0.01, end=8),
                            m("LinearLR", start_factor=1.0, end_factor=0.1, begin=8)], epochs=12, spe=2)
add("warmup-plateau", [m("LinearLR", start_factor=0.1, by_epoch=False, end=10), m("ReduceOnPlateauLR", patience=2, factor=0.5, threshold=0.01)],
    epochs=16, metric={"values": LOSS[:16]})
add("plateau-greater-abs", [m("ReduceOnPlateauLR", rule="greater", threshold_rule="abs", threshold=0.02, patience=1, min_value=0.02,
                             monitor="acc", begin=2)], epochs=12, metric={"synthetic": {"mode": "max", "seed": 3}})
add("plateau-synthetic", [m("ReduceOnPlateauLR", patience=1, factor=0.5, min_value=[0.001, 0.004])], epochs=16, groups=GROUPS2,
    metric={"synthetic": True})

# ------------------------------------------------------------------------------------------------
# IterBasedTrainLoop: iterations; an epoch-based scheduler only steps after the last iteration

add("iterloop-linear-poly", [m("LinearLR", start_factor=0.1, by_epoch=False, end=10), m("PolyLR", eta_min=1e-4, power=1.0, by_epoch=False, begin=10)],
    iterations=60, spe=7)
add("iterloop-epoch-scheduler", [m("LinearLR", start_factor=0.1, by_epoch=False, end=10), m("MultiStepLR", milestones=[1])], iterations=40, spe=5)
add("iterloop-convert", [m("CosineAnnealingLR", eta_min=0.0, end=4, convert_to_iter_based=True)], iterations=30, spe=6)
add("iterloop-plain-step", m("StepLR", step_size=7, gamma=0.5, by_epoch=False), iterations=50, spe=1, momentum=None)

# ------------------------------------------------------------------------------------------------
# What mmengine refuses

add("end-before-begin-raises", m("LinearLR", begin=5, end=5))
add("onecycle-past-total-raises", m("OneCycleLR", eta_max=0.5, total_steps=10, by_epoch=False), epochs=4)
add("linear-start-zero-raises", m("LinearLR", start_factor=0.0, by_epoch=False, end=10), epochs=4)
add("cosine-both-eta-raises", m("CosineAnnealingLR", eta_min=0.0, eta_min_ratio=0.1))
add("convert-iter-raises", m("LinearLR", by_epoch=False, end=5, convert_to_iter_based=True))
add("restart-no-eta-raises", m("CosineRestartLR", periods=[4, 4], restart_weights=[1, 1]))
add("restart-weights-raises", m("CosineRestartLR", periods=[4, 4], restart_weights=[1], eta_min=0.0))
add("plateau-iter-raises", m("ReduceOnPlateauLR", by_epoch=False), epochs=4, metric={"values": LOSS[:4]})
add("adam-linear-momentum", [m("LinearMomentum", start_factor=0.95, by_epoch=False, end=10), m("StepLR", step_size=2)], epochs=4,
    betas=[0.9, 0.99])

# ------------------------------------------------------------------------------------------------
# The mmengine: section: an OpenMMLab config's keys, given to the Runner as they are

SGD = {"type": "OptimWrapper", "optimizer": {"type": "SGD", "lr": 0.02, "momentum": 0.9, "weight_decay": 0.0001}}
section("sec-mmdet-1x", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 25},
                        {"type": "MultiStepLR", "begin": 0, "end": 6, "by_epoch": True, "milestones": [4, 5], "gamma": 0.1}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 6, "val_interval": 1}, "optim_wrapper": SGD,
    "auto_scale_lr": {"enable": False, "base_batch_size": 16}, "train_dataloader": {"batch_size": 2}, "dataset_size": 41, "world_size": 2})
section("sec-swin-auto-scale", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 1e-3, "by_epoch": True, "end": 2, "convert_to_iter_based": True},
                        {"type": "CosineAnnealingLR", "eta_min": 1e-5, "by_epoch": True, "begin": 2}],
    "train_cfg": {"by_epoch": True, "max_epochs": 8, "val_interval": 1},
    "optim_wrapper": {"optimizer": {"type": "AdamW", "lr": 5e-4 * 1024 / 512, "weight_decay": 0.05, "eps": 1e-8, "betas": [0.9, 0.999]},
                      "paramwise_cfg": {"norm_decay_mult": 0.0, "custom_keys": {".absolute_pos_embed": {"decay_mult": 0.0}}}},
    "auto_scale_lr": {"enable": True, "base_batch_size": 1024}, "train_dataloader": {"batch_size": 64}, "dataset_size": 300, "world_size": 4})
section("sec-paramwise-lr-mult", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.1, "by_epoch": False, "end": 8}, {"type": "StepLR", "step_size": 2, "gamma": 0.5}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 6},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 1e-4},
                      "paramwise_cfg": {"custom_keys": {"backbone": {"lr_mult": 0.1}, "head": {"lr_mult": 10.0, "decay_mult": 0.0}}}},
    "train_dataloader": {"batch_size": 4}, "dataset_size": 19})
section("sec-decay-mult-without-wd-raises", {
    "param_scheduler": [{"type": "StepLR", "step_size": 2}], "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 4},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.01}, "paramwise_cfg": {"custom_keys": {"head": {"decay_mult": 0.0}}}},
    "train_dataloader": {"batch_size": 4}, "dataset_size": 8})
section("sec-iterloop-poly", {
    "param_scheduler": [{"type": "PolyLR", "eta_min": 1e-4, "power": 0.9, "begin": 0, "end": 60, "by_epoch": False}],
    "train_cfg": {"type": "IterBasedTrainLoop", "max_iters": 60, "val_interval": 1000},
    "optim_wrapper": {"type": "OptimWrapper", "optimizer": {"type": "SGD", "lr": 0.01, "momentum": 0.9, "weight_decay": 0.0005}, "clip_grad": None},
    "train_dataloader": {"batch_size": 2}, "dataset_size": 24})
section("sec-iterloop-convert-momentum", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.1, "by_epoch": False, "end": 10},
                        {"type": "CosineAnnealingLR", "eta_min": 0.0, "begin": 1, "end": 5, "convert_to_iter_based": True},
                        {"type": "CosineAnnealingMomentum", "eta_min": 0.85, "by_epoch": False, "begin": 10, "end": 50}],
    "train_cfg": {"type": "IterBasedTrainLoop", "max_iters": 50},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.95}}, "train_dataloader": {"batch_size": 3}, "dataset_size": 30})
section("sec-accumulate-drop-last", {
    "param_scheduler": {"type": "CosineAnnealingLR", "eta_min": 0.001, "by_epoch": False},
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 4},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.05}, "accumulative_counts": 2},
    "train_dataloader": {"batch_size": 4, "drop_last": True}, "dataset_size": 23})
section("sec-plateau", {
    "param_scheduler": [{"type": "ReduceOnPlateauLR", "monitor": "loss", "patience": 1, "factor": 0.5}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 12, "val_interval": 1},
    "optim_wrapper": {"optimizer": {"type": "Adam", "lr": 0.001}}, "train_dataloader": {"batch_size": 8}, "dataset_size": 16},
    metric={"values": LOSS[:12]})

# ------------------------------------------------------------------------------------------------
# The generic ParamSchedulers (param_scheduler.py): of 'lr' or 'momentum' they are the LR and
# Momentum classes; of another key (weight_decay) the lr is theirs to leave alone; of 'momentum'
# on Adam mmengine raises KeyError

section("sec-generic-lr-momentum", {
    "param_scheduler": [{"type": "LinearParamScheduler", "param_name": "lr", "start_factor": 0.1, "by_epoch": False, "end": 6},
                        {"type": "CosineAnnealingParamScheduler", "param_name": "lr", "eta_min": 0.001, "begin": 1, "end": 5},
                        {"type": "StepParamScheduler", "param_name": "momentum", "step_size": 2, "gamma": 0.9},
                        {"type": "PolyParamScheduler", "param_name": "weight_decay", "eta_min": 0.0, "by_epoch": False}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 6},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9, "weight_decay": 1e-4}},
    "train_dataloader": {"batch_size": 4}, "dataset_size": 16})
section("sec-generic-momentum-on-adam-raises", {
    "param_scheduler": [{"type": "LinearParamScheduler", "param_name": "momentum", "start_factor": 0.5, "end": 3}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 4},
    "optim_wrapper": {"optimizer": {"type": "Adam", "lr": 0.001}}, "train_dataloader": {"batch_size": 4}, "dataset_size": 8})

# ------------------------------------------------------------------------------------------------
# Real config files (tests/fixtures/mmengine/, each citing its repository and commit): their
# schedule keys as mmengine's own Config.fromfile reads them (a class a new-style config imports
# by its name), with a small dataset. test_mmengine.py checks that lrplot reads the same keys from
# the file, and, where mmengine is importable, that Config.fromfile still does.

FILES: dict[str, str] = {}  # case id -> the fixture file, relative to tests/fixtures/mmengine


def from_file(case_id: str, path: str, keys: dict[str, Any], **plan: Any) -> None:
    FILES[case_id] = path
    section(case_id, {**keys, **plan})


from_file("file-mmdet-new-style-faster-rcnn-1x", "mmdetection/mmdet/configs/faster_rcnn/faster_rcnn_r50_fpn_1x_coco.py", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "begin": 0, "end": 500},
                        {"type": "MultiStepLR", "begin": 0, "end": 12, "by_epoch": True, "milestones": [8, 11], "gamma": 0.1}],
    "train_cfg": {"type": "EpochBasedTrainLoop", "max_epochs": 12, "val_interval": 1},
    "optim_wrapper": {"type": "OptimWrapper", "optimizer": {"type": "SGD", "lr": 0.02, "momentum": 0.9, "weight_decay": 0.0001}},
    "auto_scale_lr": {"enable": False, "base_batch_size": 16}, "train_dataloader": {"batch_size": 2}},
    dataset_size=800, world_size=8)
from_file("file-mmpretrain-new-style-resnet18", "mmpretrain/mmpretrain/configs/resnet/resnet18_8xb32_in1k.py", {
    "param_scheduler": {"type": "MultiStepLR", "by_epoch": True, "milestones": [30, 60, 90], "gamma": 0.1},
    "train_cfg": {"by_epoch": True, "max_epochs": 100, "val_interval": 1},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001}},
    "auto_scale_lr": {"base_batch_size": 256}, "train_dataloader": {"batch_size": 32}},
    dataset_size=512, world_size=8)
from_file("file-mmpretrain-mobileone-coswd", "mmpretrain/configs/mobileone/mobileone-s0_8xb32_in1k.py", {
    "param_scheduler": [{"type": "LinearLR", "start_factor": 0.001, "by_epoch": True, "begin": 0, "end": 5, "convert_to_iter_based": True},
                        {"type": "CosineAnnealingLR", "T_max": 295, "eta_min": 1e-06, "by_epoch": True, "begin": 5, "end": 300},
                        {"type": "CosineAnnealingParamScheduler", "param_name": "weight_decay", "eta_min": 1e-05, "by_epoch": True,
                         "begin": 0, "end": 300}],
    "train_cfg": {"by_epoch": True, "max_epochs": 300, "val_interval": 1},
    "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.1, "momentum": 0.9, "weight_decay": 0.0001}, "paramwise_cfg": {"norm_decay_mult": 0.0}},
    "auto_scale_lr": {"base_batch_size": 256}, "train_dataloader": {"batch_size": 32}},
    dataset_size=512, world_size=8)
