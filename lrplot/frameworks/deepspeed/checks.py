"""DeepSpeed's pitfalls, as ``lrplot check`` rules (codes DS...): the Trainer's integration, then the schedulers.

Severities per DESIGN.md: ``info`` says how DeepSpeed behaves where users do not expect it
(``explain`` notes it, ``check`` does not report it).
"""

from __future__ import annotations

from typing import Any, Mapping

from ...engine.pitfalls import Rule, Subject, num


def _ds_config(s: Subject) -> tuple[str, Any]:
    """Where the ds_config is (a `deepspeed:` section, or TrainingArguments' deepspeed, its file read in) and it, or None."""
    src = s.spec.source
    if "deepspeed" in src:
        return "deepspeed", src["deepspeed"]
    hf = src.get("transformers")
    if isinstance(hf, Mapping) and isinstance(hf.get("deepspeed"), Mapping):
        return "transformers.deepspeed", hf["deepspeed"]
    return "", None


def _source(s: Subject) -> dict[str, Any]:
    """The scheduler keywords as the user wrote them (a ds_config's params, or a type: config's keys)."""
    _, ds = _ds_config(s)
    if isinstance(ds, Mapping) and isinstance(ds.get("scheduler"), Mapping):
        return dict(ds["scheduler"].get("params") or {})
    sched = s.spec.source.get("scheduler")
    return dict(sched) if isinstance(sched, dict) else {}


def _field(s: Subject, key: str) -> str:
    where, ds = _ds_config(s)
    return f"{where}.scheduler.params.{key}" if ds is not None else f"{s.spec.scheduler.path}.{key}"


def _name(s: Subject) -> str:
    return s.spec.scheduler.info.library_name


def _under_trainer(s: Subject) -> bool:
    return "transformers" in s.spec.source


def _replaces(s: Subject):
    hf = s.spec.source.get("transformers")
    if isinstance(hf, dict):
        kind = hf.get("lr_scheduler_type", "linear")
        yield f"{_ds_config(s)[0]}.scheduler", (
            f"the ds_config's scheduler ({_name(s)}) replaces the Trainer's lr_scheduler_type {kind!r}: the Trainer hands "
            f"DeepSpeed a DummyScheduler, so {kind} never trains; remove the ds_config's \"scheduler\" block to train {kind}"
        )


def _max_lr_default(s: Subject):
    if _name(s) == "WarmupDecayLR" and "warmup_max_lr" not in _source(s):
        lr = s.spec.optimizer.groups[0].lr
        if lr != 0.001:
            yield _field(s, "warmup_max_lr"), (
                f"WarmupDecayLR's warmup_max_lr defaults to 0.001, not the optimizer's lr ({num(lr)}): the run peaks at 0.001; "
                "give warmup_max_lr (\"auto\" under the Trainer)"
            )


def _log_warmup(s: Subject):
    if "warmup_type" in s.spec.scheduler.params and s.spec.scheduler.params["warmup_type"] == "log" and "warmup_type" not in _source(s):
        w = max(2, s.spec.scheduler.params["warmup_num_steps"])
        yield _field(s, "warmup_type"), (
            f"the warmup rises on a log curve (warmup_type defaults to log): half-way up after {int(w ** 0.5)} of its {w} steps, "
            "not a straight line; give warmup_type: linear for the Trainer's kind of warmup"
        )


def _two_steps_at_min(s: Subject):
    p = s.spec.scheduler.params
    if _name(s) not in ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR") or s.trace is None or s.trace.lr.shape[1] < 3:
        return
    key = "warmup_min_ratio" if _name(s) == "WarmupCosineLR" else "warmup_min_lr"
    floor = p[key][0] if isinstance(p[key], tuple) else p[key]
    if floor == 0 and s.trace.lr[0, 0] == 0 and s.trace.lr[0, 1] == 0:
        why = (f"the constructor sets {'0' if key == 'warmup_min_ratio' else 'warmup_min_lr'} and the first step() computes the warmup at "
               "iteration 0 (log(1) = 0, or 0 / steps)")
        if _under_trainer(s) and not s.spec.source["transformers"].get("warmup_steps"):
            why = ("with no warmup the Trainer fills warmup_num_steps with max(1, 0) = 1, DeepSpeed warms up over at least 2 steps, and "
                   + why)
        yield _field(s, key), f"the first two optimizer steps train with lr 0: {why}; give {key} above 0"


