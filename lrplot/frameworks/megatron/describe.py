"""Megatron's schedule in its own words: warmup, decay (or WSD's stable and anneal), min-lr, with the
samples each phase spans and the iterations that makes (pitfalls are check rules, in ``checks``).

Megatron places its phases in samples; an iteration k trains at the samples consumed before it,
so a phase starts at the first iteration whose count passes its boundary (``schedule.consumed``).
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine.events import Event, Phase
from . import schedule


def samples(spec: Spec) -> np.ndarray:
    p = spec.scheduler.params
    return schedule.consumed(spec.run.total_steps, p["increment"], p["rampup_batch_size"])


def first_after(spec: Spec, boundary: float, strict: bool = True) -> int:
    """The first iteration whose consumed samples are past ``boundary`` (> it, or >= with strict False)."""
    s = samples(spec)
    return int(np.searchsorted(s, boundary, side="right" if strict else "left"))


def _boundaries(spec: Spec) -> list[tuple[int, str]]:
    p = spec.scheduler.params
    style, W, D = p["lr_decay_style"], p["lr_warmup_steps"], p["lr_decay_steps"]
    out: list[tuple[int, str]] = []
    if W > 0:
        out.append((0, f"linear warmup from {_n(p['init_lr'])} over {_samples(W)} samples"))
    after = first_after(spec, W) if W > 0 else 0
    if style == "constant":
        out.append((after, "constant at the lr"))
        return out
    end = first_after(spec, D)
    if style == "inverse-square-root":
        out.append((after, f"inverse square root decay (lr x sqrt(warmup / samples)), floored at min-lr {_n(_floor(p))}"))
    elif style == "WSD":
        anneal = D - p["wsd_decay_steps"]
        start = max(after, first_after(spec, anneal))
        if start > after:
            out.append((after, "stable at the lr (WSD)"))
        out.append((start, f"{p['lr_wsd_decay_style']} anneal to min-lr {_n(_floor(p))} over {_samples(p['wsd_decay_steps'])} samples (WSD)"))
    else:
        out.append((after, f"{style} decay to min-lr {_n(_floor(p))}; the decay span ({_samples(D)} samples) includes the warmup"))
    if style != "inverse-square-root":
        out.append((end, f"at min-lr {_n(_floor(p))} (past lr_decay_steps)"))
    return out


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    cuts = [(k, what) for k, what in _boundaries(spec) if k < n]
    out = []
    for i, (k, what) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else n
        if end > k:
            out.append(Phase(k, end, spec.scheduler, what))
    return out


def events(spec: Spec) -> list[Event]:
    p = spec.scheduler.params
    found: list[tuple[int, str]] = []
    if p["lr_warmup_steps"] > 0:
        found.append((first_after(spec, p["lr_warmup_steps"]), "end of warmup"))
    if p["lr_decay_style"] == "WSD":
        found.append((first_after(spec, p["lr_decay_steps"] - p["wsd_decay_steps"]), "anneal"))
    if p["lr_decay_style"] not in ("constant", "inverse-square-root"):
        found.append((first_after(spec, p["lr_decay_steps"]), "min-lr"))
    ramp = p["rampup_batch_size"]
    if ramp is not None:
        found.append((first_after(spec, ramp[2]), f"batch {p['increment']}"))
    return [Event(k, "milestone", label) for k, label in found if 0 < k < spec.run.total_steps]


def summary(spec: Spec) -> str:
    p = spec.scheduler.params
    words = [f"megatron {p['lr_decay_style']}"]
    if p["lr_warmup_steps"]:
        words.append(f"warmup {100 * p['lr_warmup_steps'] / p['lr_decay_steps']:.2g}% of the decay span")
    if p["lr_decay_style"] == "WSD":
        words.append(f"{p['lr_wsd_decay_style']} anneal {100 * p['wsd_decay_steps'] / p['lr_decay_steps']:.2g}%")
    floor = _floor(p)
    if floor:
        words.append(f"min-lr {_n(floor)}")
    if p["rampup_batch_size"] is not None:
        words.append(f"batch ramp-up from {p['rampup_batch_size'][0]}")
    return ", ".join(words)


def _floor(p) -> float:
    return p["min_lr"][0] if isinstance(p["min_lr"], tuple) else p["min_lr"]


def _samples(x: float) -> str:
    return f"{int(x):,}" if float(x).is_integer() else f"{x:,.1f}"


def _n(v: float) -> str:
    return f"{float(v):.4g}"
