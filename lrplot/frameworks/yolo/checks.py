"""YOLO's pitfalls, as ``lrplot check`` rules (codes YL...): what ``optimizer: auto``, the warmup rules and the
loops' stepping do to a schedule. Fields name the ``yolo:`` section's keys where the config has one.

Rules of severity ``info`` say where ultralytics or YOLOv5 behave unlike their hyperparameters
suggest but by design; ``explain`` notes them, ``check`` does not report them.
"""

from __future__ import annotations

import numpy as np

from ...engine.pitfalls import Rule, Subject, num
from . import engine, loop
from .describe import stuck_until
from .section import ARGS


def _field(s: Subject, section_key: str, scheduler_key: str | None = None) -> str:
    if "yolo" in s.spec.source:
        return f"yolo.{section_key}"
    return f"{s.spec.scheduler.path}.{scheduler_key or section_key}"


def _auto(s: Subject) -> dict | None:
    """The section as written, when it trains with ultralytics' `optimizer: auto`."""
    section = s.spec.source.get("yolo")
    if not isinstance(section, dict) or section.get("code", "ultralytics") != "ultralytics":
        return None
    if str(section.get("optimizer", "auto")).lower() != "auto":
        return None
    return section


def _given_lr0(section: dict) -> bool:
    return "lr0" in section and section["lr0"] != ARGS["lr0"][1]


def _auto_ignores_lr0(s: Subject):
    section = _auto(s)
    if section is None:
        return
    lr = s.spec.optimizer.groups[-1].lr
    # an args.yaml holds every argument, lr0 too: only an lr0 other than the default was surely given
    if _given_lr0(section) and section["lr0"] != lr:
        yield "yolo.optimizer", (
            f"optimizer: auto ignores lr0 {num(section['lr0'])}: ultralytics picks the optimizer and trains at lr {num(lr)} "
            f"(explain shows why); name an optimizer (optimizer: SGD) to train at lr0"
        )


def _auto_picks(s: Subject):
    section = _auto(s)
    if section is None or _given_lr0(section):
        return
    lr = s.spec.optimizer.groups[-1].lr
    yield "yolo.optimizer", f"optimizer: auto (the default) picks the optimizer and its lr ({num(lr)}) itself and starts the biases' warmup at 0"


def _auto_momentum(s: Subject):
    if _auto(s) is None or s.spec.optimizer.betas is not None or not engine.warmup(s.spec)[1]:
        return
    target = s.spec.scheduler.params["momentum"]
    if target != 0.9:
        yield "yolo.momentum", (
            f"optimizer: auto builds its optimizer with momentum 0.9, but the warmup moves every group's momentum to momentum "
            f"{num(target)}, which it keeps after the warmup"
        )


def _warmup_most(s: Subject):
    nw, warm = engine.warmup(s.spec)
    n = s.spec.run.total_steps
    if not warm or warm < 0.5 * n:
        return
    p = s.spec.scheduler.params
    why = ""
    if engine.code_of(s.spec) == "yolov5" or p.get("warmup_rule") == "min100":
        why = " (the warmup lasts at least 101 batches: nw = max(round(warmup_epochs x batches per epoch), 100))"
        if engine.code_of(s.spec) == "ultralytics":
            why += "; ultralytics 8.4.103 and later keep the last epoch out of the warmup"
    end = "the whole run" if warm >= n else f"{100 * warm / n:.0f}% of the run"
    yield _field(s, "warmup_epochs"), (
        f"the warmup sets the lr of {min(warm, n):,} of the run's {n:,} batches, {end}{why}; a shorter warmup_epochs, "
        "or more epochs or images, leave room for the schedule"
    )


