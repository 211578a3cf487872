"""torch's schedulers in moments and words: events to mark, phases to explain (pitfalls are check rules, in ``checks``).

Everything comes from the config's structure (SequentialLR children, milestones, warmup ends,
OneCycleLR phases, T_max), placed on the optimizer-step axis the way the run steps the scheduler.
"""

from __future__ import annotations

import re
from collections import Counter

from ...config import SchedulerSpec, Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase, scheduler_time_to_step


def events(spec: Spec) -> list[Event]:
    found: list[Event] = []
    _walk(spec.scheduler, 0, spec.run.length, found)
    return [Event(scheduler_time_to_step(spec.run, e.step), e.kind, e.label) for e in found]


def _walk(node: SchedulerSpec, offset: int, length: int, out: list[Event]) -> None:
    """Events of ``node`` active from scheduler time ``offset`` for ``length`` steps."""
    p = node.params
    if node.type == "SequentialLR":
        bounds = [0, *p["milestones"], max(length, *p["milestones"]) if p["milestones"] else length]
        for i, child in enumerate(node.children):
            start = bounds[i]
            if i > 0 and start < length:
                out.append(Event(offset + start, "switch", child.type))
            _walk(child, offset + start, bounds[i + 1] - start, out)
    elif node.type == "ChainedScheduler":
        for child in node.children:
            _walk(child, offset, length, out)
    elif node.type == "StepLR":
        for t in range(p["step_size"], min(length, p["step_size"] * (MAX_EVENTS_PER_KIND + 1)), p["step_size"]):
            out.append(Event(offset + t, "milestone", f"x{p['gamma']:g}"))
    elif node.type == "MultiStepLR":
        # Counted once (a repeated milestone multiplies gamma in), and only as many as a figure
        # marks: find_events keeps the first MAX_EVENTS_PER_KIND of a kind, and these come in order.
        counts = Counter(p["milestones"])
        inside = sorted(t for t in counts if 0 < t < length)[:MAX_EVENTS_PER_KIND]
        out.extend(Event(offset + t, "milestone", f"x{p['gamma'] ** counts[t]:g}") for t in inside)
    elif node.type == "CosineAnnealingWarmRestarts":
        t, period = p["T_0"], p["T_0"]
        while t < length and len(out) < 10 * MAX_EVENTS_PER_KIND:
            out.append(Event(offset + t, "restart", "restart"))
            period *= p["T_mult"]
            t += period
    elif node.type in ("ConstantLR", "LinearLR") and 0 < p["total_iters"] < length:
        out.append(Event(offset + p["total_iters"], "milestone", "end of " + ("warmup" if node.type == "LinearLR" else "factor")))


# ----------------------------------------------------------------------------------------------
# Phases


def phases(spec: Spec) -> list[Phase]:
    """The run split where the schedule's behaviour changes, in optimizer steps."""
    run = spec.run
    out = []
    for ph in _phases(spec.scheduler, 0, run.length):
        start = _to_step(spec, ph.start)
        end = min(run.total_steps, _to_step(spec, ph.end))
        out.append(Phase(start, end, ph.node, ph.what))
    return out


def _to_step(spec: Spec, t: int) -> int:
    # where the events are: a fractional step(t) sets the lr of the step after it
    return 0 if t == 0 else scheduler_time_to_step(spec.run, t)


def _phases(node: SchedulerSpec, offset: int, length: int) -> list[Phase]:
    """Split ``node``'s share of the run [offset, offset + length) where its behaviour changes."""
    p = node.params
    end = offset + length
    if node.type == "SequentialLR":
        bounds = [0, *p["milestones"], max([length, *p["milestones"]])]  # no milestones: one child
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
    if node.type == "CosineAnnealingWarmRestarts":
        return _cycles(node, offset, length)
    if cut is not None:
        return [Phase(offset, offset + cut, node, _words(node)), Phase(offset + cut, end, node, _after_words(node))]
    return [Phase(offset, end, node, _words(node))]


MAX_CYCLES = 12  # SGDR's cycles listed one by one; the rest in one phase


