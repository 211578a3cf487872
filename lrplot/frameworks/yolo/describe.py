"""YOLO's schedule in moments and words: the warmup, what follows it, the LambdaLR (pitfalls are check rules, in ``checks``).

Steps are batches (the loop's ``ni``); the warmup sets the first ``warm`` of them, the LambdaLR the
others from the next ``scheduler.step()`` on (:mod:`.loop`).
"""

from __future__ import annotations

from ...config import Spec
from ...engine.events import Event, Phase
from . import engine


def stuck_until(spec: Spec) -> int:
    """The batch where the LambdaLR's lr takes over after the warmup: under the strict rule (``ni < nw``)
    the epoch after its last warm batch; under the others the warmup ends on the LambdaLR's lr."""
    _, warm = engine.warmup(spec)
    if engine.code_of(spec) == "yolov5" or spec.scheduler.params["warmup_rule"] != "strict":
        return warm
    nb = spec.run.steps_per_epoch
    return min(-(-warm // nb) * nb, spec.run.total_steps)


def events(spec: Spec) -> list[Event]:
    _, warm = engine.warmup(spec)
    n = spec.run.total_steps
    out = []
    if 0 < warm < n:
        out.append(Event(warm, "milestone", "end of warmup"))
        after = stuck_until(spec)
        if warm < after < n:
            out.append(Event(after, "switch", "LambdaLR"))
    return out


def phases(spec: Spec) -> list[Phase]:
    node, run = spec.scheduler, spec.run
    p = node.params
    n = run.total_steps
    nw, warm = engine.warmup(spec)
    out = []
    if warm:
        bias = [name for name, is_bias in zip(spec.group_names, engine.bias_groups(spec)) if is_bias]
        falls = f"{', '.join(bias)} from warmup_bias_lr {_num(p['warmup_bias_lr'])}, the others from 0" if bias else "every group from 0"
        momentum = f"; momentum {_num(p['warmup_momentum'])} -> {_num(p['momentum'])}" if spec.optimizer.betas is None else ""
        out.append(Phase(0, warm, node, f"warmup over nw = {nw} batches: {falls} to lr0 x lf(epoch){momentum}"))
    after = stuck_until(spec) if warm else 0
    if warm < after:
        out.append(Phase(warm, after, node, "warmup over (ni < nw): the lr stays at the last warm batch's until the epoch ends"))
    if after < n:
        shape = "cosine (one_cycle)" if p["cos_lr"] else "linear"
        lag = ", one epoch behind (YOLOv5 steps after the epoch)" if engine.code_of(spec) == "yolov5" else ""
        out.append(Phase(after, n, node, f"LambdaLR {shape} decay to lr0 x lrf {_num(p['lrf'])}, per epoch{lag}"))
    return out


def summary(spec: Spec) -> str:
    """``ultralytics (inclusive warmup), linear to lrf 0.01, warmup 3 epochs``: short enough for a legend."""
    p = spec.scheduler.params
    code = engine.code_of(spec)
    words = ["YOLOv5" if code == "yolov5" else f"ultralytics ({p['warmup_rule']} warmup)"]
    words.append(f"{'cosine' if p['cos_lr'] else 'linear'} to lrf {_num(p['lrf'])}")
    words.append(f"warmup {_num(p['warmup_epochs'])} epochs")
    return ", ".join(words)


def _num(v: float) -> str:
    return f"{float(v):.4g}"
