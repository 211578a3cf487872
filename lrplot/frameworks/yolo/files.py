"""YOLO's own files, read as they are: the ``args.yaml`` every ultralytics run writes, YOLOv5's ``hyp.*.yaml``
hyperparameter files and the ``opt.yaml`` a YOLOv5 run writes (its train.py arguments, hyp included).

- ultralytics' ``BaseTrainer`` saves ``vars(self.args)`` into ``runs/<task>/<name>/args.yaml`` before
  it trains: every key of ``cfg/default.yaml`` (``lr0``, ``lrf``, ``warmup_bias_lr``, ``nbs``, ...),
  the schedule's among them. The ultralytics version is not in it (8.4.190 is assumed: an lrplot YAML
  that ``include:``s the file sets ``yolo: {version: ...}``), nor the number of images (--dataset-size).
- YOLOv5's ``data/hyps/hyp.*.yaml`` hold the hyperparameters (``lr0`` ... ``warmup_bias_lr``, ``obj``,
  ``anchor_t``); epochs, batch size, ``--cos-lr`` and ``--optimizer`` are train.py's flags, at their
  defaults unless an lrplot YAML that includes the file sets them. ``opt.yaml`` holds those flags and
  the hyp dict.

Keys no other reader's file has decide: timm's train.py ``args.yaml`` has ``sched`` and ``opt``, and
neither ``lr0`` nor ``warmup_bias_lr``.
"""

from __future__ import annotations

from typing import Any

from ...errors import ConfigError
from ...sources import ConfigFile, SourceFile
from .section import ARGS, PLAN_KEYS

_ULTRALYTICS = ("lr0", "lrf", "warmup_bias_lr", "warmup_momentum", "nbs", "cos_lr")
_HYP = ("lr0", "lrf", "warmup_bias_lr", "obj", "anchor_t")
_OPT = ("hyp", "epochs", "batch_size", "cos_lr", "optimizer", "weights")
_HYP_KEYS = ("lr0", "lrf", "momentum", "weight_decay", "warmup_epochs", "warmup_momentum", "warmup_bias_lr")


def _has(data: Any, keys: tuple[str, ...]) -> bool:
    return isinstance(data, dict) and all(k in data for k in keys)


def claims(source: SourceFile) -> str | None:
    data = source.data
    if _has(data, _OPT) and isinstance(data["hyp"], dict):
        return "YOLOv5 train.py options (opt.yaml)"
    if _has(data, _HYP) and "nbs" not in data:
        return "YOLOv5 hyperparameters (hyp.yaml)"
    if _has(data, _ULTRALYTICS):
        return "ultralytics training arguments (args.yaml)"
    return None


def read(source: SourceFile) -> ConfigFile:
    data: dict[str, Any] = source.data
    what = claims(source)
    if what is not None and what.startswith("YOLOv5 train.py"):
        return _opt(source, data)
    if what is not None and what.startswith("YOLOv5"):
        section = {"code": "yolov5", **{k: data[k] for k in _HYP_KEYS if k in data}}
        lines = [f"  {len(section) - 1} of its {len(data)} hyperparameters make the schedule (the losses' and augmentations' do not); "
                 "epochs, batch and cos_lr are train.py's flags: their defaults unless the including YAML sets them"]
        return ConfigFile({"yolo": section}, "yolo", tuple(lines), (source.where,))
    if data.get("compile") not in (None, False):
        raise ConfigError(f"{source.where}: compile", f"is {data['compile']!r}: with torch.compile ultralytics drops a last partial batch "
                          "(drop_last), as its versions did differently; lrplot draws runs without compile")
    section = {k: data[k] for k in ARGS if k in data and k not in PLAN_KEYS and data[k] is not None}
    lines = [f"  {len(section)} of its {len(data)} arguments make the schedule; the ultralytics version is not in args.yaml "
             "(8.4.190 assumed; an lrplot YAML including it sets yolo.version), nor the number of images (--dataset-size)"]
    if data.get("resume"):
        lines.append(f"  the run resumed (resume {data['resume']!r}); lrplot draws it from its first epoch")
    config: dict[str, Any] = {"yolo": section}
    if data.get("name"):
        config["name"] = str(data["name"])
    return ConfigFile(config, "yolo", tuple(lines), (source.where,))


def _opt(source: SourceFile, data: dict[str, Any]) -> ConfigFile:
    hyp = data["hyp"]
    section: dict[str, Any] = {"code": "yolov5", **{k: hyp[k] for k in _HYP_KEYS if k in hyp}}
    for key, flag in (("epochs", "epochs"), ("batch_size", "batch"), ("cos_lr", "cos_lr"), ("optimizer", "optimizer"), ("data", "data")):
        if data.get(key) is not None:
            section[flag] = str(data[key]).split("/")[-1] if key == "data" else data[key]
    lines = ["  its hyp and the flags epochs, batch_size, cos_lr and optimizer make the schedule; the number of images is not in it (--dataset-size)"]
    config: dict[str, Any] = {"yolo": section}
    if data.get("name"):
        config["name"] = str(data["name"])
    return ConfigFile(config, "yolo", tuple(lines), (source.where,))
