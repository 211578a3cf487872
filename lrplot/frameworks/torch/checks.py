"""torch's pitfalls, as ``lrplot check`` rules (codes PT...): stepping, lengths, composites, metrics.

Each rule reads the config's structure: every scheduler with the share of the run it is active in
(its window: inside SequentialLR, from its milestone to the next), in scheduler steps.
"""

from __future__ import annotations

from typing import Iterator

from ...engine.pitfalls import FAR, Rule, Subject, compared_numbers, num
from ...config import SchedulerSpec, Spec
from ...engine.events import scheduler_time_to_step


def windows(spec: Spec) -> list[tuple[SchedulerSpec, int, int, bool]]:
    """Each scheduler with where its share of the run starts, how long it is (scheduler steps), and
    whether a SequentialLR switch ends it (rather than the run)."""
    out: list[tuple[SchedulerSpec, int, int, bool]] = []

    def walk(node: SchedulerSpec, start: int, length: int, switched: bool) -> None:
        out.append((node, start, length, switched))
        if node.type == "SequentialLR":
            bounds = [0, *node.params["milestones"]]
            for i, child in enumerate(node.children):
                a = min(bounds[i], length)
                b = min(bounds[i + 1], length) if i + 1 < len(bounds) else length
                walk(child, start + a, max(b - a, 0), switched or (i + 1 < len(bounds) and bounds[i + 1] < length))
        elif node.type == "ChainedScheduler":
            for child in node.children:
                walk(child, start, length, switched)

    walk(spec.scheduler, 0, spec.run.length, False)
    return out


def _unit(spec: Spec) -> str:
    return {"epoch": "epochs", "iteration": "iterations", "fractional": "epochs"}[spec.run.step]


def _share(spec: Spec, node: SchedulerSpec, length: int) -> str:
    """How a window is spoken of: the run's, or a SequentialLR child's share of it."""
    return f"the run's {length} {_unit(spec)}" if node is spec.scheduler or spec.scheduler.type == "ChainedScheduler" else f"its {length} {_unit(spec)} of the run"


# ----------------------------------------------------------------------------------------------
# Stepping


def _per_epoch(kind: str, words: str):
    def find(s: Subject) -> Iterator[tuple[str, str]]:
        run = s.spec.run
        if run.step != "epoch" or run.steps_per_epoch == 1:
            return
        for node in s.spec.scheduler.walk():
            if node.type == kind:
                # a OneCycleLR sized for the epochs must grow with the stepping, or torch raises
                also = f" and its total_steps to {run.total_steps}" if kind == "OneCycleLR" and _onecycle_total(node.params) < run.total_steps else ""
                yield "run.step", (
                    f"{kind} is stepped once per epoch here, but it is meant to be stepped per batch ({words}: here each "
                    f"is an epoch of {run.steps_per_epoch} batches); set run.step: iteration{also}"
                )
                return

    return find


def _lambda_counts_iterations(s: Subject):
    run = s.spec.run
    if run.step != "epoch" or run.steps_per_epoch == 1:
        return
    for node in s.spec.scheduler.walk():
        if node.type != "LambdaLR":
            continue
        lambdas = node.params["lr_lambda"]
        for expr in lambdas if isinstance(lambdas, tuple) else (lambdas,):
            big = [c for c in compared_numbers(expr, ("epoch",)) if c >= FAR * run.scheduler_steps]
            if big:
                yield f"{node.path}.lr_lambda", (
                    f"LambdaLR is stepped once per epoch ({run.scheduler_steps} steps), but its lr_lambda compares the step with "
                    f"{max(big):g}, a count of iterations ({run.total_steps} in the run): did you mean run.step: iteration?"
                )
                return


# ----------------------------------------------------------------------------------------------
# Lengths


def _onecycle_total(p) -> int:
    return p["total_steps"] if p["total_steps"] is not None else p["epochs"] * p["steps_per_epoch"]


def _onecycle_too_short(s: Subject):
    raised = s.raised
    if raised is not None and raised.path.endswith(".total_steps"):
        yield raised.path, raised.message


UNFINISHED = 0.95  # a run that stops before this much of OneCycleLR's cycle never anneals


