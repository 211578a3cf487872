"""The ``timm:`` config section: timm's train.py arguments, and the schedule train.py trains with.

A user of timm's train.py writes ``--sched cosine --epochs 150 --warmup-epochs 5``; here that is
``timm: {sched: cosine, epochs: 150, warmup_epochs: 5}``, with the names train.py stores in its
``args.yaml`` and train.py's argparse defaults for what is left out (they differ from
``create_scheduler_v2``'s own: ``lr_cycle_decay`` 0.5, ``warmup_epochs`` 5, ``decay_epochs`` 90).
This module does what train.py does with them, and says so line by line for ``explain``:

* the lr: ``--lr``, or ``lr_base * global batch / lr_base_size`` (sqrt scaling for ada*/lamb);
* ``updates_per_epoch``: given, or ``ceil(len(loader_train) / grad_accum_steps)`` over timm's train
  loader, which drops a last partial batch and, with several processes, reads a DistributedSampler's
  ``ceil(dataset_size / world_size)`` samples;
* ``scheduler_kwargs`` (plateau's mode from ``eval_metric``) and ``create_scheduler_v2``: the
  class and its keywords (lengths converted to updates with ``sched_on_updates``, noise fractions
  of ``t_initial``), and the number of epochs it returns, which train.py trains.

The result is a plain config (``scheduler: {type: timm.<name>, ...}`` with every keyword written
out, ``run`` and ``optimizer``), validated like any other.
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import amount, check_keys, count, integer, number, suggest, type_name

SCHEDS = ("cosine", "tanh", "step", "constant", "multistep", "plateau", "poly", "wsd", "rsqrt", "none")
CLASS_OF = {
    "cosine": "timm.cosine", "tanh": "timm.tanh", "step": "timm.step", "constant": "timm.step",
    "multistep": "timm.multistep", "plateau": "timm.plateau", "poly": "timm.poly", "wsd": "timm.wsd", "rsqrt": "timm.wsd",
}
# train.py's arguments the schedule depends on: (kind, argparse default, what it is). Kinds: int,
# float (argparse type=float: stored as a float), bool, str, ints, fractions (--lr-noise), plus
# "optional float" / "optional str" where None is the default.
ARGS: dict[str, tuple[str, Any, str]] = {
    "sched": ("sched", "cosine", "--sched: " + ", ".join(SCHEDS)),
    "epochs": ("int", 300, "--epochs: epochs of the schedule (before warmup prefix and cooldown)"),
    "decay_epochs": ("float", 90.0, "--decay-epochs: step period, or wsd/rsqrt decay length (a fraction if < 1)"),
    "decay_milestones": ("ints", [90, 180, 270], "--decay-milestones: multistep epochs"),
    "cooldown_epochs": ("int", 0, "--cooldown-epochs: epochs at min_lr after the cycles (cosine, tanh, poly, wsd)"),
    "patience_epochs": ("int", 10, "--patience-epochs: plateau patience"),
    "decay_rate": ("float", 0.1, "--decay-rate: step/multistep/plateau factor, poly power"),
    "min_lr": ("float", 0.0, "--min-lr"),
    "warmup_lr": ("float", 1e-5, "--warmup-lr: lr the warmup starts from"),
    "warmup_epochs": ("int", 5, "--warmup-epochs"),
    "warmup_prefix": ("bool", False, "--warmup-prefix: the warmup comes before the schedule (added to its epochs)"),
    "lr_noise": ("fractions", None, "--lr-noise: noise on (and off) as fractions of the schedule"),
    "lr_noise_pct": ("float", 0.67, "--lr-noise-pct"),
    "lr_noise_std": ("float", 1.0, "--lr-noise-std"),
    "seed": ("int", 42, "--seed: also the noise seed"),
    "lr_cycle_mul": ("float", 1.0, "--lr-cycle-mul"),
    "lr_cycle_decay": ("float", 0.5, "--lr-cycle-decay"),
    "lr_cycle_limit": ("int", 1, "--lr-cycle-limit"),
    "lr_k_decay": ("float", 1.0, "--lr-k-decay"),
    "lr_decay_fn": ("optional str", None, "--lr-decay-fn: wsd/rsqrt decay shape"),
    "lr_stable_timescale": ("optional float", None, "--lr-stable-timescale: rsqrt timescale in epochs"),
    "sched_on_updates": ("bool", False, "--sched-on-updates: step the schedule per update"),
    "eval_metric": ("str", "top1", "--eval-metric: loss (lower is better), top1 or top5"),
    "lr": ("optional float", None, "--lr: overrides lr_base"),
    "lr_base": ("float", 0.1, "--lr-base: lr = lr_base * global batch / lr_base_size"),
    "lr_base_size": ("int", 256, "--lr-base-size"),
    "lr_base_scale": ("str", "", "--lr-base-scale: linear or sqrt (default: sqrt for ada*/lamb optimizers)"),
    "opt": ("str", "sgd", "--opt: the optimizer name (decides the lr scaling)"),
    "batch_size": ("int", 128, "--batch-size: per process"),
    "grad_accum_steps": ("int", 1, "--grad-accum-steps"),
    "world_size": ("int", 1, "processes (GPUs) of the distributed run"),
    "updates_per_epoch": ("optional int", None, "optimizer updates per epoch (create_scheduler_v2's keyword), or:"),
    "dataset_size": ("optional int", None, "training samples, for the train loader's length"),
}


# The run's and optimizer's options (a YAML's run:, or --dataset-size and the other flags) as the
# train.py arguments they mean. timm's train loader always drops a last partial batch: no drop_last.
OPTIONS = {
    "run.epochs": "epochs", "run.dataset_size": "dataset_size", "run.batch_size": "batch_size",
    "run.devices": "world_size", "run.grad_accum": "grad_accum_steps", "optimizer.lr": "lr",
}


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list timm`: (name, default, what it is)."""
    return [(name, "-" if default is None else str(default), doc) for name, (_, default, doc) in ARGS.items()]


