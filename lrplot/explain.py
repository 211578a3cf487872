"""A schedule in plain words: its run, phases, extremes and last value, the way people document them.

The phases come from the framework's ``describe`` module (from the config's structure); the
numbers come from the trace, so they are exactly what the run trains with.
"""

from __future__ import annotations

import numpy as np

from .config import Spec
from .engine.events import Phase
from .engine.trace import Trace

MAX_RUNS = 8  # a piecewise-constant phase with at most this many levels is listed level by level


def explain(trace: Trace, resume_at: int | None = None) -> str:
    """The schedule in words; ``resume_at`` says what each way of resuming after that scheduler step
    does (default: the config's ``run.resume``; without either, one line says how to ask)."""
    spec = trace.spec
    describe = spec.family.part("describe")
    n = len(trace)
    title = summary(spec)
    lines = [title if trace.name in (spec.scheduler.type, title) else f"{trace.name}: {title}"]
    lines += [f"  {line}" for line in run_words(trace)]
    lines.append("")
    rows: list[tuple[str, str]] = []
    for phase in describe.phases(spec):
        k0, k1 = phase.start, min(n, phase.end)
        if k1 <= k0:
            continue
        rows += _describe(trace, k0, k1, phase)
    width = max(len(r[0]) for r in rows) if rows else 0
    lines += [f"  {when:<{width}}  {what}" for when, what in rows]
    lines.append("")
    lr = trace.lr
    hi = np.unravel_index(np.argmax(lr), lr.shape)
    lo = np.unravel_index(np.argmin(lr), lr.shape)
    group = (lambda g: f" ({trace.groups[g]})") if len(trace.groups) > 1 else (lambda g: "")
    lines.append(f"  max lr {_num(lr[hi])}{group(hi[0])} first at {trace.spec.run.at(hi[1])}")
    lines.append(f"  min lr {_num(lr[lo])}{group(lo[0])} first at {trace.spec.run.at(lo[1])}")
    lines.append(f"  last step: lr {_values(lr[:, -1])} at {trace.spec.run.at(n - 1)}")
    if trace.momentum is not None:
        m = trace.momentum
        span = _num(m.min()) if m.min() == m.max() else f"between {_num(m.min())} and {_num(m.max())}"
        lines.append(f"  {'beta1' if spec.optimizer.betas is not None else 'momentum'} {span}")  # as the figures call it
    for note in notes(trace):
        lines.append(f"  note: {note}")
    lines += resume_words(trace, resume_at)
    return "\n".join(lines) + "\n"


def summary(spec: Spec) -> str:
    """A one-line summary of the scheduler, in its framework's words."""
    return spec.family.part("describe").summary(spec)


def run_words(trace: Trace) -> list[str]:
    """The run: its length, how the scheduler is stepped, the groups, and a plan's arithmetic."""
    spec = trace.spec
    run = spec.run
    per = {"epoch": "once per epoch", "iteration": "after every iteration", "fractional": "with step(epoch + i / steps_per_epoch)"}[run.step]
    if run.unit == "iteration":
        length = f"{run.total_steps:,} iterations"
        if run.has_epochs:
            epochs = run.epoch_count
            length += f" ({_num(epochs)} epochs of {run.steps_per_epoch:,})"
    else:
        length = f"{run.epochs} epochs" + (f", {run.steps_per_epoch:,} iterations each" if run.steps_per_epoch > 1 else "")
    groups = f"; param groups {', '.join(trace.groups)}" if len(trace.groups) > 1 else ""
    # A framework whose schedule is not a stepped scheduler says how its loop evaluates it instead.
    stepping = getattr(spec.family.part("describe"), "stepping", None)
    lines = [f"{length}; {stepping(spec) if stepping else f'scheduler stepped {per}'}{groups}"]
    if run.plan is not None:
        lines.append("training plan (plain PyTorch: DistributedSampler, DataLoader, an accumulation loop):")
        lines += [f"  {line}" for line in run.plan.arithmetic()]
    if spec.derivation:
        lines += list(spec.derivation)
    if spec.vars:
        lines.append("vars: " + ", ".join(f"{v.name} = {_num(v.value) if isinstance(v.value, float) else v.value}" for v in spec.vars))
    return lines


def notes(trace: Trace) -> list[str]:
    """The pitfalls this schedule has: what `lrplot check` finds in it, with each rule's code."""
    from .check import trace_findings

    return [f"{f.message} ({f.code})" for f in trace_findings(trace)]


def resume_words(trace: Trace, at: int | None) -> list[str]:
    """What each way of resuming from a checkpoint does here (for the frameworks lrplot models it for)."""
    from . import whatif
    from .engine import whatif as curves

    spec = trace.spec
    declared = spec.run.resume
    if not whatif.models_resumes(spec.family) or spec.run.step == "fractional" or spec.run.scheduler_steps < 2:
        return []
    if at is None and declared is None:
        # Asked for (or declared), not shown unasked: one line says where it is.
        return ["", "  resuming from a checkpoint: `--resume-at E` says what each way of resuming after scheduler step E does"]
    if at is None:
        at = declared.at
        why = "as run.resume declares"
    else:
        why = "as run.resume declares" if declared is not None and declared.at == at else ""
    where = trace.spec.run.at(curves.resume_step(spec.run, at))
    lines = ["", f"  resumed after scheduler step {at} (training goes on at {where}{', ' + why if why else ''}):"]
    outcomes = curves.resumes(trace, at)
    width = max(len(o.name) for o in outcomes)
    for o in outcomes:
        mark = "  <- run.resume" if declared is not None and declared.at == at and declared.method == o.name else ""
        lines.append(f"    {o.name:<{width}}  {curves.verdict(trace, o)}{mark}")
    return lines


def _describe(trace: Trace, k0: int, k1: int, phase: Phase) -> list[tuple[str, str]]:
    lr = trace.lr[:, k0:k1]
    change = np.nonzero((lr[:, 1:] != lr[:, :-1]).any(axis=0))[0] + 1
    starts = [0, *change.tolist()]
    if len(starts) <= MAX_RUNS:
        rows = []
        for i, s in enumerate(starts):
            e = starts[i + 1] if i + 1 < len(starts) else k1 - k0
            label = phase.what if i == 0 and len(starts) > 1 else ("" if len(starts) > 1 else phase.what)
            rows.append((_range(trace, k0 + s, k0 + e), f"{_values(lr[:, s])}" + (f"   {label}" if label else "")))
        return rows
    return [(_range(trace, k0, k1), f"{_values(lr[:, 0])} -> {_values(lr[:, -1])}   {phase.what}")]


def _range(trace: Trace, k0: int, k1: int) -> str:
    spe = trace.steps_per_epoch
    if trace.spec.run.unit == "epoch" and k0 % spe == 0 and k1 % spe == 0:
        a, b = k0 // spe, k1 // spe - 1
        return f"epoch {a:,}" if a == b else f"epochs {a:,}-{b:,}"
    return f"iteration {k0:,}" if k1 - k0 == 1 else f"iterations {k0:,}-{k1 - 1:,}"


def _values(column: np.ndarray) -> str:
    return " / ".join(_num(v) for v in column)


def _num(v: float) -> str:
    return f"{float(v):.4g}"
