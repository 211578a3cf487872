"""Resumed runs and stepping mistakes, exactly as torch 2.13 behaves (lrplot.whatif's torch model).

A resume replays the run on the replica up to the checkpoint (scheduler step ``at``), takes what
torch would save (``optimizer.state_dict()`` and ``scheduler.state_dict()``), then runs what the
resuming script does on a new optimizer: build the scheduler, load states, pass ``last_epoch`` or
step it, in the order each method says (the same code ``reference._resume`` runs on real torch).

Replaying a long run step by step is slow, so a resumed run is followed only until its state (the
optimizer's groups and the scheduler's state dict) equals the planned run's at the same scheduler
count: from there on it trains exactly as planned, and the planned trace supplies the rest.

A stepping mistake only changes how many times step() has been called before each optimizer step
(torch's lr after c calls depends on c alone: optimizer.step() never touches it), so its curve is
the planned schedule's values read at the mistaken counts.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any, Sequence

import numpy as np

from ...config import RunSpec, Spec
from ...engine import Simulated, tracks_momentum
from ...errors import ConfigError, TorchWouldRaise
from ...metric import MetricFeed
from ...engine.whatif import RaisesPartway, mistake_calls, resume_step
from . import replica
from .engine import scheduler_step_positions


# Scheduler calls one request may replay (some seconds): bounded work for a run of up to
# config.MAX_STEPS steps. A resume that rejoins the plan, or a schedule the replica can jump
# through (SEEKABLE), costs a few calls whatever the run's length.
MAX_CALLS = 2_000_000
# A resumed run is compared with the plan this long; past it, it is replayed to the end alone.
MAX_COMPARED = 4096


class TooLong(ConfigError):
    """The what-if would replay more than MAX_CALLS scheduler steps (not something torch raises)."""


class _Budget:
    def __init__(self, what: str, fix: str):
        self.left, self.what, self.fix = MAX_CALLS, what, fix

    def spend(self, calls: int) -> None:
        self.left -= calls
        if self.left < 0:
            raise TooLong(self.what, f"replaying torch step by step takes more than {MAX_CALLS:,} scheduler steps here; {self.fix}")


# torch's schedulers whose get_lr() depends on last_epoch and the base lrs only (OneCycleLR's check
# against total_steps is monotonic in it, so the last call raises if any would).
SEEKABLE = ("LambdaLR", "OneCycleLR", "CyclicLR")


class _Stepper:
    """A replica run: an optimizer, a scheduler tree, the metric feed, and the work budget it spends."""

    def __init__(self, spec: Spec, opt: replica.FakeOptimizer, sched: Any, feed: MetricFeed | None, budget: _Budget):
        self.spec, self.opt, self.sched, self.feed, self.budget = spec, opt, sched, feed, budget
        self.with_momentum = tracks_momentum(spec)

    def step(self) -> None:
        self.budget.spend(1)
        if self.feed is not None:
            self.sched.step(self.feed.next(self.opt.param_groups[0]["lr"]))
        else:
            self.sched.step()

    def advance(self, calls: int) -> None:
        """``calls`` steps of the scheduler. The schedulers whose step() computes the lr from the
        counter alone (base lr x f(count), and the group keys they set) land in the same state when
        the counter jumps to the last call, so a long run is not replayed call by call."""
        if calls > 1 and self.feed is None and type(self.sched).__name__ in SEEKABLE:
            self.sched.last_epoch += calls - 1
            self.sched._step_count += calls - 1
            calls = 1
        for _ in range(calls):
            self.step()

    def same_state(self, other: _Stepper) -> bool:
        """Whether the two runs train alike from here on: same groups, same scheduler state."""
        return self.opt.param_groups == other.opt.param_groups and _comparable(self.sched.state_dict()) == _comparable(other.sched.state_dict())


def _comparable(state: dict[str, Any]) -> dict[str, Any]:
    # _step_count only matters while it is 1 (CosineAnnealingLR's first-step branch, torch's
    # optimizer-order warning), so counts from 2 on are alike.
    out = {k: v for k, v in state.items() if k not in ("_step_count", "_schedulers")}
    out["_step_count"] = min(state.get("_step_count", 2), 2)
    if "_schedulers" in state:
        out["_schedulers"] = [_comparable(s) for s in state["_schedulers"]]
    return out


def _raised(exc: BaseException, where: str) -> TorchWouldRaise:
    if isinstance(exc, replica.TorchRaised):
        kind, message = exc.kind, exc.message
    elif isinstance(exc, ConfigError):
        kind, message = "an error", exc.message  # an lr_lambda failing at a count the plan never reaches
    else:
        kind, message = type(exc).__name__, str(exc)
    first = message.splitlines()[0] if message else ""
    return TorchWouldRaise("", f"torch raises {kind} {where} ({first})")


_FAILURES = (replica.TorchRaised, ZeroDivisionError, OverflowError, ValueError, ConfigError)


# ----------------------------------------------------------------------------------------------
# Resumes


def _planned_after(spec: Spec) -> np.ndarray:
    """Calls of scheduler.step() after each optimizer step, as planned."""
    after = np.zeros(spec.run.total_steps, dtype=np.int64)
    after[scheduler_step_positions(spec)] = 1
    return after


def _setup(spec: Spec, method: str, at: int, checkpoint: dict[str, Any], feed: MetricFeed | None, budget: _Budget) -> _Stepper:
    """What the resuming script runs (the same as ``reference._resume`` on real torch)."""
    opt = replica.FakeOptimizer(spec.optimizer)
    node = spec.scheduler

    def build(last_epoch: int = -1) -> Any:
        return replica.build(opt, node, last_epoch)

    if method == "state_dict":
        sched = build()
        opt.load_state_dict(checkpoint["optimizer"])
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "build_after_load":
        opt.load_state_dict(checkpoint["optimizer"])
        sched = build()
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "scheduler_only":
        sched = build()
        sched.load_state_dict(checkpoint["scheduler"])
    elif method == "last_epoch":
        opt.load_state_dict(checkpoint["optimizer"])
        sched = build(at - 1)
    elif method == "last_epoch_fresh":
        sched = build(at - 1)
    elif method == "set_last_epoch":
        sched = build()
        opt.load_state_dict(checkpoint["optimizer"])
        sched.last_epoch = at - 1  # an attribute like any other: a composite's children keep their own
    elif method == "restart":
        sched = build()
        opt.load_state_dict(checkpoint["optimizer"])
    elif method == "catch_up":
        sched = build()
        opt.load_state_dict(checkpoint["optimizer"])
        if feed is not None:
            raise replica.TorchRaised("TypeError", "ReduceLROnPlateau.step() missing 1 required positional argument: 'metrics'")
        stepper = _Stepper(spec, opt, sched, feed, budget)
        stepper.advance(at)
        return stepper
    else:
        raise ValueError(method)
    return _Stepper(spec, opt, sched, feed, budget)


def resume(trace: Any, at: int, methods: Sequence[str]) -> dict[str, Simulated | TorchWouldRaise]:
    """For each method, the optimizer steps from the resume on as it makes them, or what torch raises."""
    spec = trace.spec
    start = resume_step(spec.run, at)
    after = _planned_after(spec)
    declared = spec.run.resume is not None and spec.run.resume.at == at
    budget = _Budget("run.resume.at" if declared else "--resume-at", "ask for one method (--resume-method), or resume a shorter run")
    planned = _fresh(spec, budget)
    # The planned run one call before the checkpoint (where set_last_epoch's counter stands), then at it.
    planned.advance(int(after[:start].sum()) - 1)
    previous = _state(planned)
    planned.advance(1)
    checkpoint = _state(planned)
    # The planned state each method's counter stands at after resuming, and how many optimizer
    # steps the plan had taken to reach it: a run that rejoins that state trains the plan shifted.
    behind = {"restart": (None, start), "set_last_epoch": (previous, start - resume_step(spec.run, at - 1))}
    out: dict[str, Simulated | TorchWouldRaise] = {}
    for method in methods:
        try:
            run = _setup(spec, method, at, checkpoint, copy.deepcopy(planned.feed), budget)
        except TooLong:
            raise
        except _FAILURES as exc:
            out[method] = _raised(exc, "while resuming")
            continue
        state, shift = behind.get(method, (checkpoint, 0))
        # A metric-fed run is followed to the end (the metric model has a state of its own).
        reference = None if run.feed is not None else _fresh(spec, budget) if state is None else _clone(spec, state, budget)
        try:
            out[method] = _continue(trace, run, reference, shift, start, after)
        except TorchWouldRaise as exc:
            out[method] = exc
    return out


def _state(stepper: _Stepper) -> dict[str, Any]:
    """What torch saves in a checkpoint: the optimizer's and the scheduler's state dicts."""
    return {"optimizer": stepper.opt.state_dict(), "scheduler": stepper.sched.state_dict()}


def _continue(trace: Any, run: _Stepper, reference: _Stepper | None, shift: int, start: int, after: np.ndarray) -> Simulated:
    """The resumed run from ``start`` on, until it rejoins ``reference`` (the planned run ``shift``
    optimizer steps behind), from where the planned trace has the rest."""
    spec = trace.spec
    n = spec.run.total_steps
    lrs: list[list[float]] = []
    momenta: list[list[float]] = []
    check_at = 1
    k = start
    try:
        while k < n:
            if reference is not None and k - start == check_at - 1:
                check_at *= 2
                if run.same_state(reference):
                    break
                if check_at > MAX_COMPARED:
                    reference = None
            lrs.append(run.opt.lrs())
            if run.with_momentum:
                momenta.append(run.opt.momenta())
            for _ in range(after[k]):
                run.step()
                if reference is not None:
                    reference.step()
            k += 1
    except TooLong:
        raise
    except _FAILURES as exc:
        trained = np.array(lrs, dtype=np.float64).reshape(-1, len(spec.optimizer.groups)).T
        raise RaisesPartway(_raised(exc, f"at optimizer step {k} of the resumed run"), trained) from None
    groups = len(spec.optimizer.groups)
    lr = np.array(lrs, dtype=np.float64).reshape(-1, groups).T
    momentum = np.array(momenta, dtype=np.float64).reshape(-1, groups).T if run.with_momentum else None
    if k < n:  # rejoined the plan: the planned trace has the rest
        lr = np.concatenate([lr, trace.lr[:, k - shift : n - shift]], axis=1)
        if momentum is not None:
            momentum = np.concatenate([momentum, trace.momentum[:, k - shift : n - shift]], axis=1)
    at_steps = scheduler_step_positions(spec)
    at_steps = at_steps[at_steps >= start]
    fed = run.feed.fed[len(run.feed.fed) - len(at_steps):] if run.feed is not None else None
    return Simulated(lr, momentum, at_steps, fed)


def _fresh(spec: Spec, budget: _Budget) -> _Stepper:
    opt = replica.FakeOptimizer(spec.optimizer)
    feed = MetricFeed(spec.metric, spec.optimizer.groups[0].lr) if spec.scheduler.type == "ReduceLROnPlateau" else None
    return _Stepper(spec, opt, replica.build(opt, spec.scheduler), feed, budget)


def _clone(spec: Spec, checkpoint: dict[str, Any], budget: _Budget) -> _Stepper:
    # Loading a replica's state into a freshly built replica copies it exactly (every attribute
    # torch saves, and the rest is the config).
    clone = _fresh(spec, budget)
    clone.opt.load_state_dict(checkpoint["optimizer"])
    clone.sched.load_state_dict(checkpoint["scheduler"])
    return clone


# ----------------------------------------------------------------------------------------------
# Stepping mistakes


def mistake(spec: Spec, name: str, exact: bool = False) -> Simulated:
    """The whole run with a stepping mistake; raises TorchWouldRaise where torch would."""
    before, after = mistake_calls(spec.run, name)
    # step() calls made before the lr of step k is read
    count = np.cumsum(before) + np.concatenate([[0], np.cumsum(after)[:-1]])
    lr, momentum, failed = _values(spec, int(before.sum() + after.sum()), exact)
    if failed is not None:
        c, exc = failed
        k = int(np.argmax(np.cumsum(before + after) >= c))  # the loop step that makes the c-th call
        trained = count[count < c]  # the steps that read their lr before the failing call
        raise RaisesPartway(_raised(exc, f"at optimizer step {k}"), lr[:, trained])
    return Simulated(lr[:, count], None if momentum is None else momentum[:, count], scheduler_step_positions(spec))


def _values(spec: Spec, calls: int, exact: bool) -> tuple[np.ndarray, np.ndarray | None, tuple[int, BaseException] | None]:
    """The lr (and momentum) after 0, 1, ..., ``calls`` calls of step(); or where a call fails."""
    if not exact:
        run = RunSpec(total_steps=calls + 1, steps_per_epoch=1, step="iteration", unit="iteration", has_epochs=False)
        from . import closed

        try:
            result = closed.simulate(replace(spec, run=run, metric=None))
        except ConfigError:
            result = None  # the closed form evaluates one count further than the calls: let the replica say
        if result is not None:
            return result[0], result[1], None
    stepper = _fresh(spec, _Budget("--what-if", "the mistake is replayed on a shorter run only"))
    lrs = [stepper.opt.lrs()]
    momenta = [stepper.opt.momenta()] if stepper.with_momentum else []
    failed = None
    for c in range(1, calls + 1):
        try:
            stepper.step()
        except TooLong:
            raise
        except _FAILURES as exc:
            failed = (c, exc)
            break
        lrs.append(stepper.opt.lrs())
        if stepper.with_momentum:
            momenta.append(stepper.opt.momenta())
    lr = np.array(lrs, dtype=np.float64).T
    momentum = np.array(momenta, dtype=np.float64).T if stepper.with_momentum else None
    return lr, momentum, failed
