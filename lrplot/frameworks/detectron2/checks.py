"""detectron2's pitfalls, as ``lrplot check`` rules (codes D2...): STEPS, the warmup, auto-scaling, the end.

A config from the ``detectron2:`` section is judged by its SOLVER keys (``detectron2.STEPS``); a
ParamScheduler config by its keywords. Rules of severity ``info`` say where detectron2 behaves
unlike what its keys suggest, by design; ``explain`` notes them, ``check`` does not report them.
"""

from __future__ import annotations

from ...engine.pitfalls import Rule, Subject, num
from .records import PREFIX


def _section(s: Subject):
    from .section import read_keys

    section = s.spec.source.get("detectron2")
    return None if section is None else read_keys(section, "detectron2")


def _steps_beyond(s: Subject):
    cfg = _section(s)
    if cfg is None or cfg["LR_SCHEDULER_NAME"] != "WarmupMultiStepLR":
        return
    max_iter = s.spec.run.total_steps  # after auto_scale_workers
    main = s.spec.scheduler.params["scheduler"]
    given = len(cfg["STEPS"])
    kept = len(main.params["milestones"])
    if kept < given:
        yield "detectron2.STEPS", (
            f"{given - kept} of STEPS {list(cfg['STEPS'])} lie beyond MAX_ITER {max_iter}: build_lr_scheduler drops them with a warning, "
            f"so the lr decays {kept} time{'s' if kept != 1 else ''}, not {given}"
        )


def _steps_in_epochs(s: Subject):
    cfg = _section(s)
    if cfg is None or cfg["LR_SCHEDULER_NAME"] != "WarmupMultiStepLR" or not cfg["STEPS"]:
        return
    max_iter = s.spec.run.total_steps
    if max_iter >= 1000 and max(cfg["STEPS"]) < max_iter / 100:
        yield "detectron2.STEPS", (
            f"STEPS {list(cfg['STEPS'])} all fall in the first 1% of MAX_ITER {max_iter}: detectron2 counts STEPS in iterations, "
            "not epochs, so the lr decays almost at once"
        )


def _warmup_length(s: Subject):
    node = s.spec.scheduler
    if node.type != PREFIX + "WarmupParamScheduler" or node.params["warmup_length"] < 1.0:
        return
    cfg = _section(s)
    field = "detectron2.WARMUP_ITERS" if cfg is not None else f"{node.path}.warmup_length"
    what = f"WARMUP_ITERS {cfg['WARMUP_ITERS']} >= MAX_ITER {cfg['MAX_ITER']}" if cfg is not None else f"warmup_length {num(node.params['warmup_length'])} >= 1"
    yield field, f"the warmup covers the whole run ({what}): the lr never leaves it"


def _warmup_past_decay(s: Subject):
    node = s.spec.scheduler
    if node.type != PREFIX + "WarmupParamScheduler" or node.params["rescale_interval"]:
        return
    main = node.params["scheduler"]
    if main.type != PREFIX + "MultiStepParamScheduler" or not main.params["milestones"]:
        return
    first = main.params["milestones"][0] / main.params["num_updates"]
    length = node.params["warmup_length"]
    if 0 < first < length < 1.0:
        cfg = _section(s)
        field = "detectron2.WARMUP_ITERS" if cfg is not None else f"{node.path}.warmup_length"
        yield field, (
            f"the warmup ({num(100 * length)}% of training) ends after the first decay ({num(100 * first)}%): it ramps to the "
            f"decayed value x{num(main.params['values'][1])}, and the lr never reaches BASE_LR"
        )


def _raises_after_last(s: Subject):
    from .engine import after_last

    if s.trace is None:
        return
    raised = after_last(s.spec)
    if raised is None:
        return
    cfg = _section(s)
    field = "detectron2.LR_SCHEDULER_NAME" if cfg is not None else s.spec.scheduler.path
    fix = ("use WarmupMultiStepLR with STEPS for the same decays" if cfg is not None
           else "end the schedule with a ParamScheduler defined at where 1 (LinearParamScheduler with equal values for a constant)")
    yield field, (
        f"after the last iteration the LRScheduler hook steps once more, and the multiplier at where 1.0 raises {type(raised).__name__} "
        f"({raised}): every iteration trains, but the hooks after it (the final checkpoint model_final.pth, the last metrics "
        f"write) never run for it and training ends in a traceback; {fix}"
    )


def _warmup_aims_below(s: Subject):
    node = s.spec.scheduler
    if node.type != PREFIX + "WarmupParamScheduler" or node.params["rescale_interval"] or node.params["warmup_method"] != "linear":
        return
    from .replica import multiplier

    inner = multiplier(node.params["scheduler"])
    length = node.params["warmup_length"]
    if not 0 < length < 1:
        return
    start, end = inner(0.0), inner(length)
    if start > 0 and end < start * (1 - 1e-9):
        cfg = _section(s)
        field = "detectron2.RESCALE_INTERVAL" if cfg is not None else f"{node.path}.rescale_interval"
        yield field, (
            f"the warmup ramps to x{num(end)}, the schedule's value where the warmup ends, not to x{num(start)}: WarmupParamScheduler "
            "runs the schedule under the warmup (RESCALE_INTERVAL / rescale_interval starts it after the warmup instead)"
        )


