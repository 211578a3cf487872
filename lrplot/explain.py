"""A schedule in plain words: its phases, extremes and last value, the way people document them.

The phases come from the config's structure (SequentialLR children, warmup ends, OneCycleLR phases,
T_max); the numbers come from the trace, so they are exactly what the run trains with.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .config import SchedulerSpec, Spec
from .engine.trace import Trace

MAX_RUNS = 8  # a piecewise-constant phase with at most this many levels is listed level by level


@dataclass(frozen=True)
class Phase:
    start: int  # scheduler time
    end: int
    node: SchedulerSpec
    what: str  # plain words; "" lets the numbers speak (listed levels)


def explain(trace: Trace) -> str:
    spec = trace.spec
    run = spec.run
    n = len(trace)
    what = describe(spec)
    title = what if trace.name == spec.scheduler.type else f"{trace.name}: {what}"
    lines = [title, f"  {_run_words(trace)}", ""]
    rows: list[tuple[str, str]] = []
    for phase in _phases(spec.scheduler, 0, run.length):
        k0, k1 = _to_step(trace, phase.start), min(n, _to_step(trace, phase.end))
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
    lines.append(f"  max lr {_num(lr[hi])}{group(hi[0])} first at {_at(trace, hi[1])}")
    lines.append(f"  min lr {_num(lr[lo])}{group(lo[0])} first at {_at(trace, lo[1])}")
    lines.append(f"  last step: lr {_values(lr[:, -1])} at {_at(trace, n - 1)}")
    if trace.momentum is not None:
        m = trace.momentum
        span = _num(m.min()) if m.min() == m.max() else f"between {_num(m.min())} and {_num(m.max())}"
        lines.append(f"  momentum {span}")
    for note in _notes(trace):
        lines.append(f"  note: {note}")
    return "\n".join(lines) + "\n"


def describe(spec: Spec) -> str:
    """``StepLR(step_size=10, gamma=0.5)``: the scheduler and the keywords the config sets."""
    node = spec.scheduler
    if node.children:
        return f"{node.type}({', '.join(c.type for c in node.children)})"
    source = spec.source.get("scheduler", {})
    keys = [k for k in source if k in node.params] if isinstance(source, dict) else []
    return f"{node.type}({', '.join(f'{k}={_short(node.params[k])}' for k in keys)})"


def _short(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if hasattr(value, "source"):
        text = value.source if len(value.source) <= 40 else value.source[:39] + "\u2026"
        return repr(text)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _run_words(trace: Trace) -> str:
    run = trace.spec.run
    per = {"epoch": "once per epoch", "iteration": "after every iteration", "fractional": "with step(epoch + i / steps_per_epoch)"}[run.step]
    batches = f", {run.steps_per_epoch} iterations each" if run.steps_per_epoch > 1 else ""
    groups = f"; param groups {', '.join(trace.groups)}" if len(trace.groups) > 1 else ""
    return f"{run.epochs} epochs{batches}; scheduler stepped {per}{groups}"


def _phases(node: SchedulerSpec, offset: int, length: int) -> list[Phase]:
    """Split ``node``'s share of the run [offset, offset + length) where its behaviour changes."""
    p = node.params
    end = offset + length
    if node.type == "SequentialLR":
        bounds = [0, *p["milestones"], max(length, *p["milestones"])]
        out: list[Phase] = []
        for i, child in enumerate(node.children):
            if bounds[i] < bounds[i + 1] and bounds[i] < length:
                out += _phases(child, offset + bounds[i], min(bounds[i + 1], length) - bounds[i])
        return out
    cut = None
    if node.type in ("LinearLR", "PolynomialLR") and 0 < p["total_iters"] < length:
        cut = p["total_iters"]
    elif node.type == "CosineAnnealingLR" and p["T_max"] < length:
        cut = p["T_max"]
    if node.type == "OneCycleLR":
        total = p["total_steps"] or p["epochs"] * p["steps_per_epoch"]
        ends = [round(p["pct_start"] * total), round(2 * p["pct_start"] * total)] if p["three_phase"] else [round(p["pct_start"] * total)]
        words = ["rises to max_lr", "falls back to the initial lr", "anneals to min_lr"] if p["three_phase"] else ["rises to max_lr", "anneals to min_lr"]
        bounds = [0, *[e for e in ends if 0 < e < length], length]
        return [Phase(offset + a, offset + b, node, f"OneCycleLR {words[i]} ({p['anneal_strategy']})") for i, (a, b) in enumerate(zip(bounds, bounds[1:]))]
    if cut is not None:
        return [Phase(offset, offset + cut, node, _words(node)), Phase(offset + cut, end, node, _after_words(node))]
    return [Phase(offset, end, node, _words(node))]


