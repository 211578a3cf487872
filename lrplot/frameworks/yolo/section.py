"""The ``yolo:`` config section: the hyperparameters of an ultralytics or YOLOv5 run, and the schedule they train.

An ultralytics user writes ``model.train(data="coco.yaml", epochs=100, batch=16, lr0=0.01)``; here that
is ``yolo: {epochs: 100, batch: 16, lr0: 0.01, dataset_size: 118287}``, with ultralytics' names and
its ``cfg/default.yaml`` defaults, plus what the trainer learns elsewhere: the number of training
images (``dataset_size``), the processes (``devices``), the classes (``nc``, for ``optimizer:
auto``), and which code trains (``code: ultralytics`` with its ``version``, or ``code: yolov5``).
This module does what the trainer does with them, line by line for ``explain``:

* the batches per epoch: ``len(train_loader)`` over ``batch // devices`` images per device (at most
  the dataset), a DistributedSampler's ``ceil(images / devices)`` per device, the last batch partial;
* ``optimizer: auto`` (ultralytics' default): lr0 and the momentum ignored, the optimizer chosen from
  ``iterations = ceil(images / max(batch, nbs)) * epochs`` and the classes, as the version chooses
  (8.4.0-8.4.2: SGD above 10,000 iterations, else MuSGD; 8.4.3-8.4.7: MuSGD; 8.4.8 on: MuSGD above
  10,000, else AdamW at ``round(0.002 * 5 / (4 + nc), 6)``), ``warmup_bias_lr`` set to 0;
* the param groups in the optimizer's order (ultralytics: weights with decay, norm weights, biases;
  MuSGD splits each of them and its muon group in two, the detection head's at 3x the lr; YOLOv5:
  biases, weights, norm weights), and the version's warmup rule (:mod:`.loop`).

The result is a plain config (``scheduler: {type: yolo.ultralytics, ...}``, ``run: {epochs,
steps_per_epoch: nb}``, the optimizer's groups), validated like any other. Sources: ultralytics
``engine/trainer.py`` (``_build_train_pipeline``, ``build_optimizer``), ``data/build.py``
(``build_dataloader``) and ``cfg/default.yaml`` in the released wheels 8.4.0-8.4.190; YOLOv5
``train.py``, ``utils/dataloaders.py`` and ``utils/torch_utils.py`` (``smart_optimizer``) at commit
5081342f04fb287fc2e5f2b5a4e06752b7937b1c.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import check_keys, integer, number, suggest, type_name
from .loop import CODES, RULE_VERSIONS, warm_batches, warmup_iterations

LATEST = 190  # the newest ultralytics 8.4 release lrplot was checked against (8.4.190)
LATEST_8_3 = 253  # the last 8.3 release (8.3.253): every 8.3 release trains the same schedule (8.3.0, 8.3.150, 8.3.253 read)
# Releases that changed what the section derives besides the warmup (found in the released wheels):
COMPILE_8_3 = 196  # 8.3.196 added `compile` (PR #21975): the train loader drops a last partial batch
DROP_SHARD = 175  # 8.4.175 on: drop_last judged on each rank's shard (samples > batch and samples % batch), before on the dataset
SPLIT_FRACTION = 135  # 8.4.135 on: fraction may be an image count (an int > 1) or a [train, val, test] list (get_split_fraction)
AT_LEAST_ONE = 140  # 8.4.140 on: a ratio keeps at least one image (max(1, round(images * fraction)))
SECTION = "yolo"

# (kind, default, what it is); defaults are ultralytics' cfg/default.yaml (and YOLOv5's hyp.scratch-low.yaml
# and train.py arguments, which agree on every key they share, but optimizer).
ARGS: dict[str, tuple[str, Any, str]] = {
    "code": ("code", "ultralytics", "which code trains: ultralytics (model.train, yolo train) or yolov5 (train.py)"),
    "version": ("version", f"8.4.{LATEST}", "the ultralytics version (8.3.x, 8.4.x): its warmup rule, param groups and optimizer: auto"),
    "epochs": ("int", 100, "epochs to train"),
    "batch": ("int", 16, "images per batch over all devices (YOLOv5: --batch-size); -1 (AutoBatch) cannot be drawn"),
    "nbs": ("int", 64, "nominal batch size: gradients accumulate over round(nbs / batch) batches (YOLOv5: 64)"),
    "optimizer": ("str", None, "auto (ultralytics' default), SGD, MuSGD, Adam, Adamax, AdamW, NAdam, RAdam, RMSprop; YOLOv5: SGD, Adam, AdamW"),
    "lr0": ("float", 0.01, "initial lr (ignored by optimizer: auto)"),
    "lrf": ("float", 0.01, "final lr fraction: lr0 * lrf at the end"),
    "momentum": ("float", 0.937, "SGD momentum or Adam beta1, and the warmup's target momentum"),
    "weight_decay": ("float", 0.0005, "scaled by batch * accumulate / nbs (moves no lr)"),
    "warmup_epochs": ("float", 3.0, "warmup epochs (fractions too), counted in batches"),
    "warmup_momentum": ("float", 0.8, "momentum the warmup starts from"),
    "warmup_bias_lr": ("float", 0.1, "lr the biases' warmup falls from"),
    "cos_lr": ("bool", False, "cosine from lr0 to lr0 * lrf instead of linear"),
    "time": ("optional float", None, "hours to train: re-sizes the run from the measured epoch time, which lrplot cannot know"),
    "fraction": ("fraction", 1.0, "fraction of the training images used (8.4.135 on: an image count > 1, or a [train, val, test] list)"),
    "compile": ("compile", False, "torch.compile (8.3.196 on): the train loader then drops a last partial batch"),
    "dataset_size": ("optional int", None, "training images (the trainer counts them in the dataset)"),
    "devices": ("int", 1, "processes (GPUs) of the distributed run"),
    "nc": ("optional int", None, "classes in the dataset (optimizer: auto's lr reads them)"),
    "data": ("optional str", None, "the dataset's yaml (coco.yaml, VOC.yaml: lrplot knows their classes)"),
}
PLAN_KEYS = ("code", "version", "dataset_size", "devices", "nc")  # lrplot's, not the trainer's arguments
# The run's and optimizer's options (a YAML's run:, or --epochs, --dataset-size, --devices, --lr,
# --momentum) as the hyperparameters they mean. `batch` is the batch over all devices, unlike
# run.batch_size (per device), so it is the section's own.
OPTIONS = {
    "run.epochs": "epochs", "run.dataset_size": "dataset_size", "run.devices": "devices",
    "optimizer.lr": "lr0", "optimizer.momentum": "momentum",
}
# classes of the datasets ultralytics ships a yaml for, where optimizer: auto reads them
KNOWN_CLASSES = {"coco.yaml": 80, "coco8.yaml": 80, "coco128.yaml": 80, "coco8-seg.yaml": 80, "coco128-seg.yaml": 80,
                 "coco-seg.yaml": 80, "VOC.yaml": 20, "Objects365.yaml": 365, "lvis.yaml": 1203}
ULTRALYTICS_OPTIMIZERS = ("Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSprop", "SGD", "MuSGD", "auto")
ULTRALYTICS_8_3_OPTIMIZERS = ("Adam", "Adamax", "AdamW", "NAdam", "RAdam", "RMSProp", "SGD", "auto")  # 8.3: no MuSGD, RMSProp
YOLOV5_OPTIMIZERS = ("SGD", "Adam", "AdamW")
_ADAMS = ("Adam", "Adamax", "AdamW", "NAdam", "RAdam")
_POSITIVE = {"epochs", "batch", "nbs", "devices", "dataset_size", "nc"}
_NOT_NEGATIVE = {"lr0", "lrf", "momentum", "weight_decay", "warmup_epochs", "warmup_momentum", "warmup_bias_lr"}
MAX_IMAGES = 10**12
MAX_WARMUP_EPOCHS = 1e9


# how to give a section key the file or the command line lacks, for messages
GIVE_KEY = "--set {key}={value} on the command line, or {key}: in the yolo: section"


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list yolo`: (name, default, what it is)."""
    shown = {"optimizer": "auto | SGD"}
    return [(name, shown.get(name, "-" if default is None else str(default)), doc) for name, (_, default, doc) in ARGS.items()]