_NOT_NEGATIVE = {"lr", "cooldown_epochs", "patience_epochs", "min_lr", "warmup_lr", "warmup_epochs", "lr_noise_std", "lr_cycle_decay", "lr_cycle_limit"}
_POSITIVE = {"epochs", "decay_epochs", "lr_noise_pct", "lr_cycle_mul", "lr_k_decay", "lr_stable_timescale", "lr_base", "lr_base_size",
             "batch_size", "grad_accum_steps", "world_size", "updates_per_epoch", "dataset_size"}
_CHOICES = {"lr_decay_fn": ("linear", "1-sqrt", "cosine", "power", "exp"), "eval_metric": ("loss", "top1", "top5"),
            "lr_base_scale": ("", "linear", "sqrt")}


def read_args(section: Any, path: str) -> dict[str, Any]:
    """The section's arguments, checked, as argparse would store them, defaults filled."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of train.py's arguments (sched, epochs, warmup_epochs, ...), got {type_name(section)}")
    check_keys(section, path, ARGS)
    args = {}
    for key, (kind, default, _) in ARGS.items():
        where = f"{path}.{key}"
        value = section.get(key, default)
        if value is None and (kind.startswith("optional") or kind == "fractions"):
            args[key] = None
            continue
        kind = kind.removeprefix("optional ")
        if kind == "int":
            value = integer(value, where)
        elif kind == "float":
            value = number(value, where)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(where, f"must be true or false, got {value!r}")
        elif kind == "ints":
            value = [integer(v, f"{where}[{i}]") for i, v in enumerate(value if isinstance(value, list) else [value])]
        elif kind == "fractions":
            # argparse nargs='+': one or more numbers; create_scheduler_v2 also takes a bare number
            items = value if isinstance(value, list) else [value]
            if not 1 <= len(items) <= 2:
                raise ConfigError(where, f"one fraction (noise from there on) or two (on and off), got {len(items)}")
            value = [number(v, f"{where}[{i}]") for i, v in enumerate(items)]
        elif kind in ("str", "sched"):
            choices = SCHEDS if kind == "sched" else _CHOICES.get(key)
            if not isinstance(value, str) or (choices and value not in choices):
                shown = f"one of {', '.join(repr(c) for c in choices)}" if choices else "a string"
                extra = " (timm raises ValueError: Unknown scheduler)" if kind == "sched" else ""
                raise ConfigError(where, f"must be {shown}, got {value!r}{suggest(value, choices or ())}{extra}")
        if key in _POSITIVE and value <= 0:
            raise ConfigError(where, f"must be > 0, got {value}")
        if key in _NOT_NEGATIVE and value < 0:
            raise ConfigError(where, f"must be >= 0, got {value}")
        args[key] = value
    if args["sched"] == "none":
        raise ConfigError(
            f"{path}.sched", "`none` trains without a scheduler (create_scheduler_v2 returns None): the lr stays the same; pick a schedule"
        )
    return args


def learning_rate(args: dict[str, Any]) -> tuple[float, str]:
    """train.py's lr and how it came about: ``--lr``, or ``lr_base`` scaled by the global batch size."""
    if args["lr"]:
        return args["lr"], f"lr {args['lr']:g} (--lr)"
    global_batch_size = args["batch_size"] * args["world_size"] * args["grad_accum_steps"]
    batch_ratio = global_batch_size / args["lr_base_size"]
    scale = args["lr_base_scale"] or ("sqrt" if any(o in args["opt"].lower() for o in ("ada", "lamb")) else "linear")
    if scale == "sqrt":
        batch_ratio = batch_ratio ** 0.5
    lr = args["lr_base"] * batch_ratio
    batch = f"{args['batch_size']} x {args['world_size']} processes x {args['grad_accum_steps']} accumulated"
    return lr, (f"lr = lr_base {args['lr_base']:g} x {'sqrt(' if scale == 'sqrt' else ''}global batch {global_batch_size} ({batch}) "
                f"/ lr_base_size {args['lr_base_size']}{')' if scale == 'sqrt' else ''} = {lr:g} ({scale} scaling)")


