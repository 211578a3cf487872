"""mmengine's pitfalls, as ``lrplot check`` rules (codes MM...): units, ranges and the Runner's loop.

A scheduler counts epochs or iterations (``by_epoch``), from its ``begin``, up to its exclusive
``end``; the Runner fills ``end`` with ``max_epochs`` or ``max_iters``. MM1xx rules are about units
and ranges that disagree with the run, MM2xx about how schedulers in one list meet, MM3xx (info)
about what mmengine does by design that surprises people; ``explain`` notes those, ``check`` does
not report them. Fields are named as the config wrote them (``mmengine.param_scheduler[1].end``
for an OpenMMLab config).
"""

from __future__ import annotations

import re
from typing import Mapping

from ...engine.pitfalls import Rule, Subject, num
from .describe import Span, spans
from .records import INF
from .section import entries


def _field(s: Subject, span: Span, key: str) -> str:
    path = f"{span.node.path}.{key}"
    section = s.spec.source.get("mmengine")
    if isinstance(section, Mapping):
        # the config's own index: entries lrplot leaves out (a weight_decay scheduler) count there
        match = re.match(r"scheduler\.schedulers\[(\d+)\]", path)
        kept = entries(section)
        if match and int(match.group(1)) < len(kept):
            return f"mmengine.param_scheduler[{kept[int(match.group(1))]}]" + path[match.end():]
        return path.replace("scheduler.schedulers", "mmengine.param_scheduler", 1)
    return path


def _unit(span: Span) -> str:
    return "epochs" if span.p["by_epoch"] else "iterations"


def _epoch_loop(s: Subject) -> bool:
    return s.spec.run.unit != "iteration"


def _end_beyond_run(s: Subject):
    run = s.spec.run
    for span in spans(s.spec):
        p = span.p
        if p["end"] >= INF or not _epoch_loop(s) and p["by_epoch"]:
            continue
        limit = run.epochs if p["by_epoch"] else run.total_steps
        if p["end"] > limit:
            yield _field(s, span, "end"), (
                f"{span.name} ends at {_unit(span)[:-1]} {p['end']}, past the run's {limit} {_unit(span)}: it is cut where its "
                f"schedule is {100 * (limit - p['begin']) / (p['end'] - p['begin']):.0f}% done"
            )


def _iteration_end_is_epochs(s: Subject):
    run = s.spec.run
    if not _epoch_loop(s):
        return
    for span in spans(s.spec):
        p = span.p
        if p["by_epoch"] or span.node.params["convert_to_iter_based"] or p["end"] >= INF or run.steps_per_epoch < 4:
            continue
        if p["end"] <= run.epochs and p["end"] < run.steps_per_epoch:
            yield _field(s, span, "by_epoch"), (
                f"{span.name} has by_epoch false, so end {p['end']} counts iterations, {p['end'] / run.steps_per_epoch:.2g} of an epoch of "
                f"{run.steps_per_epoch}; for {p['end']} epochs write by_epoch=True (or convert_to_iter_based=True to step it per iteration)"
            )


def _epoch_scheduler_in_iter_loop(s: Subject):
    if _epoch_loop(s):
        return
    for span in spans(s.spec):
        if span.p["by_epoch"] and not span.node.info.steps_on_metric:
            yield _field(s, span, "by_epoch"), (
                f"{span.name} counts epochs, but an IterBasedTrainLoop is one epoch: it steps once, after the last iteration, and never "
                "changes the lr training runs with; write by_epoch=False with lengths in iterations (or convert_to_iter_based=True)"
            )


def _warmup_longer(s: Subject):
    n = s.spec.run.total_steps
    for span in spans(s.spec):
        kind = span.name.removesuffix("LR").removesuffix("Momentum")
        if kind in ("Linear", "Constant") and span.p["begin"] == 0 and span.p["end"] < INF and span.at(span.p["end"] - 1) >= n:
            yield _field(s, span, "end"), (
                f"the warmup ({span.name} to {_unit(span)[:-1]} {span.p['end'] - 1}) is longer than the run: training ends at "
                f"{num(s.trace.lr[0, -1]) if s.trace is not None else 'a fraction of'} the lr, still warming up"
            )


def _warmup_past_decay(s: Subject):
    all_spans = spans(s.spec)
    warmups = [w for w in all_spans if w.name.startswith(("LinearLR", "ConstantLR")) and w.p["begin"] == 0 and w.p["end"] < INF]
    for w in warmups:
        warm_end = w.at(w.p["end"] - 1)  # where the warmup reaches its end factor
        for d in all_spans:
            if d is w or d.name.startswith(("LinearLR", "ConstantLR")) or d.name.endswith("Momentum") or d.start >= d.stop:
                continue
            if d.start < warm_end:
                first = _first_change(d)
                if first is not None and first < warm_end:
                    yield _field(s, w, "end"), (
                        f"the warmup {w.name} runs to iteration {warm_end}, past where {d.name} already changes the lr "
                        f"(iteration {first}): both multiply the same lr, so the warmup ends below the lr it aims at"
                    )


