"""`lrplot check`: every rule, on a config that has its pitfall and one that does not; the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import lrplot
from lrplot import check
from lrplot.engine import pitfalls
from lrplot.check import Subject, findings
from lrplot.cli import cli
from lrplot.config import load
from lrplot.errors import TorchWouldRaise

from examples import CONFIGS

ROOT = Path(__file__).resolve().parent.parent


def _warmup_seq(milestone: int, total_iters: int) -> dict:
    return {"type": "SequentialLR", "milestones": [milestone],
            "schedulers": [{"type": "LinearLR", "start_factor": 0.1, "total_iters": total_iters}, {"type": "CosineAnnealingLR"}]}


RISING = [round(0.5 + 0.4 * (1 - 0.9 ** k), 6) for k in range(40)]  # an accuracy: improves upward

# code -> (a config with the pitfall, a words fragment its message has, the same config without it)
CASES = {
    "LR001": ({"scheduler": {"type": "ConstantLR", "factor": 0.0, "total_iters": 5}, "run": {"epochs": 10}}, "ZeroDivisionError",
              {"scheduler": {"type": "ConstantLR", "factor": 0.5, "total_iters": 5}, "run": {"epochs": 10}}),
    "LR101": ({"scheduler": {"type": "LambdaLR", "lr_lambda": "min(1.0, epoch / 5)"}, "run": {"epochs": 10}}, "starts at 0",
              {"scheduler": {"type": "LambdaLR", "lr_lambda": "min(1.0, (epoch + 1) / 5)"}, "run": {"epochs": 10}}),
    "LR102": ({"scheduler": {"type": "PolynomialLR", "total_iters": 50}, "run": {"epochs": 100}}, "reaches 0 at epoch 50, and the last 50 steps",
              {"scheduler": {"type": "PolynomialLR", "total_iters": 100}, "run": {"epochs": 100}}),
    "LR103": ({"scheduler": {"type": "LambdaLR", "lr_lambda": "1 - epoch / 5"}, "run": {"epochs": 10}}, "goes negative",
              {"scheduler": {"type": "LambdaLR", "lr_lambda": "1 - epoch / 10"}, "run": {"epochs": 10}}),
    "LR104": ({"scheduler": {"type": "LambdaLR", "lr_lambda": "epoch + 1"}, "run": {"epochs": 20}}, "20x its initial",
              {"optimizer": {"lr": 0.001}, "scheduler": {"type": "OneCycleLR", "max_lr": 0.1}, "run": {"epochs": 5, "steps_per_epoch": 10}}),
    "LR201": ({"scheduler": {"type": "StepLR", "step_size": 10}, "run": {"epochs": 30, "resume": {"at": 15, "method": "scheduler_only"}}},
              "trains with lr 0.1 at epoch 15 where the plan has 0.01",
              {"scheduler": {"type": "StepLR", "step_size": 10}, "run": {"epochs": 30, "resume": {"at": 15, "method": "state_dict"}}}),
    "LR202": ({"scheduler": {"type": "StepLR", "step_size": 10}, "run": {"epochs": 30, "resume": {"at": 15, "method": "last_epoch_fresh"}}},
              "torch raises KeyError while resuming",
              {"scheduler": {"type": "StepLR", "step_size": 10}, "run": {"epochs": 30, "resume": {"at": 15, "method": "last_epoch"}}}),
    "PT101": ({"scheduler": {"type": "OneCycleLR", "max_lr": 0.1}, "run": {"epochs": 10, "steps_per_epoch": 50, "step": "epoch"}},
              "meant to be stepped per batch",
              {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1}, "run": {"epochs": 10, "steps_per_epoch": 50}}),
    "PT102": ({"scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20},
               "run": {"epochs": 10, "steps_per_epoch": 50, "step": "epoch"}}, "step_size_up counts batches",
              {"scheduler": {"type": "CyclicLR", "base_lr": 0.01, "max_lr": 0.1, "step_size_up": 20}, "run": {"epochs": 10, "steps_per_epoch": 50}}),
    "PT201": ({"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 50}, "run": {"iterations": 100}}, "torch raises ValueError",
              {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 100}, "run": {"iterations": 100}}),
    "PT202": ({"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 1000}, "run": {"iterations": 100}}, "cover 10% of it",
              {"scheduler": {"type": "OneCycleLR", "max_lr": 0.1, "total_steps": 101}, "run": {"iterations": 100}}),
    "PT203": ({"scheduler": {"type": "CosineAnnealingLR", "T_max": 30}, "run": {"epochs": 100}}, "rises again",
              {"scheduler": {"type": "CosineAnnealingLR"}, "run": {"epochs": 100}}),
    "PT204": ({"scheduler": {"type": "MultiStepLR", "milestones": [30, 120]}, "run": {"epochs": 100}}, "milestone 120 is never reached",
              {"scheduler": {"type": "MultiStepLR", "milestones": [30, 80]}, "run": {"epochs": 100}}),
    "PT205": ({"scheduler": {"type": "MultiStepLR", "milestones": [0, 30]}, "run": {"epochs": 100}}, "applies gamma when the scheduler is built",
              {"scheduler": {"type": "MultiStepLR", "milestones": [30]}, "run": {"epochs": 100}}),
    "PT206": ({"scheduler": _warmup_seq(5, 10), "run": {"epochs": 50}}, "the switch cuts it at 46% of the lr",
              {"scheduler": _warmup_seq(10, 10), "run": {"epochs": 50}}),
    "PT301": ({"scheduler": {"type": "ChainedScheduler", "schedulers": [{"type": "ExponentialLR", "gamma": 0.9}, {"type": "LambdaLR", "lr_lambda": "0.95 ** epoch"}]},
               "run": {"epochs": 20}}, "LambdaLR sets the lr absolutely",
              {"scheduler": {"type": "ChainedScheduler", "schedulers": [{"type": "ConstantLR", "factor": 0.5}, {"type": "ExponentialLR", "gamma": 0.9}]},
               "run": {"epochs": 20}}),
    "PT401": ({"scheduler": {"type": "ReduceLROnPlateau", "patience": 3}, "run": {"epochs": 40}, "metric": {"values": RISING}}, "set mode: max",
              {"scheduler": {"type": "ReduceLROnPlateau", "patience": 3, "mode": "max"}, "run": {"epochs": 40}, "metric": {"values": RISING}}),
}



def _hf(**section) -> dict:
    """A transformers: section of a 100-sample set, one sample per batch (100 optimizer steps per epoch)."""
    return {"transformers": {"dataset_size": 100, "per_device_train_batch_size": 1, **section}}


def _hf_plateau(**section) -> dict:
    return {**_hf(lr_scheduler_type="reduce_lr_on_plateau", eval_strategy="epoch", num_train_epochs=10, **section), "metric": {"synthetic": True}}


def _hf_schedule(kind: str, iterations: int = 100, groups: list | None = None, **keywords) -> dict:
    config = {"scheduler": {"type": f"transformers.{kind}", **keywords}, "run": {"iterations": iterations}}
    if groups:
        config["optimizer"] = {"lr": groups}
    return config


# the transformers family's rules, in the same form
CASES.update({
    "HF101": (_hf(lr_scheduler_type="constant", warmup_steps=10), "ignores warmup_steps for constant",
              _hf(lr_scheduler_type="constant_with_warmup", warmup_steps=10)),
    "HF102": (_hf_plateau(warmup_steps=10), "ignores warmup_steps for reduce_lr_on_plateau", _hf_plateau()),
    "HF103": (_hf(lr_scheduler_type="constant_with_warmup", warmup_steps=10, lr_scheduler_kwargs={"num_cycles": 2}), "ignores lr_scheduler_kwargs",
              _hf(lr_scheduler_type="constant_with_warmup", warmup_steps=10)),
    "HF104": (_hf(warmup_steps=2.7), "int() truncates", _hf(warmup_steps=3)),
    "HF105": (_hf(num_train_epochs=0.07), "is 7.000000000000001 in floating point", _hf(num_train_epochs=0.05)),
    "HF106": (_hf(max_steps=20, num_train_epochs=3), "max_steps overrides num_train_epochs", _hf(max_steps=20)),
    "HF107": (_hf(devices=4), "each of the 4 devices counts its own batches", _hf()),
    "HF108": (_hf_plateau(metric_for_best_model="accuracy"), "set lr_scheduler_kwargs mode: max",
              _hf_plateau(metric_for_best_model="accuracy", lr_scheduler_kwargs={"mode": "max"})),
    "HF109": (_hf(fp16=True), "GradScaler skips", _hf()),
    "HF201": ({"scheduler": {"type": "transformers.linear", "num_warmup_steps": 2}, "run": {"epochs": 10, "step": "epoch"}}, "count epochs",
              {"scheduler": {"type": "transformers.linear", "num_warmup_steps": 2}, "run": {"epochs": 10, "steps_per_epoch": 1, "step": "iteration"}}),
    "HF202": (_hf_schedule("linear", num_warmup_steps=100), "never reaches its peak", _hf_schedule("linear", num_warmup_steps=10)),
    "HF203": (_hf_schedule("warmup_stable_decay", num_warmup_steps=60, num_decay_steps=60), "the decay starts inside the warmup",
              _hf_schedule("warmup_stable_decay", num_warmup_steps=20, num_decay_steps=20)),
    "HF204": (_hf_schedule("linear", num_warmup_steps=10), "one past the last optimizer step",
              _hf_schedule("linear", num_warmup_steps=10, num_training_steps=120)),
    "HF205": (_hf_schedule("cosine", num_warmup_steps=10, num_training_steps=50), "past it the cosine rises again",
              _hf_schedule("cosine", num_warmup_steps=10)),
    "HF206": (_hf_schedule("cosine_warmup_with_min_lr", num_warmup_steps=10, min_lr_rate=0.1), "starts at 1/10 of the lr",
              _hf_schedule("cosine_warmup_with_min_lr", num_warmup_steps=10, min_lr_rate=0.1, warmup_lr_rate=0.0)),
    "HF207": (_hf_schedule("polynomial", num_warmup_steps=10, groups=[0.01, 0.1]), "reads lr_end against the optimizer's default lr",
              _hf_schedule("polynomial", num_warmup_steps=10)),
    "HF208": ({**_hf_schedule("greedy", min_lr=0.5), "metric": {"synthetic": True}}, "it can never lower the lr",
              {**_hf_schedule("greedy", min_lr=0.001), "metric": {"synthetic": True}}),
})


def _timm(kind: str, epochs: int = 50, metric: bool = False, **keywords) -> dict:
    config = {"scheduler": {"type": f"timm.{kind}", **keywords}, "run": {"epochs": epochs}}
    return {**config, "metric": {"synthetic": True}} if metric else config


# and timm's
CASES.update({
    "TM101": (_timm("cosine", epochs=10, warmup_t=20), "the lr never leaves it", _timm("cosine", epochs=10, warmup_t=5)),
    "TM201": (_timm("cosine", t_initial=50, warmup_t=5, warmup_prefix=True), "never reaches lr_min",
              _timm("cosine", t_initial=45, warmup_t=5, warmup_prefix=True)),
    "TM202": (_timm("cosine", t_initial=30), "the lr stays at lr_min", _timm("cosine")),
    "TM203": (_timm("cosine", t_initial=5000), "a length in updates needs t_in_epochs: false", _timm("cosine", t_initial=50)),
    "TM204": (_timm("cosine", epochs=20, t_initial=20, warmup_t=5), "without warmup_prefix the decay runs under the warmup",
              _timm("cosine", epochs=20, t_initial=15, warmup_t=5, warmup_prefix=True)),
    "TM205": (_timm("wsd", epochs=20, decay_t=4), "WSD reaches lr_min one step after its last", _timm("wsd", epochs=20, t_initial=15, decay_t=4)),
    "TM301": (_timm("multistep", epochs=20, decay_t=[10]), "one epoch earlier than torch's MultiStepLR", _timm("step", epochs=20, decay_t=10)),
    "TM302": (_timm("cosine", epochs=20, noise_range_t=5), "seed 43 repeats it one epoch earlier", _timm("cosine", epochs=20)),
    "TM303": (_timm("plateau", epochs=20, metric=True, warmup_t=3), "patience counts from epoch 4", _timm("plateau", epochs=20, metric=True)),
    "TM304": (_timm("plateau", epochs=20, metric=True), "deprecated in timm 1.0.31", _timm("cosine", epochs=20)),
})


def _yolo(**section) -> dict:
    """A `yolo:` section of 300 images (19 batches per epoch of 16) over 10 epochs."""
    return {"yolo": {"epochs": 10, "dataset_size": 300, "nc": 3, **section}}


CASES.update({
    "YL101": (_yolo(lr0=0.02), "optimizer: auto ignores lr0 0.02", _yolo(lr0=0.02, optimizer="SGD")),
    "YL102": (_yolo(epochs=5, dataset_size=100, version="8.4.102"), "the whole run (the warmup lasts at least 101 batches",
              _yolo(epochs=50, dataset_size=100, version="8.4.102")),
    "YL103": (_yolo(optimizer="SGD", version="8.4.150", warmup_epochs=2.5), "batches 48-56 keep the last warm batch's lr",
              _yolo(optimizer="SGD", version="8.4.190", warmup_epochs=2.5)),
    "YL104": (_yolo(optimizer="SGD", version="8.4.2"), "warm the first param group (weight) down from warmup_bias_lr",
              _yolo(optimizer="SGD", version="8.4.3")),
    "YL201": (_yolo(), "picks the optimizer and its lr (0.001429)", _yolo(optimizer="SGD")),
    "YL202": (_yolo(epochs=300, dataset_size=118287, batch=64), "moves every group's momentum to momentum 0.937",
              _yolo(epochs=300, dataset_size=118287, batch=64, momentum=0.9)),
    "YL203": (_yolo(code="yolov5"), "epoch e trains at lf(e - 1)", _yolo(optimizer="SGD")),
})


def _d2(**solver) -> dict:
    return {"detectron2": {"MAX_ITER": 9000, "STEPS": [6000, 8000], "WARMUP_ITERS": 100, **solver}}


def _d2_warmup(inner: dict, **keywords) -> dict:
    return {"scheduler": {"type": "detectron2.WarmupParamScheduler", "scheduler": inner, "warmup_factor": 0.001, "warmup_length": 0.1,
                          **keywords}, "run": {"iterations": 100}}


_MULTI = {"type": "detectron2.MultiStepParamScheduler", "values": [1.0, 0.1], "milestones": [50], "num_updates": 100}
_COSINE = {"type": "detectron2.CosineParamScheduler", "start_value": 1.0, "end_value": 0.0}

# and detectron2's
CASES.update({
    "D2101": (_d2(STEPS=[6000, 8000, 12000]), "build_lr_scheduler drops them", _d2()),
    "D2102": (_d2(STEPS=[8, 11]), "counts STEPS in iterations, not epochs", _d2()),
    "D2103": (_d2(WARMUP_ITERS=9000), "the warmup covers the whole run", _d2()),
    "D2104": (_d2(WARMUP_ITERS=7000), "the lr never reaches BASE_LR", _d2(WARMUP_ITERS=5000)),
    "D2105": (_d2(LR_SCHEDULER_NAME="WarmupStepWithFixedGammaLR"), "raises IndexError", _d2()),
    "D2106": (_d2(LR_SCHEDULER_NAME="WarmupCosineLR", BASE_LR_END=0.0001, BASE_LR=0.01, IMS_PER_BATCH=16, REFERENCE_WORLD_SIZE=8,
                  WORLD_SIZE=4), "but not BASE_LR_END",
              _d2(LR_SCHEDULER_NAME="WarmupCosineLR", BASE_LR=0.01, IMS_PER_BATCH=16, REFERENCE_WORLD_SIZE=8, WORLD_SIZE=4)),
    "D2107": ({"scheduler": {"type": "detectron2.WarmupCosineLR", "max_iters": 50, "warmup_iters": 5}, "run": {"iterations": 100}},
              "the lr rises again", {"scheduler": {"type": "detectron2.WarmupCosineLR", "warmup_iters": 5}, "run": {"iterations": 100}}),
    "D2301": (_d2_warmup(_COSINE), "not to x1", _d2_warmup(_COSINE, rescale_interval=True)),
    "D2302": ({"scheduler": _MULTI, "run": {"iterations": 60}}, "lands at iteration 30", {"scheduler": _MULTI, "run": {"iterations": 100}}),
    "D2303": (_d2(IMS_PER_BATCH=16, REFERENCE_WORLD_SIZE=8), "--devices N shows", _d2(IMS_PER_BATCH=16, REFERENCE_WORLD_SIZE=8, WORLD_SIZE=8)),
    "D2304": ({"scheduler": {"type": "detectron2.WarmupCosineLR", "warmup_iters": 5}, "run": {"iterations": 100}}, "the legacy WarmupCosineLR class",
              _d2(LR_SCHEDULER_NAME="WarmupCosineLR")),
})


def _mm(*schedulers: dict, grad_accum: int = 1, **run) -> dict:
    """An mmengine: section of a 12-epoch run of 100 iterations (or an IterBasedTrainLoop with `iterations`)."""
    loop = {"type": "IterBasedTrainLoop", "max_iters": run["iterations"]} if "iterations" in run else {"type": "EpochBasedTrainLoop", "max_epochs": 12}
    return {"mmengine": {"param_scheduler": list(schedulers), "train_cfg": loop, "epoch_length": 100,
                         "optim_wrapper": {"optimizer": {"type": "SGD", "lr": 0.02}, "accumulative_counts": grad_accum}}}


_WARMUP = {"type": "LinearLR", "start_factor": 0.001, "by_epoch": False, "end": 50}
# and mmengine's
CASES.update({
    "MM101": (_mm({"type": "MultiStepLR", "milestones": [8], "end": 20}), "past the run's 12 epochs", _mm({"type": "MultiStepLR", "milestones": [8]})),
    "MM102": (_mm({"type": "LinearLR", "by_epoch": False, "end": 12}), "end 12 counts iterations", _mm({"type": "LinearLR", "end": 12})),
    "MM103": (_mm(_WARMUP, {"type": "MultiStepLR", "milestones": [1]}, iterations=300), "never changes the lr", _mm(_WARMUP, iterations=300)),
    "MM104": (_mm({**_WARMUP, "end": 5000}), "longer than the run", _mm(_WARMUP)),
    "MM201": (_mm({**_WARMUP, "end": 300}, {"type": "ExponentialLR", "gamma": 0.9}), "the warmup ends below the lr it aims at",
              _mm({**_WARMUP, "end": 100}, {"type": "ExponentialLR", "gamma": 0.9})),
    "MM202": (_mm({"type": "MultiStepLR", "milestones": [4, 12], "begin": 2, "end": 12}), "so they never apply",
              _mm({"type": "MultiStepLR", "milestones": [4, 8], "begin": 2, "end": 12})),
    "MM203": (_mm(_WARMUP, grad_accum=4), "the schedulers count iterations", _mm(_WARMUP)),
    "MM301": (_mm({"type": "CosineAnnealingLR", "eta_min": 0.0}), "one short of eta_min", _mm({"type": "CosineAnnealingLR", "eta_min": 0.0, "T_max": 11})),
    "MM302": (_mm(_WARMUP), "(end - 1): end is exclusive", _mm({"type": "MultiStepLR", "milestones": [8]})),
    "MM303": (_mm({"type": "MultiStepLR", "milestones": [4], "begin": 2}), "counts its milestones from begin 2", _mm({"type": "MultiStepLR", "milestones": [4]})),
})


def _ds(name: str, steps: int = 60, betas: bool = False, **keywords) -> dict:
    optimizer = {"lr": 0.01, **({"betas": [0.9, 0.999]} if betas else {})}
    return {"optimizer": optimizer, "run": {"iterations": steps}, "scheduler": {"type": f"deepspeed.{name}", **keywords}}


def _ds_hf(ds: dict, **args) -> dict:
    return {"transformers": {"learning_rate": 1e-3, "num_train_epochs": 1, "per_device_train_batch_size": 4, "dataset_size": 200, **args},
            "deepspeed": ds}


def _mg(**args) -> dict:
    return {"megatron": {"lr": 3e-4, "min-lr": 3e-5, "train-iters": 300, "global-batch-size": 8, "lr-warmup-iters": 20, **args}}


def _tt(steps: int = 100, **lr_scheduler) -> dict:
    return {"torchtitan": {"lr_scheduler": lr_scheduler, "training": {"steps": steps}, "optimizer": {"lr": 1e-3}}}


_DECAY_AUTO = {"scheduler": {"type": "WarmupDecayLR", "params": {"warmup_min_lr": "auto", "warmup_max_lr": "auto", "warmup_num_steps": "auto",
                                                                  "total_num_steps": "auto"}}}

# and DeepSpeed's, Megatron's and torchtitan's
CASES.update({
    "DS101": (_ds_hf(_DECAY_AUTO, lr_scheduler_type="cosine"), "replaces the Trainer's lr_scheduler_type 'cosine'",
              _ds_hf({"zero_optimization": {"stage": 2}}, lr_scheduler_type="cosine")),
    "DS102": (_ds("WarmupDecayLR", warmup_num_steps=10), "defaults to 0.001, not the optimizer's lr (0.01)",
              _ds("WarmupDecayLR", warmup_num_steps=10, warmup_max_lr=0.01)),
    "DS103": (_ds("WarmupLR", warmup_num_steps=16), "half-way up after 4 of its 16 steps", _ds("WarmupLR", warmup_num_steps=16, warmup_type="linear")),
    "DS104": (_ds_hf(_DECAY_AUTO), "with no warmup the Trainer fills warmup_num_steps with max(1, 0) = 1",
              _ds("WarmupLR", warmup_num_steps=10, warmup_min_lr=0.001)),
    "DS105": (_ds("WarmupCosineLR", warmup_num_steps=10, warmup_min_ratio=0.1), "whatever warmup_min_ratio (0.1) says",
              _ds("WarmupCosineLR", warmup_num_steps=10)),
    "DS106": (_ds("WarmupDecayLR", warmup_num_steps=50, warmup_max_lr=0.01, total_num_steps=30), "is less than warmup_num_steps",
              _ds("WarmupDecayLR", warmup_num_steps=10, warmup_max_lr=0.01)),
    "DS107": ({"deepspeed": {"fp16": {"enabled": True}, "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}}, "steps": 40}},
              "each skipped step holds the schedule back",
              {"deepspeed": {"fp16": {"enabled": True}, "scheduler": {"type": "WarmupLR", "params": {"warmup_num_steps": 10}}, "steps": 40,
                             "skipped_steps": [0, 1]}}),
    "DS108": (_ds("OneCycle", betas=True, cycle_min_lr=0.001, cycle_max_lr=0.01, cycle_first_step_size=20), "beta2 becomes 0.99",
              _ds("OneCycle", betas=True, cycle_min_lr=0.001, cycle_max_lr=0.01, cycle_first_step_size=20, cycle_momentum=False)),
    "DS109": (_ds("OneCycle", cycle_min_lr=0.001, cycle_max_lr=0.01, cycle_first_step_size=20), "the lr stays at cycle_min_lr",
              _ds("OneCycle", cycle_min_lr=0.001, cycle_max_lr=0.01, cycle_first_step_size=20, decay_step_size=5, decay_lr_rate=0.1)),
    "MG101": (_mg(**{"lr-decay-iters": 280}), "the last 20 iterations train at min-lr 3e-05 (lr-decay-iters is train-iters minus the warmup",
              _mg()),
    "MG102": (_mg(**{"lr-decay-iters": 400}), "the lr never reaches min-lr", _mg()),
    "MG103": (_mg(**{"lr-warmup-iters": 0, "lr-warmup-fraction": 0.1, "lr-decay-iters": 200}), "a fraction of the decay span (200 iterations)",
              _mg(**{"lr-warmup-iters": 0, "lr-warmup-fraction": 0.1})),
    "MG104": ({"megatron": {"lr": 1e-3, "train-samples": 100000, "global-batch-size": 256, "lr-warmup-samples": 6000, "rampup-batch-size": [32, 32, 40000]}},
              "lasts 184 iterations, not 23",
              {"megatron": {"lr": 1e-3, "train-samples": 100000, "global-batch-size": 256, "lr-warmup-samples": 6000}}),
    "MG105": (_mg(**{"lr-decay-style": "WSD", "lr-wsd-decay-iters": 50}), "anneals with lr-wsd-decay-style exponential",
              _mg(**{"lr-decay-style": "WSD", "lr-wsd-decay-iters": 50, "lr-wsd-decay-style": "exponential"})),
    "MG106": (_mg(**{"lr-decay-style": "WSD", "lr-wsd-decay-iters": 290, "lr-wsd-decay-style": "linear"}), "starts inside the warmup",
              _mg(**{"lr-decay-style": "WSD", "lr-wsd-decay-iters": 50, "lr-wsd-decay-style": "linear"})),
    "MG107": (_mg(fp16=True), "do not step the scheduler", _mg(bf16=True)),
    "TT101": (_tt(warmup_steps=500), "cuts the warmup to the whole run", _tt(warmup_steps=50)),
    "TT102": (_tt(warmup_steps=60, decay_ratio=0.8), "shortens the decay to 40 steps", _tt(warmup_steps=10, decay_ratio=0.8)),
    "TT103": (_tt(warmup_steps=10, total_steps=80), "below 0 for linear and sqrt", _tt(warmup_steps=10, total_steps=100)),
    "TT104": (_tt(warmup_steps=10), "starts at 1/10 of the lr", _tt(warmup_steps=0)),
    "TT105": (_tt(warmup_steps=10, decay_type="cosine"), "adds a virtual last step", _tt(warmup_steps=10, decay_ratio=0.0)),
    "TT106": (_tt(warmup_steps=10), "the decay starts right after the warmup", _tt(warmup_steps=10, decay_ratio=0.5)),
})


def _kr(iterations: int = 1000, **scheduler) -> dict:
    return {"scheduler": {"type": "keras.CosineDecay", "initial_learning_rate": 0.1, **scheduler}, "run": {"iterations": iterations}}


def _ox(kind: str, iterations: int = 1000, **scheduler) -> dict:
    return {"scheduler": {"type": f"optax.{kind}", **scheduler}, "run": {"iterations": iterations}}


_WARM = {"init_value": 0.0, "peak_value": 0.1, "warmup_steps": 50}
_HALVES = {"type": "keras.PiecewiseConstantDecay", "boundaries": [10], "values": [0.5, 0.25]}
CASES.update({
    "KR101": (_kr(initial_learning_rate=0.0, warmup_target=0.1, warmup_steps=50, decay_steps=1000), "past the run's 1,000 steps",
              _kr(initial_learning_rate=0.0, warmup_target=0.1, warmup_steps=50, decay_steps=950)),
    "KR102": (_kr(decay_steps=500), "500 steps before the run does", _kr(decay_steps=1000)),
    "KR103": (_kr(warmup_steps=50), "Keras ignores warmup_steps without warmup_target", _kr(warmup_steps=50, warmup_target=0.2)),
    "KR301": ({"scheduler": _HALVES, "run": {"iterations": 20}}, "changes at steps [11]", _kr()),
    "KR302": (_kr(), "float32 moves the lr by at most", {"scheduler": _HALVES, "run": {"iterations": 20}}),
    "OX101": (_ox("warmup_cosine_decay_schedule", decay_steps=950, **_WARM), "optax counts decay_steps from 0",
              _ox("warmup_cosine_decay_schedule", decay_steps=1000, **_WARM)),
    "OX102": (_ox("cosine_decay_schedule", init_value=0.1, decay_steps=500), "500 before the run does", _ox("cosine_decay_schedule", init_value=0.1)),
    "OX103": (_ox("linear_schedule", init_value=0.1, end_value=0.0, transition_steps=0), "only logs it",
              _ox("linear_schedule", init_value=0.1, end_value=0.0)),
    "OX104": (_ox("linear_onecycle_schedule", 10, peak_value=0.1, transition_steps=1), "keeps only the last",
              _ox("linear_onecycle_schedule", peak_value=0.1)),
    "OX301": (_ox("join_schedules", schedules=[{"type": "optax.constant_schedule", "value": 0.1}, {"type": "optax.constant_schedule", "value": 0.5}],
                  boundaries=[10]), "counts from 0 again", _ox("constant_schedule", value=0.5)),
    "OX302": (_ox("cosine_decay_schedule", init_value=0.1), "float32 moves the lr", _ox("constant_schedule", value=0.5)),
})


_NANOGPT = str(Path(__file__).parent / "fixtures" / "code" / "nanogpt" / "train.py") + ":get_lr"
_MOCO = str(Path(__file__).parent / "fixtures" / "code" / "moco" / "main_moco.py") + ":adjust_learning_rate"

# the rules on counting steps and on warmups from 0, and the user code family's
CASES.update({
    "PT103": ({"scheduler": {"type": "LambdaLR", "lr_lambda": "step / 500 if step < 500 else 1.0"}, "run": {"epochs": 12, "steps_per_epoch": 400}},
              "did you mean run.step: iteration",
              {"scheduler": {"type": "LambdaLR", "lr_lambda": "step / 500 if step < 500 else 1.0"},
               "run": {"epochs": 12, "steps_per_epoch": 400, "step": "iteration"}}),
    "LR105": (_hf_schedule("linear", num_warmup_steps=10), "no TrainingArguments field changes it",
              {"scheduler": {"type": "LambdaLR", "lr_lambda": "min(1.0, (epoch + 1) / 5)"}, "run": {"epochs": 10}}),
    "UC101": ({"scheduler": {"type": "code", "function": _NANOGPT, "when": "epoch_start", "call": "get_lr(epoch)"}, "run": {"epochs": 12, "steps_per_epoch": 500}},
              "written for per-iteration calls",
              {"scheduler": {"type": "code", "function": _NANOGPT, "when": "iteration"}, "run": {"epochs": 12, "steps_per_epoch": 500, "step": "iteration"}}),
    "UC102": ({"scheduler": {"type": "code", "function": _MOCO, "set": "cos=true"}, "run": {"epochs": 100}}, "reads args.epochs, which is 200",
              {"scheduler": {"type": "code", "function": _MOCO, "set": "cos=true,epochs=100"}, "run": {"epochs": 100}}),
})


def _found(config: dict) -> list[check.Finding]:
    spec = load(config)
    try:
        subject = Subject(spec, lrplot.simulate(spec))
    except TorchWouldRaise as exc:
        subject = Subject(spec, None, exc)
    return findings(subject)


def test_every_rule_has_a_case():
    assert set(CASES) == {r.code for r in check.rules()}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_finds_its_pitfall(code):
    config, words, _ = CASES[code]
    found = [f for f in _found(config) if f.code == code]
    assert len(found) >= 1, f"{code} found nothing in {config}: {_found(config)}"
    assert words in found[0].message, found[0].message
    rule = next(r for r in check.rules() if r.code == code)
    assert found[0].severity == rule.severity


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_is_quiet_without_it(code):
    _, _, clean = CASES[code]
    assert [f for f in _found(clean) if f.code == code] == []


def test_rules_are_data_with_stable_unique_codes():
    codes = [r.code for r in check.rules()]
    assert len(codes) == len(set(codes))
    for r in check.rules():
        assert r.severity in pitfalls.SEVERITIES and r.summary and r.name == r.name.lower()
        assert r.code[:2] in ("LR", "PT", "HF", "TM", "YL", "D2", "MM", "DS", "MG", "TT", "KR", "OX", "UC")


def test_field_names_the_config_path():
    (f,) = [f for f in _found(CASES["PT203"][0]) if f.code == "PT203"]
    assert f.field == "scheduler.T_max" and "set T_max to 100" in f.message
    (f,) = [f for f in _found({"scheduler": {"type": "SequentialLR", "milestones": [5], "schedulers": [
        {"type": "LinearLR", "start_factor": 0.1, "total_iters": 5}, {"type": "CosineAnnealingLR", "T_max": 20}]},
        "run": {"epochs": 100}}) if f.code == "PT203"]
    assert f.field == "scheduler.schedulers[1].T_max" and "its 95 epochs of the run" in f.message


def test_freezing_a_group_at_lr_0_is_not_a_warmup_from_0():
    assert not [f for f in _found(yaml.safe_load((CONFIGS / "freeze-backbone-then-unfreeze.yaml").read_text())) if f.code.startswith("LR1")]


def test_library_raising_is_reported_once_when_a_rule_names_it():
    codes = [f.code for f in _found(CASES["PT201"][0])]
    assert codes == ["PT201"]


def test_explain_notes_are_the_findings():
    from lrplot.explain import explain

    text = explain(lrplot.simulate(CASES["PT203"][0]))
    (message,) = [f.message for f in _found(CASES["PT203"][0]) if f.code == "PT203"]
    assert f"note: {message} (PT203)" in text


# ----------------------------------------------------------------------------------------------
# The command


def run(*args):
    return CliRunner().invoke(cli, ["check", *args], catch_exceptions=False)


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "clean.yaml").write_text(yaml.safe_dump(CASES["PT204"][2]))
    (tmp_path / "warns.yaml").write_text(yaml.safe_dump(CASES["PT204"][0]))
    return tmp_path


def test_check_prints_path_code_message_lines(folder):
    result = run(str(folder))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{folder / 'warns.yaml'}: PT204 MultiStepLR's milestone 120 is never reached")
    assert lines[-1] == "1 finding (0 errors, 1 warning) in 1 of 2 configs"


def test_strict_fails_on_warnings_and_ignore_skips_rules(folder):
    assert run("--strict", str(folder)).exit_code == 1
    result = run("--strict", "--ignore", "PT204", str(folder))
    assert result.exit_code == 0 and result.output == "2 configs checked: no findings\n"
    assert run("--strict", "--ignore", "PT2", str(folder)).exit_code == 0  # a prefix ignores a family of codes


def test_errors_fail_without_strict(tmp_path):
    (tmp_path / "raises.yaml").write_text(yaml.safe_dump(CASES["PT201"][0]))
    result = run(str(tmp_path))
    assert result.exit_code == 1 and "PT201" in result.output


def test_a_config_torch_rejects_when_built_is_a_finding(tmp_path):
    config = {"scheduler": {"type": "SequentialLR", "milestones": [5, 10], "schedulers": [{"type": "StepLR", "step_size": 3}, "cosine"]}}
    (tmp_path / "seq.yaml").write_text(yaml.safe_dump(config))
    result = run(str(tmp_path / "seq.yaml"))
    assert result.exit_code == 1 and ": LR001 2 milestones for 2 schedulers" in result.output


def test_bad_input_exits_2_and_the_rest_is_still_checked(folder):
    (folder / "typo.yaml").write_text("scheduler: {type: StepLR, stepsize: 10}\n")
    result = run(str(folder))
    assert result.exit_code == 2
    assert f"{folder / 'typo.yaml'}: invalid config: scheduler.stepsize: StepLR has no option 'stepsize' (did you mean 'step_size'?)" in result.output
    assert "PT204" in result.output
    assert run(str(folder / "missing.yaml")).exit_code == 2
    assert run().exit_code == 2
    result = run("--ignore", "PT999", str(folder))
    assert result.exit_code == 2 and "no rule has the code 'PT999'" in result.output


def test_json_for_tools(folder):
    result = run("--format", "json", str(folder))
    doc = json.loads(result.output)
    (f,) = doc["findings"]
    assert f == {"file": str(folder / "warns.yaml"), "code": "PT204", "rule": "milestone-unreached", "severity": "warning",
                 "field": "scheduler.milestones[1]", "message": f["message"]}
    assert doc["invalid"] == []


def test_list_shows_every_rule():
    result = run("--list")
    assert result.exit_code == 0
    for r in check.rules():
        assert r.code in result.output and r.name in result.output


def test_the_repository_recipes_pass():
    # every recipe is a schedule copied from a real project; only warmups from lr 0 are noted, detectron2's own
    # balloon tutorial, whose default warmup outlasts its 300 iterations, and the LLM stacks' traps their recipes
    # show on purpose (a ds_config scheduler replacing the Trainer's, DeepSpeed's two steps at 0, the flat tail
    # of Megatron's GPT-3 decay span)
    report = check.check_paths([str(CONFIGS)])
    assert report.exit_code(strict=False) == 0
    found = {(Path(p).name, f.code) for p, f in report.all_findings}
    assert {code for _, code in found} == {"LR101", "D2103", "DS101", "DS104", "MG101"}
    assert ("bert-finetune-linear-warmup-decay.yaml", "LR101") in found
    assert {(name, code) for name, code in found if code != "LR101"} == {
        ("detectron2-balloon-tutorial.yaml", "D2103"), ("deepspeed-trainer-warmupdecay-auto.yaml", "DS101"),
        ("deepspeed-trainer-warmupdecay-auto.yaml", "DS104"), ("compare-llm-deepspeed.yaml", "DS104"), ("megatron-gpt-wsd.yaml", "MG101")}


def test_check_never_imports_matplotlib():
    code = "import sys; from lrplot.cli import main; sys.argv = ['lrplot', 'check', %r]\ntry:\n    main()\nexcept SystemExit:\n    pass\nprint('matplotlib' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code % str(CONFIGS / "warmup-cosine.yaml")], capture_output=True, text=True, cwd=ROOT)
    assert proc.stdout.splitlines()[-1] == "False", proc.stdout + proc.stderr


def test_pre_commit_hook_and_action_run_check():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "lrplot-check" and hook["entry"] == "lrplot check" and hook["language"] == "python"
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    (step,) = [s for s in action["runs"]["steps"] if s.get("name") == "lrplot check"]  # tests/test_action.py runs it
    assert step["env"] == {"LRPLOT_PATHS": "${{ inputs.paths }}", "LRPLOT_ARGS": "${{ inputs.args }}"}
    assert step["run"].splitlines()[-1] == "lrplot check $LRPLOT_ARGS $LRPLOT_PATHS"


def test_plan_flags_complete_a_frameworks_own_file():
    # an OpenMMLab config holds no dataset size: the plan options give it, as for plot and explain
    config = str(ROOT / "tests" / "fixtures" / "mmengine" / "mmdetection" / "configs" / "faster_rcnn" / "faster-rcnn_r50_fpn_1x_coco.py")
    bare = CliRunner().invoke(cli, ["check", config])
    assert bare.exit_code == 2 and "mmengine.dataset_size: missing" in bare.output
    planned = CliRunner().invoke(cli, ["check", config, "--dataset-size", "117266", "--devices", "8"])
    assert planned.exit_code == 0 and "1 config checked: no findings" in planned.output


def test_a_clamped_warmup_ramp_stepped_per_epoch_is_found(tmp_path):
    # `min(1.0, ramp / 500)` is a warmup of 500 steps as much as `... if step < 500 else 1.0` is (mmdetection's run: 12 epochs of COCO)
    run = {"epochs": 12, "dataset_size": 118287, "batch_size": 2, "devices": 8}
    lam = {"optimizer": {"lr": 0.02, "momentum": 0.9}, "run": run,
           "scheduler": {"type": "LambdaLR", "lr_lambda": "min(1.0, 0.001 + (1 - 0.001) * step / 500)"}}
    assert [f.code for f in _found(lam)] == ["PT103"]
    assert [f for f in _found({**lam, "run": {**run, "step": "iteration"}}) if f.code == "PT103"] == []
    (tmp_path / "lam5.py").write_text("def warm(step):\n    return min(1.0, (step + 1) / 500)\n")
    code = {"optimizer": {"lr": 0.02}, "run": {"epochs": 12, "steps_per_epoch": 7393, "step": "epoch"},
            "scheduler": {"type": "code", "function": str(tmp_path / "lam5.py") + ":warm", "returns": "factor"}}
    assert "UC101" in [f.code for f in _found(code)]