def updates_per_epoch(args: dict[str, Any], path: str) -> tuple[int | None, list[str]]:
    """``updates_per_epoch`` as given or as train.py derives it from its train loader (None: not given)."""
    if args["updates_per_epoch"] is not None:
        if args["dataset_size"] is not None:
            raise ConfigError(f"{path}.dataset_size", "updates_per_epoch is given too; give one or the other")
        return args["updates_per_epoch"], [f"updates_per_epoch {args['updates_per_epoch']}"]
    if args["dataset_size"] is None:
        return None, []
    n, world, batch, accum = args["dataset_size"], args["world_size"], args["batch_size"], args["grad_accum_steps"]
    lines = []
    per_process = -(-n // world)
    if world > 1:
        pad = per_process * world - n
        lines.append(f"{n} samples / {world} processes = {per_process} per process"
                     + (f" (DistributedSampler repeats {pad} samples)" if pad else ""))
    batches = per_process // batch
    if batches == 0:
        raise ConfigError(f"{path}.batch_size", f"{per_process} samples per process make no full batch of {batch}, and timm's train loader drops a partial one")
    dropped = per_process - batches * batch
    lines.append(f"len(loader_train) = {per_process} // batch_size {batch} = {batches} batches"
                 + (f" (timm's train loader drops the last {dropped} samples)" if dropped else ""))
    upe = -(-batches // accum)
    if accum > 1:
        lines.append(f"updates_per_epoch = ceil({batches} / grad_accum_steps {accum}) = {upe} (a last shorter accumulation still updates)")
    else:
        lines.append(f"updates_per_epoch = {upe}")
    return upe, lines


def factory_kwargs(args: dict[str, Any]) -> dict[str, Any]:
    """``scheduler_kwargs(args, decreasing_metric=eval_metric == 'loss')``: create_scheduler_v2's keywords."""
    return dict(
        sched=args["sched"], num_epochs=args["epochs"], decay_epochs=args["decay_epochs"],
        decay_milestones=args["decay_milestones"], warmup_epochs=args["warmup_epochs"],
        cooldown_epochs=args["cooldown_epochs"], patience_epochs=args["patience_epochs"], decay_rate=args["decay_rate"],
        min_lr=args["min_lr"], warmup_lr=args["warmup_lr"], warmup_prefix=args["warmup_prefix"], noise=args["lr_noise"],
        noise_pct=args["lr_noise_pct"], noise_std=args["lr_noise_std"], noise_seed=args["seed"],
        cycle_mul=args["lr_cycle_mul"], cycle_decay=args["lr_cycle_decay"], cycle_limit=args["lr_cycle_limit"],
        k_decay=args["lr_k_decay"], decay_fn=args["lr_decay_fn"], stable_timescale=args["lr_stable_timescale"],
        plateau_mode="min" if args["eval_metric"] == "loss" else "max", step_on_epochs=not args["sched_on_updates"],
    )


def create_scheduler_v2(kw: dict[str, Any], upe: int | None, path: str) -> tuple[dict[str, Any], int, list[str]]:
    """The scheduler create_scheduler_v2 builds (as a config mapping), the epochs it returns, and why."""
    sched, on_epochs = kw["sched"], kw["step_on_epochs"]
    t_initial, warmup_t, decay_t = kw["num_epochs"], kw["warmup_epochs"], kw["decay_epochs"]
    cooldown_t, timescale_t, milestones = kw["cooldown_epochs"], kw["stable_timescale"], kw["decay_milestones"]
    if not on_epochs:
        if upe is None:
            raise ConfigError(
                f"{path}.sched_on_updates",
                "needs updates_per_epoch (or dataset_size and batch_size): create_scheduler_v2 asserts "
                "'updates_per_epoch must be set to number of dataloader batches'",
            )
        if sched == "plateau":
            raise TorchWouldRaise(f"{path}.sched_on_updates", "timm raises AssertionError: Plateau LR only supports step per epoch.")
        t_initial, warmup_t, decay_t, cooldown_t = t_initial * upe, warmup_t * upe, decay_t * upe, cooldown_t * upe
        milestones = [d * upe for d in milestones]
        if timescale_t is not None:
            timescale_t = timescale_t * upe
    noise_range: Any = None
    if kw["noise"] is not None:
        noise_range = [n * t_initial for n in kw["noise"]]
        noise_range = noise_range[0] if len(noise_range) == 1 else noise_range
    warmup = dict(warmup_t=warmup_t, warmup_lr_init=kw["warmup_lr"])
    noise = dict(noise_range_t=noise_range, noise_pct=kw["noise_pct"], noise_std=kw["noise_std"], noise_seed=kw["noise_seed"])
    cycles = dict(cycle_mul=kw["cycle_mul"], cycle_decay=kw["cycle_decay"], cycle_limit=kw["cycle_limit"])
    prefix = dict(warmup_prefix=kw["warmup_prefix"])
    stepping = dict(t_in_epochs=on_epochs)
    if sched == "cosine":
        keys = dict(t_initial=t_initial, lr_min=kw["min_lr"], **cycles, **warmup, **prefix, **stepping, **noise, k_decay=kw["k_decay"])
    elif sched == "tanh":
        keys = dict(t_initial=t_initial, lr_min=kw["min_lr"], **cycles, **warmup, **prefix, **stepping, **noise)
    elif sched in ("step", "constant"):
        rate = dict(decay_t=decay_t, decay_rate=kw["decay_rate"]) if sched == "step" else dict(decay_t=1, decay_rate=1.0)
        keys = dict(**rate, **warmup, **prefix, **stepping, **noise)
    elif sched == "multistep":
        keys = dict(decay_t=milestones, decay_rate=kw["decay_rate"], **warmup, **prefix, **stepping, **noise)
    elif sched == "plateau":
        keys = dict(decay_rate=kw["decay_rate"], patience_t=kw["patience_epochs"], cooldown_t=0, **warmup,
                    lr_min=kw["min_lr"], mode=kw["plateau_mode"], **noise)
    elif sched == "poly":
        keys = dict(t_initial=t_initial, power=kw["decay_rate"], lr_min=kw["min_lr"], **cycles, **warmup, **prefix, **stepping,
                    **noise, k_decay=kw["k_decay"])
    else:  # wsd, rsqrt: the warmup is always a prefix; without warmup_prefix it fits inside num_epochs
        t_sched = t_initial if kw["warmup_prefix"] else t_initial - warmup_t
        if 0 < kw["decay_epochs"] < 1:
            decay_t = kw["decay_epochs"] * t_sched
        decay_t = count(round(decay_t) if math.isfinite(decay_t) else decay_t, f"{path}.decay_epochs", "the decay length (decay_epochs" + ("" if on_epochs else " x updates_per_epoch") + ")")
        if not 0 < decay_t <= t_sched:
            raise TorchWouldRaise(
                f"{path}.decay_epochs",
                f"timm raises ValueError: {sched} schedule requires 0 < decay_epochs <= epochs"
                f"{'' if kw['warmup_prefix'] else ' - warmup_epochs'}, got decay {decay_t} and stable + decay length {t_sched}",
            )
        if sched == "rsqrt" and timescale_t is None and not warmup_t:
            raise TorchWouldRaise(
                f"{path}.lr_stable_timescale",
                "timm raises ValueError: stable_fn=rsqrt requires a positive stable_timescale, it defaults to warmup_t (0); "
                "give lr_stable_timescale or warmup_epochs",
            )
        keys = dict(t_initial=t_sched, decay_t=decay_t, lr_min=kw["min_lr"], stable_fn="rsqrt" if sched == "rsqrt" else "constant",
                    stable_timescale=timescale_t, decay_fn=kw["decay_fn"] or ("linear" if sched == "rsqrt" else "1-sqrt"),
                    **warmup, **stepping, **noise)
    scheduler = {"type": CLASS_OF[sched], **keys}

    # num_epochs: the classes with get_cycle_length() (cosine, tanh, poly, wsd) give their length in t
    # plus the cooldown, back in epochs (floored) when per update; the others keep num_epochs, plus
    # the warmup with warmup_prefix (and the cooldown is ignored).
    if sched in ("cosine", "tanh", "poly"):
        cycles_n = max(1, kw["cycle_limit"])
        if kw["cycle_mul"] == 1.0:
            how = f"t_initial {t_initial} x {cycles_n} cycle{'s' if cycles_n > 1 else ''}"
            length = count(t_initial * cycles_n, f"{path}.lr_cycle_limit", how)
        else:
            length = _cycle_length(t_initial, kw["cycle_mul"], cycles_n, path)
            how = f"{cycles_n} cycles growing x{kw['cycle_mul']:g} from t_initial {t_initial} = {length}"
        if kw["warmup_prefix"]:
            length += warmup_t
            how += f" + warmup_t {warmup_t} (prefix)"
    elif sched in ("wsd", "rsqrt"):
        length = warmup_t + keys["t_initial"]
        how = f"warmup_t {warmup_t} + t_initial {keys['t_initial']}"
    else:
        length = None
    if length is not None:
        total = length + cooldown_t
        how += f" + cooldown {cooldown_t}"
        num_epochs = total if on_epochs else total // upe
        if not on_epochs:
            how = f"({how} = {total} updates) // updates_per_epoch {upe}"
    else:
        num_epochs = kw["num_epochs"] + (kw["warmup_epochs"] if kw["warmup_prefix"] else 0)
        how = f"epochs {kw['num_epochs']}" + (f" + warmup_epochs {kw['warmup_epochs']} (prefix)" if kw["warmup_prefix"] else "")
        if kw["cooldown_epochs"] and sched != "plateau":
            how += f" (cooldown_epochs {kw['cooldown_epochs']} is ignored for {sched})"
    if num_epochs < 1:
        raise ConfigError(f"{path}.epochs", f"create_scheduler_v2 returns {num_epochs} epochs to train ({how}); train.py would train nothing")
    return scheduler, num_epochs, [f"num_epochs = {how} = {num_epochs} (what create_scheduler_v2 returns and train.py trains)"]


def _cycle_length(t_initial: int, mul: float, cycles: int, path: str) -> int:
    """``get_cycle_length()``, bounded before timm's int(): its float arithmetic overflows first for a huge lr_cycle_mul."""
    from .replica import cycle_length

    return count(
        cycle_length(t_initial, mul, cycles), f"{path}.lr_cycle_mul",
        f"t_initial {t_initial} x (lr_cycle_mul {amount(mul)} ** {cycles} cycles - 1) / (lr_cycle_mul - 1)",
        overflow="timm raises OverflowError (cannot convert float infinity to integer) in get_cycle_length(), which "
        "create_scheduler_v2 calls; give a smaller lr_cycle_mul or fewer cycles",
    )


def translate(section: Any, config: Any, path: str) -> tuple[dict, tuple[str, ...]]:
    """The plain config train.py's arguments describe, and the arithmetic that derived it."""
    if "scheduler" in config:
        raise ConfigError(
            "scheduler", f"the `{path}:` section builds the scheduler (create_scheduler_v2), so there is no `scheduler:` "
            "to give, nor scheduler flags; change the section's train.py arguments",
        )
    if "run" in config:
        raise ConfigError(
            "run", f"the `{path}:` section sets the run: train.py trains the epochs create_scheduler_v2 returns, "
            f"updates_per_epoch updates each; change {path}.epochs (and updates_per_epoch or dataset_size) instead",
        )
    args = read_args(section, path)
    optimizer = dict(config.get("optimizer") or {}) if isinstance(config.get("optimizer"), Mapping) else config.get("optimizer")
    lines = [f"timm train.py arguments: {command_line(section)}"]
    if isinstance(optimizer, dict) and "lr" in optimizer:
        raise ConfigError("optimizer.lr", f"train.py's lr is given in the `{path}:` section (lr, or lr_base scaled by the batch); move it there")
    lr, lr_line = learning_rate(args)
    lines.append(lr_line)
    upe, upe_lines = updates_per_epoch(args, path)
    lines += upe_lines
    kw = factory_kwargs(args)
    scheduler, num_epochs, epoch_lines = create_scheduler_v2(kw, upe, path)
    lines += epoch_lines
    out: dict[str, Any] = {k: v for k, v in config.items() if k != path}
    out["optimizer"] = {**optimizer, "lr": lr} if isinstance(optimizer, dict) else {"lr": lr}
    out["run"] = {"epochs": num_epochs, "steps_per_epoch": upe or 1}
    out["scheduler"] = scheduler
    return out, tuple(lines)


# what train.py learns from its data loader and the distributed launch, not from flags
NOT_FLAGS = ("world_size", "updates_per_epoch", "dataset_size")


def command_line(section: Mapping[str, Any]) -> str:
    """The section as train.py's command line flags, as the user gave them."""
    parts = []
    for key, value in section.items():
        if key in NOT_FLAGS:
            continue
        flag = "--" + key.replace("_", "-")
        if value is True:
            parts.append(flag)
        elif isinstance(value, list):
            parts.append(f"{flag} {' '.join(str(v) for v in value)}")
        elif value is not False and value is not None:
            parts.append(f"{flag} {value}")
    return " ".join(parts) or "(train.py's defaults)"


# create_scheduler_v2's keywords, and the train.py argument each comes from (for messages)
_ARGUMENT_OF = {
    "t_initial": "epochs", "lr_min": "min_lr", "cycle_mul": "lr_cycle_mul", "cycle_decay": "lr_cycle_decay",
    "cycle_limit": "lr_cycle_limit", "warmup_t": "warmup_epochs", "warmup_lr_init": "warmup_lr", "warmup_prefix": "warmup_prefix",
    "t_in_epochs": "sched_on_updates", "noise_range_t": "lr_noise", "noise_pct": "lr_noise_pct", "noise_std": "lr_noise_std",
    "noise_seed": "seed", "k_decay": "lr_k_decay", "decay_rate": "decay_rate", "power": "decay_rate", "patience_t": "patience_epochs",
    "stable_timescale": "lr_stable_timescale", "decay_fn": "lr_decay_fn", "mode": "eval_metric",
}
SECTION = "timm"


def argument_path(key: str | None, kind: str = "") -> str:
    """The train.py argument a scheduler keyword came from (``timm.lr_k_decay``); the section itself for the rest."""
    if key == "decay_t":
        return f"{SECTION}.{'decay_milestones' if kind == 'timm.multistep' else 'decay_epochs'}"
    return f"{SECTION}.{_ARGUMENT_OF[key]}" if key in _ARGUMENT_OF else SECTION


def section_error(exc: ConfigError, kind: str = "") -> ConfigError:
    """An error in the plain config this section became, named by the train.py argument that caused it."""
    where = exc.path
    if where.startswith("scheduler."):
        where = argument_path(where[len("scheduler."):].split("[")[0].split(".")[0], kind)
    elif where.startswith("optimizer.lr"):
        where = f"{SECTION}.lr"
    else:
        where = SECTION
    return type(exc)(where, exc.message)
