"""The ``deepspeed:`` config section: a ds_config as the user has it, alone or under transformers' Trainer.

Alone, the section is what ``deepspeed.initialize(config=...)`` reads: its ``"scheduler"`` (``type``
and ``params``, DeepSpeed's class and keywords) and ``"optimizer"`` (its ``params.lr`` and betas); a
ds_config does not say how long the run is, so lrplot's ``steps`` (or ``--iterations``) does, the
scheduler's ``total_num_steps`` by default. ``skipped_steps`` (lrplot's) lists the optimizer steps an
fp16 overflow skipped.

Beside a ``transformers:`` section (or named by its TrainingArguments' ``deepspeed`` key: a path, read by
``read_named`` from the current folder as the Trainer opens it or else the config's folder), the
section is what the Trainer's DeepSpeed integration makes of it (transformers 5.23,
integrations/deepspeed.py): ``trainer_config_process`` and ``trainer_config_finalize`` fill each
``"auto"`` from the TrainingArguments (the optimizer's lr and betas, the batch sizes,
``warmup_min_lr`` 0, ``warmup_max_lr`` the learning_rate, ``total_num_steps`` the Trainer's
num_training_steps, ``warmup_num_steps`` max(1, its warmup steps)) and refuse a value that is not
"auto" and differs from the Trainer's; ``deepspeed_optim_sched`` then hands DeepSpeed a
DummyScheduler when the ds_config has a ``"scheduler"``, so **DeepSpeed's scheduler trains, not
``lr_scheduler_type``**; without one, the Trainer's own schedule is built and DeepSpeed's engine
steps it. Either way the engine, not the Trainer, calls ``step()``.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import integer, suggest, type_name
from .records import BY_NAME

SECTION = "deepspeed"
LRPLOT_KEYS = ("steps", "skipped_steps")  # lrplot's: the run's length, the steps fp16 overflows skipped
MAX_STEPS = 10_000_000
CLASSES = tuple(info.library_name for info in BY_NAME.values())
# DeepSpeed's optimizers whose defaults have betas (OneCycle cycles betas[0] only there).
WITH_BETAS = ("adam", "adamw", "onebitadam", "zerooneadam", "onebitlamb", "lamb", "fusedadam", "cpuadam")
# The run's and optimizer's options are moved by translate itself: alone to `steps` and the optimizer's
# lr, beside a transformers section to its TrainingArguments (config.options_into_section).
OPTIONS: dict[str, str] = {}


def keys() -> list[tuple[str, str, str]]:
    rows = [
        ("scheduler.type", "-", "one of " + ", ".join(CLASSES)),
        ("scheduler.params", "-", "the class's keywords (see lrplot list deepspeed.<Class>); \"auto\" only under transformers"),
        ("optimizer.type / optimizer.params.lr", "-", "DeepSpeed's optimizer and its lr (WarmupLR's peak, WarmupCosineLR's scale)"),
        ("fp16.enabled", "false", "fp16: steps with overflowing gradients are skipped (give them as skipped_steps)"),
        ("train_batch_size, train_micro_batch_size_per_gpu, gradient_accumulation_steps", "-", "the batch (checked against the Trainer's)"),
        ("steps", "total_num_steps", "lrplot's: optimizer steps of the run (a ds_config does not say)"),
        ("skipped_steps", "-", "lrplot's: optimizer steps (from 0) whose fp16 overflow the engine skipped"),
        ("(any other ds_config key)", "", "zero_optimization, gradient_clipping, ... are accepted and do not change the schedule"),
    ]
    return rows


def takes_over(config: Mapping[str, Any]) -> bool:
    """A deepspeed: section, or transformers' TrainingArguments naming a ds_config: this section translates the config
    (beside transformers' section only; with any other, config.py says one section per config)."""
    from ...config import SECTIONS

    if any(k in config for k in SECTIONS if k not in (SECTION, "transformers")):
        return False
    return SECTION in config or _named(config) is not None


def _named(config: Mapping[str, Any]) -> Any:
    """The ds_config TrainingArguments' deepspeed names, or None: TrainingArguments.__post_init__ takes it only when
    truthy (``if self.deepspeed:``), so an empty string or mapping means no DeepSpeed."""
    hf = config.get("transformers")
    named = hf.get("deepspeed") if isinstance(hf, Mapping) else None
    return named or None


def read_named(config: Mapping[str, Any], base_dir: Path | None) -> tuple[Mapping[str, Any], tuple[str, ...], tuple[str, ...]]:
    """The config with the ds_config TrainingArguments' deepspeed names read in (as HfDeepSpeedConfig reads it: a
    mapping as it is, the path of a JSON file, or base64-encoded JSON), the line saying which, and the file read.

    The Trainer opens a relative path from the folder training runs in; lrplot looks there first too, then in
    the config's own folder (where an lrplot YAML beside its ds_config finds it wherever lrplot runs)."""
    named = _named(config)
    where = "transformers.deepspeed"
    if named is None or isinstance(named, Mapping):
        return config, ((f"{where}: the ds_config given inline",) if named is not None else ()), ()
    if not isinstance(named, str):
        raise ConfigError(where, f"must be the path of a ds_config.json (or the ds_config as a mapping), got {type_name(named)}")
    from ...files import read_limited, shown, user_path

    given = user_path(named, where)
    tried = [given] if given.is_absolute() or base_dir is None else list(dict.fromkeys([given, base_dir / given]))
    found = next((p for p in tried if os.path.exists(p)), None)  # as HfDeepSpeedConfig asks (False for a name too long)
    if found is None:
        decoded = _base64_json(named)
        if decoded is None:
            looked = " or ".join(shown(p.absolute()) for p in tried)
            raise ConfigError(
                where,
                f"{named!r} is no file ({looked} does not exist): the Trainer raises ValueError (Expected a string path to an "
                "existing deepspeed config, or a dictionary, or a base64 encoded string); it opens a relative path from the folder "
                "training runs in, and lrplot looks there and in the config's folder",
            )
        line, data, files = f"{where}: the ds_config given as base64-encoded JSON", decoded, ()
    else:
        label = f"{where} ({shown(found)})"
        raw = read_limited(found, 1 << 20, where, "configs")
        try:
            data = json.loads(raw.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ConfigError(label, f"is not a JSON ds_config ({exc})") from None
        if not isinstance(data, dict):
            raise ConfigError(label, "must hold a JSON object")
        folder = "the current folder, where the Trainer opens it" if found == given else "the config's folder"
        line, files = f"{where}: read {shown(found)} (from {folder})", (shown(found),)
    return {**config, "transformers": {**config["transformers"], "deepspeed": data}}, (line,), files


def _base64_json(text: str) -> dict[str, Any] | None:
    """HfDeepSpeedConfig's last resort: the string as urlsafe base64 of a JSON object."""
    import base64
    import binascii

    try:
        data = json.loads(base64.urlsafe_b64decode(text).decode("utf-8"))
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _ds_config(config: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
    """The ds_config: the section, or the mapping the TrainingArguments' deepspeed holds (read_named read a file in)."""
    named = _named(config)
    if SECTION in config:
        if named is not None:
            raise ConfigError("transformers.deepspeed", "names a ds_config, and the config has a `deepspeed:` section too; keep one")
        section = config[SECTION]
        if not isinstance(section, Mapping):
            raise ConfigError(SECTION, f"must be a ds_config mapping (scheduler, optimizer, ...), got {type_name(section)}")
        return copy.deepcopy(dict(section)), SECTION
    return copy.deepcopy(dict(named)), "transformers.deepspeed"


def _node(ds: Mapping[str, Any], dotted: str) -> tuple[Any, str]:
    """HfDeepSpeedConfig.find_config_node: the mapping holding the last key, or None."""
    *parents, last = dotted.split(".")
    node: Any = ds
    for part in parents:
        node = node.get(part) if isinstance(node, Mapping) else None
        if node is None:
            return None, last
    return (node if isinstance(node, dict) else None), last


def translate(section: Any, config: Mapping[str, Any], path: str = SECTION) -> tuple[dict[str, Any], tuple[str, ...]]:
    ds, where = _ds_config(config)
    lines: list[str] = []
    if "transformers" in config:
        return _with_trainer(ds, where, config, lines)
    for key in ("scheduler", "run"):
        if key in config and not (key == "run" and _run_keys_ok(config["run"])):
            raise ConfigError(key, f"the `{path}:` section sets the {key} (its scheduler block, and lrplot's `steps`); remove `{key}:` and change the section")
    run_steps = config.get("run", {}).get("iterations") if isinstance(config.get("run"), Mapping) else None
    sched = _scheduler(ds, where)
    lr, betas, lr_lines = _optimizer(ds, where, config.get("optimizer"))
    lines += lr_lines
    steps = run_steps if run_steps is not None else ds.get("steps")
    how = "--iterations" if run_steps is not None else f"{path}.steps"
    if steps is None:
        steps = sched["params"].get("total_num_steps")
        how = "the scheduler's total_num_steps"
    if steps is None or steps == "auto":
        raise ConfigError(f"{where}.steps", "missing; a ds_config does not say how long the run is: give steps (optimizer steps) or --iterations")
    steps = integer(steps, f"{where}.steps")
    if not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"{where}.steps", f"must be from 1 to {MAX_STEPS:,} optimizer steps, got {steps}")
    lines.append(f"deepspeed engine: {steps:,} optimizer steps ({how}); lr_scheduler.step() after each one it applies")
    return _plain(ds, where, sched, lr, betas, steps, config), tuple(lines)


def _run_keys_ok(run: Any) -> bool:
    return isinstance(run, Mapping) and set(run) <= {"iterations"}


def _scheduler(ds: Mapping[str, Any], where: str) -> dict[str, Any]:
    sched = ds.get("scheduler")
    if sched is None:
        raise ConfigError(
            f"{where}.scheduler",
            "missing, so the ds_config has no schedule of its own. Under transformers' Trainer (LLaMA-Factory, TRL, ...) the "
            "Trainer's lr_scheduler_type trains: give its TrainingArguments in a `transformers:` section beside the ds_config "
            "(for a ds_config.json, an lrplot YAML with `include: ds_config.json` and `transformers: {learning_rate: ..., "
            "lr_scheduler_type: ..., dataset_size: ...}`). With your own script DeepSpeed steps the scheduler it passes to "
            "deepspeed.initialize(lr_scheduler=...): draw that one (`scheduler: {type: ...}`)",
        )
    if not isinstance(sched, Mapping) or "type" not in sched:
        raise ConfigError(f"{where}.scheduler", 'must be a mapping with a "type" and its "params"')
    kind = sched["type"]
    if kind not in CLASSES:
        from ...registry import lookup

        torch = lookup(kind) if isinstance(kind, str) else None
        if torch is not None and torch.family == "torch" and torch.name == kind:
            raise ConfigError(
                f"{where}.scheduler.type",
                f"{kind} is torch's: DeepSpeed builds it with these params and steps it after every applied step; draw it as "
                f"`scheduler: {{type: {kind}, ...}}` with run.step: iteration",
            )
        raise TorchWouldRaise(
            f"{where}.scheduler.type",
            f"DeepSpeed raises AssertionError (DeepSpeed does not recognize LR scheduler {kind}){suggest(str(kind), CLASSES)}; "
            f"it takes {', '.join(CLASSES)} or a torch scheduler's class name",
        )
    params = sched.get("params", {})
    if not isinstance(params, Mapping):
        raise ConfigError(f"{where}.scheduler.params", f"must be a mapping of the class's keywords, got {type_name(params)}")
    return {"type": kind, "params": dict(params)}


def _optimizer(ds: Mapping[str, Any], where: str, given: Any) -> tuple[float, list[float] | None, list[str]]:
    """The optimizer's lr and betas (None: an optimizer without betas), and where they came from."""
    opt = ds.get("optimizer")
    lines: list[str] = []
    lr = betas = None
    kind = "adamw"
    if isinstance(opt, Mapping):
        kind = str(opt.get("type", "")).lower()
        params = opt.get("params") or {}
        if isinstance(params, Mapping):
            lr, betas = params.get("lr"), params.get("betas")
    if isinstance(given, Mapping) and given.get("lr") is not None:
        lines.append(f"optimizer lr {given['lr']!r} (from --lr{', over the ds_config' if lr is not None else ''})")
        lr = given["lr"]
    if lr is None:
        lr = 0.001
        lines.append("optimizer lr 0.001 (the ds_config gives none; torch's Adam default; --lr sets it)")
    if lr == "auto" or betas == "auto":
        raise ConfigError(f"{where}.optimizer.params", '"auto" is filled by transformers\' Trainer; without a `transformers:` section, give the number')
    if betas is None and kind.replace("_", "") in WITH_BETAS:
        betas = [0.9, 0.999]  # the optimizer's default (OneCycle cycles betas[0] only where there are betas)
    return lr, (list(betas) if betas is not None else None), lines


def _plain(ds: Mapping[str, Any], where: str, sched: Mapping[str, Any], lr: Any, betas: Any, run: Any, config: Mapping[str, Any]) -> dict[str, Any]:
    params = dict(sched["params"])
    info = BY_NAME[f"deepspeed.{sched['type']}"]
    known = [p.name for p in info.params if p.name != "skipped_steps"]
    for key, value in params.items():
        if key not in known:
            raise TorchWouldRaise(
                f"{where}.scheduler.params.{key}",
                f"DeepSpeed raises TypeError ({sched['type']}.__init__() got an unexpected keyword argument {key!r}){suggest(key, known)}; "
                f"it takes {', '.join(known)}",
            )
        if value == "auto":
            raise ConfigError(f"{where}.scheduler.params.{key}", '"auto" is filled by transformers\' Trainer; without a `transformers:` section, give the number')
    if ds.get("skipped_steps") is not None:
        params["skipped_steps"] = ds["skipped_steps"]
    optimizer: dict[str, Any] = {"lr": lr}
    if betas is not None:
        optimizer["betas"] = betas
    run = dict(run) if isinstance(run, Mapping) else {"iterations": run}
    run.pop("step", None)
    out: dict[str, Any] = {"optimizer": optimizer, "run": run, "scheduler": {"type": info.name, **params}}
    for key in ("name", "metric", "vars"):
        if key in config:
            out[key] = config[key]
    return out


# ----------------------------------------------------------------------------------------------
# Under transformers' Trainer


def _with_trainer(ds: dict[str, Any], where: str, config: Mapping[str, Any], lines: list[str]) -> tuple[dict[str, Any], tuple[str, ...]]:
    from ...config import options_into_section
    from ..transformers import trainer

    config, moved = options_into_section(config, "transformers", trainer.OPTIONS)
    lines = list(moved) + lines
    for key in ("steps",):
        if key in ds:
            raise ConfigError(f"{where}.{key}", "the Trainer sizes the run (its TrainingArguments); remove steps")
    hf = {k: v for k, v in config["transformers"].items() if k != "deepspeed"}
    args = trainer.read(hf)
    plan = args.plan
    plain, hf_lines = trainer.translate(hf, {k: v for k, v in config.items() if k not in ("transformers", SECTION)})
    lines += list(hf_lines)
    section = config["transformers"]
    world = plan.devices
    total = plan.num_training_steps
    mismatches: list[str] = []

    def fill(dotted: str, value: Any, hf_key: str, must_match: bool = True) -> None:
        node, key = _node(ds, dotted)
        if node is None:
            return
        if node.get(key) == "auto":
            node[key] = value
            lines.append(f'  {dotted}: "auto" -> {value!r} ({hf_key})')
            return
        if must_match and node.get(key) is not None and node[key] != value:
            mismatches.append(f"- ds {dotted}={node[key]} vs hf {hf_key}={value}")

    gas = plan.gradient_accumulation_steps
    micro = plan.per_device_train_batch_size
    lines.append("transformers' DeepSpeed integration (5.23): the ds_config's \"auto\" values from the TrainingArguments")
    fill("train_micro_batch_size_per_gpu", micro, "per_device_train_batch_size")
    fill("gradient_accumulation_steps", gas, "gradient_accumulation_steps")
    fill("train_batch_size", world * micro * gas, "train_batch_size (calculated)")
    fill("optimizer.params.lr", args.learning_rate, "learning_rate")
    fill("optimizer.params.betas", [section.get("adam_beta1", 0.9), section.get("adam_beta2", 0.999)], "adam_beta1+adam_beta2")
    fill("scheduler.params.warmup_min_lr", 0, "warmup_min_lr", must_match=False)
    fill("scheduler.params.warmup_max_lr", args.learning_rate, "learning_rate")
    fill("fp16.enabled", bool(section.get("fp16") or section.get("fp16_full_eval")), "fp16|fp16_full_eval")
    fill("scheduler.params.total_num_steps", total, "num_training_steps (calculated)")
    fill("scheduler.params.warmup_num_steps", max(1, plan.num_warmup_steps), "warmup_steps")
    if mismatches:
        raise TorchWouldRaise(
            where,
            "transformers raises ValueError (Please correct the following DeepSpeed config values that mismatch TrainingArguments "
            f"values: {' '.join(mismatches)}); set them to \"auto\"",
        )
    if "scheduler" not in ds:
        if ds.get("skipped_steps"):
            raise ConfigError(f"{where}.skipped_steps", "lrplot models skipped steps for DeepSpeed's own schedulers; this run trains the Trainer's")
        lines.append(f"  the ds_config has no scheduler: the Trainer builds lr_scheduler_type {args.lr_scheduler_type!r} and DeepSpeed's engine steps it")
        return plain, tuple(lines)
    sched = _scheduler(ds, where)
    replaced = f"lr_scheduler_type {args.lr_scheduler_type!r}" + (" (the default)" if "lr_scheduler_type" not in section else "")
    lines.append(f"  THE DS_CONFIG'S SCHEDULER TRAINS: DeepSpeed's {sched['type']} replaces {replaced} (the Trainer passes a DummyScheduler)")
    lr = args.learning_rate
    opt = ds.get("optimizer")
    betas = [section.get("adam_beta1", 0.9), section.get("adam_beta2", 0.999)]
    if isinstance(opt, Mapping) and isinstance(opt.get("params"), Mapping):
        lr = opt["params"].get("lr", lr)
        betas = opt["params"].get("betas", betas)
    return _plain(ds, where, sched, lr, betas, plain["run"], config), tuple(lines)


def section_error(exc: ConfigError) -> ConfigError:
    where = exc.path
    if where.startswith("scheduler."):
        key = where[len("scheduler."):].split("[")[0].split(".")[0]
        where = f"{SECTION}.scheduler.params.{key}"
    elif where.startswith("optimizer"):
        where = f"{SECTION}.optimizer.params.lr"
    elif where.startswith("run"):
        where = f"{SECTION}.steps"
    else:
        where = SECTION
    return type(exc)(where, exc.message)
