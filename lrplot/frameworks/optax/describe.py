"""optax's schedules in their own words: warmups, decays, joins (their pitfalls are check rules, in ``checks``).

The count a schedule sees is the optimizer's update count, which is the optimizer step itself (step
k trains with ``schedule(k)``); a schedule inside ``join_schedules`` counts from its boundary.
"""

from __future__ import annotations

from ...config import SchedulerSpec, Spec
from ...engine.events import Event, Phase


def stepping(spec: Spec) -> str:
    return (f"schedule evaluated at the optimizer's update count before every update (step k trains with schedule(k), "
            f"k from 0), in {spec.run.dtype}")


def _parts(node: SchedulerSpec) -> list[tuple[int, str, str]]:
    """(count, kind, what starts there) of one schedule, on its own count; kind is "" for phase starts only."""
    p, name = node.params, node.info.library_name
    n = _num
    if name == "join_schedules":
        out, starts = [], [0, *p["boundaries"]]
        for i, (child, start) in enumerate(zip(p["schedules"], starts)):
            out += [(start + k, kind if (k or not i) else "switch", what) for k, kind, what in _parts(child) if k >= 0]
        return out
    if name == "sgdr_schedule":
        out, start = [], 0
        for i, child in enumerate(p["cosine_kwargs"]):
            out += [(start + k, kind if (k or not i) else "restart", what) for k, kind, what in _parts(child)]
            start += child.params["decay_steps"]
        return out
    if name == "constant_schedule":
        return [(0, "", f"constant {n(p['value'])}")]
    if name in ("linear_schedule", "polynomial_schedule", "warmup_constant_schedule"):
        if name == "warmup_constant_schedule":
            end, steps, begin, what = p["peak_value"], p["warmup_steps"], 0, "linear warmup"
        else:
            end, steps, begin = p["end_value"], p["transition_steps"], max(p["transition_begin"], 0)
            what = "linear" if name == "linear_schedule" else f"polynomial (power {n(p['power'])})"
        if steps <= 0:
            return [(0, "", f"constant {n(p['init_value'])} (transition_steps <= 0: optax falls back to init_value)")]
        out = [(0, "", f"constant {n(p['init_value'])} until transition_begin")] if begin else []
        out.append((begin, "", f"{what} from {n(p['init_value'])} to {n(end)}"))
        out.append((begin + steps, "milestone", f"{n(end)}"))
        return out
    if name == "exponential_decay":
        begin = max(p["transition_begin"], 0)
        if p["transition_steps"] <= 0 or p["decay_rate"] == 0:
            return [(0, "", f"constant {n(p['init_value'])} (optax falls back to init_value)")]
        floor = f", clipped at {n(p['end_value'])}" if p["end_value"] is not None else ""
        out = [(0, "", f"constant {n(p['init_value'])} until transition_begin")] if begin else []
        return out + [(begin, "", f"exponential decay x{n(p['decay_rate'])} every {p['transition_steps']} updates"
                                 + (" (staircase)" if p["staircase"] else "") + floor)]
    if name == "cosine_decay_schedule":
        return [(0, "", f"cosine decay to alpha {n(p['alpha'])} x init_value over decay_steps {p['decay_steps']}"),
                (p["decay_steps"], "milestone", f"alpha x init_value ({n(p['alpha'] * p['init_value'])})")]
    if name == "warmup_cosine_decay_schedule":
        w, d = p["warmup_steps"], p["decay_steps"]
        out = [(0, "", f"linear warmup from {n(p['init_value'])} to peak_value {n(p['peak_value'])}")] if w > 0 else []
        out.append((w, "milestone" if w > 0 else "", f"cosine decay to end_value {n(p['end_value'])}, ending at decay_steps {d} (warmup included)"))
        out.append((d, "milestone", f"end_value {n(p['end_value'])}"))
        return out
    if name == "warmup_exponential_decay_schedule":
        w = p["warmup_steps"]
        out = [(0, "", f"linear warmup from {n(p['init_value'])} to peak_value {n(p['peak_value'])}")] if w > 0 else []
        return out + [(w, "milestone" if w > 0 else "", f"exponential decay x{n(p['decay_rate'])} every {p['transition_steps']} updates")]
    if name in ("linear_onecycle_schedule", "cosine_onecycle_schedule", "piecewise_interpolate_schedule"):
        from .schedules import _onecycle_scales

        if name == "piecewise_interpolate_schedule":
            scales, shape, init = dict(p["boundaries_and_scales"] or ()), p["interpolate_type"], p["init_value"]
        else:
            kind = name.split("_")[0]
            scales = _onecycle_scales(p["transition_steps"], p["pct_start"], p.get("pct_final"), p["div_factor"], p["final_div_factor"], kind)
            shape, init = kind, p["peak_value"] / p["div_factor"]
        out, value, start = [], init, 0
        for bound, scale in sorted(scales.items()):
            if bound > start:
                out.append((start, "milestone" if start else "", f"{shape} from {n(value)} to {n(value * scale)}"))
            value, start = value * scale, max(bound, start)
        return out + [(start, "milestone" if start else "", f"{n(value)}")]
    if name == "piecewise_constant_schedule":
        out, value = [(0, "", f"{n(p['init_value'])}")], p["init_value"]
        for bound, scale in sorted(dict(p["boundaries_and_scales"] or ()).items()):
            value *= scale
            out.append((bound, "milestone", f"x{n(scale)}"))
        return out
    raise KeyError(name)


