"""optax's pitfalls, as ``lrplot check`` rules (codes OX...): decay_steps counted with the warmup, fallbacks, float32.

Rules of severity ``info`` say how optax behaves where users do not expect it; ``explain`` notes
them, ``check`` does not report them.
"""

from __future__ import annotations

from ...engine.pitfalls import Rule, Subject, num
from ..float32 import float32_moves
from .schedules import _onecycle_scales

_ENDS = {"cosine_decay_schedule": "decay_steps", "warmup_cosine_decay_schedule": "decay_steps", "linear_schedule": "transition_steps",
         "polynomial_schedule": "transition_steps", "linear_onecycle_schedule": "transition_steps", "cosine_onecycle_schedule": "transition_steps"}


def _nodes(s: Subject):
    """Every optax schedule in the config (join_schedules' and sgdr_schedule's too), with its start step."""
    def walk(node, start):
        yield node, start
        p = node.params
        if node.info.library_name == "join_schedules":
            for child, begin in zip(p["schedules"], [0, *p["boundaries"]]):
                yield from walk(child, start + begin)
        elif node.info.library_name == "sgdr_schedule":
            offset = 0
            for child in p["cosine_kwargs"]:
                yield from walk(child, start + offset)
                offset += child.params["decay_steps"]
    yield from walk(s.spec.scheduler, 0)


def _decay_excludes_warmup(s: Subject):
    node, n = s.spec.scheduler, s.spec.run.total_steps
    p = node.params
    if node.info.library_name != "warmup_cosine_decay_schedule" or not p["warmup_steps"] or s.trace is None:
        return
    w, d = p["warmup_steps"], p["decay_steps"]
    if d < n:
        why = f" (decay_steps + warmup_steps is the run's length: optax counts decay_steps from 0, the warmup included)" if d + w == n else ""
        yield f"{node.path}.decay_steps", (
            f"the cosine reaches end_value {num(p['end_value'])} at decay_steps {d:,}, {n - d:,} steps before the run ends{why}; "
            f"set decay_steps to {n:,}"
        )


def _ends_early(s: Subject):
    n = s.spec.run.total_steps
    for node, start in _nodes(s):
        name = node.info.library_name
        if name not in _ENDS or name == "warmup_cosine_decay_schedule" or s.spec.scheduler is not node:
            continue
        p = node.params
        end = start + p[_ENDS[name]] + max(p.get("transition_begin") or 0, 0)
        if 0 < p[_ENDS[name]] and end < n:
            yield f"{node.path}.{_ENDS[name]}", f"the schedule ends at update {end:,}, {n - end:,} before the run does: the lr then stays at {num(s.trace.lr[0, -1]) if s.trace is not None else 'its end'}"


def _constant_fallback(s: Subject):
    for node, _ in _nodes(s):
        p, name = node.params, node.info.library_name
        if name in ("linear_schedule", "polynomial_schedule", "exponential_decay", "warmup_exponential_decay_schedule") and p["transition_steps"] <= 0:
            yield f"{node.path}.transition_steps", f"is {p['transition_steps']}: optax only logs it and returns a constant {num(p.get('init_value', p.get('peak_value')))}"
        if name in ("exponential_decay", "warmup_exponential_decay_schedule") and p["decay_rate"] == 0:
            yield f"{node.path}.decay_rate", "is 0: optax only logs it and returns a constant init_value"


def _onecycle_collide(s: Subject):
    for node, _ in _nodes(s):
        p, name = node.params, node.info.library_name
        if name not in ("linear_onecycle_schedule", "cosine_onecycle_schedule"):
            continue
        kind = name.split("_")[0]
        try:
            scales = _onecycle_scales(p["transition_steps"], p["pct_start"], p.get("pct_final"), p["div_factor"], p["final_div_factor"], kind)
        except OverflowError:  # a boundary beyond a float: optax raises, which LR001 reports
            continue
        wanted = 3 if kind == "linear" else 2
        if len(scales) < wanted:
            yield f"{node.path}.transition_steps", (
                f"{p['transition_steps']} updates are too few: two of the cycle's boundaries (int(pct * transition_steps)) fall on the same update, "
                f"and optax's dict keeps only the last, so a phase of the cycle is lost"
            )


def _join_counts_from_zero(s: Subject):
    node = s.spec.scheduler
    if node.info.library_name == "join_schedules" and node.params["boundaries"]:
        yield f"{node.path}.boundaries", "each joined schedule counts from 0 again at its boundary (it sees step - boundary), so its lengths are its own, not the run's"


def _float32(s: Subject):
    moved = float32_moves(s, "optax computes in float32 unless jax_enable_x64 is set")
    if moved:
        yield s.spec.scheduler.path, moved


RULES: tuple[Rule, ...] = (
    Rule("OX101", "decay-steps-exclude-warmup", "warning", "warmup_cosine_decay_schedule's decay_steps shorter than the run (it counts the warmup too)", _decay_excludes_warmup),
    Rule("OX102", "schedule-ends-before-run", "warning", "a schedule that ends before the run: the lr stays at its end value", _ends_early),
    Rule("OX103", "constant-fallback", "warning", "transition_steps <= 0 or decay_rate 0: optax falls back to a constant", _constant_fallback),
    Rule("OX104", "onecycle-boundaries-collide", "warning", "a onecycle too short for its boundaries: optax's dict drops one", _onecycle_collide),
    Rule("OX301", "join-counts-from-zero", "info", "join_schedules hands each schedule step - boundary", _join_counts_from_zero),
    Rule("OX302", "float32", "info", "how far optax's float32 moves the lr on this run", _float32),
)
