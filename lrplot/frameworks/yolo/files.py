"""YOLO's own files, read as they are: the ``args.yaml`` every ultralytics run writes, YOLOv5's ``hyp.*.yaml``
hyperparameter files and the ``opt.yaml`` a YOLOv5 run writes (its train.py arguments, hyp included).

- ultralytics' ``BaseTrainer`` saves ``vars(self.args)`` into ``runs/<task>/<name>/args.yaml`` before
  it trains: every key of ``cfg/default.yaml`` (``lr0``, ``lrf``, ``warmup_bias_lr``, ``nbs``, ...),
  the schedule's among them, and ``device`` (``'0,1,2,3'``: four processes). The ultralytics version is not
  in it, but its keys tell the series: 8.4's ``cfg/default.yaml`` (8.4.0 on) has ``rle`` and a float
  ``multi_scale``, 8.3's neither (an 8.3 file is drawn as 8.3.253, an 8.4 one as 8.4.190, unless
  ``--set version=...`` or an including lrplot YAML names the release); nor is the number of images
  (--dataset-size).
- YOLOv5's ``data/hyps/hyp.*.yaml`` hold the hyperparameters (``lr0`` ... ``warmup_bias_lr``, ``obj``,
  ``anchor_t``); epochs, batch size, ``--cos-lr`` and ``--optimizer`` are train.py's flags, at their
  defaults unless an lrplot YAML that includes the file sets them. ``opt.yaml`` holds those flags and
  the hyp dict.

Keys no other reader's file has decide: timm's train.py ``args.yaml`` has ``sched`` and ``opt``, and
neither ``lr0`` nor ``warmup_bias_lr``.
"""

from __future__ import annotations

from typing import Any

from ...sources import ConfigFile, SourceFile
from .section import ARGS, LATEST, LATEST_8_3, PLAN_KEYS

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
    section = {k: data[k] for k in ARGS if k in data and k not in PLAN_KEYS and data[k] is not None}
    lines = [f"  {len(section)} of its {len(data)} arguments make the schedule; the number of images is not in args.yaml (--dataset-size)"]
    if "rle" not in data:
        # every 8.4 cfg/default.yaml (8.4.0 on) has the pose loss gain `rle`, and a float multi_scale; 8.3's has neither
        scale = ", and its multi_scale is a bool (8.4's is a float)" if isinstance(data.get("multi_scale"), bool) else ""
        section = {"version": f"8.3.{LATEST_8_3}", **section}
        lines.append(f"  an ultralytics 8.3 args.yaml: it has no rle key, which every 8.4 args.yaml has{scale}; drawn as 8.3.{LATEST_8_3}, "
                     "whose schedule every 8.3 release shares (the warmup of at least 100 batches, SGD or AdamW under optimizer: auto; "
                     "compile from 8.3.196); --set version=8.3.N names the release")
    else:
        lines.append(f"  the ultralytics version is not in args.yaml: 8.4.{LATEST} assumed (its warmup rule changed in 8.4.103 and 8.4.183, "
                     "optimizer: auto in 8.4.3 and 8.4.8); --set version=8.4.N, or yolo: {version: ...} in an lrplot YAML that includes "
                     "the file, names the release that trained")
    devices = _device_count(data.get("device"))
    if devices > 1:
        section["devices"] = devices
        lines.append(f"  device {data['device']!r}: {devices} processes (world_size = len(device.split(','))), batch {section.get('batch', 16)} "
                     "split over them (--devices overrides)")
    if data.get("resume"):
        lines.append(f"  the run resumed (resume {data['resume']!r}); lrplot draws it from its first epoch")
    config: dict[str, Any] = {"yolo": section}
    if data.get("name"):
        config["name"] = str(data["name"])
    return ConfigFile(config, "yolo", tuple(lines), (source.where,))


def _device_count(device: Any) -> int:
    """The trainer's world size from ``device`` (``BaseTrainer.__init__``): ``'0,1,2,3'`` is 4 processes, a list
    its length; ``cpu``, ``mps``, one GPU or none train in one process."""
    if isinstance(device, (list, tuple)):
        return max(len(device), 1)
    if isinstance(device, str) and device.strip() and device.strip().lower() not in ("cpu", "mps"):
        return len(device.split(","))
    return 1


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
