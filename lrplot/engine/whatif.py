"""The curves of the what-ifs: a planned trace resumed from a checkpoint, or stepped wrong.

Worked out by the schedule's framework (its ``resume`` module), exactly as the library behaves,
including where it raises: such an outcome carries the error in words and the steps the run trained
before it (a model raises ``RaisesPartway`` to hand them over), which figures draw up to the raise.
The ways of resuming and the mistakes themselves are records in ``lrplot.whatif``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import ConfigError, TorchWouldRaise
from ..whatif import BY_METHOD, BY_MISTAKE, METHOD_NAMES, models_resumes

if TYPE_CHECKING:
    from ..config import RunSpec, Spec
    from .trace import Trace


class RaisesPartway(TorchWouldRaise):
    """The library raises partway through a what-if, after the run trained ``lr`` (groups x steps;
    a mistake's from step 0, a resumed run's from the resume on)."""

    def __init__(self, raised: TorchWouldRaise, lr: np.ndarray):
        super().__init__(raised.path, raised.message)
        self.lr = lr


def resume_step(run: RunSpec, at: int) -> int:
    """The first optimizer step of the resumed run: the checkpoint was saved after scheduler step ``at``."""
    return at * run.steps_per_epoch if run.step == "epoch" else at


def mistake_calls(run: RunSpec, name: str) -> tuple[np.ndarray, np.ndarray]:
    """How often a run with the mistake calls scheduler.step() before and after each optimizer step."""
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


@dataclass(frozen=True, eq=False)
class Outcome:
    """A run as it trains under a what-if: the whole run's lr (and momentum), or what the library raises.

    ``start`` is the first optimizer step the what-if can change (the resume step; 0 for a mistake);
    ``kind`` is ``resume`` or ``mistake``. Where the library raises, ``error`` says so and ``lr``
    holds the steps trained before (None when the model cannot tell them).
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
        return self.error is None and not off_plan(self.lr, trace.lr).any()


SAME = 1e-12  # relative to the peak lr: the default engine's agreement with the library (DESIGN.md)


def off_plan(lr: np.ndarray, planned: np.ndarray) -> np.ndarray:
    """The optimizer steps where ``lr`` leaves the planned curve (by more than rounding)."""
    tol = SAME * float(np.abs(planned).max(initial=0.0))
    return (np.abs(lr - planned) > tol).any(axis=0)


# ----------------------------------------------------------------------------------------------
# Where a resume and a mistake act, on the optimizer-step axis (shared with the framework models
# and the recorders that drive the real library the same way)


# ----------------------------------------------------------------------------------------------
# The what-ifs of a planned trace


def _model(spec: Spec, what: str):
    if not models_resumes(spec.family):
        raise ConfigError(what, f"what-ifs are modelled for torch's schedulers; {spec.scheduler.type} has no model of them yet")
    return spec.family.part("resume")


def resumes(trace: Trace, at: int, methods: Sequence[str] = METHOD_NAMES) -> list[Outcome]:
    """The run resumed at scheduler step ``at`` by each of ``methods``, on the planned ``trace``."""
    spec = trace.spec
    model = _model(spec, "--resume-at")
    start = resume_step(spec.run, at)
    out = []
    for name, cont in model.resume(trace, at, methods).items():
        label = BY_METHOD[name].label
        if isinstance(cont, TorchWouldRaise):
            # the planned steps up to the checkpoint, and the resumed ones trained before the raise
            trained = np.concatenate([trace.lr[:, :start], cont.lr], axis=1) if isinstance(cont, RaisesPartway) else trace.lr[:, :start]
            out.append(Outcome("resume", name, label, start, trained, error=cont.message))
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
            out.append(Outcome("mistake", name, mistake.label, 0, exc.lr if isinstance(exc, RaisesPartway) else None, error=exc.message))
            continue
        out.append(Outcome("mistake", name, mistake.label, 0, sim.lr, sim.momentum))
    return out


def chosen_mistakes(spec: Spec, names: str | Sequence[str] | None) -> list[str]:
    """The stepping mistakes asked for (``"twice,per_epoch"``, a list, or ``"all"``: those that
    apply), each checked to apply to ``spec``."""
    from ..values import suggest
    from ..whatif import MISTAKE_NAMES

    if names is None:
        return []
    if isinstance(names, str) and names.strip() == "all":
        chosen = [m for m in MISTAKE_NAMES if mistake_applies(spec, m) is None]
        if not chosen:
            raise ConfigError("--what-if all", mistake_applies(spec, "scheduler_first") or "no stepping mistake applies to this run")
        return chosen
    chosen = [m.strip() for m in (names.split(",") if isinstance(names, str) else names) if m.strip()]
    for m in chosen:
        if m not in MISTAKE_NAMES:
            raise ConfigError("--what-if", f"unknown mistake {m!r}{suggest(m, MISTAKE_NAMES)}; choose from {', '.join(MISTAKE_NAMES)} or all")
        why = mistake_applies(spec, m)
        if why is not None:
            raise ConfigError(f"--what-if {m}", why)
    return chosen


def resume_request(trace: Trace, at: int | None, method: str | None, command: str) -> tuple[int, tuple[str, ...]] | None:
    """Where the run resumes and by which methods: ``at`` and ``method`` as given, else the config's
    run.resume; a figure (``command`` "plot") draws every method unless one is named, an export
    writes one."""
    from ..config import check_resume_at

    declared = trace.spec.run.resume
    if at is None and method is None:
        return (declared.at, (declared.method,)) if declared is not None else None
    if at is None:
        if declared is None:
            raise ConfigError("", "--resume-method needs --resume-at E, the scheduler step the checkpoint was saved after")
        at = declared.at
    at = check_resume_at(trace.spec.run, at, "--resume-at")
    if method is None and command == "export":
        if declared is None:
            raise ConfigError("", f"export writes one resumed run: add --resume-method ({', '.join(METHOD_NAMES)})")
        method = declared.method
    return at, (method,) if method is not None else METHOD_NAMES


def overlays(trace: Trace, resume_at: int | None = None, resume_method: str | None = None, what_if: str | Sequence[str] | None = None,
             exact: bool = False) -> list[Outcome]:
    """What a figure draws over the planned ``trace``: the resume asked for (or the config's), then the mistakes."""
    resume = resume_request(trace, resume_at, resume_method, "plot")
    names = chosen_mistakes(trace.spec, what_if)
    outcomes = resumes(trace, *resume) if resume is not None else []
    return outcomes + (mistakes(trace, names, exact) if names else [])


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
    return trace.spec.run.at(k)


def _values(column: Any, other: Any) -> tuple[str, str]:
    """Two columns of lrs in as few digits as tell them apart."""
    for digits in (4, 6, 8, 12, 17):
        a, b = (" / ".join(f"{float(v):.{digits}g}" for v in c) for c in (column, other))
        if a != b:
            break
    return a, b