def _onecycle_unfinished(s: Subject):
    run = s.spec.run
    if s.trace is None or (run.step == "epoch" and run.steps_per_epoch > 1):
        return  # stepped per epoch, the cycle is short of the run by design: PT101 says so
    for node, start, length, _ in windows(s.spec):
        if node.type != "OneCycleLR" or length == 0:
            continue
        total = _onecycle_total(node.params)
        if length < UNFINISHED * total:
            last = min(scheduler_time_to_step(s.spec.run, start + length - 1), len(s.trace) - 1)
            field = f"{node.path}.total_steps" if node.params["total_steps"] is not None else f"{node.path}.epochs"
            yield field, (
                f"OneCycleLR's cycle is {total} scheduler steps but {_share(s.spec, node, length)} cover {length / total:.0%} "
                f"of it: the lr is still {num(s.trace.lr[0, last])} at the end instead of annealing to its minimum; "
                f"set total_steps to {length} (or leave it out, and lrplot fills it from the run)"
            )


def _cosine_past_tmax(s: Subject):
    for node, _, length, _ in windows(s.spec):
        if node.type == "CosineAnnealingLR" and node.params["T_max"] < length:
            t_max = node.params["T_max"]
            yield f"{node.path}.T_max", (
                f"CosineAnnealingLR's T_max ({t_max}) is shorter than {_share(s.spec, node, length)}: the lr reaches "
                f"eta_min after {t_max} and rises again after it (torch does not clamp); set T_max to {length}"
            )


def _milestone_unreached(s: Subject):
    for node, _, length, _ in windows(s.spec):
        p = node.params
        if node.type == "MultiStepLR":
            for i, m in enumerate(p["milestones"]):
                if m >= length > 0:
                    yield f"{node.path}.milestones[{i}]", (
                        f"MultiStepLR's milestone {m} is never reached: {_share(s.spec, node, length)} end before it; "
                        "drop it, or lengthen the run"
                    )
        elif node.type == "SequentialLR":
            for i, m in enumerate(p["milestones"]):
                if m >= length > 0:
                    yield f"{node.path}.milestones[{i}]", (
                        f"SequentialLR switches to {node.children[i + 1].type} at {m}, but {_share(s.spec, node, length)} end "
                        "before it: that scheduler never runs; lower the milestone, or lengthen the run"
                    )
        elif node.type == "StepLR" and p["step_size"] >= length > 0:
            yield f"{node.path}.step_size", (
                f"StepLR never decays: its step_size ({p['step_size']}) is not shorter than {_share(s.spec, node, length)}; "
                "lower step_size"
            )


def _milestone_zero(s: Subject):
    for node in s.spec.scheduler.walk():
        p = node.params
        if node.type == "MultiStepLR" and 0 in p["milestones"]:
            i = list(p["milestones"]).index(0)
            yield f"{node.path}.milestones[{i}]", (
                "MultiStepLR's milestone 0 applies gamma when the scheduler is built, so the run starts at "
                f"lr x {num(p['gamma'])}; drop it (or lower the lr)"
            )
        elif node.type == "SequentialLR" and p["milestones"] and p["milestones"][0] == 0:
            yield f"{node.path}.milestones[0]", (
                f"SequentialLR's first milestone is 0: {node.children[0].type} never runs, and torch 2.13 starts the run "
                f"with {node.children[1].type}; drop the first scheduler and its milestone"
            )


def _warmup_too_long(s: Subject):
    for node, _, length, switched in windows(s.spec):
        p = node.params
        if length == 0:
            continue
        if node.type == "LinearLR" and p["start_factor"] < p["end_factor"]:
            total = p["total_iters"]
            reached = p["start_factor"] + (p["end_factor"] - p["start_factor"]) * min(total, length - 1) / total if total else 1
            what = f"LinearLR's warmup (total_iters {total})"
        elif node.type == "ConstantLR" and p["factor"] < 1:
            total = p["total_iters"]
            reached = p["factor"]
            what = f"ConstantLR's factor {num(p['factor'])} (total_iters {total})"
        else:
            continue
        if switched and total > length:
            yield f"{node.path}.total_iters", (
                f"{what} is longer than its {length} {_unit(s.spec)} before the SequentialLR switch: the switch cuts it "
                f"at {reached:.0%} of the lr; set total_iters to {length}, or move the milestone to {total}"
            )
        elif not switched and total >= length:
            yield f"{node.path}.total_iters", (
                f"{what} is not shorter than {_share(s.spec, node, length)}: the lr never reaches its full value "
                f"(it ends at {reached:.0%}); shorten the warmup"
            )


# ----------------------------------------------------------------------------------------------
# Composites