def zero_end_advice(spec, k: int) -> str | None:
    """LR102's advice in mmengine's words: a decay to eta_min 0 reaches it at its own step end - 1
    (end is exclusive), so one that ends with the run (end = max_iters) trains its last iteration
    with lr 0; "end the decay with the run" is what the config already does."""
    for span in spans(spec):
        p = span.p
        kind = span.name.removesuffix("LR")
        if span.name.endswith("Momentum") or p["end"] >= INF or p.get("eta_min", None) != 0:
            continue
        if span.at(p["end"] - 1) == k and span.stop >= spec.run.total_steps:
            unit = "max_epochs" if p["by_epoch"] else "max_iters"
            return (f"mmengine's {kind}LR reaches eta_min 0 at its step end - 1 = {p['end'] - 1} (end is exclusive), so the run's last "
                    f"{'epoch' if p['by_epoch'] else 'iteration'} trains with lr 0: give eta_min > 0, or end = {unit} + 1 ({p['end'] + 1})")
    return None


def _first_change(span: Span) -> int | None:
    """The first iteration where a decay has moved the lr (its own step 1 for the continuous shapes)."""
    p, kind = span.p, span.name.removesuffix("LR")
    if kind == "MultiStep":
        steps = [p["begin"] + m for m in p["milestones"] if m > 0]
        return span.at(min(steps)) if steps else None
    if kind == "Step":
        return span.at(p["begin"] + p["step_size"])
    if kind == "ReduceOnPlateau":
        return None
    return span.at(p["begin"] + 1)


def _milestones_past_end(s: Subject):
    for span in spans(s.spec):
        p = span.p
        kind = span.name.removesuffix("LR").removesuffix("Momentum")
        if kind == "MultiStep" and (_epoch_loop(s) or not p["by_epoch"]):
            late = [m for m, eff in zip(span.node.params["milestones"], p["milestones"]) if p["begin"] + eff >= p["end"]]
            if late:
                yield _field(s, span, "milestones"), (
                    f"milestones {late} count from begin {span.node.params['begin']}: they fall at or past end {span.node.params['end']} "
                    "(exclusive), so they never apply"
                )


def _accumulation(s: Subject):
    from ...config import options_into_section
    from .section import OPTIONS

    if not isinstance(s.spec.source.get("mmengine"), dict):
        return
    section = options_into_section(s.spec.source, "mmengine", OPTIONS)[0]["mmengine"]  # with --grad-accum and the other flags
    counts = (section.get("optim_wrapper") or {}).get("accumulative_counts", 1)
    if isinstance(counts, int) and counts > 1:
        per_iter = [span for span in spans(s.spec) if not span.p["by_epoch"] and span.p["end"] < INF]
        if per_iter:
            span = per_iter[0]
            yield "mmengine.optim_wrapper.accumulative_counts", (
                f"accumulative_counts {counts}: the optimizer updates every {counts} iterations, but the schedulers count iterations, "
                f"so {span.name}'s end {span.p['end']} is {span.p['end'] / counts:g} updates; a length meant in updates needs x{counts}"
            )


def _cosine_eta_min(s: Subject):
    for span in spans(s.spec):
        p = span.p
        if span.name.startswith("CosineAnnealing") and p["end"] < INF and not span.node.params["T_max"]:
            yield _field(s, span, "eta_min"), (
                f"{span.name}'s T_max defaults to end - begin ({p['end'] - p['begin']}), and end is exclusive: its last step is T_max - 1, "
                "one short of eta_min, which it never trains with"
            )


def _linear_end_minus_one(s: Subject):
    for span in spans(s.spec):
        if span.name.startswith("Linear") and span.p["end"] < INF:
            yield _field(s, span, "end"), (
                f"{span.name} reaches end_factor at {_unit(span)[:-1]} {span.p['end'] - 1} (end - 1): end is exclusive"
            )


def _milestones_from_begin(s: Subject):
    for span in spans(s.spec):
        if span.name.startswith(("MultiStep", "Step")) and span.node.params["begin"] > 0:
            what = "milestones" if span.name.startswith("MultiStep") else "step_size"
            yield _field(s, span, what), (
                f"{span.name} counts its {what} from begin {span.node.params['begin']}, not from the start of training"
            )


RULES: tuple[Rule, ...] = (
    Rule("MM101", "end-beyond-run", "warning", "a scheduler's end past max_epochs (or max_iters): the schedule is cut", _end_beyond_run),
    Rule("MM102", "iteration-end-is-epochs", "warning", "by_epoch false with an end that looks like an epoch count", _iteration_end_is_epochs),
    Rule("MM103", "epoch-scheduler-in-iter-loop", "warning", "a by_epoch scheduler in an IterBasedTrainLoop never changes the lr", _epoch_scheduler_in_iter_loop),
    Rule("MM104", "warmup-too-long", "warning", "a warmup longer than the run", _warmup_longer),
    Rule("MM201", "warmup-past-decay", "warning", "a warmup whose end is past the point where a decay already moves the lr", _warmup_past_decay),
    Rule("MM202", "milestones-past-end", "warning", "MultiStep milestones (counted from begin) at or past end: never applied", _milestones_past_end),
    Rule("MM203", "accumulation-ignored", "warning", "accumulative_counts: the schedulers count iterations, not optimizer updates", _accumulation),
    Rule("MM301", "cosine-never-reaches-eta-min", "info", "CosineAnnealing's default T_max = end - begin stops one step short of eta_min", _cosine_eta_min),
    Rule("MM302", "linear-reaches-end-at-end-minus-one", "info", "LinearLR reaches end_factor at end - 1", _linear_end_minus_one),
    Rule("MM303", "milestones-count-from-begin", "info", "MultiStep milestones and Step periods count from begin", _milestones_from_begin),
)
