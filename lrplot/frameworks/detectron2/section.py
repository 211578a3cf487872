"""The ``detectron2:`` config section: the SOLVER keys, and the schedule detectron2 builds from them.

A detectron2 user writes ``SOLVER: {BASE_LR: 0.02, STEPS: (60000, 80000), MAX_ITER: 90000}``; here
that is ``detectron2: {BASE_LR: 0.02, STEPS: [60000, 80000], MAX_ITER: 90000}``, with detectron2's
defaults (``config/defaults.py``) for what is left out, plus ``WORLD_SIZE``: the GPUs the run
trains on, which detectron2 learns from the launch (``--devices``). This module does what
detectron2 does with them (transcribed from facebookresearch/detectron2 at ``records.COMMIT``) and
says so line by line for ``explain``:

* the yacs merge: a value must have its default's type (``BASE_LR: 1`` is an int where a float
  belongs: detectron2 raises ValueError), a tuple written as a string is read as Python literals;
* ``DefaultTrainer.auto_scale_workers`` when ``REFERENCE_WORLD_SIZE`` is set and differs from the
  world size: batch, lr, MAX_ITER, WARMUP_ITERS and STEPS rescaled (``int(round(...))``);
* ``build_optimizer``: SGD with ``MOMENTUM``; a ``BIAS_LR_FACTOR`` other than 1 gives the biases
  their own lr (a second param group, ``bias``);
* ``build_lr_scheduler``: STEPS beyond MAX_ITER dropped (with detectron2's warning), the
  ParamScheduler ``LR_SCHEDULER_NAME`` names, inside a ``WarmupParamScheduler`` over
  ``min(WARMUP_ITERS / MAX_ITER, 1.0)`` of training, under ``LRMultiplier`` over MAX_ITER iterations.

The result is a plain config (``scheduler: {type: detectron2.WarmupParamScheduler, ...}``, ``run:
{iterations: MAX_ITER}``, ``optimizer``), validated like any other.
"""

from __future__ import annotations

import ast
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import check_keys, suggest, type_name

NAMES = ("WarmupMultiStepLR", "WarmupCosineLR", "WarmupStepWithFixedGammaLR")
# The SOLVER keys (detectron2/config/defaults.py): (default, what it is). The type of the default is
# the type yacs demands. Keys that do not move the lr are taken and named as such.
KEYS: dict[str, tuple[Any, str]] = {
    "LR_SCHEDULER_NAME": ("WarmupMultiStepLR", "WarmupMultiStepLR, WarmupCosineLR or WarmupStepWithFixedGammaLR"),
    "MAX_ITER": (40000, "iterations of training"),
    "BASE_LR": (0.001, "the lr (times the multiplier)"),
    "BASE_LR_END": (0.0, "WarmupCosineLR: the lr the cosine ends at"),
    "MOMENTUM": (0.9, "SGD momentum"),
    "GAMMA": (0.1, "factor per step (WarmupMultiStepLR, WarmupStepWithFixedGammaLR)"),
    "STEPS": ((30000,), "WarmupMultiStepLR: iterations where the lr is multiplied by GAMMA"),
    "NUM_DECAYS": (3, "WarmupStepWithFixedGammaLR: decays, evenly spaced"),
    "WARMUP_FACTOR": (1.0 / 1000, "the warmup starts at WARMUP_FACTOR times the schedule's start"),
    "WARMUP_ITERS": (1000, "iterations of warmup"),
    "WARMUP_METHOD": ("linear", "linear or constant"),
    "RESCALE_INTERVAL": (False, "the schedule starts after the warmup instead of under it"),
    "IMS_PER_BATCH": (16, "images per iteration over all GPUs (scaled by auto_scale_workers)"),
    "REFERENCE_WORLD_SIZE": (0, "the GPUs the config was written for; 0: never rescale"),
    "BIAS_LR_FACTOR": (1.0, "the biases' lr is BASE_LR times this (a second group when not 1)"),
    "NESTEROV": (False, "does not change the lr"),
    "WEIGHT_DECAY": (0.0001, "does not change the lr"),
    "WEIGHT_DECAY_NORM": (0.0, "does not change the lr"),
    "WEIGHT_DECAY_BIAS": (None, "does not change the lr"),
    "CHECKPOINT_PERIOD": (5000, "does not change the lr (scaled by auto_scale_workers)"),
    "CLIP_GRADIENTS": ({}, "does not change the lr"),
    "AMP": ({}, "does not change the lr"),
}
WORLD_SIZE = ("WORLD_SIZE", "GPUs the run trains on (comm.get_world_size()); default: REFERENCE_WORLD_SIZE, no rescaling")
INERT = tuple(k for k, (_, doc) in KEYS.items() if doc.startswith("does not change"))