def phases(spec: Spec) -> list[Phase]:
    n = spec.run.total_steps
    cuts: list[tuple[int, str]] = []
    for k, _, what in _parts(spec.scheduler):
        k = max(k, 0)
        if k < n and (not cuts or k > cuts[-1][0]):
            cuts.append((k, what))
        elif cuts and k == cuts[-1][0]:
            cuts[-1] = (k, what)
    return [Phase(k, cuts[i + 1][0] if i + 1 < len(cuts) else n, spec.scheduler, what) for i, (k, what) in enumerate(cuts)]


def events(spec: Spec) -> list[Event]:
    labels = {"milestone": None, "switch": "join", "restart": "restart"}
    out = []
    for k, kind, what in _parts(spec.scheduler):
        if kind and 0 < k < spec.run.total_steps:
            label = labels[kind] or what
            out.append(Event(k, kind, label if len(label) <= 24 else label.split(" ")[0]))
    return out


def summary(spec: Spec) -> str:
    """``optax warmup_cosine_decay_schedule, warmup 5%, end_value 0.001``: short enough for a legend."""
    from ..base import FROM_RUN

    node = spec.scheduler
    p = node.params
    words = [f"optax {node.info.library_name}"]
    if p.get("warmup_steps"):
        words.append(f"warmup {_share(p['warmup_steps'], spec.run.total_steps)}")
    for prm in node.info.params:
        value = p[prm.name]
        if prm.name == "warmup_steps" or prm.kind == "schedulers" or value is None:
            continue
        if prm.default is FROM_RUN and value == spec.run.total_steps:
            continue
        if prm.default is FROM_RUN or prm.required or value != prm.default:
            words.append(f"{prm.name} {_short(value)}")
    if spec.run.dtype != "float64":
        words.append(spec.run.dtype)
    return ", ".join(words)


def _share(steps: int, total: int) -> str:
    pct = 100 * steps / total if total else 0
    return f"{pct:.2g}%" if pct < 10 else f"{pct:.0f}%"


def _short(value) -> str:
    if isinstance(value, tuple):
        if value and isinstance(value[0], tuple):
            return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value) + "}"
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return f"{value:g}" if isinstance(value, float) else str(value)


def _num(v) -> str:
    return f"{float(v):.4g}"
