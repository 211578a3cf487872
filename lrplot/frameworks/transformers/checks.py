"""transformers' pitfalls, as ``lrplot check`` rules (codes HF...): the Trainer's arguments, then the schedules.

The HF1xx rules read a ``transformers:`` section (TrainingArguments), the HF2xx rules the schedule
``get_scheduler`` builds, whatever wrote it. Rules of severity ``info`` say how transformers behaves
where users do not expect it; ``explain`` notes them, ``check`` does not report them.
"""

from __future__ import annotations

import math
from fractions import Fraction

from ...engine.pitfalls import Rule, Subject, num
from .records import BY_NAME, PREFIX
from .trainer import SECTION, read

# Schedules whose decay ends at num_training_steps.
ENDS_AT_T = ("linear", "cosine", "cosine_with_restarts", "polynomial", "cosine_with_min_lr", "cosine_warmup_with_min_lr")


def _section(s: Subject):
    """The TrainingArguments of a ``transformers:`` section, or None."""
    return _with_options(s.spec.source)


def _with_options(source):
    """The section with the run's options given beside it (a YAML's run:, --dataset-size and the other flags) moved in,
    as the config loader translated it; None without a section."""
    from ...config import options_into_section
    from .trainer import OPTIONS

    if source.get(SECTION) is None:
        return None
    section = options_into_section(source, SECTION, OPTIONS)[0][SECTION]
    return section, read(section)


def _field(s: Subject, key: str, section_key: str) -> str:
    """Where a keyword was written: the section's TrainingArguments field, or the scheduler's keyword."""
    return f"{SECTION}.{section_key}" if SECTION in s.spec.source else f"{s.spec.scheduler.path}.{key}"


def _name(s: Subject) -> str:
    return s.spec.scheduler.info.library_name


# ----------------------------------------------------------------------------------------------
# The Trainer's arguments


def _constant_ignores_warmup(s: Subject):
    found = _section(s)
    if found and found[1].lr_scheduler_type == "constant" and found[1].plan.warmup_steps:
        yield f"{SECTION}.warmup_steps", (
            "get_scheduler ignores warmup_steps for constant: there is no warmup (use lr_scheduler_type constant_with_warmup)"
        )


def _metric_schedule_ignores_warmup(s: Subject):
    found = _section(s)
    if found and BY_NAME[PREFIX + found[1].lr_scheduler_type].steps_on_metric and found[1].plan.warmup_steps:
        yield f"{SECTION}.warmup_steps", f"get_scheduler ignores warmup_steps for {found[1].lr_scheduler_type}: there is no warmup"


def _kwargs_ignored(s: Subject):
    found = _section(s)
    if found and found[1].lr_scheduler_type in ("constant", "constant_with_warmup") and found[1].lr_scheduler_kwargs:
        yield f"{SECTION}.lr_scheduler_kwargs", f"get_scheduler ignores lr_scheduler_kwargs for {found[1].lr_scheduler_type}"


def _warmup_truncated(s: Subject):
    found = _section(s)
    if not found:
        return
    section, args = found
    w = args.plan.warmup_steps
    if w >= 1 and not float(w).is_integer():
        yield f"{SECTION}.warmup_steps", f"warmup_steps {num(w)} means {int(w)} steps: int() truncates, and only values below 1 are fractions of the run"
    elif w == 1 and isinstance(section.get("warmup_steps"), float):
        yield f"{SECTION}.warmup_steps", "warmup_steps 1.0 means one step, not the whole run (only values below 1 are fractions)"


def _ceil_adds_a_step(s: Subject):
    found = _section(s)
    if not found:
        return
    plan = found[1].plan
    if plan.max_steps >= 0 or plan.dataset_size is None:
        return
    exact = math.ceil(Fraction(repr(plan.num_train_epochs)) * plan.update_steps_per_epoch)
    if exact != plan.num_training_steps:
        product = plan.num_train_epochs * plan.update_steps_per_epoch
        yield f"{SECTION}.num_train_epochs", (
            f"num_train_epochs {num(plan.num_train_epochs)} x {plan.update_steps_per_epoch:,} steps per epoch is {product!r} in "
            f"floating point, so the Trainer's ceil makes the run {plan.num_training_steps:,} steps, not {exact:,}; "
            "give max_steps to fix the length"
        )


def _max_steps_overrides(s: Subject):
    found = _section(s)
    if found and found[1].plan.max_steps > 0 and "num_train_epochs" in found[1].given:
        yield f"{SECTION}.max_steps", "max_steps overrides num_train_epochs: the run stops after max_steps optimizer steps, even inside an epoch"