def release(version: Any, path: str) -> tuple[int, int]:
    """``(series, patch)`` of an ultralytics version 8.S.P that lrplot models: 8.3.x or 8.4.x."""
    text = str(version).strip()
    match = re.fullmatch(r"v?8\.([34])\.(\d+)", text)
    if match is None:
        raise ConfigError(path, f"must be an ultralytics 8.3 or 8.4 version like 8.4.{LATEST} or 8.3.{LATEST_8_3} (lrplot models 8.3.0 to "
                                f"8.4.{LATEST}; the schedule is the same in every 8.3 release), got {text[:40]!r}")
    return int(match.group(1)), int(match.group(2))


def minor(version: Any, path: str) -> int:
    """The N of an ultralytics version 8.4.N (an 8.3 release counts as before 8.4.0: -1)."""
    series, patch = release(version, path)
    return patch if series == 4 else -1


def optimizers(code: str, version: str) -> tuple[str, ...]:
    """The optimizer names the code's build_optimizer (or YOLOv5's --optimizer) takes."""
    if code == "yolov5":
        return YOLOV5_OPTIMIZERS
    return ULTRALYTICS_OPTIMIZERS if minor(version, "version") >= 0 else ULTRALYTICS_8_3_OPTIMIZERS


def _where(path: str, key: str) -> str:
    """A key's path: ``yolo.batch`` in a section, ``args.yaml: batch`` in a file (a path ending in ``:``)."""
    return f"{path} {key}" if path.endswith(":") else f"{path}.{key}"


