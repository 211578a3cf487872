"""torchtitan's schedule in its own words: warmup, stable, decay, with the steps each spans as
``build`` computes them (pitfalls are check rules, in ``checks``)."""

from __future__ import annotations

from ...config import Spec
from ...engine.events import Event, Phase
from .schedule import phases as build


def _cuts(spec: Spec) -> list[tuple[int, str]]:
    ph = build(spec.scheduler.params)
    out = []
    if ph.warmup_steps:
        out.append((0, f"linear warmup from 1/{ph.warmup_steps} of the lr over {ph.warmup_steps} steps"))
    start = ph.warmup_steps + ph.stable_steps
    if ph.stable_steps:
        virtual = " (+1 virtual step, so the decay never reaches its end)" if ph.decay_steps else ""
        out.append((ph.warmup_steps, f"stable at the lr{virtual}"))
    if ph.decay_steps:
        floor = f"min_lr_factor {ph.min_lr_factor:g} x the lr" if ph.min_lr_factor else "0"
        out.append((start, f"{ph.decay_type} decay towards {floor} over {ph.decay_steps} steps"))
    if ph.total_steps < spec.run.total_steps:
        out.append((ph.total_steps, f"past total_steps ({ph.total_steps}): the decay formula runs on past its end"))
    return out


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    cuts = sorted((k, w) for k, w in _cuts(spec) if k < n)
    out = []
    for i, (k, what) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else n
        if end > k:
            out.append(Phase(k, end, spec.scheduler, what))
    return out


def events(spec: Spec) -> list[Event]:
    ph = build(spec.scheduler.params)
    found = []
    if ph.warmup_steps:
        found.append((ph.warmup_steps, "end of warmup"))
    if ph.decay_steps and ph.stable_steps > 1:
        found.append((ph.warmup_steps + ph.stable_steps - 1, "decay"))
    return [Event(k, "milestone", label) for k, label in found if 0 < k < spec.run.total_steps]


def summary(spec: Spec) -> str:
    p = spec.scheduler.params
    ph = build(p)
    words = [f"torchtitan {ph.decay_type} WSD" if p["decay_ratio"] is not None else f"torchtitan warmup + {ph.decay_type} decay"]
    if ph.warmup_steps:
        words.append(f"warmup {ph.warmup_steps:,} steps")
    if p["decay_ratio"] is not None:
        words.append(f"decay_ratio {p['decay_ratio']:g}")
    if ph.min_lr_factor:
        words.append(f"min_lr_factor {ph.min_lr_factor:g}")
    return ", ".join(words)