def _cosine_first_zero(s: Subject):
    if _name(s) == "WarmupCosineLR" and s.spec.scheduler.params["warmup_min_ratio"] > 0:
        yield _field(s, "warmup_min_ratio"), (
            f"WarmupCosineLR's first step trains with lr 0, whatever warmup_min_ratio ({num(s.spec.scheduler.params['warmup_min_ratio'])}) "
            "says: the constructor's get_lr() returns 0.0 before the first step()"
        )


def _warmup_past_total(s: Subject):
    p = s.spec.scheduler.params
    if "total_num_steps" in p and p["total_num_steps"] < max(2, p["warmup_num_steps"]):
        yield _field(s, "total_num_steps"), (
            f"total_num_steps ({p['total_num_steps']}) is less than warmup_num_steps ({p['warmup_num_steps']}): DeepSpeed warns, and "
            "the decay starts after the warmup ends anyway"
        )


def _fp16(s: Subject):
    where, ds = _ds_config(s)
    enabled = ds["fp16"].get("enabled") if isinstance(ds, Mapping) and isinstance(ds.get("fp16"), Mapping) else None
    if _under_trainer(s):  # the Trainer fills "auto" with fp16 or fp16_full_eval
        hf = s.spec.source["transformers"]
        fp16 = enabled is True or bool(hf.get("fp16") or (enabled == "auto" and hf.get("fp16_full_eval")))
    else:
        fp16 = enabled in (True, "auto")
    if fp16 and not s.spec.scheduler.params["skipped_steps"]:
        yield f"{where or 'deepspeed'}.fp16", (
            "with fp16 and a dynamic loss scale the first steps usually overflow while the scale comes down from "
            "2**initial_scale_power; each skipped step holds the schedule back one step (give them as skipped_steps to see it)"
        )


def _onecycle_betas(s: Subject):
    p = s.spec.scheduler.params
    if _name(s) != "OneCycle" or not p["cycle_momentum"]:
        return
    if s.spec.optimizer.betas is None:
        yield _field(s, "cycle_momentum"), (
            "the optimizer has no betas, so DeepSpeed disables cycle_momentum (it warns and cycles only the lr)"
        )
    else:
        yield _field(s, "cycle_momentum"), (
            "OneCycle sets every group's betas to (momentum, 0.99): beta2 becomes 0.99 whatever the optimizer's; and beta1 "
            "starts at cycle_min_mom on the first step, then jumps near cycle_max_mom"
        )


def _onecycle_after(s: Subject):
    p = s.spec.scheduler.params
    if _name(s) == "OneCycle" and not (p["decay_step_size"] and p["decay_lr_rate"]):
        first = p["cycle_first_step_size"]
        second = p["cycle_second_step_size"] if p["cycle_second_step_size"] is not None else first
        if first + second < s.spec.run.total_steps:
            yield _field(s, "decay_step_size"), (
                f"after the cycle ({first + second} steps) the lr stays at cycle_min_lr: the post-cycle decay needs both "
                "decay_step_size and decay_lr_rate"
            )


RULES: tuple[Rule, ...] = (
    Rule("DS101", "scheduler-replaces-lr-scheduler-type", "warning", "a ds_config scheduler under the Trainer replaces lr_scheduler_type", _replaces),
    Rule("DS102", "warmup-max-lr-default", "warning", "WarmupDecayLR without warmup_max_lr peaks at 0.001, not the optimizer's lr", _max_lr_default),
    Rule("DS103", "log-warmup", "info", "DeepSpeed's warmups rise on a log curve unless warmup_type is linear", _log_warmup),
    Rule("DS104", "two-steps-at-zero", "warning", "DeepSpeed's warmups train their first two steps at lr 0 (warmup_min_lr or warmup_min_ratio 0)", _two_steps_at_min),
    Rule("DS105", "cosine-first-step-zero", "warning", "WarmupCosineLR's first step trains at 0 whatever warmup_min_ratio says", _cosine_first_zero),
    Rule("DS106", "warmup-past-total", "warning", "total_num_steps shorter than warmup_num_steps", _warmup_past_total),
    Rule("DS107", "fp16-skipped-steps", "info", "fp16 overflow skips hold the schedule back (skipped_steps shows them)", _fp16),
    Rule("DS108", "onecycle-momentum", "info", "OneCycle's beta2 of 0.99, its beta1 jump, or no momentum cycled without betas", _onecycle_betas),
    Rule("DS109", "onecycle-holds-after-cycle", "info", "after OneCycle's cycle the lr stays at cycle_min_lr unless decay is configured", _onecycle_after),
)
