"""The YOLO code that trains a config's schedule: an ultralytics ``model.train(...)`` call, or a YOLOv5 hyp file and command.

Only the hyperparameters the schedule reads are written (every one the config set, and the lengths
lrplot filled); the model and the data are the user's. The batches per epoch are not a
hyperparameter: the trainer counts them from the dataset and the batch, which the comments say.
"""

from __future__ import annotations

from typing import Any

from ...config import Spec
from .section import PLAN_KEYS, V5_FLAGS, read_args

# Every key of YOLOv5's data/hyps/hyp.scratch-low.yaml at commit 5081342f04fb287fc2e5f2b5a4e06752b7937b1c, with
# its values: train.py reads them all (hyp["box"], hyp["anchor_t"], the augmentations), so a hyp file must hold them.
YOLOV5_HYP = (
    ("lr0", 0.01), ("lrf", 0.01), ("momentum", 0.937), ("weight_decay", 0.0005), ("warmup_epochs", 3.0), ("warmup_momentum", 0.8),
    ("warmup_bias_lr", 0.1), ("box", 0.05), ("cls", 0.5), ("cls_pw", 1.0), ("obj", 1.0), ("obj_pw", 1.0), ("iou_t", 0.2),
    ("anchor_t", 4.0), ("fl_gamma", 0.0), ("hsv_h", 0.015), ("hsv_s", 0.7), ("hsv_v", 0.4), ("degrees", 0.0), ("translate", 0.1),
    ("scale", 0.5), ("shear", 0.0), ("perspective", 0.0), ("flipud", 0.0), ("fliplr", 0.5), ("mosaic", 1.0), ("mixup", 0.0),
    ("copy_paste", 0.0),
)


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
    model = "yolo11n.pt" if version.startswith("8.3.") else "yolo26n.pt"
    lines = [f"# ultralytics=={version}", "from ultralytics import YOLO", "", f"model = YOLO(\"{model}\")  # your model", where,
             "model.train("]
    if "data" not in given:
        lines.append('    data="data.yaml",  # your dataset')
    lines += [f"    {key}={_literal(value)}," for key, value in given.items()]
    if devices > 1:
        lines.append(f"    device={list(range(devices))!r},  # {devices} GPUs (DDP)")
    lines.append(")")
    return "\n".join(lines) + "\n"


def _yolov5(given: dict[str, Any], where: str) -> str:
    flags = [f"{flag} {given[k]}" if k != "cos_lr" else flag for k, flag in V5_FLAGS.items() if k in given and given[k] is not False]
    lines = ["# hyp.lrplot.yaml: a whole YOLOv5 hyp file (train.py reads every key): the schedule's from this config, the",
             "# losses' and augmentations' as in data/hyps/hyp.scratch-low.yaml (YOLOv5 commit 5081342f); put in your own file's"]
    lines += [f"{key}: {given.get(key, default)!r}" for key, default in YOLOV5_HYP]
    lines += ["", where, f"# python train.py --hyp hyp.lrplot.yaml {' '.join(flags)}".rstrip()]
    return "\n".join(lines) + "\n"


def _literal(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)