def read_args(section: Any, path: str) -> dict[str, Any]:
    """The section's values, checked, defaults filled (``optimizer``'s by the code)."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of YOLO hyperparameters (epochs, batch, lr0, ...), got {type_name(section)}")
    check_keys(section, path, ARGS)
    args: dict[str, Any] = {}
    for key, (kind, default, _) in ARGS.items():
        where = _where(path, key)
        value = section.get(key, default)
        if value is None and (kind.startswith("optional") or key == "optimizer"):
            args[key] = None
            continue
        kind = kind.removeprefix("optional ")
        if kind == "code":
            if value not in CODES:
                raise ConfigError(where, f"must be one of {', '.join(CODES)}, got {value!r}{suggest(str(value), CODES)}")
        elif kind == "version":
            release(value, where)
            value = str(value).strip().lstrip("v")
        elif kind == "fraction":
            value = _fraction(value, where)
        elif kind == "compile":
            # bool, or a mode name ("default", "reduce-overhead", ...): any compile drops the last partial batch
            if not isinstance(value, (bool, str)):
                raise ConfigError(where, f"must be true, false or a torch.compile mode, got {type_name(value)}")
            value = value if isinstance(value, bool) else value.strip().lower() not in ("", "false")
        elif kind == "int":
            if key == "batch" and isinstance(value, (int, float)) and not isinstance(value, bool) and (value == -1 or 0 < value < 1):
                raise ConfigError(where, f"is {value}: AutoBatch picks the batch from the GPU's memory when training starts, which lrplot "
                                         "cannot know; give the batch it picked (the trainer logs it; over a run's args.yaml: --set batch=N)")
            value = integer(value, where)
        elif kind == "float":
            value = number(value, where)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(where, f"must be true or false, got {value!r}")
        elif kind == "str":
            if not isinstance(value, str):
                raise ConfigError(where, f"must be a string, got {type_name(value)}")
        if key in _POSITIVE and value <= 0:
            raise ConfigError(where, f"must be > 0, got {value}")
        if key in _NOT_NEGATIVE and value < 0:
            raise ConfigError(where, f"must be >= 0, got {value}")
        args[key] = value
    code = args["code"]
    if code == "yolov5":
        for key in ("version", "nbs", "fraction", "compile"):
            if key in section and section[key] != ARGS[key][1]:
                fixed = {"version": "YOLOv5 has no ultralytics version", "nbs": "YOLOv5's nbs is 64, fixed in train.py",
                         "fraction": "YOLOv5's train.py has no fraction", "compile": "YOLOv5's train.py has no compile"}[key]
                raise ConfigError(_where(path, key), f"{fixed}; leave it out (or use code: ultralytics)")
    choices = optimizers(code, args["version"])
    name = args["optimizer"] if args["optimizer"] is not None else ("SGD" if code == "yolov5" else "auto")
    if code == "yolov5":
        known = name in choices  # argparse choices: as written
    else:
        known = name.lower() in {c.lower() for c in choices}  # build_optimizer matches any case
        name = {c.lower(): c for c in choices}.get(name.lower(), name)
    if not known:
        what = ("YOLOv5's train.py takes --optimizer" if code == "yolov5"
                else f"ultralytics {args['version']} raises NotImplementedError; it takes")
        raise TorchWouldRaise(_where(path, "optimizer"), f"{what} {', '.join(choices)}, got {name!r}{suggest(name, choices)}")
    args["optimizer"] = name
    if args["time"] is not None:
        raise ConfigError(
            _where(path, "time"),
            f"time: {args['time']:g} hours re-sizes the run after every epoch from the epochs' measured time (epochs = ceil(time * 3600 "
            "/ mean epoch seconds), the lambda and the warmup rebuilt), which lrplot cannot know; give the epochs the run reached as "
            "epochs and leave time out (over a run's args.yaml: --set epochs=N,time=null)",
        )
    if args["dataset_size"] is None:
        scan = "'train: Scanning ... N images, M backgrounds, K corrupt' line: N + M"
        seen = (f"YOLOv5's train.py prints them in its {scan}" if code == "yolov5"
                else f"the trainer prints them in its {scan}, and recent 8.4 releases as 'Using N train, M val images'")
        raise ConfigError(
            _where(path, "dataset_size"),
            "missing: the batches per epoch (and so the warmup, counted in batches) come from the number of training images; give it "
            f"(--dataset-size, or dataset_size: in the section; {seen})",
        )
    if args["dataset_size"] > MAX_IMAGES:
        raise ConfigError(_where(path, "dataset_size"), f"{args['dataset_size']:,} images is beyond any dataset; check the number")
    if args["warmup_epochs"] > MAX_WARMUP_EPOCHS:
        raise ConfigError(_where(path, "warmup_epochs"), f"{args['warmup_epochs']:g} epochs of warmup is beyond any run; check the number")
    if code == "ultralytics":
        series, patch = release(args["version"], _where(path, "version"))
        fraction = args["fraction"]
        split = series == 4 and patch >= SPLIT_FRACTION
        if not split and (isinstance(fraction, list) or fraction > 1):
            raise ConfigError(_where(path, "fraction"), f"ultralytics {args['version']} takes a fraction of the images, at most 1, got "
                                                        f"{fraction!r}; image counts and [train, val, test] lists came in 8.4.{SPLIT_FRACTION}")
        if args["compile"] and series == 3 and patch < COMPILE_8_3:
            raise ConfigError(_where(path, "compile"), f"ultralytics {args['version']} has no compile argument (8.3.{COMPILE_8_3} added it); "
                                                       "leave it out, or give the version that trained")
    return args


def _fraction(value: Any, where: str) -> float | int | list:
    """A ratio, an image count (an int above 1) or a ``[train, val, test]`` list, as ultralytics' cfg check takes it."""
    items = value if isinstance(value, list) else [value]
    if isinstance(value, list) and not 1 <= len(value) <= 3:
        raise ConfigError(where, f"a list gives [train, val, test] fractions: 1 to 3 numbers, got {len(value)}")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (int, float)):
            raise ConfigError(where, f"must be a fraction of the images (0 < fraction <= 1), an image count, or a [train, val, test] list, got {item!r}")
        if not item > 0 and (not isinstance(value, list) or item is items[0]):
            raise ConfigError(where, f"must select at least one training image, got {item!r}")
        if isinstance(item, float) and item > 1:
            raise ConfigError(where, f"is {item!r}: a fraction is at most 1, and an image count is a whole number")
    return value


