"""The ``megatron:`` config section: Megatron-LM's launch arguments, and the schedule training.py builds.

A user of pretrain_gpt.py writes ``--lr 6e-5 --lr-decay-style cosine --train-iters 500000``; here that
is ``megatron: {lr: 6e-5, lr-decay-style: cosine, train-iters: 500000}``, dashes or underscores
(Megatron-Bridge's ``SchedulerConfig`` and ``TrainingConfig`` fields have the same names). This module
does what megatron/training/arguments.py checks (``validate_args``, in Megatron's own words where it
asserts) and what training.py's ``get_optimizer_param_scheduler`` and ``update_train_iters`` compute
(NVIDIA/Megatron-LM, tag core_v0.16.1, commit 55ac7082), and says so line by line for ``explain``:
the schedule in samples (``--lr-*-iters`` times ``--global-batch-size``), the warmup fraction of the
decay span, and the iterations of a run given in samples, batch-size ramp-up included.
"""

from __future__ import annotations

from typing import Any, Mapping

from ...errors import ConfigError, TorchWouldRaise
from ...values import integer, number, suggest, type_name
from .records import DECAY_STYLES, WSD_STYLES

SECTION = "megatron"
MAX_ITERATIONS = 10_000_000  # as config.MAX_STEPS
MAX_SAMPLES = 10**15

# Megatron's arguments the schedule depends on (argparse dests): (kind, default, what it is).
ARGS: dict[str, tuple[str, Any, str]] = {
    "lr": ("float", None, "--lr: the peak lr (max_lr)"),
    "min_lr": ("float", 0.0, "--min-lr: the lr after the decay"),
    "lr_decay_style": ("decay", "linear", "--lr-decay-style: " + ", ".join(DECAY_STYLES)),
    "lr_decay_iters": ("int", None, "--lr-decay-iters: iterations until min-lr, the warmup included (default: train-iters)"),
    "lr_decay_samples": ("int", None, "--lr-decay-samples: the same in samples (default: train-samples)"),
    "lr_warmup_iters": ("int", 0, "--lr-warmup-iters"),
    "lr_warmup_samples": ("int", 0, "--lr-warmup-samples"),
    "lr_warmup_fraction": ("float", None, "--lr-warmup-fraction: warmup as a fraction of the decay span"),
    "lr_warmup_init": ("float", 0.0, "--lr-warmup-init: the lr the warmup starts from"),
    "lr_wsd_decay_style": ("wsd", "exponential", "--lr-wsd-decay-style: " + ", ".join(WSD_STYLES)),
    "lr_wsd_decay_iters": ("int", None, "--lr-wsd-decay-iters: WSD's anneal, in iterations"),
    "lr_wsd_decay_samples": ("int", None, "--lr-wsd-decay-samples: WSD's anneal, in samples"),
    "train_iters": ("int", None, "--train-iters: iterations of the run"),
    "train_samples": ("int", None, "--train-samples: samples of the run (iterations derived)"),
    "global_batch_size": ("int", None, "--global-batch-size: samples per iteration, what each step adds"),
    "rampup_batch_size": ("ints", None, "--rampup-batch-size START INCREMENT SAMPLES"),
    "decoupled_lr": ("float", None, "--decoupled-lr: max lr of the embedding and output layer (a second group)"),
    "decoupled_min_lr": ("float", None, "--decoupled-min-lr: their min lr"),
    "exit_interval": ("int", None, "--exit-interval: Megatron stops after the iteration that is a multiple of it, the "
                      "schedule unchanged (the first N iterations of a longer run; --iterations N on a run in samples)"),
    "micro_batch_size": ("int", None, "--micro-batch-size (does not change the schedule)"),
    "fp16": ("bool", False, "--fp16: skipped iterations (inf gradients) do not step the scheduler"),
    "bf16": ("bool", False, "--bf16 (does not change the schedule)"),
}
REFUSED = {
    "step_batch_size_schedule": (
        "is not a megatron-core 0.16.1 argument (argparse: unrecognized arguments); the later Megatron-LM that has it raises "
        "ValueError (Cannot specify both --step-batch-size-schedule and --global-batch-size) beside --global-batch-size, as "
        "its own examples/gpt3/train_gpt3_175b_distributed.sh passes them; lrplot follows 0.16.1: use --rampup-batch-size "
        "with --train-samples"
    ),
    "warmup": "is no longer valid (Megatron asserts: --warmup argument is no longer valid, use --lr-warmup-fraction instead)",
    "batch_size": "is no longer valid (Megatron asserts: --batch-size argument is no longer valid, use --micro-batch-size instead)",
}
# The run's and optimizer's options (a YAML's run:, or --iterations and --lr) as the arguments they mean.
# --iterations is lrplot's ITERATIONS key: --train-iters for a run in iterations, and for a run in samples
# (which has no iteration count to set) the first iterations, as --exit-interval stops it.
ITERATIONS = "iterations"
OPTIONS = {"run.iterations": ITERATIONS, "optimizer.lr": "lr"}