def _cycles(node: SchedulerSpec, offset: int, length: int) -> list[Phase]:
    """SGDR's cycles: each restart begins a phase (a T_mult of 2 doubles each one)."""
    p = node.params
    out: list[Phase] = []
    t, period = 0, p["T_0"]
    while t < length and len(out) < MAX_CYCLES:
        out.append(Phase(offset + t, offset + min(length, t + period), node, f"cycle {len(out) + 1} (T_i {period}): cosine to eta_min {_num(p['eta_min'])}"))
        t, period = t + period, period * p["T_mult"]
    if t < length:
        growing = "each" if p["T_mult"] == 1 else f"each x{p['T_mult']} longer"
        out.append(Phase(offset + t, offset + length, node, f"cycles {len(out) + 1} on ({growing}): cosine to eta_min {_num(p['eta_min'])}"))
    return out


def _words(node: SchedulerSpec) -> str:
    p = node.params
    words = {
        "LinearLR": lambda: f"LinearLR {'warmup' if p['end_factor'] > p['start_factor'] else 'ramp'} (factor {_num(p['start_factor'])} -> {_num(p['end_factor'])})",
        "CosineAnnealingLR": lambda: f"cosine annealing to eta_min {_num(p['eta_min'])}",
        "ExponentialLR": lambda: f"exponential decay, x{_num(p['gamma'])} per step",
        "PolynomialLR": lambda: f"polynomial decay, power {_num(p['power'])}",
        "LambdaLR": lambda: f"LambdaLR, lr_lambda = {expr_words(p['lr_lambda'])}",
        "MultiplicativeLR": lambda: f"MultiplicativeLR, x lr_lambda = {expr_words(p['lr_lambda'])} per step",
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


def _num(v: float) -> str:
    return f"{float(v):.4g}"


def expr_words(value) -> str:
    if isinstance(value, tuple):
        sources = {v.source for v in value}
        if len(sources) == 1:  # one expression compiled per group (it uses base_lr)
            return repr(value[0].source)
        return "[" + ", ".join(repr(v.source) for v in value) + "]"
    return repr(value.source)


def summary(spec: Spec) -> str:
    """``MultiStepLR [30, 80], gamma 0.5``: the scheduler and the keywords the config sets, short
    enough for a legend and never a cut-off expression (titles and compare labels read it)."""
    return _node_summary(spec.scheduler, spec.source.get("scheduler", {}))


MAX_LISTED = 4  # a longer list shows its ends and its length


def _node_summary(node: SchedulerSpec, source) -> str:
    if node.children:
        given = source.get("schedulers", []) if isinstance(source, dict) else []
        parts = [_node_summary(c, given[i] if i < len(given) else {}) for i, c in enumerate(node.children)]
        return (" \u2192 " if node.type == "SequentialLR" else " + ").join(parts)
    info = node.info
    # keywords the config sets to something else than the library's default, in the config's order
    keys = [k for k in source if k in node.params and not _is_default(info, k, node.params[k])] if isinstance(source, dict) else []
    if "step_size_down" in keys and "step_size_up" not in keys:  # a cycle's two halves, named together
        keys.insert(keys.index("step_size_down"), "step_size_up")
    words = [_keyword_words(k, node.params[k]) for k in keys]
    return " ".join([node.type, ", ".join(w for w in words if w)]).strip()


def _is_default(info, key: str, value) -> bool:
    default = info.param(key).default
    if isinstance(default, bool) or isinstance(value, bool):
        return value is default
    return isinstance(default, (int, float, str)) and value == default


def _keyword_words(key: str, value) -> str:
    if key == "milestones":
        return _short(value)
    if hasattr(value, "source") or (isinstance(value, tuple) and value and hasattr(value[0], "source")):
        sources = {v.source for v in value} if isinstance(value, tuple) else {value.source}
        if len(sources) > 1:
            return f"{key} per group"
        (text,) = sources
        text = " ".join(text.split())
        return f"{key} {text}" if len(text) <= 28 else f"custom {key}"
    return f"{key} {_short(value)}"


def _short(value) -> str:
    if isinstance(value, (tuple, list)):
        items = [_short(v) for v in value]
        if len(items) > MAX_LISTED:
            return f"[{', '.join(items[:2])}, \u2026, {items[-1]}] ({len(items):,})"
        return "[" + ", ".join(items) + "]"
    if isinstance(value, bool) or value is None:
        return str(value).lower()
    if isinstance(value, float):
        return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), f"{value:g}")
    return str(value)