def images(args: Mapping[str, Any]) -> tuple[int, list[str]]:
    """The training images the trainer uses: all, a fraction (``data/base.py``: ``round(images * fraction)``,
    at least 1 from 8.4.140), or from 8.4.135 an image count (``fraction[0]`` of a list: the train split's)."""
    n = args["dataset_size"]
    fraction = args["fraction"]
    split = ""
    if isinstance(fraction, list):  # get_split_fraction(fraction, "train"): the list's first entry
        fraction, split = fraction[0], f"fraction {args['fraction']!r}: the train split's {fraction!r}; "
    if fraction in (0, 1):  # get_split_fraction: 1 and 1.0 both mean all
        fraction = float(fraction)
    if isinstance(fraction, int):
        used = min(fraction, n)
        return used, [f"{n:,} training images, {split}fraction {fraction} images: {used:,} used"]
    if fraction >= 1:
        return n, [f"{n:,} training images" + (f" ({split.rstrip('; ')})" if split else "")]
    version = str(args.get("version", f"8.4.{LATEST}"))
    at_least_one = args["code"] == "ultralytics" and minor(version, "version") >= AT_LEAST_ONE
    used = round(n * fraction)
    if at_least_one:
        used = max(1, used)
    elif used < 1:
        raise ConfigError(f"{SECTION}.fraction", f"{n:,} images x fraction {fraction:g} rounds to 0: ultralytics {version} would train on "
                                                 "no images; give a larger fraction")
    how = f"max(1, round({n:,} x {fraction:g}))" if at_least_one else f"round({n:,} x {fraction:g})"
    return used, [f"{n:,} training images, {split}fraction {fraction:g}: {how} = {used:,} used"]


