"""detectron2's schedules in moments and words: events to mark, phases to explain (pitfalls are check rules, in ``checks``).

A ParamScheduler's pieces (the warmup, a multistep range, a composite's part) are found the way
fvcore finds them, over the run's whole ``where = k / max_iter`` axis at once: each iteration is
labelled with the piece that computes its multiplier, with fvcore's own comparisons (its
``WHERE_EPSILON`` included), so a phase starts at the very iteration where the lr changes course.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...config import SchedulerSpec, Spec
from ...engine.events import MAX_EVENTS_PER_KIND, Event, Phase
from .records import LEGACY, PREFIX
from .replica import WHERE_EPSILON, multiplier as scalar


@dataclass(frozen=True)
class Piece:
    words: str  # what the phase does
    label: str  # the event marking its start ("" for none)
    kind: str = "milestone"


def _short(node: SchedulerSpec) -> str:
    return node.info.library_name.replace("ParamScheduler", "")


def _n(v: float) -> str:
    return f"{float(v):.4g}"


def _step(values, i: int) -> str:
    """The mark of piece ``i`` of a table of multipliers: what it multiplies the lr by there (x0.1
    at each of 1, 0.1, 0.01; the table's own x0.01 read as a second factor in the legend)."""
    before = float(values[i - 1]) if i else 0.0
    return f"x{_n(float(values[i]) / before)}" if before else f"x{_n(values[i])}"


def pieces(node: SchedulerSpec, where: np.ndarray) -> tuple[np.ndarray, list[Piece]]:
    """For every ``where``, the index of the piece of ``node`` that computes it, and the pieces."""
    kind = node.type[len(PREFIX):]
    p = node.params
    name = node.info.library_name
    if kind == "MultiStepParamScheduler":
        epoch_num = np.floor((where + WHERE_EPSILON) * p["num_updates"])
        index = np.searchsorted(np.asarray(p["milestones"], dtype=np.float64), epoch_num, side="right")
        values = p["values"]
        return index, [Piece(f"{name}: x{_n(v)}" + (f" (from update {p['milestones'][i - 1]} of {p['num_updates']})" if i else ""),
                             _step(values, i)) for i, v in enumerate(values)]
    if kind in ("StepParamScheduler", "StepWithFixedGammaParamScheduler"):
        if kind == "StepParamScheduler":
            table = list(p["values"])
        else:
            table = [p["base_value"]]
            for _ in range(p["num_decays"]):  # as fvcore builds them (an overflow is inf, not an error)
                table.append(table[-1] * p["gamma"])
        index = np.minimum(np.floor((where + WHERE_EPSILON) * len(table)).astype(np.int64), len(table) - 1)
        return index, [Piece(f"{name}: x{_n(v)} (part {i + 1} of {len(table)})", _step(table, i)) for i, v in enumerate(table)]
    if kind == "CompositeParamScheduler":
        return _composite(list(p["schedulers"]), list(p["lengths"]), list(p["interval_scaling"]), where, None)
    if kind == "WarmupParamScheduler":
        return _composite([None, p["scheduler"]], [p["warmup_length"], 1 - p["warmup_length"]],
                          ["rescaled", "rescaled" if p["rescale_interval"] else "fixed"], where, node)
    words = {
        "ConstantParamScheduler": lambda: f"{name}: x{_n(p['value'])}",
        "LinearParamScheduler": lambda: f"{name}: linear x{_n(p['start_value'])} -> x{_n(p['end_value'])}",
        "CosineParamScheduler": lambda: f"{name}: half cosine x{_n(p['start_value'])} -> x{_n(p['end_value'])}",
        "ExponentialParamScheduler": lambda: f"{name}: x{_n(p['start_value'])} * {_n(p['decay'])} ** where",
        "PolynomialDecayParamScheduler": lambda: f"{name}: x{_n(p['base_value'])} * (1 - where) ** {_n(p['power'])}",
    }[kind]()
    return np.zeros(where.shape, dtype=np.int64), [Piece(words, "")]


def _composite(children, lengths, scaling, where, warmup: SchedulerSpec | None):
    if sum(lengths) != 1.0:
        lengths[-1] = 1.0 - sum(lengths[:-1])
    totals, running = [], 0.0
    for i, length in enumerate(lengths):
        running = length if i == 0 else running + length
        totals.append(running)
    chosen = np.full(where.shape, len(children) - 1, dtype=np.int64)
    for i in reversed(range(len(children) - 1)):
        chosen[where + WHERE_EPSILON <= totals[i]] = i
    index = np.zeros(where.shape, dtype=np.int64)
    out: list[Piece] = []
    for i, child in enumerate(children):
        mask = chosen == i
        if child is None:  # WarmupParamScheduler's own warmup
            sub, own = np.zeros(int(mask.sum()), dtype=np.int64), [_warmup_piece(warmup)]
        else:
            w = where[mask]
            if scaling[i] == "rescaled":
                w = (w - (totals[i] - lengths[i])) / lengths[i]
            sub, own = pieces(child, w)
            if warmup is None and i > 0:  # a composite's part starts: a switch
                own = [Piece(own[0].words, f"{_short(child)}", "switch"), *own[1:]]
            elif warmup is not None and i == 1:
                own = [Piece(own[0].words, "end of warmup"), *own[1:]]
        index[mask] = sub + len(out)
        out += own
    return index, out


def _warmup_piece(node: SchedulerSpec) -> Piece:
    p = node.params
    inner = scalar(p["scheduler"])
    start = p["warmup_factor"] * inner(0.0)
    end = inner(0.0) if p["rescale_interval"] else inner(p["warmup_length"])
    if p["warmup_method"] == "constant":
        return Piece(f"constant warmup at x{_n(start)}", "")
    aim = "the schedule's start" if p["rescale_interval"] or end == inner(0.0) else "the schedule's value where the warmup ends"
    return Piece(f"linear warmup x{_n(start)} -> x{_n(end)} ({aim})", "")


def _legacy(spec: Spec) -> tuple[np.ndarray, list[Piece]]:
    node, n = spec.scheduler, spec.run.total_steps
    p = node.params
    k = np.arange(n)
    w = p["warmup_iters"]
    warm = f"{p['warmup_method']} warmup from x{_n(p['warmup_factor'])} over {w} iterations"
    if node.type == PREFIX + "WarmupMultiStepLR":
        index = np.searchsorted(np.asarray(p["milestones"], dtype=np.int64), k, side="right") + 1
        index[k < w] = 0
        out = [Piece(f"{warm}, on x1", "")]
        # each milestone's mark says what it multiplies the lr by (x0.1 at each), as torch's and mmengine's do
        out += [Piece(f"x{_n(_power(p['gamma'], i))}" + (" (under the warmup)" if m < w else ""),
                      f"x{_n(_power(p['gamma'], list(p['milestones']).count(m)))}" if i else "x1")
                for i, m in enumerate([0, *p["milestones"]])]
        out[1] = Piece(out[1].words, "end of warmup")
        return index, out
    index = np.where(k < w, 0, 1) + np.where(k > p["max_iters"], 1, 0)
    out = [Piece(f"{warm}, times the cosine (not aimed at it)", ""), Piece(f"cosine to 0 at max_iters {p['max_iters']}", "end of warmup"),
           Piece("past max_iters the cosine rises again", "max_iters")]
    return index, out


def _power(x: float, i: int) -> float:
    try:
        return x ** i
    except OverflowError:  # a level the run never reaches (it would raise there)
        return float("inf")


def labelled(spec: Spec) -> tuple[np.ndarray, list[Piece]]:
    node = spec.scheduler
    if node.type in LEGACY:
        return _legacy(spec)
    n = spec.run.total_steps
    return pieces(node, np.arange(n) / n)


def _runs(index: np.ndarray) -> list[tuple[int, int, int]]:
    """(start, end, piece) for each run of equal labels."""
    if index.size == 0:
        return []
    cuts = np.nonzero(np.diff(index))[0] + 1
    starts = np.concatenate(([0], cuts))
    ends = np.concatenate((cuts, [index.size]))
    return [(int(a), int(b), int(index[a])) for a, b in zip(starts, ends)]


def events(spec: Spec) -> list[Event]:
    index, found = labelled(spec)
    out = [Event(a, found[i].kind, found[i].label) for a, _, i in _runs(index)[1:] if found[i].label]
    from .engine import after_last

    raised = after_last(spec)
    if raised is not None and spec.run.total_steps > 1:
        out.append(Event(spec.run.total_steps - 1, "milestone", f"then {type(raised).__name__}"))
    return out[: 3 * MAX_EVENTS_PER_KIND]


def phases(spec: Spec) -> list[Phase]:
    index, found = labelled(spec)
    node = spec.scheduler
    out = [Phase(a, b, node, found[i].words) for a, b, i in _runs(index)]
    from .engine import after_last

    raised = after_last(spec)
    if raised is not None and out:
        last = out[-1]
        out[-1] = Phase(last.start, last.end, node, f"{last.what}; after the last iteration detectron2 raises {type(raised).__name__} ({raised})")
    return out


def summary(spec: Spec) -> str:
    """``detectron2 WarmupMultiStepLR, warmup 1000 iterations`` (a SOLVER section) or the ParamScheduler
    tree in short (``detectron2 Warmup 1.1% + MultiStep [1, 0.1, 0.01]``), short enough for a legend."""
    section = spec.source.get("detectron2")
    if section is not None:
        name = section.get("LR_SCHEDULER_NAME", "WarmupMultiStepLR")
        length = spec.scheduler.params["warmup_length"]
        if length >= 1.0:
            return f"detectron2 {name}, warmup longer than the run"
        return f"detectron2 {name}, warmup {length * spec.run.total_steps:,.0f} iterations"
    return f"detectron2 {_tree(spec.scheduler)}"


def short_title(spec: Spec) -> str | None:
    """A figure's short title: the LR_SCHEDULER_NAME a SOLVER section names (the summary's first
    words), not the ParamScheduler tree it becomes; None where the config wrote the tree itself."""
    section = spec.source.get("detectron2")
    return None if section is None else f"detectron2 {section.get('LR_SCHEDULER_NAME', 'WarmupMultiStepLR')}"


def _tree(node: SchedulerSpec) -> str:
    p = node.params
    name = _short(node)
    if node.type == PREFIX + "WarmupParamScheduler":
        return f"Warmup {100 * p['warmup_length']:.2g}% + {_tree(p['scheduler'])}"
    if node.type == PREFIX + "CompositeParamScheduler":
        return " | ".join(_tree(c) for c in p["schedulers"])
    if node.type == PREFIX + "MultiStepParamScheduler":
        return f"{name} [{', '.join(_n(v) for v in p['values'])}]"
    if node.type in LEGACY:
        return node.info.library_name
    return name
