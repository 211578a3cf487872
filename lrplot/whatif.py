"""What if the run resumes from a checkpoint, or steps its scheduler wrong: the curve it then trains with.

A resumed run is the planned run up to scheduler step ``at`` (where the checkpoint was saved), then
whatever the way of resuming makes of it (``RESUME_METHODS``: the lines a training script runs). A
stepping mistake (``MISTAKES``) changes when ``scheduler.step()`` is called for the whole run. Both
are worked out by the schedule's framework (its ``resume`` module), exactly as the library behaves,
including where it raises: such an outcome carries the error in words and no curve.

This module is light at import (no numpy): the config layer reads its names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

from .errors import ConfigError, TorchWouldRaise

if TYPE_CHECKING:
    import numpy as np

    from .config import RunSpec, Spec
    from .engine.trace import Trace


@dataclass(frozen=True)
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


@dataclass(frozen=True)
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


@dataclass(frozen=True, eq=False)
class Outcome:
    """A run as it trains under a what-if: the whole run's lr (and momentum), or what the library raises.

    ``start`` is the first optimizer step the what-if can change (the resume step; 0 for a mistake);
    ``kind`` is ``resume`` or ``mistake``.
    """

    kind: str
    name: str
    label: str
    start: int
    lr: np.ndarray | None
    momentum: np.ndarray | None = None
    metric: np.ndarray | None = None
    error: str | None = None

    def same_as(self, trace: Trace) -> bool:
        """Whether it trains the planned curve (to the last bits: within 1e-12 of the peak lr)."""
        return self.lr is not None and not off_plan(self.lr, trace.lr).any()


SAME = 1e-12  # relative to the peak lr: the default engine's agreement with the library (DESIGN.md)


def off_plan(lr: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """The optimizer steps where ``lr`` leaves the planned curve (by more than rounding)."""
    import numpy as np

    tol = SAME * float(np.abs(planned).max(initial=0.0))
    return (np.abs(lr - planned) > tol).any(axis=0)


# ----------------------------------------------------------------------------------------------
# Where a resume and a mistake act, on the optimizer-step axis (shared with the framework models
# and the recorders that drive the real library the same way)


def resume_step(run: RunSpec, at: int) -> int:
    """The first optimizer step of the resumed run: the checkpoint was saved after scheduler step ``at``."""
    return at * run.steps_per_epoch if run.step == "epoch" else at


def check_resume_at(run: RunSpec, at: Any, path: str) -> int:
    """``at`` as a scheduler step a run can resume at: after its first step, before its last."""
    from .values import integer

    at = integer(at, path)
    if run.step == "fractional":
        raise ConfigError(
            path, "resumes are modelled for runs stepped per epoch or per iteration; fractional stepping calls "
            "step(epoch) with the epoch itself, so use `step: epoch` or `step: iteration` to see a resume",
        )
    last = run.scheduler_steps - 1
    if not 1 <= at <= last:
        per = "epoch" if run.step == "epoch" else "iteration"
        raise ConfigError(path, f"must be a scheduler step from 1 to {last} (the run steps its scheduler {last + 1} times, once per {per}), got {at}")
    return at


def check_method(name: Any, path: str) -> str:
    from .values import suggest

    if not isinstance(name, str) or name not in BY_METHOD:
        raise ConfigError(path, f"must be one of {', '.join(METHOD_NAMES)}, got {name!r}{suggest(str(name), METHOD_NAMES)}")
    return name


def mistake_calls(run: RunSpec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """How often a run with the mistake calls scheduler.step() before and after each optimizer step."""
    import numpy as np

    k = np.arange(run.total_steps)
    spe = run.steps_per_epoch
    epoch_ends = (k % spe == spe - 1).astype(np.int64)
    none, every = np.zeros_like(k), np.ones_like(k)
    planned = epoch_ends if run.step == "epoch" else every
    if name == "scheduler_first":
        # at the top of each epoch's loop, or of each iteration
        return ((k % spe == 0).astype(np.int64) if run.step == "epoch" else every), none
    if name == "twice":
        return none, 2 * planned
    if name == "per_epoch":
        return none, epoch_ends
    if name == "per_batch":
        return none, every
    raise ValueError(name)


def mistake_applies(spec: Spec, name: str) -> str | None:
    """Why the mistake does not apply to this run, or None when it does."""
    run = spec.run
    if any(s.type == "ReduceLROnPlateau" for s in spec.scheduler.walk()):
        return "ReduceLROnPlateau steps on a metric whenever it is measured, so its stepping mistakes are not these"
    if run.step == "fractional":
        return "the run calls step(epoch) with the epoch itself; stepping mistakes are modelled for epoch and iteration stepping"
    if name in ("per_epoch", "per_batch") and (run.steps_per_epoch == 1 or not run.has_epochs):
        return "an epoch of this run is one step, so per-epoch and per-batch stepping are the same"
    if name == "per_epoch" and run.step != "iteration":
        return "the run already steps the scheduler once per epoch"
    if name == "per_batch" and run.step != "epoch":
        return "the run already steps the scheduler after every batch"
    return None


# ----------------------------------------------------------------------------------------------
# The what-ifs of a planned trace


def models_resumes(family: Any) -> bool:
    """Whether lrplot models resumes and stepping mistakes for a framework (it has a ``resume`` module)."""
    import importlib.util

    return importlib.util.find_spec(f"{family.package}.resume") is not None


def _model(spec: Spec, what: str):
    if not models_resumes(spec.family):
        raise ConfigError(what, f"what-ifs are modelled for torch's schedulers; {spec.scheduler.type} has no model of them yet")
    return spec.family.part("resume")


def resumes(trace: Trace, at: int, methods: Sequence[str] = METHOD_NAMES) -> list[Outcome]:
    """The run resumed at scheduler step ``at`` by each of ``methods``, on the planned ``trace``."""
    import numpy as np

    spec = trace.spec
    model = _model(spec, "--resume-at")
    start = resume_step(spec.run, at)
    out = []
    for name, cont in model.resume(trace, at, methods).items():
        label = BY_METHOD[name].label
        if isinstance(cont, TorchWouldRaise):
            out.append(Outcome("resume", name, label, start, None, error=cont.message))
            continue
        lr = np.concatenate([trace.lr[:, :start], cont.lr], axis=1)
        momentum = None if trace.momentum is None else np.concatenate([trace.momentum[:, :start], cont.momentum], axis=1)
        metric = None
        if trace.metric is not None:
            metric = trace.metric.copy()
            if cont.fed is not None:
                metric[cont.at] = cont.fed
        out.append(Outcome("resume", name, label, start, lr, momentum, metric))
    return out


def mistakes(trace: Trace, names: Sequence[str], exact: bool = False) -> list[Outcome]:
    """The whole run with each stepping mistake of ``names`` (each must apply, see ``mistake_applies``)."""
    spec = trace.spec
    model = _model(spec, "--what-if")
    out = []
    for name in names:
        mistake = BY_MISTAKE[name]
        try:
            sim = model.mistake(spec, name, exact)
        except TorchWouldRaise as exc:
            out.append(Outcome("mistake", name, mistake.label, 0, None, error=exc.message))
            continue
        out.append(Outcome("mistake", name, mistake.label, 0, sim.lr, sim.momentum))
    return out


def resumed_trace(trace: Trace, at: int, method: str, path: str = "run.resume.method") -> Trace:
    """The run as it trains when resumed at ``at`` with ``method``: what ``export`` writes."""
    from dataclasses import replace

    (outcome,) = resumes(trace, at, (method,))
    if outcome.error is not None:
        safe = safe_method(trace, at)
        fix = f"; resume with {safe} instead" if safe else ""
        raise TorchWouldRaise(path, f"resuming with {method} after scheduler step {at}: {outcome.error}{fix}")
    return replace(trace, lr=outcome.lr, momentum=outcome.momentum, metric=outcome.metric, plateau=None)


def safe_method(trace: Trace, at: int) -> str | None:
    """The first way of resuming at ``at`` that trains exactly the planned curve, if any does."""
    return next((o.name for o in resumes(trace, at) if o.same_as(trace)), None)


# ----------------------------------------------------------------------------------------------
# In words


def verdict(trace: Trace, outcome: Outcome) -> str:
    """What an outcome does compared with the planned run, in one line."""
    import numpy as np

    if outcome.error is not None:
        return outcome.error
    lr, planned = outcome.lr, trace.lr
    differs = np.nonzero(off_plan(lr, planned))[0]
    if not differs.size:
        return "exact: the planned curve"
    k, last = int(differs[0]), int(differs[-1])
    ours, plan = _values(lr[:, k], planned[:, k])
    first = f"trains with lr {ours} at {_when(trace, k)} where the plan has {plan}"
    if last < lr.shape[1] - 1:
        return f"{first}; back on the plan from {_when(trace, last + 1)}"
    ours, plan = _values(lr[:, last], planned[:, last])
    return f"{first}; ends at {ours} instead of {plan}"


def _when(trace: Trace, k: int) -> str:
    from .explain import at_step

    return at_step(trace, k)


def _values(column: Any, other: Any) -> tuple[str, str]:
    """Two columns of lrs in as few digits as tell them apart."""
    for digits in (4, 6, 8, 12, 17):
        a, b = (" / ".join(f"{float(v):.{digits}g}" for v in c) for c in (column, other))
        if a != b:
            break
    return a, b
