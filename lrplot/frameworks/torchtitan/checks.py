"""torchtitan's pitfalls, as ``lrplot check`` rules (codes TT...): what ``build`` adjusts with a warning,
a schedule shorter than the run, and where its phases fall."""

from __future__ import annotations

from ...engine.pitfalls import Rule, Subject
from .schedule import phases


def _field(s: Subject, key: str) -> str:
    return f"torchtitan.lr_scheduler.{key}" if "torchtitan" in s.spec.source else f"{s.spec.scheduler.path}.{key}"


def _warmup_clipped(s: Subject):
    ph = phases(s.spec.scheduler.params)
    if ph.warmup_clipped:
        yield _field(s, "warmup_steps"), (
            f"warmup_steps ({s.spec.scheduler.params['warmup_steps']}) exceed the {ph.total_steps} total steps: torchtitan warns and "
            "cuts the warmup to the whole run, so the lr never reaches its peak before the end"
        )


def _decay_clipped(s: Subject):
    ph = phases(s.spec.scheduler.params)
    if ph.decay_clipped:
        p = s.spec.scheduler.params
        yield _field(s, "decay_ratio"), (
            f"warmup ({ph.warmup_steps}) + decay ({round(ph.total_steps * p['decay_ratio'])}) steps exceed the {ph.total_steps} total "
            f"steps: torchtitan warns and shortens the decay to {ph.decay_steps} steps"
        )


def _shorter_than_run(s: Subject):
    ph = phases(s.spec.scheduler.params)
    n = s.spec.run.total_steps
    if ph.total_steps < n:
        yield _field(s, "total_steps"), (
            f"total_steps ({ph.total_steps}) is shorter than training.steps ({n}): past it the decay formula runs on "
            f"({'below 0 for linear and sqrt' if ph.decay_type != 'cosine' else 'back up for cosine'}); "
            "set total_steps to training.steps, or leave it out"
        )


def _not_from_zero(s: Subject):
    ph = phases(s.spec.scheduler.params)
    if ph.warmup_steps:
        yield _field(s, "warmup_steps"), f"the warmup starts at 1/{ph.warmup_steps} of the lr on the first step, not at 0 (torchtitan counts steps from 1)"


def _never_reaches_end(s: Subject):
    ph = phases(s.spec.scheduler.params)
    if ph.decay_steps and s.trace is not None and ph.total_steps == s.spec.run.total_steps:
        floor = f"min_lr_factor {ph.min_lr_factor:g}" if ph.min_lr_factor else "0"
        yield _field(s, "decay_type"), (
            f"the decay never reaches {floor}: torchtitan adds a virtual last step, so the last step trains at "
            f"{s.trace.lr[0, -1] / s.spec.optimizer.groups[0].lr:.3g} of the lr"
        )


def _no_decay_ratio(s: Subject):
    p = s.spec.scheduler.params
    if p["decay_ratio"] is None and phases(p).stable_steps == 1:
        yield _field(s, "decay_ratio"), (
            "without decay_ratio the decay starts right after the warmup (no stable phase): give decay_ratio for a "
            "warmup-stable-decay schedule (pytorch/torchtitan#1284 redefined the phases in June 2025)"
        )


RULES: tuple[Rule, ...] = (
    Rule("TT101", "warmup-longer-than-run", "warning", "warmup_steps beyond the total steps (torchtitan cuts it to the run)", _warmup_clipped),
    Rule("TT102", "decay-cut-short", "warning", "warmup + decay_ratio beyond the total steps (torchtitan shortens the decay)", _decay_clipped),
    Rule("TT103", "total-steps-shorter-than-run", "warning", "lr_scheduler.total_steps shorter than training.steps", _shorter_than_run),
    Rule("TT104", "warmup-not-from-zero", "info", "the warmup starts at 1/warmup_steps of the lr", _not_from_zero),
    Rule("TT105", "decay-never-ends", "info", "the virtual last step keeps the lr above its end value", _never_reaches_end),
    Rule("TT106", "no-stable-phase", "info", "no decay_ratio: the decay starts right after the warmup", _no_decay_ratio),
)
