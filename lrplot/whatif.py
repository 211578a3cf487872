"""What if the run resumes from a checkpoint, or steps its scheduler wrong: the vocabulary.

A resumed run is the planned run up to scheduler step ``at`` (where the checkpoint was saved), then
whatever the way of resuming makes of it (``RESUME_METHODS``: the lines a training script runs). A
stepping mistake (``MISTAKES``) changes when ``scheduler.step()`` is called for the whole run. This
module holds them as records and checks what a config or a flag says of them; it is light at
import (no numpy), since the config layer reads it. The curves themselves are worked out by
``lrplot.engine.whatif`` with the schedule's framework (its ``resume`` module).
"""

from __future__ import annotations

from typing import Any

from .frozen import record




@record
class ResumeMethod:
    name: str
    label: str  # a few words, for legends
    code: str  # what the resuming script runs (``build`` builds the scheduler as the script always does)


RESUME_METHODS: tuple[ResumeMethod, ...] = (
    ResumeMethod(
        "state_dict", "the tutorials' way: build, then load both states",
        "scheduler = build(optimizer)\noptimizer.load_state_dict(ckpt['optimizer'])\nscheduler.load_state_dict(ckpt['scheduler'])",
    ),
    ResumeMethod(
        "build_after_load", "both states, the scheduler built after loading the optimizer's",
        "optimizer.load_state_dict(ckpt['optimizer'])\nscheduler = build(optimizer)\nscheduler.load_state_dict(ckpt['scheduler'])",
    ),
    ResumeMethod(
        "scheduler_only", "scheduler state into a fresh optimizer",
        "scheduler = build(optimizer)\nscheduler.load_state_dict(ckpt['scheduler'])",
    ),
    ResumeMethod(
        "last_epoch", "last_epoch=E-1 on the loaded optimizer",
        "optimizer.load_state_dict(ckpt['optimizer'])\nscheduler = build(optimizer, last_epoch=E - 1)",
    ),
    ResumeMethod(
        "last_epoch_fresh", "last_epoch=E-1 on a fresh optimizer",
        "scheduler = build(optimizer, last_epoch=E - 1)",
    ),
    ResumeMethod(
        "set_last_epoch", "last_epoch assigned after building (YOLOv5's resume)",
        "scheduler = build(optimizer)\noptimizer.load_state_dict(ckpt['optimizer'])\nscheduler.last_epoch = E - 1",
    ),
    ResumeMethod(
        "restart", "a fresh scheduler (starts over)",
        "scheduler = build(optimizer)\noptimizer.load_state_dict(ckpt['optimizer'])",
    ),
    ResumeMethod(
        "catch_up", "a fresh scheduler stepped E times",
        "scheduler = build(optimizer)\noptimizer.load_state_dict(ckpt['optimizer'])\nfor _ in range(E): scheduler.step()",
    ),
)
METHOD_NAMES = tuple(m.name for m in RESUME_METHODS)
BY_METHOD = {m.name: m for m in RESUME_METHODS}


@record
class Mistake:
    name: str
    label: str
    description: str


MISTAKES: tuple[Mistake, ...] = (
    Mistake("scheduler_first", "scheduler.step() before optimizer.step()",
            "`scheduler.step()` before the `optimizer.step()` it should follow (at the top of the epoch or batch loop): "
            "every step trains with the next step's lr, the first value is skipped (torch's warning case)"),
    Mistake("per_epoch", "stepped per epoch instead of per batch",
            "`scheduler.step()` once per epoch where the schedule counts batches (OneCycleLR, CyclicLR, a warmup in iterations)"),
    Mistake("per_batch", "stepped per batch instead of per epoch",
            "`scheduler.step()` after every batch where the schedule counts epochs (StepLR's step_size, T_max in epochs)"),
    Mistake("twice", "scheduler.step() twice per step",
            "`scheduler.step()` twice where it belongs once (in the loop and again in a callback): the schedule runs twice as fast"),
)
MISTAKE_NAMES = tuple(m.name for m in MISTAKES)
BY_MISTAKE = {m.name: m for m in MISTAKES}


# ----------------------------------------------------------------------------------------------
# Which framework models them


def models_resumes(family: Any) -> bool:
    """Whether lrplot models resumes and stepping mistakes for a framework (it has a ``resume`` module)."""
    import importlib.util

    return importlib.util.find_spec(f"{family.package}.resume") is not None
