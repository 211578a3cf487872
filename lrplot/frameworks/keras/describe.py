"""Keras' schedules in their own words: warmup, decay, restarts (their pitfalls are check rules, in ``checks``).

The schedule's step is the optimizer's iteration count, which is the optimizer step itself (step k
trains with ``schedule(k)``), so every boundary lands on the step Keras' arithmetic puts it.
"""

from __future__ import annotations

import math

from ...config import Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase


def stepping(spec: Spec) -> str:
    return (f"schedule evaluated at optimizer.iterations before every update (step k trains with schedule(k), k from 0), "
            f"in {spec.run.dtype}")


def restarts(p, length: int) -> list[int]:
    """Steps where CosineDecayRestarts starts a new cosine, within ``length`` steps."""
    out, start, period = [], 0, float(p["first_decay_steps"])
    while len(out) < MAX_EVENTS_PER_KIND:
        start += period
        if start >= length:
            break
        out.append(math.ceil(start))
        period *= p["t_mul"]
        if period <= 0:
            break
    return out


def _boundaries(spec: Spec) -> list[tuple[int, str]]:
    """(step, what starts there), in order, step 0 first."""
    node = spec.scheduler
    p, name = node.params, node.info.library_name
    if name == "ExponentialDecay":
        return [(0, f"exponential decay, x{_num(p['decay_rate'])} every {p['decay_steps']} steps" + (" (staircase)" if p["staircase"] else ""))]
    if name == "InverseTimeDecay":
        return [(0, f"inverse time decay, lr / (1 + {_num(p['decay_rate'])} x step / {p['decay_steps']})" + (" (staircase)" if p["staircase"] else ""))]
    if name == "PiecewiseConstantDecay":
        return [(0, "piecewise constant: each value through its boundary step (Keras switches one step after it)")]
    if name == "PolynomialDecay":
        shape = "linear" if p["power"] == 1 else f"polynomial (power {_num(p['power'])})"
        if p["cycle"]:
            return [(0, f"{shape} decay to end_learning_rate {_num(p['end_learning_rate'])}, restarted over growing multiples of decay_steps")]
        return [(0, f"{shape} decay to end_learning_rate {_num(p['end_learning_rate'])}"), (p["decay_steps"], "end_learning_rate")]
    if name == "CosineDecay":
        out = []
        warm = p["warmup_steps"] if p["warmup_target"] is not None else 0
        if warm > 0:
            out.append((0, f"linear warmup from initial_learning_rate to warmup_target {_num(p['warmup_target'])}"))
        out.append((warm, f"cosine decay to alpha {_num(p['alpha'])} x the lr over decay_steps {p['decay_steps']}"))
        out.append((warm + p["decay_steps"], "alpha x the lr (the cosine ends warmup_steps + decay_steps into the run)"))
        return out
    # CosineDecayRestarts
    out = [(0, f"cosine over first_decay_steps {p['first_decay_steps']} to alpha {_num(p['alpha'])} x")]
    for i, k in enumerate(restarts(p, spec.run.total_steps)[:7], start=2):
        out.append((k, f"cosine {i} (x{_num(p['t_mul'])} longer, x{_num(p['m_mul'])} lower)"))
    return out


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    cuts = [(k, what) for k, what in _boundaries(spec) if k < n]
    return [Phase(k, cuts[i + 1][0] if i + 1 < len(cuts) else n, spec.scheduler, what) for i, (k, what) in enumerate(cuts)]


def events(spec: Spec) -> list[Event]:
    node = spec.scheduler
    p, name = node.params, node.info.library_name
    n = spec.run.total_steps
    found: list[Event] = []
    if name == "CosineDecay" and p["warmup_target"] is not None and p["warmup_steps"] > 0:
        found.append(Event(p["warmup_steps"], "milestone", "end of warmup"))
    if name == "CosineDecay":
        warm = p["warmup_steps"] if p["warmup_target"] is not None else 0
        found.append(Event(warm + p["decay_steps"], "milestone", "decay_steps"))
    elif name == "PolynomialDecay" and not p["cycle"]:
        found.append(Event(p["decay_steps"], "milestone", "decay_steps"))
    elif name == "PolynomialDecay":
        found += [Event(k * p["decay_steps"] + 1, "restart", "restart") for k in range(1, min(n // p["decay_steps"], MAX_EVENTS_PER_KIND) + 1)]
    elif name == "PiecewiseConstantDecay":
        values = p["values"]
        found += [Event(b + 1, "milestone", f"{_num(values[i + 1])}") for i, b in enumerate(p["boundaries"])]
    elif name == "CosineDecayRestarts":
        found += [Event(k, "restart", "restart") for k in restarts(p, n)]
    elif name == "ExponentialDecay" and p["staircase"] and n // p["decay_steps"] <= 20:
        found += [Event(k * p["decay_steps"], "milestone", f"x{_num(p['decay_rate'])}") for k in range(1, n // p["decay_steps"] + 1)]
    return [e for e in found if 0 < e.step < n]


def summary(spec: Spec) -> str:
    """``keras CosineDecay, warmup 5%, alpha 0.01``: the schedule in Keras' words, short enough for a legend."""
    from ..base import FROM_RUN

    node = spec.scheduler
    p = node.params
    words = [f"keras {node.info.library_name}"]
    if node.info.library_name == "CosineDecay" and p["warmup_target"] is not None and p["warmup_steps"]:
        words.append(f"warmup {_share(p['warmup_steps'], spec.run.total_steps)} to {_num(p['warmup_target'])}")
    for prm in node.info.params:
        value = p[prm.name]
        if prm.name in ("warmup_steps", "warmup_target") or value is None:
            continue
        if prm.default is FROM_RUN or prm.default is not value and value != prm.default:
            if prm.default is FROM_RUN and value in (spec.run.total_steps, spec.run.total_steps - (p.get("warmup_steps") or 0)):
                continue
            words.append(f"{prm.name} {_short(value)}")
    if spec.run.dtype != "float64":
        words.append(spec.run.dtype)
    return ", ".join(words)


def _share(steps: int, total: int) -> str:
    pct = 100 * steps / total if total else 0
    return f"{pct:.2g}%" if pct < 10 else f"{pct:.0f}%"


def _short(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _num(v) -> str:
    return f"{float(v):.4g}"
