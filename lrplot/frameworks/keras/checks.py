"""Keras' pitfalls, as ``lrplot check`` rules (codes KR...): lengths counted after the warmup, a late switch, float32.

Rules of severity ``info`` say how Keras behaves where users do not expect it; ``explain`` notes
them, ``check`` does not report them.
"""

from __future__ import annotations

from ...engine.pitfalls import Rule, Subject, num
from ..float32 import float32_moves


def _name(s: Subject) -> str:
    return s.spec.scheduler.info.library_name


def _warmup(p) -> int:
    return p["warmup_steps"] if p.get("warmup_target") is not None else 0


def _decay_includes_warmup(s: Subject):
    node, n = s.spec.scheduler, s.spec.run.total_steps
    p = node.params
    w = _warmup(p)
    if _name(s) != "CosineDecay" or not w or s.trace is None or w + p["decay_steps"] <= n:
        return
    why = " (decay_steps is the run's length: Keras counts it after the warmup)" if p["decay_steps"] >= n else ""
    yield f"{node.path}.decay_steps", (
        f"the cosine ends at warmup_steps + decay_steps = {w + p['decay_steps']:,}, past the run's {n:,} steps{why}: the last step "
        f"trains at {num(s.trace.lr[0, -1])}, not alpha x warmup_target; set decay_steps to {n - w:,}"
    )


def _ends_early(s: Subject):
    node, n = s.spec.scheduler, s.spec.run.total_steps
    p = node.params
    if _name(s) == "CosineDecay":
        end = _warmup(p) + p["decay_steps"]
    elif _name(s) == "PolynomialDecay" and not p["cycle"]:
        end = p["decay_steps"]
    else:
        return
    if end < n:
        yield f"{node.path}.decay_steps", (
            f"the decay ends at step {end:,}, {n - end:,} steps before the run does: the lr then stays at {num(s.trace.lr[0, -1]) if s.trace is not None else 'its floor'}"
        )


def _warmup_without_target(s: Subject):
    node = s.spec.scheduler
    p = node.params
    if _name(s) == "CosineDecay" and p["warmup_steps"] and p["warmup_target"] is None:
        yield f"{node.path}.warmup_steps", "Keras ignores warmup_steps without warmup_target: there is no warmup; give warmup_target (the peak lr)"


def _piecewise_late(s: Subject):
    node = s.spec.scheduler
    if _name(s) == "PiecewiseConstantDecay":
        yield f"{node.path}.boundaries", (
            f"Keras keeps each value through its boundary (step <= boundary): the lr changes at steps "
            f"{[b + 1 for b in node.params['boundaries']]}, one after each boundary (optax's piecewise_constant_schedule switches at it)"
        )


def _float32(s: Subject):
    moved = float32_moves(s, "Keras computes in keras.config.floatx(), float32 unless set to float64")
    if moved:
        yield s.spec.scheduler.path, moved


RULES: tuple[Rule, ...] = (
    Rule("KR101", "decay-steps-include-warmup", "warning", "CosineDecay's decay_steps counted with the warmup: the cosine ends past the run", _decay_includes_warmup),
    Rule("KR102", "decay-ends-before-run", "warning", "CosineDecay or PolynomialDecay ends before the run: the lr stays at its floor", _ends_early),
    Rule("KR103", "warmup-steps-without-target", "warning", "CosineDecay's warmup_steps without warmup_target (no warmup)", _warmup_without_target),
    Rule("KR301", "piecewise-switches-after-boundary", "info", "PiecewiseConstantDecay switches one step after each boundary", _piecewise_late),
    Rule("KR302", "float32", "info", "how far Keras' float32 moves the lr on this run", _float32),
)