def keys() -> list[tuple[str, str, str]]:
    """The section's keys for `lrplot list megatron`: (name, default, what it is)."""
    return [(k.replace("_", "-"), "-" if d is None else str(d), doc) for k, (_, d, doc) in ARGS.items()]


def dest(key: str) -> str:
    """An argument's argparse destination: ``--lr-decay-iters`` and ``lr-decay-iters`` are ``lr_decay_iters``."""
    return key.lstrip("-").replace("-", "_")


def read_args(section: Any, path: str = SECTION) -> tuple[dict[str, Any], dict[str, str]]:
    """The arguments as argparse stores them, defaults filled, and how each given one was spelled."""
    if not isinstance(section, Mapping):
        raise ConfigError(path, f"must be a mapping of Megatron arguments (lr, lr-decay-style, train-iters, ...), got {type_name(section)}")
    spelled: dict[str, str] = {}
    for key in section:
        if not isinstance(key, str):
            raise ConfigError(path, f"has a key {key!r} that is not an argument name")
        d = dest(key)
        where = f"{path}.{key}"
        if d in REFUSED:
            raise ConfigError(where, REFUSED[d])
        if d not in ARGS:
            raise ConfigError(
                where,
                f"is not a Megatron argument lrplot reads{suggest(d, ARGS)}; the section takes the schedule's: "
                + ", ".join(k.replace("_", "-") for k in ARGS),
            )
        if d in spelled:
            raise ConfigError(where, f"is given twice (as {spelled[d]!r} and {key!r}); keep one")
        spelled[d] = key
    args: dict[str, Any] = {}
    for d, (kind, default, _) in ARGS.items():
        where = f"{path}.{spelled.get(d, d.replace('_', '-'))}"
        value = section[spelled[d]] if d in spelled else default
        if isinstance(value, str) and "$" in value:
            raise ConfigError(
                where, f"is {value!r} as the launch script writes it: a value the script computes or is given when it runs, which "
                "lrplot does not run it to learn; give the number in an lrplot YAML that includes the script "
                f"(include: SCRIPT, megatron: {{{spelled.get(d, d)}: ...}})",
            )
        if value is None:
            args[d] = None
        elif kind == "int":
            args[d] = integer(value, where)
        elif kind == "float":
            args[d] = number(value, where)
        elif kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(where, f"must be true or false, got {value!r}")
            args[d] = value
        elif kind == "ints":
            items = value if isinstance(value, (list, tuple)) else [value]
            if len(items) != 3:
                raise ConfigError(where, f"takes three integers (start batch size, increment, ramp-up samples), got {len(items)}")
            args[d] = [integer(v, f"{where}[{i}]") for i, v in enumerate(items)]
        else:
            choices = DECAY_STYLES if kind == "decay" else WSD_STYLES
            if value not in choices:
                raise TorchWouldRaise(where, f"Megatron's argparse refuses {value!r} (invalid choice){suggest(value, choices)}; it takes {', '.join(choices)}")
            args[d] = value
    return args, spelled


class _Where:
    def __init__(self, spelled: Mapping[str, str], path: str):
        self.spelled, self.path = spelled, path

    def __call__(self, d: str) -> str:
        return f"{self.path}.{self.spelled.get(d, d.replace('_', '-'))}"