def _strict_short(s: Subject):
    p = s.spec.scheduler.params
    nw, warm = engine.warmup(s.spec)
    trace = s.trace
    if engine.code_of(s.spec) != "ultralytics" or p["warmup_rule"] != "strict" or not warm or trace is None:
        return
    parts = []
    short = p["momentum"] - float(trace.momentum[0, -1])
    if s.spec.optimizer.betas is None and abs(short) >= 1e-3 * max(p["momentum"], 1e-12):
        parts.append(f"the momentum stays at {float(trace.momentum[0, -1]):.6g} for the rest of the run, {abs(short):.2g} short of "
                     f"momentum {num(p['momentum'])}")
    after = stuck_until(s.spec)
    if warm < after:
        # the inclusive rule would end the warmup on the LambdaLR's lr of that epoch: initial_lr * lf(epoch)
        epoch = (warm - 1) // s.spec.run.steps_per_epoch
        lf = loop.lf_python("ultralytics", p["cos_lr"], p["lrf"], s.spec.run.epochs)(epoch)
        target = np.array([g.lr for g in s.spec.optimizer.groups]) * lf
        held = trace.lr[:, warm - 1]
        g = int(np.argmax(np.abs(held - target)))
        if abs(held[g] - target[g]) > 0.01 * target.max():
            parts.append(f"batches {warm}-{after - 1} keep the last warm batch's lr {num(held[g])} instead of {num(target[g])} until the "
                         "epoch ends")
    if parts:
        yield _field(s, "version", "warmup_rule"), (
            f"ultralytics 8.4.103-8.4.182 stop the warmup one batch early (ni < nw, nw = {nw}): {'; '.join(parts)}; 8.4.183 warms "
            "through ni == nw"
        )


def _first_group(s: Subject):
    p = s.spec.scheduler.params
    if engine.code_of(s.spec) != "ultralytics" or p["bias_group"] != "first" or not engine.warmup(s.spec)[1] or not p["warmup_bias_lr"]:
        return
    first = s.spec.group_names[0]
    if first == "bias" or first.startswith("bias."):
        return  # 8.3 builds the biases' group first: group 0 is theirs
    yield _field(s, "version", "bias_group"), (
        f"ultralytics 8.4.0-8.4.2 warm the first param group ({first}) down from warmup_bias_lr {num(p['warmup_bias_lr'])} "
        "and the biases up from 0 (8.4 put the biases last; the warmup still took group 0); 8.4.3 fixed it"
    )


def _yolov5_late(s: Subject):
    if engine.code_of(s.spec) != "yolov5" or s.trace is None or s.spec.run.epochs < 2:
        return
    p = s.spec.scheduler.params
    last, group = float(s.trace.lr[0, -1]), s.spec.optimizer.groups[0]
    yield s.spec.scheduler.path, (
        f"YOLOv5 steps its LambdaLR after each epoch (scheduler.last_epoch = start_epoch - 1): epoch e trains at lf(e - 1), so "
        f"the last epoch trains at {num(last)}, not lr0 x lrf {num(group.lr * p['lrf'])}"
    )


RULES: tuple[Rule, ...] = (
    Rule("YL101", "auto-ignores-lr0", "warning", "optimizer: auto ignores an lr0 set to other than the default", _auto_ignores_lr0),
    Rule("YL102", "warmup-covers-most-of-run", "warning", "a warmup that sets the lr of half the run or more", _warmup_most),
    Rule("YL103", "warmup-stops-one-batch-early", "warning", "ultralytics 8.4.103-8.4.182's ni < nw: momentum short of its target, an epoch's lr stuck", _strict_short),
    Rule("YL104", "bias-warmup-on-first-group", "warning", "ultralytics 8.4.0-8.4.2 warm the first group from warmup_bias_lr, not the biases", _first_group),
    Rule("YL201", "auto-picks-optimizer", "info", "optimizer: auto (the default) picks the optimizer and its lr", _auto_picks),
    Rule("YL202", "auto-momentum-target", "info", "optimizer: auto builds with momentum 0.9, the warmup moves it to momentum", _auto_momentum),
    Rule("YL203", "yolov5-one-epoch-late", "info", "YOLOv5's LambdaLR trains epoch e at lf(e - 1)", _yolov5_late),
)


def zero_start_by_design(spec) -> str | None:
    """Both codes warm the weights (and norm) groups from 0 by design (``np.interp(ni, xi, [0.0, ...])``
    in the training loop), and no hyperparameter sets that start (warmup_bias_lr sets only the
    biases'): a finding the user cannot act on in YOLO's words is info."""
    return ("YOLO's warmup starts the weights at lr 0 by design (np.interp from 0.0 in its training loop); no hyperparameter "
            "changes that start, warmup_bias_lr sets only the biases'")