# The run's and optimizer's options as the keys they mean. detectron2 counts iterations: the run's
# epochs, dataset size and batch size do not size it.
OPTIONS = {"run.iterations": "MAX_ITER", "run.devices": "WORLD_SIZE", "optimizer.lr": "BASE_LR"}


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list detectron2`: (name, default, what it is)."""
    rows = [(k, _shown(d), doc) for k, (d, doc) in KEYS.items()]
    return rows + [(WORLD_SIZE[0], "-", WORLD_SIZE[1])]


def _shown(value: Any) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return "-" if value is None or value == {} else str(value)


def decode(value: Any) -> Any:
    """yacs' ``_decode_cfg_value``: a string is read as a Python literal where it is one (``"(60000, 80000)"``)."""
    if not isinstance(value, str):
        return value
    try:
        return ast.literal_eval(value)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return value


def read_keys(section: Any, path: str) -> dict[str, Any]:
    """The section's keys as detectron2's config holds them after the yacs merge, defaults filled."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of SOLVER keys (BASE_LR, STEPS, MAX_ITER, ...), got {type_name(section)}")
    check_keys(section, path, [*KEYS, WORLD_SIZE[0]])
    out: dict[str, Any] = {}
    for key, (default, _) in KEYS.items():
        where = f"{path}.{key}"
        if key not in section:
            out[key] = default
            continue
        value = decode(section[key])
        out[key] = _coerced(value, default, where)
    world = section.get(WORLD_SIZE[0])
    if world is not None and (not isinstance(world, int) or isinstance(world, bool) or world < 1):
        raise ConfigError(f"{path}.WORLD_SIZE", f"must be a whole number of GPUs >= 1, got {world!r}")
    out[WORLD_SIZE[0]] = world
    if out["LR_SCHEDULER_NAME"] not in NAMES:
        name = out["LR_SCHEDULER_NAME"]
        raise TorchWouldRaise(f"{path}.LR_SCHEDULER_NAME", f"detectron2 raises ValueError: Unknown LR scheduler: {name}{suggest(str(name), NAMES)}; "
                              f"build_lr_scheduler knows {', '.join(NAMES)}")
    for key in ("STEPS",):
        for i, s in enumerate(out[key]):
            if not isinstance(s, int) or isinstance(s, bool):
                raise ConfigError(f"{path}.{key}[{i}]", f"must be a whole number of iterations, got {s!r}")
    for key in ("MAX_ITER", "WARMUP_ITERS", "IMS_PER_BATCH", "REFERENCE_WORLD_SIZE", "NUM_DECAYS"):
        if out[key] < 0:
            raise ConfigError(f"{path}.{key}", f"must be >= 0, got {out[key]}")
    if out["MAX_ITER"] == 0:
        raise TorchWouldRaise(f"{path}.MAX_ITER", "is 0: build_lr_scheduler divides WARMUP_ITERS by it (ZeroDivisionError); train at least one iteration")
    return out


def _coerced(value: Any, default: Any, where: str) -> Any:
    """yacs' ``_check_and_coerce_cfg_value_type``: the default's type, or a list for a tuple (and back)."""
    if isinstance(default, dict):
        if not isinstance(value, Mapping):
            raise ConfigError(where, f"must be a mapping, as in detectron2's defaults, got {type_name(value)}")
        return value
    if default is None or value is None or type(value) is type(default):
        return value
    if isinstance(default, tuple) and isinstance(value, list):
        return tuple(value)
    hint = ""
    if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
        hint = f"; write {float(value)!r}"
    elif isinstance(default, int) and isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        hint = f"; write {int(value)}"
    raise TorchWouldRaise(
        where,
        f"detectron2 raises ValueError: Type mismatch ({type(default)} vs. {type(value)}) with values ({default} vs. {value}) "
        f"for config key: SOLVER.{where.rsplit('.', 1)[-1]}{hint}",
    )


def auto_scale_workers(cfg: dict[str, Any], path: str) -> list[str]:
    """``DefaultTrainer.auto_scale_workers`` on ``cfg`` in place, and the lines that say what it did."""
    old, new = cfg["REFERENCE_WORLD_SIZE"], cfg["WORLD_SIZE"]
    if old == 0:
        if new is not None:
            return [f"REFERENCE_WORLD_SIZE 0: detectron2 does not rescale for {new} GPUs (auto_scale_workers is off)"]
        return []
    if new is None:
        return [f"REFERENCE_WORLD_SIZE {old}: on another number of GPUs detectron2 rescales the batch, lr and iterations "
                "(auto_scale_workers); give --devices to see it"]
    if old == new:
        return [f"{new} GPUs = REFERENCE_WORLD_SIZE: no rescaling"]
    if cfg["IMS_PER_BATCH"] % old != 0:
        raise TorchWouldRaise(f"{path}.REFERENCE_WORLD_SIZE", f"detectron2 raises AssertionError: Invalid REFERENCE_WORLD_SIZE in config! "
                              f"(IMS_PER_BATCH {cfg['IMS_PER_BATCH']} is not a multiple of {old})")
    scale = new / old
    before = dict(cfg)
    cfg["IMS_PER_BATCH"] = int(round(cfg["IMS_PER_BATCH"] * scale))
    cfg["BASE_LR"] = cfg["BASE_LR"] * scale
    cfg["MAX_ITER"] = int(round(cfg["MAX_ITER"] / scale))
    cfg["WARMUP_ITERS"] = int(round(cfg["WARMUP_ITERS"] / scale))
    cfg["STEPS"] = tuple(int(round(s / scale)) for s in cfg["STEPS"])
    cfg["REFERENCE_WORLD_SIZE"] = new
    lines = [f"auto_scale_workers: {new} GPUs for a config written for REFERENCE_WORLD_SIZE {old}: scale {new}/{old} = {scale:g}"]
    lines.append(f"  IMS_PER_BATCH {before['IMS_PER_BATCH']} -> {cfg['IMS_PER_BATCH']}, BASE_LR {before['BASE_LR']:g} -> {cfg['BASE_LR']:g}, "
                 f"MAX_ITER {before['MAX_ITER']} -> {cfg['MAX_ITER']}, WARMUP_ITERS {before['WARMUP_ITERS']} -> {cfg['WARMUP_ITERS']}")
    if cfg["LR_SCHEDULER_NAME"] == "WarmupMultiStepLR":
        lines.append(f"  STEPS {list(before['STEPS'])} -> {list(cfg['STEPS'])}")
    if cfg["LR_SCHEDULER_NAME"] == "WarmupCosineLR" and cfg["BASE_LR_END"]:
        lines.append(f"  BASE_LR_END stays {cfg['BASE_LR_END']:g}: it is not scaled, so the cosine ends at another fraction of the lr")
    return lines


def build_lr_scheduler(cfg: dict[str, Any], path: str) -> tuple[dict[str, Any], list[str]]:
    """The scheduler ``build_lr_scheduler`` builds (as a config mapping), and the lines that say how."""
    name, max_iter = cfg["LR_SCHEDULER_NAME"], cfg["MAX_ITER"]
    lines = []
    if name == "WarmupMultiStepLR":
        steps = [x for x in cfg["STEPS"] if x <= max_iter]
        if len(steps) != len(cfg["STEPS"]):
            dropped = [x for x in cfg["STEPS"] if x > max_iter]
            lines.append(f"STEPS {dropped} > MAX_ITER {max_iter} dropped (detectron2 warns: SOLVER.STEPS contains values larger than "
                         "SOLVER.MAX_ITER. These values will be ignored.)")
        try:
            values = [cfg["GAMMA"] ** k for k in range(len(steps) + 1)]
        except OverflowError:
            raise TorchWouldRaise(f"{path}.GAMMA", f"detectron2 raises OverflowError computing GAMMA ** k for {len(steps)} STEPS "
                                  f"(GAMMA {cfg['GAMMA']:g}); give a GAMMA below 1") from None
        main: dict[str, Any] = {"type": "detectron2.MultiStepParamScheduler", "values": values, "milestones": steps, "num_updates": max_iter}
        lines.append(f"MultiStepParamScheduler(values={_list(values)}, milestones={steps}, num_updates={max_iter})")
    elif name == "WarmupCosineLR":
        try:
            end_value = cfg["BASE_LR_END"] / cfg["BASE_LR"]
        except ZeroDivisionError:
            raise TorchWouldRaise(f"{path}.BASE_LR", "is 0: build_lr_scheduler divides BASE_LR_END by it (ZeroDivisionError)") from None
        if not 0.0 <= end_value <= 1.0:
            raise TorchWouldRaise(f"{path}.BASE_LR_END", f"detectron2 raises AssertionError: BASE_LR_END / BASE_LR = {end_value} must be in [0, 1] "
                                  f"(BASE_LR_END {cfg['BASE_LR_END']:g}, BASE_LR {cfg['BASE_LR']:g})")
        main = {"type": "detectron2.CosineParamScheduler", "start_value": 1, "end_value": end_value}
        lines.append(f"CosineParamScheduler(1, BASE_LR_END / BASE_LR = {end_value:g})")
    else:
        main = {"type": "detectron2.StepWithFixedGammaParamScheduler", "base_value": 1.0, "gamma": cfg["GAMMA"],
                "num_decays": cfg["NUM_DECAYS"], "num_updates": max_iter}
        lines.append(f"StepWithFixedGammaParamScheduler(base_value=1.0, gamma={cfg['GAMMA']:g}, num_decays={cfg['NUM_DECAYS']}, "
                     f"num_updates={max_iter})")
    length = min(cfg["WARMUP_ITERS"] / max_iter, 1.0)
    scheduler = {"type": "detectron2.WarmupParamScheduler", "scheduler": main, "warmup_factor": cfg["WARMUP_FACTOR"],
                 "warmup_length": length, "warmup_method": cfg["WARMUP_METHOD"], "rescale_interval": cfg["RESCALE_INTERVAL"]}
    lines.append(f"WarmupParamScheduler(warmup_factor={cfg['WARMUP_FACTOR']:g}, warmup_length=min(WARMUP_ITERS {cfg['WARMUP_ITERS']} / "
                 f"MAX_ITER {max_iter}, 1.0) = {length:g}, {cfg['WARMUP_METHOD']}"
                 + (", rescale_interval)" if cfg["RESCALE_INTERVAL"] else ")"))
    lines.append(f"LRMultiplier(max_iter={max_iter}): iteration k trains with BASE_LR x multiplier(k / {max_iter})")
    return scheduler, lines


def _list(values: list[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def translate(section: Any, config: Any, path: str) -> tuple[dict, tuple[str, ...]]:
    """The plain config the SOLVER keys describe, and the arithmetic that derived it."""
    for part, what in (("scheduler", "the scheduler (build_lr_scheduler)"), ("run", "the run (MAX_ITER iterations)")):
        if part in config:
            raise ConfigError(part, f"the `{path}:` section builds {what}, so there is no `{part}:` to give; change the SOLVER keys instead")
    cfg = read_keys(section, path)
    optimizer = config.get("optimizer")
    if isinstance(optimizer, Mapping) and set(optimizer) - {"lr"}:
        extra = sorted(set(optimizer) - {"lr"})[0]
        raise ConfigError(f"optimizer.{extra}", f"detectron2's optimizer comes from the SOLVER keys (BASE_LR, MOMENTUM, BIAS_LR_FACTOR); set them in `{path}:`")
    given = [k for k in section if k in KEYS and k not in INERT]
    lines = [f"SOLVER keys: {', '.join(f'{k} {_shown(cfg[k])}' for k in given) or '(detectron2 defaults)'}"]
    lines += auto_scale_workers(cfg, path)
    scheduler, built = build_lr_scheduler(cfg, path)
    lines += built
    base_lr = cfg["BASE_LR"]
    out: dict[str, Any] = {k: v for k, v in config.items() if k not in (path, "optimizer")}
    if cfg["BIAS_LR_FACTOR"] is not None and cfg["BIAS_LR_FACTOR"] != 1.0:
        bias = base_lr * cfg["BIAS_LR_FACTOR"]
        out["optimizer"] = {"param_groups": [{"name": "weights", "lr": base_lr}, {"name": "bias", "lr": bias}], "momentum": cfg["MOMENTUM"]}
        lines.append(f"bias parameters train at BASE_LR x BIAS_LR_FACTOR {cfg['BIAS_LR_FACTOR']:g} = {bias:g} (get_default_optimizer_params)")
    else:
        out["optimizer"] = {"lr": base_lr, "momentum": cfg["MOMENTUM"]}
    out["run"] = {"iterations": cfg["MAX_ITER"]}
    out["scheduler"] = scheduler
    return out, tuple(lines)


_FIELDS = {
    "milestones": "STEPS", "num_updates": "MAX_ITER", "gamma": "GAMMA", "num_decays": "NUM_DECAYS", "values": "GAMMA",
    "end_value": "BASE_LR_END", "warmup_method": "WARMUP_METHOD", "warmup_factor": "WARMUP_FACTOR", "warmup_length": "WARMUP_ITERS",
}


def section_error(exc: ConfigError) -> ConfigError:
    """An error in the plain config the section became, named by the SOLVER key that caused it."""
    where = exc.path
    last = where.split(".")[-1].split("[")[0]
    if where.startswith("scheduler") and last in _FIELDS:
        key = _FIELDS[last]
    elif where.startswith("optimizer"):
        key = "BASE_LR"
    elif where.startswith("run"):
        key = "MAX_ITER"
    else:
        key = "LR_SCHEDULER_NAME"
    return type(exc)(f"detectron2.{key}", exc.message)
