"""timm's schedulers in moments and words: events to mark, phases to explain (pitfalls are check rules, in ``checks``).

Everything is read off the config the way timm computes it: t is an epoch (``t_in_epochs``) or a
global update count, and the lr of t trains from optimizer step ``t * steps_per_epoch`` (per epoch)
or ``t`` (per update). The schedule's own clock starts after the warmup with ``warmup_prefix``
(always for WSD), at 0 otherwise.
"""

from __future__ import annotations

import math

import numpy as np

from ...config import Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from . import closed
from .replica import cycle, noise_applies

CYCLED = ("timm.cosine", "timm.tanh", "timm.poly")
MAX_CYCLE_PHASES = 8


class Clock:
    """The run on timm's time axis: t values, their unit, and where they land in optimizer steps."""

    def __init__(self, spec: Spec):
        node, run = spec.scheduler, spec.run
        p = node.params
        self.per_update = node.type != "timm.plateau" and not p["t_in_epochs"]
        self.unit = "update" if self.per_update else "epoch"
        self.length = run.total_steps if self.per_update else run.epochs  # t = 0 .. length - 1 train
        self.spe = run.steps_per_epoch
        self.offset = p["warmup_t"] if node.type == "timm.wsd" or p.get("warmup_prefix") else 0

    def step(self, t: float) -> int:
        t = math.ceil(t)  # the first whole t at or past a boundary
        return t if self.per_update else t * self.spe

    def units(self, n: float) -> str:
        return f"{n:g} {self.unit}{'' if n == 1 else 's'}"


def _cycle_starts(p, clock: Clock) -> tuple[list[int], int | None]:
    """t where a cycle after the first starts, and t where the cycles are over (lr_min), within the run."""
    t = np.arange(max(p["warmup_t"], clock.offset), clock.length, dtype=np.int64)
    cycled = closed.cycle(t - clock.offset, p["t_initial"], p["cycle_mul"]) if t.size else None
    if cycled is None:
        return [], None  # nothing after the warmup, or timm raises within the run (the engine says where)
    i = np.broadcast_to(np.asarray(cycled[0]), t.shape)  # a scalar 0 when the run holds one cycle
    starts = [int(t[j]) for j in np.nonzero(np.diff(i))[0] + 1 if i[j] < p["cycle_limit"]]
    done = np.nonzero(i >= p["cycle_limit"])[0]
    return starts, (int(t[done[0]]) if done.size else None)


def events(spec: Spec) -> list[Event]:
    node = spec.scheduler
    p = node.params
    clock = Clock(spec)
    out: list[tuple[float, str, str]] = []
    if 0 < p["warmup_t"] < clock.length:
        out.append((p["warmup_t"], "milestone", "end of warmup"))
    if node.type in CYCLED:
        starts, done = _cycle_starts(p, clock)
        out += [(t, "restart", "restart") for t in starts]
        if done is not None:
            out.append((done, "milestone", "lr_min"))
    elif node.type == "timm.step" and p["decay_rate"] != 1:
        origin = clock.offset
        first = max(p["warmup_t"], origin)
        n = np.floor_divide(np.arange(first, clock.length) - origin, p["decay_t"])
        decays = np.arange(first, clock.length)[1:][np.diff(n) != 0] if n.size else []
        if 0 < len(decays) <= MAX_EVENTS_PER_KIND:  # more is a staircase: the line shows it better than markers
            out += [(int(t), "milestone", f"x{p['decay_rate']:g}") for t in decays]
    elif node.type == "timm.multistep" and p["decay_rate"] != 1:
        for m in sorted(set(p["decay_t"])):
            # bisect_right(decay_t, t + 1): milestone m counts from t = m - 1
            out.append((clock.offset + m - 1, "milestone", f"x{p['decay_rate'] ** p['decay_t'].count(m):g}"))
    elif node.type == "timm.wsd":
        out.append((p["warmup_t"] + p["t_initial"] - p["decay_t"] + 1, "milestone", f"decay ({p['decay_fn']})"))
    range_t = p["noise_range_t"]
    if range_t is not None:
        on, off = (range_t if isinstance(range_t, tuple) else (range_t, None))
        out.append((max(on, 1), "milestone", "noise on"))
        if off is not None:
            out.append((off, "milestone", "noise off"))
    return [Event(clock.step(t), kind, label) for t, kind, label in out if 0 < t < clock.length]


# ----------------------------------------------------------------------------------------------
# Phases