def validate(args: dict[str, Any], where: _Where) -> None:
    """validate_args' checks of these arguments (arguments.py:490-836 at core_v0.16.1), in its words."""

    def refuse(d: str, message: str, fix: str = "") -> None:
        raise TorchWouldRaise(where(d), f"Megatron raises AssertionError ({message})" + (f"; {fix}" if fix else ""))

    if args["lr"] is None:
        raise ConfigError(where("lr"), "missing; Megatron's --lr has no default (the scheduler's max_lr)")
    if args["global_batch_size"] is None:
        raise ConfigError(
            where("global_batch_size"),
            "missing; without it Megatron uses micro-batch-size x the data-parallel size, which depends on the parallel layout: give it",
        )
    if args["global_batch_size"] <= 0:
        refuse("global_batch_size", "assert args.global_batch_size > 0")
    if args["train_iters"]:
        for d, message in (
            ("train_samples", "expected iteration-based training"),
            ("lr_decay_samples", "expected iteration-based learning rate decay"),
            ("rampup_batch_size", "expected no batch-size rampup for iteration-based training"),
        ):
            if args[d] is not None:
                fix = "a ramp-up needs a run in samples: give --train-samples (and --lr-*-samples) instead of --train-iters" if d == "rampup_batch_size" else ""
                refuse(d, message, fix)
        if args["lr_warmup_samples"] != 0:
            refuse("lr_warmup_samples", "expected iteration-based learning rate warmup")
        if args["lr_warmup_fraction"] is not None and args["lr_warmup_iters"] != 0:
            refuse("lr_warmup_fraction", "can only specify one of lr-warmup-fraction and lr-warmup-iters")
    elif args["train_samples"]:
        if args["lr_decay_iters"] is not None:
            refuse("lr_decay_iters", "expected sample-based learning rate decay")
        if args["lr_warmup_iters"] != 0:
            refuse("lr_warmup_iters", "expected sample-based learnig rate warmup")
        if args["lr_warmup_fraction"] is not None and args["lr_warmup_samples"] != 0:
            refuse("lr_warmup_fraction", "can only specify one of lr-warmup-fraction and lr-warmup-samples")
    else:
        raise TorchWouldRaise(
            where("train_iters"), "Megatron raises Exception (either train-iters or train-samples should be provided.); give one"
        )
    if not args["min_lr"] <= args["lr"]:
        refuse("min_lr", "assert args.min_lr <= args.lr")
    if args["exit_interval"] is not None and args["exit_interval"] < 0:
        raise ConfigError(where("exit_interval"), f"must be >= 0 (0: no early exit), got {args['exit_interval']}")
    for d in ("train_iters", "train_samples", "lr_decay_iters", "lr_decay_samples", "lr_warmup_iters", "lr_warmup_samples",
              "lr_wsd_decay_iters", "lr_wsd_decay_samples"):
        if args[d] is not None and args[d] < 0:
            raise ConfigError(where(d), f"must be >= 0, got {args[d]}")
    for d in ("lr", "min_lr", "lr_warmup_init", "decoupled_lr", "decoupled_min_lr"):
        if args[d] is not None and args[d] < 0:
            raise ConfigError(where(d), f"must be >= 0, got {args[d]}")
    if args["lr_warmup_fraction"] is not None and not 0 <= args["lr_warmup_fraction"] <= 1:
        raise ConfigError(where("lr_warmup_fraction"), f"must be a fraction from 0 to 1, got {args['lr_warmup_fraction']}")