def _words(node: SchedulerSpec) -> str:
    p = node.params
    words = {
        "LinearLR": lambda: f"LinearLR {'warmup' if p['end_factor'] > p['start_factor'] else 'ramp'} (factor {_num(p['start_factor'])} -> {_num(p['end_factor'])})",
        "CosineAnnealingLR": lambda: f"cosine annealing to eta_min {_num(p['eta_min'])}",
        "ExponentialLR": lambda: f"exponential decay, x{_num(p['gamma'])} per step",
        "PolynomialLR": lambda: f"polynomial decay, power {_num(p['power'])}",
        "LambdaLR": lambda: f"LambdaLR, lr_lambda = {_expr(p['lr_lambda'])}",
        "MultiplicativeLR": lambda: f"MultiplicativeLR, x lr_lambda = {_expr(p['lr_lambda'])} per step",
        "CyclicLR": lambda: f"CyclicLR {p['mode'] if p['scale_fn'] is None else 'scale_fn'} cycles of {p['step_size_up'] + (p['step_size_down'] if p['step_size_down'] is not None else p['step_size_up'])} iterations",
        "CosineAnnealingWarmRestarts": lambda: f"cosine with warm restarts (T_0 {p['T_0']}, T_mult {p['T_mult']})",
        "ChainedScheduler": lambda: "ChainedScheduler of " + ", ".join(c.type for c in node.children),
        "StepLR": lambda: f"StepLR, x{_num(p['gamma'])} every {p['step_size']} steps",
        "MultiStepLR": lambda: f"MultiStepLR, x{_num(p['gamma'])} at {list(p['milestones'])}",
        "ReduceLROnPlateau": lambda: f"ReduceLROnPlateau, x{_num(p['factor'])} after {p['patience']} bad steps",
        "ConstantLR": lambda: f"ConstantLR, x{_num(p['factor'])} for {p['total_iters']} steps",
    }
    return words[node.type]()


def _after_words(node: SchedulerSpec) -> str:
    if node.type == "CosineAnnealingLR":
        return "past T_max: the cosine rises again (torch does not clamp)"
    if node.type == "PolynomialLR":
        return "past total_iters"
    return f"{node.type} done"


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


def _to_step(trace: Trace, t: int) -> int:
    run = trace.spec.run
    return t if run.step == "iteration" else t * run.steps_per_epoch


def _range(trace: Trace, k0: int, k1: int) -> str:
    spe = trace.steps_per_epoch
    if k0 % spe == 0 and k1 % spe == 0:
        a, b = k0 // spe, k1 // spe - 1
        return f"epoch {a}" if a == b else f"epochs {a}-{b}"
    return f"iterations {k0}-{k1 - 1}"


def _at(trace: Trace, k: int) -> str:
    spe = trace.steps_per_epoch
    return f"epoch {k}" if spe == 1 else f"iteration {k} (epoch {k / spe:g})"


def _values(column: np.ndarray) -> str:
    return " / ".join(_num(v) for v in column)


def _num(v: float) -> str:
    return f"{float(v):.4g}"


def _expr(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(repr(v.source) for v in value) + "]"
    return repr(value.source)


def _notes(trace: Trace) -> list[str]:
    """Pitfalls users report, where this schedule has them."""
    spec = trace.spec
    notes = []
    nodes = list(spec.scheduler.walk())
    if (trace.lr[:, 0] == 0).any():
        notes.append("the first step trains with lr 0 (a warmup that starts at 0 wastes that step)")
    for node in nodes:
        if node.type == "OneCycleLR" and spec.run.step == "epoch" and spec.run.steps_per_epoch > 1:
            notes.append("OneCycleLR is stepped once per epoch here; it is meant to be stepped per batch (step: iteration)")
        if node.type == "CosineAnnealingLR" and node.params["T_max"] < spec.run.length and spec.scheduler.type != "SequentialLR":
            notes.append(f"CosineAnnealingLR's T_max ({node.params['T_max']}) is shorter than the run: the lr rises again after it")
        if node.type == "LambdaLR" and spec.scheduler.type == "ChainedScheduler":
            notes.append("LambdaLR sets the lr absolutely, overriding what schedulers before it in the chain did")
    return notes
