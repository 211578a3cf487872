"""The YOLO code that trains a config's schedule: an ultralytics ``model.train(...)`` call, or a YOLOv5 hyp file and command.

Only the hyperparameters the schedule reads are written (every one the config set, and the lengths
lrplot filled); the model and the data are the user's. The batches per epoch are not a
hyperparameter: the trainer counts them from the dataset and the batch, which the comments say.
"""

from __future__ import annotations

from typing import Any

from ...config import Spec
from .section import PLAN_KEYS, read_args

# the section's keys that are YOLOv5 train.py flags rather than hyp-file keys
_V5_FLAGS = {"epochs": "--epochs", "batch": "--batch-size", "cos_lr": "--cos-lr", "optimizer": "--optimizer", "data": "--data"}
_HYP = ("lr0", "lrf", "momentum", "weight_decay", "warmup_epochs", "warmup_momentum", "warmup_bias_lr")


def code(spec: Spec) -> str:
    section = spec.source.get("yolo")
    if section is not None:
        args = read_args(section, "yolo")
        given = {k: v for k, v in section.items() if k not in PLAN_KEYS}
        where = _where(spec, args["dataset_size"], args["devices"], args["nc"])
        if args["code"] == "yolov5":
            return _yolov5(given, where)
        return _ultralytics(given, args["version"], args["devices"], where)
    p = spec.scheduler.params
    keys = {k: p[k] for k in ("lrf", "cos_lr", "warmup_epochs", "warmup_momentum", "warmup_bias_lr", "momentum")}
    keys = {"epochs": spec.run.epochs, "lr0": spec.optimizer.groups[-1].lr, **keys}
    where = f"# lrplot drew {spec.run.steps_per_epoch:,} batches per epoch: len(train_loader) for your images and batch"
    if spec.scheduler.type == "yolo.yolov5":
        return _yolov5(keys, where)
    version = {"min100": "8.4.102", "strict": "8.4.182"}.get(p["warmup_rule"], "8.4.190")
    if p["bias_group"] == "first":
        version = "8.4.2"
    return _ultralytics({**keys, "optimizer": "SGD"}, version, 1, where)


def _where(spec: Spec, images: int, devices: int, nc: int | None) -> str:
    on = f" on {devices} devices" if devices > 1 else ""
    classes = f" of {nc} classes" if nc is not None else ""
    return f"# lrplot drew {images:,} training images{classes}{on}: {spec.run.steps_per_epoch:,} batches per epoch, {spec.run.epochs} epochs"


def _ultralytics(given: dict[str, Any], version: str, devices: int, where: str) -> str:
    lines = [f"# ultralytics=={version}", "from ultralytics import YOLO", "", "model = YOLO(\"yolo26n.pt\")  # your model", where,
             "model.train("]
    if "data" not in given:
        lines.append('    data="data.yaml",  # your dataset')
    lines += [f"    {key}={_literal(value)}," for key, value in given.items()]
    if devices > 1:
        lines.append(f"    device={list(range(devices))!r},  # {devices} GPUs (DDP)")
    lines.append(")")
    return "\n".join(lines) + "\n"


def _yolov5(given: dict[str, Any], where: str) -> str:
    hyp = {k: given[k] for k in _HYP if k in given}
    flags = [f"{flag} {given[k]}" if k != "cos_lr" else flag for k, flag in _V5_FLAGS.items() if k in given and given[k] is not False]
    lines = ["# hyp.lrplot.yaml: YOLOv5 hyperparameters (the others as in data/hyps/hyp.scratch-low.yaml)"]
    lines += [f"{key}: {value!r}" for key, value in hyp.items()]
    lines += ["", where, f"# python train.py --hyp hyp.lrplot.yaml {' '.join(flags)}".rstrip()]
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