# Schedulers that compute the lr from their base lrs at every step (not from the current lr).
ABSOLUTE = ("LambdaLR", "CyclicLR", "OneCycleLR", "CosineAnnealingWarmRestarts")


def _chain_override(s: Subject):
    for node in s.spec.scheduler.walk():
        if node.type != "ChainedScheduler" or len(node.children) < 2:
            continue
        for i, child in enumerate(node.children):
            if child.type in ABSOLUTE:
                others = ", ".join(c.type for j, c in enumerate(node.children) if j != i)
                yield f"{node.path}.schedulers[{i}]", (
                    f"{child.type} sets the lr absolutely (from its base lr at every step), overriding what the others in the "
                    f"chain ({others}) did before it; fold their factors into it, or use SequentialLR"
                )


# ----------------------------------------------------------------------------------------------
# ReduceLROnPlateau's metric

HIGHER_IS_BETTER = ("acc", "accuracy", "top1", "top5", "auc", "f1", "map", "bleu", "iou", "dice", "precision", "recall", "r2")
LOWER_IS_BETTER = ("loss", "error", "err", "perplexity", "ppl", "mae", "mse", "rmse", "wer", "cer")


def _plateau_mode(s: Subject):
    metric = s.spec.metric
    for node in s.spec.scheduler.walk():
        if node.type != "ReduceLROnPlateau" or metric is None or metric.values is None:
            continue
        mode = node.params["mode"]
        column = (s.spec.source.get("metric") or {}).get("column") or ""
        words = {w for w in column.lower().replace("-", "_").replace("/", "_").split("_") if w}
        named = "max" if words & set(HIGHER_IS_BETTER) else "min" if words & set(LOWER_IS_BETTER) else None
        values = [v for v in metric.values if v == v]
        trend = None
        if len(values) >= 8:
            q = len(values) // 4
            first, last = sorted(values[:q])[q // 2], sorted(values[-q:])[q // 2]
            spread = max(values) - min(values)
            if spread > 0 and abs(last - first) > 0.25 * spread:
                trend = "max" if last > first else "min"
        better = named or trend
        if better is None or better == mode:
            continue
        what = f"its metric ({column})" if column else "its metric"
        how = "rises" if better == "max" else "falls"
        since = f" (from {num(values[0])} to {num(values[-1])})" if trend == better else ""
        yield f"{node.path}.mode", (
            f"ReduceLROnPlateau has mode: {mode}, but {what} {how} as training improves{since}: every improvement counts as a "
            f"bad epoch and the lr is cut after each {node.params['patience'] + 1}; set mode: {better}"
        )


RULES: tuple[Rule, ...] = (
    Rule("PT101", "onecycle-per-epoch", "warning", "OneCycleLR stepped once per epoch", _per_epoch("OneCycleLR", "its cycle counts batches")),
    Rule("PT102", "cyclic-per-epoch", "warning", "CyclicLR stepped once per epoch", _per_epoch("CyclicLR", "step_size_up counts batches")),
    Rule("PT103", "lambda-per-epoch-counts-iterations", "warning", "a LambdaLR stepped per epoch whose lr_lambda compares the step with iteration counts",
         _lambda_counts_iterations),
    Rule("PT201", "onecycle-total-too-short", "error", "OneCycleLR's total steps shorter than the run (torch raises)", _onecycle_too_short),
    Rule("PT202", "onecycle-unfinished", "warning", f"OneCycleLR's cycle much longer than the run (under {UNFINISHED:.0%} of it runs)", _onecycle_unfinished),
    Rule("PT203", "cosine-past-t-max", "warning", "CosineAnnealingLR's T_max shorter than the run (the lr rises again)", _cosine_past_tmax),
    Rule("PT204", "milestone-unreached", "warning", "a milestone (or StepLR's step_size) the run never reaches", _milestone_unreached),
    Rule("PT205", "milestone-zero", "warning", "a MultiStepLR or SequentialLR milestone at 0", _milestone_zero),
    Rule("PT206", "warmup-too-long", "warning", "a warmup longer than the run, or than its slot before a SequentialLR switch", _warmup_too_long),
    Rule("PT301", "chain-override", "warning", "LambdaLR (or another absolute scheduler) overriding the others in a ChainedScheduler", _chain_override),
    Rule("PT401", "plateau-mode-mismatch", "warning", "ReduceLROnPlateau's mode contradicting its metric", _plateau_mode),
)