def _scale_invariant(s: Subject):
    for node in s.spec.scheduler.walk():
        if node.type != PREFIX + "MultiStepParamScheduler" or "detectron2" in s.spec.source:
            continue
        n, run = node.params["num_updates"], s.spec.run.total_steps
        if node is s.spec.scheduler and n != run and node.params["milestones"]:
            m = node.params["milestones"][0]
            yield f"{node.path}.num_updates", (
                f"milestones count updates of num_updates {n}, not iterations: fvcore's schedulers see only the fraction of training, "
                f"so milestone {m} lands at iteration {round(m / n * run)} of the run's {run}"
            )


def _reference_world_size(s: Subject):
    cfg = _section(s)
    if cfg is None or not cfg["REFERENCE_WORLD_SIZE"] or cfg["WORLD_SIZE"] is not None:
        return
    yield "detectron2.REFERENCE_WORLD_SIZE", (
        f"the config is written for {cfg['REFERENCE_WORLD_SIZE']} GPUs: on any other number detectron2 rescales IMS_PER_BATCH, BASE_LR, "
        "MAX_ITER, WARMUP_ITERS and STEPS (auto_scale_workers); --devices N shows the schedule it trains with there"
    )


def _cosine_end_unscaled(s: Subject):
    cfg = _section(s)
    if cfg is None or cfg["LR_SCHEDULER_NAME"] != "WarmupCosineLR" or not cfg["BASE_LR_END"]:
        return
    world, ref = cfg["WORLD_SIZE"], cfg["REFERENCE_WORLD_SIZE"]
    if ref and world is not None and world != ref:
        yield "detectron2.BASE_LR_END", (
            f"auto_scale_workers scales BASE_LR by {world}/{ref} but not BASE_LR_END {num(cfg['BASE_LR_END'])}: the cosine ends at "
            f"BASE_LR_END, a different fraction of the lr than on {ref} GPUs"
        )


def _legacy_cosine(s: Subject):
    node = s.spec.scheduler
    if node.type != PREFIX + "WarmupCosineLR":
        return
    yield node.path, (
        "the legacy WarmupCosineLR class multiplies the cosine by the warmup factor; SOLVER.LR_SCHEDULER_NAME: WarmupCosineLR builds "
        "WarmupParamScheduler(CosineParamScheduler) instead, whose warmup aims at the cosine (the detectron2: section draws that)"
    )
    if node.params["max_iters"] < s.spec.run.total_steps:
        yield f"{node.path}.max_iters", f"the cosine ends at max_iters {node.params['max_iters']}, before the run: after it the lr rises again"


RULES: tuple[Rule, ...] = (
    Rule("D2101", "steps-beyond-max-iter", "warning", "SOLVER.STEPS beyond MAX_ITER, which build_lr_scheduler drops", _steps_beyond),
    Rule("D2102", "steps-in-epochs", "warning", "SOLVER.STEPS that look like epochs in a run counted in iterations", _steps_in_epochs),
    Rule("D2103", "warmup-too-long", "warning", "a warmup as long as the run", _warmup_length),
    Rule("D2104", "warmup-past-first-step", "warning", "a warmup that ends after the first decay, ramping to the decayed lr", _warmup_past_decay),
    Rule("D2105", "raises-after-last-iteration", "warning", "a schedule whose multiplier at where 1 raises after the last iteration", _raises_after_last),
    Rule("D2106", "cosine-end-not-scaled", "warning", "auto_scale_workers scaling BASE_LR but not BASE_LR_END", _cosine_end_unscaled),
    Rule("D2107", "legacy-cosine-rises", "warning", "the legacy WarmupCosineLR with max_iters shorter than the run", lambda s: (f for f in _legacy_cosine(s) if f[0].endswith("max_iters"))),
    Rule("D2301", "warmup-aims-below-the-lr", "info", "WarmupParamScheduler ramps to the schedule's value at its end, not its start", _warmup_aims_below),
    Rule("D2302", "multistep-scale-invariant", "info", "MultiStepParamScheduler milestones are fractions of num_updates", _scale_invariant),
    Rule("D2303", "reference-world-size", "info", "REFERENCE_WORLD_SIZE rescales the schedule on another number of GPUs", _reference_world_size),
    Rule("D2304", "legacy-cosine-class", "info", "the legacy WarmupCosineLR is not SOLVER's WarmupCosineLR", lambda s: (f for f in _legacy_cosine(s) if not f[0].endswith("max_iters"))),
)
