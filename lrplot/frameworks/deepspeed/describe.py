"""DeepSpeed's schedulers in their own words: warmup (log or linear), decay, cycle, range test, and
where fp16 overflow skips held the schedule (pitfalls are check rules, in ``checks``).

Each class changes behaviour at a ``last_batch_iteration``; optimizer step k trains at
``engine.iterations`` (k - 1, less the skipped steps before it), so a boundary j starts at the first
step whose iteration reaches it.
"""

from __future__ import annotations

import numpy as np

from ...config import Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from .engine import iterations


def _at(spec: Spec, j: float) -> int:
    """The first optimizer step that trains at last_batch_iteration >= j."""
    return int(np.searchsorted(iterations(spec), j, side="left"))


def _cuts(spec: Spec) -> list[tuple[int, str]]:
    node = spec.scheduler
    p, name = node.params, node.info.library_name
    if name in ("WarmupLR", "WarmupDecayLR", "WarmupCosineLR"):
        w = max(2, p["warmup_num_steps"])
        shape = "log curve" if p["warmup_type"] == "log" else "straight line"
        if name == "WarmupCosineLR":
            start = "0 on the first step, then warmup_min_ratio " + _n(p["warmup_min_ratio"]) + " of the lr"
        else:
            start = "warmup_min_lr " + _n(_first(p["warmup_min_lr"])) + " (on the first two steps)"
        out = [(0, f"{name} warmup from {start}, on a {shape}, over {w} steps")]
        if name == "WarmupLR":
            out.append((_at(spec, w), "constant at warmup_max_lr" + (" (the optimizer's lr)" if p["warmup_max_lr"] is None else f" {_n(_first(p['warmup_max_lr']))}")))
        elif name == "WarmupDecayLR":
            out.append((_at(spec, w), f"linear decay from warmup_max_lr {_n(_first(p['warmup_max_lr']))} to 0 at total_num_steps {p['total_num_steps']}"))
            out.append((_at(spec, p["total_num_steps"]), "0 past total_num_steps"))
        else:
            out.append((_at(spec, w), f"cosine decay to cos_min_ratio {_n(p['cos_min_ratio'])} of the lr at total_num_steps {p['total_num_steps']}"))
            out.append((_at(spec, p["total_num_steps"] - 1), f"held at cos_min_ratio {_n(p['cos_min_ratio'])} of the lr"))
        return out
    if name == "OneCycle":
        first = p["cycle_first_step_size"]
        second = p["cycle_second_step_size"] if p["cycle_second_step_size"] is not None else first
        decays = p["decay_step_size"] and p["decay_lr_rate"]
        after = f"decay: cycle_min_lr / (1 + {p['decay_lr_rate']:g} x steps / {p['decay_step_size']})" if decays else "held at cycle_min_lr"
        return [
            (0, f"OneCycle rise from cycle_min_lr {_n(_first(p['cycle_min_lr']))} to cycle_max_lr {_n(_first(p['cycle_max_lr']))} over {first} steps"),
            (_at(spec, first), f"fall back to cycle_min_lr over {second} steps"),
            (_at(spec, first + second), after),
        ]
    how = f"x (1 + {p['lr_range_test_step_rate']:g} x steps / {p['lr_range_test_step_size']})"
    stairs = f", in stairs of {p['lr_range_test_step_size']} steps" if p["lr_range_test_staircase"] else ""
    return [(0, f"LRRangeTest: lr_range_test_min_lr {_n(_first(p['lr_range_test_min_lr']))} {how}{stairs}")]


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    cuts = [(k, w) for k, w in _cuts(spec) if k < n]
    out = []
    for i, (k, what) in enumerate(cuts):
        end = cuts[i + 1][0] if i + 1 < len(cuts) else n
        if end > k:
            out.append(Phase(k, end, spec.scheduler, what))
    return out


def events(spec: Spec) -> list[Event]:
    cuts = _cuts(spec)
    found = [Event(k, "milestone", _label(what)) for k, what in cuts[1:] if 0 < k < spec.run.total_steps]
    skipped = spec.scheduler.params["skipped_steps"] or ()
    found += [Event(k + 1, "milestone", "skipped") for k in list(skipped)[:MAX_EVENTS_PER_KIND] if k + 1 < spec.run.total_steps]
    return found


def _label(what: str) -> str:
    return {"constant": "end of warmup", "linear": "end of warmup", "cosine": "end of warmup", "fall": "peak",
            "decay:": "end of cycle", "held": "end of cycle", "0": "total_num_steps"}.get(what.split()[0], what.split()[0])


def summary(spec: Spec) -> str:
    node = spec.scheduler
    p, name = node.params, node.info.library_name
    words = [f"deepspeed {name}"]
    if "warmup_num_steps" in p:
        words.append(f"{p['warmup_type']} warmup {p['warmup_num_steps']:,} steps")
    if name == "WarmupCosineLR":
        words.append(f"cos_min_ratio {p['cos_min_ratio']:g}")
    if name == "WarmupDecayLR":
        words.append(f"warmup_max_lr {_n(_first(p['warmup_max_lr']))}")
    if p["skipped_steps"]:
        words.append(f"{len(p['skipped_steps'])} skipped steps")
    return ", ".join(words)


def _first(v):
    return v[0] if isinstance(v, tuple) else v


def _n(v) -> str:
    return f"{float(v):.4g}"