def batches(args: Mapping[str, Any], path: str) -> tuple[int, list[str]]:
    """``nb = len(train_loader)`` and how it came about."""
    n, lines = images(args)
    devices, batch = args["devices"], args["batch"]
    per_device = batch // devices
    if per_device < 1:
        raise ConfigError(f"{path}.batch", f"batch {batch} over {devices} devices is {per_device} images per device (batch // devices); "
                                           f"give a batch of at least {devices}")
    loader_batch = min(per_device, n)
    samples = -(-n // devices)
    if devices > 1:
        pad = samples * devices - n
        lines.append(f"{n:,} images / {devices} devices = {samples:,} per device" + (f" (DistributedSampler repeats {pad})" if pad else "")
                     + f", batch {batch} // {devices} devices = {per_device} per device")
    if loader_batch < per_device:
        lines.append(f"the batch is at most the dataset: min({per_device}, {n}) = {loader_batch}")
    rest = samples % loader_batch
    if _drops_last(args, n, samples, loader_batch):
        nb = samples // loader_batch
        if nb < 1:
            raise ConfigError(_where(path, "compile"), f"compile drops the last partial batch, and {samples:,} images per device are less than "
                                                       f"one batch of {loader_batch}: ultralytics {args['version']}'s train loader has no batch; "
                                                       "give more images or a smaller batch")
        lines.append(f"len(train_loader) = {samples:,} // {loader_batch} = {nb:,} batches per epoch: compile drops the last partial batch "
                     f"of {rest} (drop_last = compile and mode == 'train')")
        return nb, lines
    nb = -(-samples // loader_batch)
    lines.append(f"len(train_loader) = ceil({samples:,} / {loader_batch}) = {nb:,} batches per epoch"
                 + (f" (the last one of {rest})" if rest else ""))
    return nb, lines


def _drops_last(args: Mapping[str, Any], images: int, samples: int, batch: int) -> bool:
    """``build_dataloader``'s drop_last under ``compile`` (models/yolo/detect/train.py: ``drop_last=self.args.compile and
    mode == "train"``): up to 8.4.174 when ``len(dataset) % batch != 0``, from 8.4.175 when the rank's shard
    ``samples > batch > 0 and samples % batch != 0``."""
    if args["code"] != "ultralytics" or not args["compile"]:
        return False
    if minor(str(args["version"]), "version") >= DROP_SHARD:
        return samples > batch > 0 and samples % batch != 0
    return images % batch != 0


def auto_optimizer(args: Mapping[str, Any], path: str) -> tuple[str, float, float, list[str]]:
    """What ``optimizer: auto`` picks (name, lr, momentum) in this version, and why."""
    n, _ = images(args)
    version = minor(args["version"], f"{path}.version")
    iterations = math.ceil(n / max(args["batch"], args["nbs"])) * args["epochs"]
    how = f"iterations = ceil({n:,} images / max(batch {args['batch']}, nbs {args['nbs']})) x {args['epochs']} epochs = {iterations:,}"
    many = iterations > 10000
    nc, known = args["nc"], ""
    if nc is None and args["data"] is not None:
        nc = KNOWN_CLASSES.get(args["data"].split("/")[-1])
        known = f" ({args['data']})" if nc is not None else ""

    def fit() -> float:
        if nc is None:
            raise ConfigError(_where(path, "nc"), f"missing: with {how} (at most 10,000), optimizer: auto takes lr0 = round(0.002 * 5 / (4 + nc), 6) "
                                                  f"from the dataset's classes; give nc, the `nc:` of your data yaml ({GIVE_KEY.format(key='nc', value=2)})")
        return round(0.002 * 5 / (4 + nc), 6)

    if version < 0:  # 8.3: SGD or AdamW
        name, lr = ("SGD", 0.01) if many else ("AdamW", fit())
    elif version <= 2:
        name, lr = ("SGD", 0.01) if many else ("MuSGD", fit())
    elif version <= 7:
        name, lr = "MuSGD", 0.01 if many else fit()
    else:
        name, lr = ("MuSGD", 0.01) if many else ("AdamW", fit())
    fitted = "" if lr == 0.01 else f", lr0 = round(0.002 * 5 / (4 + nc {nc}{known}), 6) = {lr:g}"
    line = (f"optimizer: auto ignores lr0 {args['lr0']:g} and momentum {args['momentum']:g}: {how} "
            f"{'>' if many else '<='} 10,000 -> {name}(lr={lr:g}, momentum=0.9){fitted} (ultralytics {args['version']}); warmup_bias_lr set to 0.0")
    return name, lr, 0.9, [line]


def param_groups(code: str, name: str, lr: float, version: str = f"8.4.{LATEST}") -> list[dict[str, Any]]:
    """The optimizer's param groups, in its order, each with its initial lr (8.3 and YOLOv5: biases first)."""
    if code == "yolov5" or minor(version, "version") < 0:
        return [{"name": "bias", "lr": lr}, {"name": "weight", "lr": lr}, {"name": "bn", "lr": lr}]
    kinds = ("weight", "bn", "bias")
    if name != "MuSGD":
        return [{"name": k, "lr": lr} for k in kinds]
    out = []
    for k in (*kinds, "muon"):  # each group split: the detection head's parameters at 3x the lr, then the rest
        out += [{"name": f"{k}.head", "lr": lr * 3}, {"name": k, "lr": lr}]
    return out


def translate(section: Any, config: Any, path: str) -> tuple[dict, tuple[str, ...]]:
    """The plain config the hyperparameters describe, and the arithmetic that derived it."""
    for key, what in (("scheduler", "the LambdaLR and the warmup (cos_lr, lrf, warmup_*)"), ("run", "epochs and dataset_size"),
                      ("vars", "numbers")):
        if key in config:
            raise ConfigError(key, f"the `{path}:` section sets {what} itself; change its keys instead")
    optimizer = config.get("optimizer")
    if optimizer is not None:
        extra = next(iter(optimizer)) if isinstance(optimizer, Mapping) and optimizer else None
        raise ConfigError(f"optimizer.{extra}" if extra else "optimizer",
                          f"the `{path}:` section builds the optimizer (optimizer, lr0, momentum); set those there")
    args = read_args(section, path)
    code = args["code"]
    lines = [f"{_who(args)}: {_call(section, code)}"]
    nb, nb_lines = batches(args, path)
    lines += nb_lines
    name, lr, momentum = args["optimizer"], args["lr0"], args["momentum"]
    bias_lr = args["warmup_bias_lr"]
    if name == "auto":
        name, lr, momentum, auto_lines = auto_optimizer(args, path)
        lines += auto_lines
        bias_lr = 0.0
    groups = param_groups(code, name, lr, args["version"])
    lines.append(_groups_line(code, name, groups))
    accumulate = max(round(args["nbs"] / args["batch"]), 1)
    decay = args["weight_decay"] * args["batch"] * accumulate / args["nbs"]
    lines.append(f"accumulate = max(round(nbs {args['nbs']} / batch {args['batch']}), 1) = {accumulate}: "
                 + ("the optimizer steps every batch" if accumulate == 1 else f"the optimizer steps every {accumulate} batches (the warmup ramps it from 1), at the lr of the batch it steps on")
                 + f"; weight_decay {args['weight_decay']:g} x {args['batch']} x {accumulate} / {args['nbs']} = {decay:g}")
    scheduler: dict[str, Any] = {
        "type": f"yolo.{code}", "lrf": args["lrf"], "cos_lr": args["cos_lr"], "warmup_epochs": args["warmup_epochs"],
        "warmup_momentum": args["warmup_momentum"], "warmup_bias_lr": bias_lr, "momentum": args["momentum"],
    }
    rule = "min100"
    if code == "ultralytics":
        series, patch = release(args["version"], _where(path, "version"))
        version = patch if series == 4 else -1
        rule = "min100" if version <= 102 else "strict" if version <= 182 else "inclusive"
        scheduler["warmup_rule"] = rule
        scheduler["bias_group"] = "first" if version <= 2 else "named"  # 8.3 and 8.4.0-8.4.2: `warmup_bias_lr if j == 0`
        if series == 4 and patch > LATEST or series == 3 and patch > LATEST_8_3:
            newest = f"8.4.{LATEST}" if series == 4 else f"8.3.{LATEST_8_3}"
            lines.append(f"ultralytics {args['version']} is newer than {newest}, the newest lrplot was checked against: drawn with {newest}'s rules")
    lines.append(_warmup_line(code, rule, args, nb))
    lines.append(_lambda_line(code, args))
    optimizer_out: dict[str, Any] = {"param_groups": groups}
    if name in _ADAMS:
        optimizer_out["betas"] = [momentum, 0.999]
    else:
        optimizer_out["momentum"] = momentum
    out: dict[str, Any] = {k: v for k, v in config.items() if k != path}
    out["optimizer"] = optimizer_out
    out["run"] = {"epochs": args["epochs"], "steps_per_epoch": nb}
    out["scheduler"] = scheduler
    return out, tuple(lines)


def _who(args: Mapping[str, Any]) -> str:
    return "YOLOv5 train.py" if args["code"] == "yolov5" else f"ultralytics {args['version']}"


# the section's keys that are YOLOv5 train.py flags rather than hyp-file keys
V5_FLAGS = {"epochs": "--epochs", "batch": "--batch-size", "cos_lr": "--cos-lr", "optimizer": "--optimizer", "data": "--data"}


def _call(section: Mapping[str, Any], code: str) -> str:
    """The run in its code's own words: an ultralytics ``model.train(...)`` call, or YOLOv5's hyp keys and train.py flags."""
    given = {k: v for k, v in section.items() if k not in PLAN_KEYS}
    if not given:
        return "the default hyperparameters"
    if code == "ultralytics":
        return f"model.train({', '.join(f'{k}={v!r}' for k, v in given.items())})"
    hyp = ", ".join(f"{k}: {v!r}" for k, v in given.items() if k not in V5_FLAGS)
    flags = " ".join(flag if k == "cos_lr" else f"{flag} {given[k]}" for k, flag in V5_FLAGS.items() if k in given and given[k] is not False)
    return "; ".join(part for part in (f"hyp {{{hyp}}}" if hyp else "", f"python train.py {flags}" if flags else "") if part)


def _groups_line(code: str, name: str, groups: list[dict[str, Any]]) -> str:
    listed = ", ".join(f"{g['name']} {g['lr']:g}" for g in groups)
    if code == "yolov5":
        return f"{name} param groups (smart_optimizer): {listed}; lr/pg0 is the biases"
    if name == "MuSGD":
        return f"MuSGD: {len(groups)} param groups, each split into the detection head's (cv3, at 3x the lr) and the rest: {listed}"
    return f"{name} param groups (build_optimizer): {listed}"


def _warmup_line(code: str, rule: str, args: Mapping[str, Any], nb: int) -> str:
    we, epochs = args["warmup_epochs"], args["epochs"]
    nw = warmup_iterations(code, rule, we, nb, epochs)
    warm = warm_batches(code, rule, nw)
    if code == "yolov5":
        how = f"nw = max(round(warmup_epochs {we:g} x {nb} batches), 100) = {nw} (YOLOv5: at least 100, even for warmup_epochs 0); warm while ni <= nw"
    elif rule == "min100":
        how = (f"nw = max(round(warmup_epochs {we:g} x {nb} batches), 100) = {nw} (ultralytics {RULE_VERSIONS['min100']}: at least 100); "
               "warm while ni <= nw") if we > 0 else "warmup_epochs 0: nw = -1, no warmup"
    else:
        capped = min(we, max(epochs - 1, 0))
        cap = f"min(warmup_epochs {we:g}, epochs - 1 = {max(epochs - 1, 0)}) = {capped:g}" if capped != we else f"warmup_epochs {we:g}"
        test = "ni < nw" if rule == "strict" else "nw and ni <= nw"
        how = f"nw = round({cap} x {nb} batches) = {nw} (ultralytics {RULE_VERSIONS[rule]}); warm while {test}"
    total = epochs * nb
    share = f"{min(warm, total):,} of the run's {total:,} batches" + (" (all of them)" if warm >= total else f" ({100 * min(warm, total) / total:.0f}%)")
    return f"{how}: the warmup sets {share}" if warm else how


def _lambda_line(code: str, args: Mapping[str, Any]) -> str:
    shape = "one_cycle (cosine) from 1 to" if args["cos_lr"] else "linear from 1 to"
    when = ("YOLOv5 steps it after each epoch's batches: epoch 0 trains at lf(0), epoch e at lf(e - 1), the last never at lrf"
            if code == "yolov5" else "ultralytics steps it before each epoch's batches: epoch e trains at lr0 x lf(e)")
    return f"LambdaLR lf: {shape} lrf {args['lrf']:g} over {args['epochs']} epochs; {when}"


# Releases whose schedule differs from 8.4.190's, one per difference: what verify tries when the version was left out
_READINGS = (
    ("8.4.102", "8.4.8-8.4.102", "a warmup of at least 100 batches, ni <= nw"),
    ("8.4.182", "8.4.103-8.4.182", "a warmup that stops one batch early, ni < nw"),
    ("8.4.7", "8.4.3-8.4.7", "MuSGD under optimizer: auto, and the 100-batch warmup"),
    ("8.4.2", "8.4.0-8.4.2", "the warmup's bias lr on the first group, and the 100-batch warmup"),
)


def readings(source: Mapping[str, Any], path: str) -> list[tuple[str, str, dict]]:
    """The plan under the other ultralytics releases, when the config leaves the version out (an args.yaml
    never names it, and 8.4.190 is then assumed): ``(what it means, in short, the config)`` for each."""
    section = source.get(path)
    if not isinstance(section, Mapping) or "version" in section or section.get("code", "ultralytics") != "ultralytics":
        return []
    assumed = ARGS["version"][1]
    out = []
    for version, releases, rule in _READINGS:
        text = (f"the run trained with ultralytics {releases} ({rule}), not {assumed}, which lrplot assumed: the config does not name "
                f"the version (args.yaml never does); give it with --set version={version}, or version: in the yolo: section")
        out.append((text, f"ultralytics {releases}, not {assumed}", {**source, path: {**section, "version": version}}))
    return out


def section_error(exc: ConfigError) -> ConfigError:
    """An error in the plain config the section became, named by the hyperparameter that caused it."""
    where = exc.path
    if where.startswith("scheduler."):
        key = where[len("scheduler."):].split("[")[0].split(".")[0]
        where = f"{SECTION}.{key}" if key in ARGS else SECTION
    elif where.startswith("optimizer"):
        where = f"{SECTION}.lr0" if ".lr" in where else f"{SECTION}.momentum"
    elif where.startswith("run"):
        where = f"{SECTION}.epochs"
    else:
        where = SECTION
    return type(exc)(where, exc.message)