def phases(spec: Spec) -> list[Phase]:
    node = spec.scheduler
    p = node.params
    clock = Clock(spec)
    cuts = {0, clock.length}
    if 0 < p["warmup_t"] < clock.length:
        cuts.add(p["warmup_t"])
    done = None
    if node.type in CYCLED:
        starts, done = _cycle_starts(p, clock)
        if len(starts) < MAX_CYCLE_PHASES:
            cuts.update(starts)
        if done is not None:
            cuts.add(done)
    if node.type == "timm.wsd":
        cuts.add(p["warmup_t"] + p["t_initial"] - p["decay_t"] + 1)
    range_t = p["noise_range_t"]
    if range_t is not None:
        cuts.update(math.ceil(v) for v in (range_t if isinstance(range_t, tuple) else (range_t,)))
    bounds = sorted(t for t in cuts if 0 <= t <= clock.length)
    out = []
    for a, b in zip(bounds, bounds[1:]):
        words = _words(spec, clock, a, done)
        if noise_applies(range_t, max(a, 1)):
            words += f", with noise (within +-{p['noise_pct']:g}, std {p['noise_std']:g})"
        out.append(Phase(clock.step(a), min(clock.step(b), spec.run.total_steps), node, words))
    return out


def _words(spec: Spec, clock: Clock, t: int, done: int | None) -> str:
    node = spec.scheduler
    p = node.params
    name = node.info.library_name
    if t < p["warmup_t"]:
        under = "" if clock.offset or node.type in ("timm.plateau",) else " (the schedule runs underneath: no warmup_prefix)"
        return f"{name} linear warmup from {_num(p['warmup_lr_init'])} over {clock.units(p['warmup_t'])}{under}"
    if node.type in CYCLED:
        if done is not None and t >= done:
            return f"cycles done: lr_min {_num(p['lr_min'])}" + (" (cooldown)" if "timm" in spec.source else "")
        shape = f"polynomial (power {p['power']:g})" if node.type == "timm.poly" else node.type.split(".")[1]
        k = f", k_decay {p['k_decay']:g}" if p.get("k_decay", 1.0) != 1.0 else ""
        if p["cycle_limit"] > 1:
            i = cycle(t - clock.offset, p["t_initial"], p["cycle_mul"])[0]
            return f"{name} {shape} cycle {i + 1} of {p['cycle_limit']} to lr_min {_num(p['lr_min'])}{k}"
        return f"{name} {shape} decay to lr_min {_num(p['lr_min'])} over t_initial {clock.units(p['t_initial'])}{k}"
    if node.type == "timm.step":
        if p["decay_rate"] == 1:  # train.py's --sched constant
            return f"{name} with decay_rate 1: the lr stays"
        return f"{name}, x{p['decay_rate']:g} every {clock.units(p['decay_t'])}"
    if node.type == "timm.multistep":
        at = [clock.offset + m - 1 for m in p["decay_t"]]
        return f"{name}, x{p['decay_rate']:g} at {list(p['decay_t'])} (timm: from {clock.unit} {at}, one early)"
    if node.type == "timm.wsd":
        if t - p["warmup_t"] <= p["t_initial"] - p["decay_t"]:
            stable = "stable at the lr" if p["stable_fn"] == "constant" else f"{p['stable_fn']} stable decay"
            return f"{name} {stable}"
        return f"{name} {p['decay_fn']} decay to lr_min {_num(p['lr_min'])} over decay_t {clock.units(p['decay_t'])}"
    return f"{name}: x{p['decay_rate']:g} after {p['patience_t']} bad epochs (mode {p['mode']}, cooldown {p['cooldown_t']})"


def _num(v: float) -> str:
    return f"{float(v):.4g}"


def summary(spec: Spec) -> str:
    """``timm cosine, warmup 5 epochs, warmup_lr_init 1e-05``: the scheduler and the keywords that
    differ from timm's defaults, short enough for a legend (titles and compare labels read it)."""
    from ..base import FROM_RUN

    node = spec.scheduler
    p = node.params
    # keywords that change nothing here: cycle settings of a single cycle, noise settings without noise
    inert = {"warmup_t", "t_in_epochs"}
    if p.get("cycle_limit", 0) <= 1:
        inert |= {"cycle_mul", "cycle_decay"}
    if p["noise_range_t"] is None:
        inert |= {"noise_pct", "noise_std", "noise_seed", "noise_type"}
    words = [f"timm {node.type.split('.', 1)[1]}"]
    if p.get("warmup_t"):
        unit = "epochs" if p.get("t_in_epochs", True) else "updates"
        words.append(f"warmup {_short(p['warmup_t'])} {unit}")
    run_lengths = {spec.run.length, spec.run.total_steps, spec.run.epoch_count}
    for param in node.info.params:
        value = p[param.name]
        if param.name in inert or value is None:
            continue
        if param.default is FROM_RUN and value not in run_lengths or param.default is not FROM_RUN and value != param.default:
            words.append(f"{param.name} {_short(value)}")
    return ", ".join(words)


def _short(value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