def _devices_shorten(s: Subject):
    found = _section(s)
    if found and found[1].plan.devices > 1 and not found[1].plan.split_batches:
        d = found[1].plan.devices
        yield f"{SECTION}.devices", (
            f"each of the {d} devices counts its own batches, so the schedule is about {d}x shorter than on one "
            "device; the warmup and num_training_steps shrink with it"
        )


def _metric_mode(s: Subject):
    found = _section(s)
    if not found:
        return
    args = found[1]
    name = args.lr_scheduler_type
    if BY_NAME[PREFIX + name].steps_on_metric and args.metric_for_best_model and not args.metric_for_best_model.endswith("loss"):
        if args.lr_scheduler_kwargs.get("mode", "min") == "min":
            yield f"{SECTION}.lr_scheduler_kwargs", (
                f"the Trainer steps {name} on eval_{args.metric_for_best_model} in mode min, so a rising metric counts as worse; "
                "set lr_scheduler_kwargs mode: max"
            )


def _fp16(s: Subject):
    found = _section(s)
    if found and found[1].fp16:
        yield f"{SECTION}.fp16", (
            "with fp16, optimizer steps the GradScaler skips (inf gradients) do not step the scheduler, so on a GPU the schedule can lag"
        )


# ----------------------------------------------------------------------------------------------
# The schedules


def _stepped(s: Subject):
    run = s.spec.run
    if s.spec.scheduler.info.steps_on_metric or _name(s) == "constant" or run.step == "iteration":
        return
    how = "once per epoch" if run.step == "epoch" else "fractionally"
    yield "run.step", (
        f"the Trainer steps the scheduler after every optimizer step; this run steps it {how}, "
        "so num_warmup_steps and num_training_steps count epochs; set run.step: iteration"
    )


def _warmup_too_long(s: Subject):
    node, run, trace = s.spec.scheduler, s.spec.run, s.trace
    if trace is None or node.info.steps_on_metric or _name(s) == "constant":
        return
    w = node.params["num_warmup_steps"]
    horizon = node.params.get("num_training_steps") or run.length
    if w >= min(horizon, run.length) and w > 0:
        lr = s.spec.optimizer.groups[0].lr
        last = trace.lr[0, -1] / lr if lr else 0.0
        yield _field(s, "num_warmup_steps", "warmup_steps"), (
            f"the warmup ({w} steps) is not shorter than the {'run' if w >= run.length else 'schedule'} "
            f"({min(horizon, run.length)} steps): the lr never reaches its peak (it ends at {last:.3g} of it)"
        )


def _stable_steps(p) -> int:
    if p["num_stable_steps"] is not None:
        return p["num_stable_steps"]
    return p["num_training_steps"] - p["num_warmup_steps"] - p["num_decay_steps"]


def _wsd_decay_in_warmup(s: Subject):
    p = s.spec.scheduler.params
    if _name(s) == "warmup_stable_decay" and _stable_steps(p) < 0:
        yield _field(s, "num_decay_steps", "lr_scheduler_kwargs"), (
            f"num_warmup_steps + num_decay_steps exceed num_training_steps: the stable phase is {_stable_steps(p)} steps, "
            "so the decay starts inside the warmup"
        )


def _decay_ends_past_run(s: Subject):
    p, run, trace = s.spec.scheduler.params, s.spec.run, s.trace
    name = _name(s)
    if trace is None or name not in ("linear", "cosine", "cosine_with_min_lr"):
        return
    if p["num_training_steps"] == run.length and p["num_warmup_steps"] < run.length and (name != "cosine" or p["num_cycles"] == 0.5):
        yield _field(s, "num_training_steps", "max_steps"), (
            f"the last step trains at lr {trace.lr[0, -1]:.4g}: the decay reaches its end value at step {run.length}, "
            "one past the last optimizer step"
        )


def _cosine_past_training_steps(s: Subject):
    p, run = s.spec.scheduler.params, s.spec.run
    name = _name(s)
    if name in ENDS_AT_T and name.startswith("cosine") and name != "cosine_with_restarts" and p["num_training_steps"] < run.length:
        yield _field(s, "num_training_steps", "max_steps"), (
            f"the run is longer than num_training_steps ({p['num_training_steps']}): past it the cosine rises again; "
            f"set num_training_steps to {run.length}"
        )