def translate(section: Any, config: Mapping[str, Any], path: str = SECTION) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The plain config the launch arguments describe, and the sample arithmetic that derived it."""
    from .schedule import iterations_for_samples, ramp_increments, total_samples

    for key, what in (("scheduler", "the scheduler (--lr-decay-style and the --lr-* arguments)"), ("run", "the run (--train-iters or --train-samples)")):
        if key in config:
            raise ConfigError(key, f"the `{path}:` section sets {what}; remove `{key}:` (or the flags that set it) and change the section's arguments")
    drawn = None
    if isinstance(section, Mapping) and ITERATIONS in section:
        drawn = integer(section[ITERATIONS], f"{path}.{ITERATIONS}")
        section = {k: v for k, v in section.items() if k != ITERATIONS}
    args, spelled = read_args(section, path)
    where = _Where(spelled, path)
    lines = ["Megatron-LM (core 0.16.1) training.py: the schedule in samples"]
    if drawn is not None:
        if args["train_samples"] is not None and not args["train_iters"]:
            current = args["exit_interval"]
            args["exit_interval"] = drawn if current is None else min(current, drawn)
            spelled["exit_interval"] = f"{ITERATIONS} (--iterations)"
        else:
            args["train_iters"] = drawn
            spelled["train_iters"] = f"train-iters (--iterations)"
            lines.append(f"  train-iters = {drawn:,} (from --iterations{'; the decay span follows it' if args['lr_decay_iters'] is None else ''})")
    validate(args, where)
    gbs, ramp = args["global_batch_size"], args["rampup_batch_size"]
    if ramp is not None:
        ramp_increments(gbs, ramp, where("rampup_batch_size"))
    if args["train_iters"]:
        iterations = args["train_iters"]
        if iterations > MAX_ITERATIONS and not (args["exit_interval"] and args["exit_interval"] <= MAX_ITERATIONS):
            raise ConfigError(
                where("train_iters"),
                f"{iterations:,} iterations; lrplot simulates at most {MAX_ITERATIONS:,}: draw the first N of them with Megatron's "
                f"--exit-interval N (it stops there, the schedule unchanged), in the script or the `megatron:` section "
                f"(exit-interval: N), or a shorter run with --iterations N (which sets --train-iters, and "
                f"{'the decay span with it' if args['lr_decay_iters'] is None else 'keeps --lr-decay-iters'})",
            )
        decay_iters = args["lr_decay_iters"] if args["lr_decay_iters"] is not None else iterations
        decay = decay_iters * gbs
        said = f"lr-decay-iters {decay_iters:,}" if args["lr_decay_iters"] is not None else f"lr-decay-iters = train-iters {iterations:,}"
        lines.append(f"  lr_decay_steps = {said} x global-batch-size {gbs:,} = {decay:,} samples")
        wsd = args["lr_wsd_decay_iters"] * gbs if args["lr_wsd_decay_iters"] is not None else None
        if wsd is not None:
            lines.append(f"  wsd_decay_steps = lr-wsd-decay-iters {args['lr_wsd_decay_iters']:,} x {gbs:,} = {wsd:,} samples")
        if args["lr_warmup_fraction"] is not None:
            warmup = args["lr_warmup_fraction"] * decay
            lines.append(f"  lr_warmup_steps = lr-warmup-fraction {args['lr_warmup_fraction']!r} x lr_decay_steps {decay:,} = {warmup!r} samples "
                         f"({warmup / gbs:g} iterations: a fraction of the decay span, not of the run)")
        else:
            warmup = args["lr_warmup_iters"] * gbs
            lines.append(f"  lr_warmup_steps = lr-warmup-iters {args['lr_warmup_iters']:,} x {gbs:,} = {warmup:,} samples")
    else:
        train = args["train_samples"]
        if train > MAX_SAMPLES:
            raise ConfigError(where("train_samples"), f"{train:,} samples is beyond any run; check the number")
        iterations = iterations_for_samples(train, gbs, ramp)
        if iterations > MAX_ITERATIONS and not (args["exit_interval"] and args["exit_interval"] <= MAX_ITERATIONS):
            raise ConfigError(
                where("train_samples"),
                f"{iterations:,} iterations; lrplot simulates at most {MAX_ITERATIONS:,}: draw the first N of them with --iterations N "
                f"(N up to {MAX_ITERATIONS:,}, as Megatron's --exit-interval N stops the run there); the schedule counts samples, "
                "so those iterations are exactly the run's",
            )
        how = f"train-samples {train:,} // global-batch-size {gbs:,}"
        if ramp is not None:
            how = f"the ramp-up {ramp[0]} -> {gbs} (+{ramp[1]} every {ramp[2] / ((gbs - ramp[0]) // ramp[1]):g} samples, over {ramp[2]:,}), then the rest // {gbs:,}"
        lines.append(f"  train_iters = {how} = {iterations:,} iterations (update_train_iters; a last partial batch is not trained)")
        decay = args["lr_decay_samples"] if args["lr_decay_samples"] is not None else train
        lines.append(f"  lr_decay_steps = {'lr-decay-samples' if args['lr_decay_samples'] is not None else 'train-samples'} = {decay:,} samples")
        wsd = args["lr_wsd_decay_samples"]
        if wsd is not None:
            lines.append(f"  wsd_decay_steps = lr-wsd-decay-samples = {wsd:,} samples")
        if args["lr_warmup_fraction"] is not None:
            warmup = args["lr_warmup_fraction"] * decay
            lines.append(f"  lr_warmup_steps = lr-warmup-fraction {args['lr_warmup_fraction']!r} x lr_decay_steps {decay:,} = {warmup!r} samples")
        else:
            warmup = args["lr_warmup_samples"]
            lines.append(f"  lr_warmup_steps = lr-warmup-samples = {warmup:,} samples")
    if iterations < 1:
        raise ConfigError(where("train_samples" if not args["train_iters"] else "train_iters"), "gives no iteration to train")
    if decay <= 0:
        raise TorchWouldRaise(where("lr_decay_iters" if args["train_iters"] else "lr_decay_samples"),
                              "Megatron raises AssertionError (assert self.lr_decay_steps > 0)")
    if args["lr_decay_style"] == "WSD" and args["train_iters"] and wsd is None and args["lr_wsd_decay_samples"] is not None:
        lines.append("  (lr-wsd-decay-samples is ignored in an iteration-based run: training.py reads lr-wsd-decay-iters)")
    how = "--iterations" if spelled.get("exit_interval", "").startswith(ITERATIONS) else "--exit-interval"
    if how == "--iterations" and args["exit_interval"] > iterations:
        lines.append(f"  --iterations {args['exit_interval']:,} is past the run's {iterations:,} iterations: lrplot draws the {iterations:,}")
    if args["exit_interval"] and args["exit_interval"] < iterations:
        lines.append(f"  {how} {args['exit_interval']:,}: Megatron stops after iteration {args['exit_interval']:,} of the {iterations:,}, "
                     "the schedule unchanged; lrplot draws those")
        iterations = args["exit_interval"]
    ran = total_samples(iterations, gbs, ramp)
    lines.append(f"  each iteration steps the scheduler by its global batch: {iterations:,} iterations consume {ran:,} samples")
    scheduler = {
        "type": "megatron.OptimizerParamScheduler",
        "lr_decay_style": args["lr_decay_style"],
        "lr_warmup_steps": warmup,
        "lr_decay_steps": decay,
        "init_lr": args["lr_warmup_init"],
        "min_lr": args["min_lr"],
        "wsd_decay_steps": wsd,
        "lr_wsd_decay_style": args["lr_wsd_decay_style"],
        "increment": gbs,
        "rampup_batch_size": ramp,
    }
    optimizer: dict[str, Any] = {"lr": args["lr"]}
    if args["decoupled_lr"] is not None:
        floor = args["decoupled_min_lr"] if args["decoupled_min_lr"] is not None else args["min_lr"]
        optimizer = {"param_groups": [{"name": "default", "lr": args["lr"]}, {"name": "embedding and output", "lr": args["decoupled_lr"]}]}
        scheduler["min_lr"] = [args["min_lr"], floor]
        lines.append(f"  --decoupled-lr: the embedding and output layer's group has max_lr {args['decoupled_lr']:g}, min_lr {floor:g}")
    out: dict[str, Any] = {"optimizer": optimizer, "run": {"iterations": iterations}, "scheduler": scheduler}
    for key in ("name", "metric", "vars"):
        if key in config:
            out[key] = config[key]
    if isinstance(config.get("optimizer"), Mapping) and config["optimizer"]:
        raise ConfigError("optimizer", f"the `{path}:` section sets the lr (--lr, --decoupled-lr); remove `optimizer:`")
    return out, tuple(lines)


def section_error(exc: ConfigError) -> ConfigError:
    """An error in the plain config this section became, named by the argument that caused it."""
    where = exc.path
    names = {
        "lr_warmup_steps": "lr-warmup-iters", "lr_decay_steps": "lr-decay-iters", "init_lr": "lr-warmup-init", "min_lr": "min-lr",
        "wsd_decay_steps": "lr-wsd-decay-iters", "rampup_batch_size": "rampup-batch-size", "increment": "global-batch-size",
    }
    if where.startswith("scheduler."):
        key = where[len("scheduler."):].split("[")[0].split(".")[0]
        where = f"{SECTION}.{names.get(key, key)}"
    elif where.startswith("optimizer"):
        where = f"{SECTION}.lr"
    else:
        where = SECTION
    return type(exc)(where, exc.message)