def _warmup_not_from_zero(s: Subject):
    p = s.spec.scheduler.params
    w = p.get("num_warmup_steps", 0)
    if _name(s) == "cosine_warmup_with_min_lr" and w > 0 and p["warmup_lr_rate"] is None:
        yield _field(s, "warmup_lr_rate", "lr_scheduler_kwargs"), f"the warmup starts at 1/{w} of the lr, not 0 (this schedule is shifted one step ahead)"


def _end_against_default_lr(s: Subject):
    p, name = s.spec.scheduler.params, _name(s)
    reads_default = name == "polynomial" or (name in ("cosine_with_min_lr", "cosine_warmup_with_min_lr") and p["min_lr"] is not None)
    if reads_default and len({g.lr for g in s.spec.optimizer.groups}) > 1:
        key = "lr_end" if name == "polynomial" else "min_lr"
        yield _field(s, key, "lr_scheduler_kwargs"), (
            f"{name} reads {key} against the optimizer's default lr (the first group's here): the other groups end at "
            f"their lr x {key} / that lr, not at {key}"
        )


def _greedy_floor(s: Subject):
    p = s.spec.scheduler.params
    if _name(s) != "greedy":
        return
    lrs = [g.lr for g in s.spec.optimizer.groups]
    floor = min(p["min_lr"]) if isinstance(p["min_lr"], tuple) else p["min_lr"]
    if floor >= max(lrs):
        yield _field(s, "min_lr", "lr_scheduler_kwargs"), (
            f"GreedyLR's min_lr ({num(floor)}) is not below the lr ({num(max(lrs))}): it can never lower the lr, only raise it"
        )


RULES: tuple[Rule, ...] = (
    Rule("HF101", "constant-ignores-warmup", "warning", "warmup_steps given to the constant schedule (get_scheduler drops it)", _constant_ignores_warmup),
    Rule("HF102", "metric-schedule-ignores-warmup", "warning", "warmup_steps given to a metric-driven schedule (get_scheduler drops it)", _metric_schedule_ignores_warmup),
    Rule("HF103", "kwargs-ignored", "warning", "lr_scheduler_kwargs given to constant or constant_with_warmup (ignored)", _kwargs_ignored),
    Rule("HF104", "warmup-steps-truncated", "warning", "a warmup_steps of 1 or more that is not a whole number (int() truncates)", _warmup_truncated),
    Rule("HF105", "ceil-adds-a-step", "warning", "num_train_epochs x steps per epoch rounded up past the exact product (floating point)", _ceil_adds_a_step),
    Rule("HF106", "max-steps-overrides-epochs", "warning", "max_steps and num_train_epochs both given (max_steps wins)", _max_steps_overrides),
    Rule("HF107", "devices-shorten-schedule", "info", "several devices: each counts its own batches, so the schedule is shorter", _devices_shorten),
    Rule("HF108", "metric-mode", "warning", "a metric-driven schedule in mode min on a metric that is not a loss", _metric_mode),
    Rule("HF109", "fp16-skipped-steps", "info", "fp16: steps the GradScaler skips do not step the scheduler", _fp16),
    Rule("HF201", "stepped-per-epoch", "warning", "a Trainer schedule stepped per epoch (it counts optimizer steps)", _stepped),
    Rule("HF202", "warmup-too-long", "warning", "a warmup not shorter than the run or the schedule", _warmup_too_long),
    Rule("HF203", "wsd-decay-in-warmup", "warning", "warmup_stable_decay's warmup and decay longer than the run (negative stable phase)", _wsd_decay_in_warmup),
    Rule("HF204", "decay-ends-past-run", "info", "the decay reaches its end value one step past the last optimizer step", _decay_ends_past_run),
    Rule("HF205", "cosine-past-training-steps", "warning", "a run longer than a cosine's num_training_steps (the lr rises again)", _cosine_past_training_steps),
    Rule("HF206", "warmup-not-from-zero", "info", "cosine_warmup_with_min_lr's warmup starting at 1/num_warmup_steps", _warmup_not_from_zero),
    Rule("HF207", "end-against-default-lr", "warning", "lr_end or min_lr read against the first group's lr with several param groups", _end_against_default_lr),
    Rule("HF208", "greedy-min-lr", "warning", "GreedyLR's min_lr not below the lr (it can only raise it)", _greedy_floor),
)


def zero_start_by_design(spec) -> str | None:
    """transformers' warmups start at lr 0 by design (``current_step / num_warmup_steps`` at step 0),
    and no TrainingArguments field changes that: a finding the user cannot act on is info."""
    return ("transformers' warmup starts at 0 by design (its lr_lambda is current_step / num_warmup_steps), and no "
            "TrainingArguments field changes it") if spec.scheduler.type.startswith("transformers.") else None
