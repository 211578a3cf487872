"""A logged run against its plan: did it follow the plan, and if not, which known mistake explains it.

The plan is a config, simulated exactly (lrplot's engine); the log is a :class:`~lrplot.runlog.RunLog`.
They are compared at the optimizer steps the log has, within a tolerance relative to each param
group's peak lr (default 1e-6: float32 logs round at about 6e-8). When the log leaves the plan, each
known mistake is an *alteration of the plan* simulated with the same engine and compared the same
way, never a guess by eye:

- the plan as the config could also mean it, where it leaves a choice to a default (the framework's
  release that trained, which its own file does not name);
- the scheduler stepped once per epoch instead of per batch, or per batch instead of per epoch;
- the scheduler stepped k times per optimizer step (once per micro-batch under gradient accumulation,
  once per process);
- the lr read one step early (after ``scheduler.step()``, or ``scheduler.step()`` before ``optimizer.step()``),
  or logged one step late (steps numbered from 1);
- the schedule's length computed from a step count that ignored, or counted twice, the devices or the
  gradient accumulation (the config re-derived with that plan, run for the steps the run really took);
- a warmup counted in epochs where steps were meant, or the reverse;
- a resume at step R that restarted the schedule from its beginning, or that restored the scheduler
  but not the optimizer (torch's chainable schedulers then continue from the fresh optimizer's lr).

The best is the one that matches the most logged points, then the smallest largest residual; it
explains the log only when it matches every point.
"""

from __future__ import annotations

import copy
import math
import os
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator, Mapping

import numpy as np

from .config import MAX_STEPS, RunSpec, Spec, from_mapping
from .engine import Trace, simulate
from .errors import ConfigError
from .registry import lookup
from .runlog import RunLog

DEFAULT_TOLERANCE = 1e-6
_K_CANDIDATES = range(2, 9)
_RESUME_CANDIDATES = 3


def _plan_fields(source: Mapping[str, Any]) -> Iterator[tuple[str, tuple[tuple[str, str], ...]]]:
    """Where a config keeps its device count and gradient accumulation: lrplot's training plan, or
    the keys of a framework section that mean them (its section module's ``OPTIONS``)."""
    yield "run", (("devices", "the {} devices"), ("grad_accum", "grad_accum {}"))
    from .registry import section_family

    for section in source:
        family = section_family(section)
        if family is not None:
            options = getattr(family.part(family.section_module), "OPTIONS", {})
            devices, accum = options.get("run.devices"), options.get("run.grad_accum")
            keys = ((devices, "the {} devices"),) if devices else ()
            yield section, keys + (((accum, accum + " {}"),) if accum else ())
# torch's schedulers that compute the next lr from the optimizer's current one (their chainable
# get_lr), so a fresh optimizer after a resume changes every lr after it.
_CHAINABLE = {"StepLR", "MultiStepLR", "ConstantLR", "LinearLR", "ExponentialLR", "PolynomialLR", "CosineAnnealingLR", "MultiplicativeLR"}


@dataclass(frozen=True)
class Mistake:
    key: str  # stable name: reading, per-epoch, per-batch, k-per-step, one-step-early, one-step-late, step-count, warmup, restart, lost-optimizer
    text: str  # what happened, in a sentence
    short: str  # the same in a few words, for a figure's title


@dataclass(frozen=True, eq=False)
class Fit:
    """How one mistake's simulated lr compares with the log at its steps."""

    mistake: Mistake
    lr: np.ndarray  # [column, point]: the lr the mistake gives at each logged step (NaN past its end)
    matched: int
    total: int
    max_residual: float  # relative to the group's peak, over the points it covers

    @property
    def explains(self) -> bool:
        return self.matched == self.total


@dataclass(frozen=True, eq=False)
class Verdict:
    spec: Spec
    plan: Trace
    log: RunLog
    groups: tuple[int, ...]  # the plan's param group of each log column
    planned: np.ndarray  # [column, point]: the plan's lr at each logged step (NaN past the plan's end)
    scale: np.ndarray  # [column]: the peak lr the tolerance is relative to
    tolerance: float
    within: np.ndarray  # [point]: every column within the tolerance
    fits: tuple[Fit, ...]  # every mistake tried, best first
    notes: tuple[str, ...]  # what could not be tried, and why

    @property
    def followed(self) -> bool:
        return bool(self.within.all())

    @property
    def first(self) -> int | None:
        """Index (into the log's points) of the first point that left the plan."""
        off = np.flatnonzero(~self.within)
        return int(off[0]) if off.size else None

    @property
    def best(self) -> Fit | None:
        """The mistake that explains every logged point, if one does."""
        return self.fits[0] if self.fits and self.fits[0].explains else None

    def residual(self, values: np.ndarray) -> np.ndarray:
        """|log - values| relative to each group's peak (NaN where values has none)."""
        with np.errstate(over="ignore", invalid="ignore"):
            out = np.subtract(self.log.lr, values)
            np.abs(out, out=out)
            out /= self.scale[:, None]  # in place: a million points cost one array, not three
            return out


def verify(spec: Spec, log: RunLog, tolerance: float = DEFAULT_TOLERANCE, base_dir: str | os.PathLike | None = None) -> Verdict:
    """Compare ``log`` with the plan ``spec``; when they differ, simulate every known mistake.

    ``base_dir`` is the config's folder (relative paths in it, for the re-derived configs).
    """
    if not 0 < tolerance < 1:
        raise ConfigError("--tolerance", f"must be a number between 0 and 1 (relative to the peak lr), got {tolerance}")
    log = log.on_run(spec.run)  # a per-epoch log's points on the steps they belong to
    if log.digits is not None:  # %.Ng rounds a value by half a unit in its N-th digit, at most 0.5 * 10**(1 - N) of it
        tolerance = max(tolerance, 0.5 * 10.0 ** (1 - log.digits))
    plan = simulate(spec)
    groups = _groups(spec, log)
    steps = log.step
    length = plan.lr.shape[1]
    if steps[0] >= length:
        last = max(int(steps[-1]), log.beyond[1] - log.first_step)
        raise ConfigError(
            log.path,
            f"has no step inside the plan: it logs optimizer steps {int(steps[0]):,}..{last:,}, the plan has 0..{length - 1:,} "
            f"(check the config's run, or --first-step)",
        )
    # Work is bounded by the plan (and the steps the log shares with it), never by the log's largest
    # step: the points past the plan's end are counted and said, not compared or simulated.
    notes: list[str] = list(log.notes)
    past = int(np.searchsorted(steps, length))
    outside = len(log) - past + log.beyond[0]
    if outside:
        last = max(int(steps[-1]), log.beyond[1] - log.first_step)
        notes.append(f"{outside:,} logged point{'s' if outside != 1 else ''} past the plan's last optimizer step ({length - 1:,}), "
                     f"up to step {last:,}, {'are' if outside != 1 else 'is'} left out: the run went on longer than planned, or the log is not this run's")
        log = replace(log, logged_step=log.logged_step[:past], lr=log.lr[:, :past], beyond=(0, -1))
        steps = log.step
    short = None if outside else _ends_early(steps, length)
    if short:
        notes.append(short)
    planned = _at(plan.lr, groups, steps)
    peak = np.abs(plan.lr).max(axis=1)
    overall = float(peak.max()) if peak.size else 0.0
    scale = np.array([peak[g] if peak[g] > 0 else (overall if overall > 0 else 1.0) for g in groups])
    within = _within(log.lr, planned, scale, tolerance)
    fits: list[Fit] = []
    if not within.all():
        fits = _judge_mistakes(spec, log, groups, planned, scale, tolerance, base_dir, int(np.flatnonzero(~within)[0]), notes)
    return Verdict(spec, plan, log, groups, planned, scale, float(tolerance), within, tuple(fits), tuple(notes))


def _ends_early(steps: np.ndarray, length: int) -> str | None:
    """A note when the log stops well before the plan ends: more than its usual gap between points."""
    gap = int(np.median(np.diff(steps))) if steps.size > 1 else 1
    missing = length - 1 - int(steps[-1])
    if missing <= max(gap, 1):
        return None
    return (f"the log ends at optimizer step {int(steps[-1]):,}, {missing:,} steps before the plan's last ({length - 1:,}): "
            "the run stopped early, or the log was cut off; only the steps it has are compared")


def _judge_mistakes(spec, log, groups, planned, scale, tolerance, base_dir, first: int, notes: list[str]) -> list[Fit]:
    """Every known mistake, compared with the log; the ones that explain it first.

    Mistakes are simulated over growing prefixes of the log, and one that leaves the log in a prefix
    is not simulated further: simulating costs up to the last step a prefix reaches (a replay of
    torch step by step, where no closed form covers the schedule), and most mistakes part from a
    log within its first points, or the first points after it diverged.
    """
    n = len(log)
    # Prefixes of 64, 1,024, 16,384, ... points, and the first 64 and 4,096 after the divergence.
    geometric = [64 * 16**i for i in range(6)]
    ends = sorted({min(n, end) for end in (*geometric, first + 64, first + 4096)} | {n})
    rejected: dict[tuple[str, str], tuple[int, Fit]] = {}
    final: list[tuple[int, Fit]] = []
    for end in ends:
        prefix = RunLog(log.path, log.kind, log.columns, log.logged_step[:end], log.lr[:, :end], log.first_step)
        judge = _Judge(spec, prefix, groups, planned[:, :end], scale, tolerance, base_dir, skip=set(rejected))
        stage_notes: list[str] = []
        for order, (mistake, values) in enumerate(judge.mistakes(stage_notes, first if first < end else None)):
            fit = judge.fit(mistake, values)
            if _same(values, planned[:, :end], scale, tolerance):
                continue  # changes nothing this log shows
            if fit.explains:
                judge.explained = True
            else:
                rejected[(mistake.key, mistake.text)] = (order, fit)
            if end == n:
                final.append((order, fit))
        if end == n:
            notes.extend(stage_notes)
    ranked = final + [entry for entry in rejected.values() if all(entry[1] is not f for _, f in final)]
    # Best first: the share of the points it was compared on that it matches, then its largest residual.
    # A reading of the plan the config allows (a release it does not name) before a mistake that fits as well.
    ranked.sort(key=lambda e: (-e[1].matched / e[1].total, not (e[1].explains and e[1].mistake.key == "reading"), e[1].max_residual, e[0]))
    return [fit for _, fit in ranked]


# ----------------------------------------------------------------------------------------------
# Matching the log's columns and steps to the plan


def _groups(spec: Spec, log: RunLog) -> tuple[int, ...]:
    """The plan's param group for each lr column of the log: by name where the log names them
    (Lightning's ``lr-AdamW/<group name>``), else in order; one column is group 0's lr (what
    transformers logs)."""
    names = spec.group_names
    if len(log.columns) == 1:
        return (0,)
    if len(log.columns) != len(names):
        raise ConfigError(
            log.path,
            f"has {len(log.columns)} lr columns ({', '.join(log.columns)}) and the plan {len(names)} param groups "
            f"({', '.join(names)}); choose the columns with --column, one per group",
        )
    by_name = {}
    for i, column in enumerate(log.columns):
        for g, name in enumerate(names):
            if column.endswith((f"/{name}", f"_{name}")):
                by_name[i] = g
    if sorted(by_name.values()) == list(range(len(names))) and len(by_name) == len(names):
        return tuple(by_name[i] for i in range(len(log.columns)))
    return tuple(range(len(names)))


def _at(lr: np.ndarray, groups: tuple[int, ...], steps: np.ndarray) -> np.ndarray:
    """lr[group, step] at the log's steps, NaN past the end of ``lr``."""
    out = np.full((len(groups), steps.size), np.nan)
    inside = steps < lr.shape[1]
    if inside.all():
        for row, g in zip(out, groups):  # one gathered array, not a copy of the plan first
            np.take(lr[g], steps, out=row)
    else:
        out[:, inside] = lr[list(groups)][:, steps[inside]]
    return out


def _within(logged: np.ndarray, values: np.ndarray, scale: np.ndarray, tolerance: float) -> np.ndarray:
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.subtract(logged, values)
        np.abs(diff, out=diff)
        close = diff <= tolerance * scale[:, None]
    return close.all(axis=0)  # NaN (no value there) compares False


def _same(a: np.ndarray, b: np.ndarray, scale: np.ndarray, tolerance: float) -> bool:
    both = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore"):
        close = np.abs(a - b) <= tolerance * scale[:, None] / 2
    return bool((close | both).all())


# ----------------------------------------------------------------------------------------------
# The mistakes


class _Judge:
    """Simulates each mistake over the steps the log covers, with the plan's own engine."""

    def __init__(self, spec, log, groups, planned, scale, tolerance, base_dir, skip=frozenset()):
        self.spec, self.log, self.groups = spec, log, groups
        self.planned, self.scale, self.tolerance = planned, scale, tolerance
        self.base_dir = base_dir
        self.skip = skip  # (key, text) of mistakes already ruled out
        self.explained = False  # a mistake tried so far explains every point: skip the costly ones
        self.steps = log.step
        self.needed = int(self.steps[-1]) + 1  # optimizer steps the log covers
        self._curve: np.ndarray | None = None
        self._plan: dict[int, np.ndarray] = {}

    def fit(self, mistake: Mistake, values: np.ndarray) -> Fit:
        ok = _within(self.log.lr, values, self.scale, self.tolerance)
        residual = self._residual(values)
        return Fit(mistake, values, int(ok.sum()), int(ok.size), residual)

    def _residual(self, values: np.ndarray) -> float:
        with np.errstate(over="ignore", invalid="ignore"):  # a logged 1e308
            r = np.abs(self.log.lr - values) / self.scale[:, None]
        r = r[np.isfinite(r)]
        return float(r.max()) if r.size else math.inf

    # -- simulation helpers

    def over(self, spec: Spec, n: int) -> np.ndarray:
        """The lr of ``spec``'s schedule stepped as its run says, for ``n`` optimizer steps."""
        if n > MAX_STEPS:
            raise _Unreachable(f"it needs {n:,} steps simulated")
        if spec is self.spec and n in self._plan:
            return self._plan[n]
        lr = simulate(replace(spec, run=replace(spec.run, total_steps=n), metric=None)).lr
        if spec is self.spec:
            self._plan[n] = lr  # several mistakes read the plan itself, run as long as the log
        return lr

    def curve(self, n: int) -> np.ndarray:
        """The lr after 0, 1, ..., n-1 plain ``scheduler.step()`` calls (one per optimizer step)."""
        if self._curve is None or self._curve.shape[1] < n:
            if n > MAX_STEPS:
                raise _Unreachable(f"it needs {n:,} scheduler steps simulated")
            run = RunSpec(total_steps=n, steps_per_epoch=1, step="iteration", unit="iteration", has_epochs=True)
            self._curve = simulate(replace(self.spec, run=run, metric=None)).lr
        return self._curve[:, :n]

    def at_positions(self, positions: np.ndarray) -> np.ndarray:
        """The lr each logged step trains with when the scheduler has been stepped ``positions`` times."""
        curve = self.curve(int(positions.max()) + 1)
        return curve[list(self.groups)][:, positions]

    # -- the list

    def mistakes(self, notes: list[str], first: int | None) -> Iterator[tuple[Mistake, np.ndarray]]:
        spec = self.spec
        run = spec.run
        driven = next((s for s in spec.scheduler.walk() if s.info.steps_on_metric), None)
        if driven is not None:
            notes.append(f"{driven.type} reacts to the metric, so no mistake is simulated for it")
            return
        makers: list[Callable[[], Iterator[tuple[Mistake, np.ndarray]]]] = []
        if spec.family.stepped_by_script and run.step != "fractional":
            makers += [self._stepping, self._k_per_step]
        elif spec.family.stepped_by_script:
            makers += [self._stepping]
        else:
            notes.append(f"{spec.scheduler.info.family} schedules are stepped by their own training loop's rules, so stepping mistakes are not simulated for them")
        makers = [self._readings, *makers, self._one_step_early, self._one_step_late, self._step_counts, self._warmups, lambda: self._resumes(first)]
        for make in makers:
            try:
                yield from make()
            except _Unreachable:
                continue

    def _readings(self):
        """The plan as the config could also mean it where it leaves a choice to a default (a framework
        section module's ``readings``: the release that trained, which the framework's own file does not name)."""
        from .registry import section_family

        for section in self.spec.source:
            family = section_family(section) if isinstance(section, str) else None
            readings = getattr(family.part(family.section_module), "readings", None) if family is not None else None
            for text, short, altered in readings(self.spec.source, section) if readings is not None else ():
                try:
                    other = from_mapping(altered, default_name=self.spec.name, base_dir=self.base_dir)
                except ConfigError:
                    continue
                if other.group_names != self.spec.group_names:
                    continue  # the log's columns are this plan's groups
                yield from self._try(Mistake("reading", text, short), lambda s=other: _at(self.over(s, self.needed), self.groups, self.steps))

    def _stepping(self):
        run = self.spec.run
        spe = run.steps_per_epoch
        if not run.has_epochs or spe == 1:
            return
        if run.step in ("iteration", "fractional"):
            yield from self._try(Mistake("per-epoch", "scheduler.step() was called once per epoch instead of after every batch", "stepped per epoch, not per batch"),
                                 lambda: self.at_positions(self.steps // spe))
        if run.step == "epoch":
            yield from self._try(Mistake("per-batch", "scheduler.step() was called after every batch instead of once per epoch", "stepped per batch, not per epoch"),
                                 lambda: self.at_positions(self.steps))
        if run.step == "fractional":
            yield from self._try(
                Mistake("per-batch", "scheduler.step() was called after every batch without its epoch argument (not step(epoch + i / steps_per_epoch))", "stepped per batch without the epoch"),
                lambda: self.at_positions(self.steps))

    def _k_per_step(self):
        run = self.spec.run
        plan = run.plan
        why: dict[int, str] = {}
        if plan is not None:
            if plan.devices > 1 and plan.grad_accum > 1:
                why[plan.devices * plan.grad_accum] = f"grad_accum {plan.grad_accum} on {plan.devices} devices"
            if plan.grad_accum > 1:
                why[plan.grad_accum] = f"grad_accum is {plan.grad_accum}"
            if plan.devices > 1:
                why[plan.devices] = f"once per process: devices is {plan.devices}"
        for k in sorted(set(_K_CANDIDATES) | set(why)):
            unit = "optimizer step" if run.step == "iteration" else "epoch"
            reason = f" ({why[k]})" if k in why and run.step == "iteration" else ""
            base = k * self.steps if run.step == "iteration" else k * (self.steps // run.steps_per_epoch)
            texts = [(0, f"scheduler.step() was called {k} times per {unit}{reason}")]
            if run.step == "iteration":
                # One call after each of k batches, optimizer.step() on the last: the lr read
                # before it has seen k - 1 more calls.
                texts.append((k - 1, f"scheduler.step() was called after every batch, {k} per optimizer step{reason}"))
            for offset, text in texts:
                yield from self._try(Mistake("k-per-step", text, f"stepped {k} times per {unit}"), lambda p=base + offset: self.at_positions(p))

    def _one_step_early(self):
        mistake = Mistake(
            "one-step-early",
            "the logged lr is one step ahead of the plan: it was read after scheduler.step(), "
            "or scheduler.step() ran before optimizer.step()",
            "the lr one step early",
        )
        yield from self._try(mistake, lambda: _at(self.over(self.spec, self.needed + 1), self.groups, self.steps + 1))

    def _one_step_late(self):
        mistake = Mistake(
            "one-step-late",
            "the log is one step behind the plan: it numbers the optimizer steps from 1 "
            "(say so with --first-step 1), or it logged each lr with the step count already incremented",
            "the lr one step late",
        )
        plan = self.over(self.spec, self.needed)
        yield from self._try(mistake, lambda: np.where(self.steps >= 1, _at(plan, self.groups, np.maximum(self.steps - 1, 0)), np.nan))

    def _step_counts(self):
        """The config re-derived from a training plan whose step count ignored, or counted twice, the
        devices or the gradient accumulation; the run itself took the steps the real plan makes."""
        run = self.spec.run
        source = self.spec.source
        for section, keys in _plan_fields(source):
            plan = source.get(section)
            if not isinstance(plan, Mapping) or (section == "run" and run.plan is None):
                continue
            for key, noun in keys:
                value = plan.get(key, 1)
                if not isinstance(value, int) or isinstance(value, bool) or value < 2:
                    continue
                what = noun.format(value)
                for changed, how in ((1, f"ignoring {what}"), (value * value, f"dividing by {what} twice")):
                    altered = {**source, section: {**plan, key: changed}}
                    try:
                        other = from_mapping(altered, default_name=self.spec.name, base_dir=self.base_dir)
                    except ConfigError:
                        continue
                    if other.run.steps_per_epoch == run.steps_per_epoch:
                        continue
                    text = f"the schedule was sized for {other.run.steps_per_epoch} steps per epoch, {how}; the run had {run.steps_per_epoch}"
                    short = f"sized for {other.run.steps_per_epoch} steps per epoch, not {run.steps_per_epoch}"
                    stepped = replace(other, run=run)
                    yield from self._try(Mistake("step-count", text, short), lambda s=stepped: _at(self.over(s, self.needed), self.groups, self.steps))

    def _warmups(self):
        run = self.spec.run
        spe = run.steps_per_epoch
        if not run.has_epochs or spe == 1:
            return
        sites = _warmup_sites(self.spec.source)
        if not sites:
            return
        length = sites[0][2]
        counted = "steps" if run.step != "epoch" else "epochs"
        other = "epochs" if counted == "steps" else "steps"
        changes = [(length * spe, f"the warmup lasted {length * spe} {counted} instead of {length}: {length} was counted in {other} where {counted} were meant")]
        if length % spe == 0 and length // spe >= 1:
            changes.append((length // spe, f"the warmup lasted {length // spe} {counted} instead of {length}: its {length // spe} {other} were passed as {counted}"))
        for value, text in changes:
            altered = _with_warmup(self.spec.source, sites, length, value)
            try:
                other_spec = from_mapping(altered, default_name=self.spec.name, base_dir=self.base_dir)
            except ConfigError:
                continue
            yield from self._try(Mistake("warmup", text, f"a warmup of {value} {counted}, not {length}"), lambda s=other_spec: _at(self.over(s, self.needed), self.groups, self.steps))

    def _resumes(self, first: int):
        """Resumes at a step R at or before the first point that left the plan (a log that never
        followed the plan shows no run before a resume). Candidates for R are the steps where a
        restarted schedule gives a sample of the diverging points their logged values."""
        spec, run = self.spec, self.spec.run
        spe = run.steps_per_epoch
        if not first:
            return
        plan = self.over(spec, self.needed)
        candidates = np.arange(1, int(self.steps[first]) + 1)
        if run.step == "fractional":
            candidates = candidates[candidates % spe == 0]
        if not candidates.size:
            return

        def shift(k: np.ndarray | int, R: np.ndarray | int):
            # The restarted scheduler counts from R: per epoch, the epochs that ended since R.
            return (k // spe - R // spe) * spe if run.step == "epoch" else k - R

        def restarted(R: int) -> np.ndarray:
            k = self.steps
            return _at(plan, self.groups, np.where(k < R, k, shift(k, R)))

        rows = plan[list(self.groups)]
        # The first diverging points, then points spread over the rest of the log (in a flat stretch
        # of the schedule many resume steps fit the first ones; the later ones tell them apart).
        m = len(self.steps)
        for probes in (np.arange(first, min(first + 8, m)), np.linspace(first, m - 1, 56).astype(np.int64)):
            for i in probes:
                predicted = rows[:, shift(int(self.steps[i]), candidates)]
                candidates = candidates[np.all(np.abs(predicted - self.log.lr[:, i][:, None]) <= self.tolerance * self.scale[:, None], axis=0)]
        chosen = _spread(candidates, spe)
        for R in chosen:
            text = f"the run resumed at {_step_words(spec, int(R))} with a new scheduler: the schedule restarted from its beginning"
            yield from self._try(Mistake("restart", text, f"the schedule restarted at step {R}"), lambda R=R: restarted(int(R)))
        # Replaying torch step by step is the costly one: only when a restart does not explain the log.
        if spec.scheduler.info.family == "torch" and any(s.type in _CHAINABLE for s in spec.scheduler.walk()) and not self.explained:
            for R in _spread(np.union1d(candidates, [int(self.steps[first])]), spe):
                text = (
                    f"the run resumed at {_step_words(spec, int(R))} with the scheduler's state but not the optimizer's: "
                    "the lr restarted from the fresh optimizer's and the scheduler went on from there"
                )
                yield from self._try(
                    Mistake("lost-optimizer", text, f"resumed at step {R} without the optimizer's state"), lambda R=R: _at(_resumed_without_optimizer(spec, int(R), self.needed), self.groups, self.steps)
                )

    def _try(self, mistake: Mistake, make: Callable[[], np.ndarray]):
        """One mistake's lr at the logged steps; a mistake torch could not have run is skipped."""
        if (mistake.key, mistake.text) in self.skip:
            return
        try:
            values = make()
        except ConfigError:
            return  # torch would raise before the log's last step: the run could not have logged it
        yield mistake, values


class _Unreachable(Exception):
    """A mistake too costly to simulate over this log."""


def _spread(candidates: np.ndarray, spe: int) -> list[int]:
    """A few resume steps from many that fit the first point: the first, an epoch boundary, the last."""
    if candidates.size <= _RESUME_CANDIDATES:
        return [int(c) for c in candidates]
    boundary = candidates[candidates % spe == 0]
    picks = [int(candidates[0]), int(boundary[0]) if boundary.size else None, int(candidates[-1])]
    return list(dict.fromkeys(p for p in picks if p is not None))


# ----------------------------------------------------------------------------------------------
# A resume that lost the optimizer's state


def _resumed_without_optimizer(spec: Spec, R: int, n: int) -> np.ndarray:
    """torch's lr when a run resumes at optimizer step R with a new optimizer, a new scheduler built
    on it, and ``scheduler.load_state_dict()`` of the saved one but no ``optimizer.load_state_dict()``:
    the what-if engine's ``scheduler_only`` resume (recorded from real torch), over ``n`` steps.

    The new scheduler's construction sets the optimizer's lr to the schedule's first value; the
    loaded state brings back ``last_epoch`` and the rest, and the chainable schedulers then multiply
    that first value onwards (a StepLR jumps back up until its next milestone).
    """
    from .engine.whatif import resumes

    if n > MAX_STEPS:
        raise _Unreachable(f"it needs {n:,} steps simulated")
    run = spec.run
    if run.step == "epoch" and R % run.steps_per_epoch:
        raise ConfigError("run", "a checkpoint of a run stepped per epoch is saved at an epoch's end")
    at = R // run.steps_per_epoch if run.step == "epoch" else R
    trace = simulate(replace(spec, run=replace(run, total_steps=max(n, R + 1), resume=None), metric=None))
    (outcome,) = resumes(trace, at, ("scheduler_only",))
    if outcome.error is not None:
        raise ConfigError(spec.scheduler.path, f"torch raises here ({outcome.error})")
    return outcome.lr[:, :n]


# ----------------------------------------------------------------------------------------------
# Warmups in a config, as written


_WARMUP_KEYS = ("num_warmup_steps", "warmup_t", "warmup_steps", "warmup_iters", "warmup_epochs")


def _warmup_sites(source: Mapping[str, Any]) -> list[tuple[Any, Any, int]]:
    """Where the config writes its warmup's length: (container, key, value), all of one length.

    A var named like ``warmup``; a SequentialLR whose first child ramps (LinearLR, ConstantLR) with
    its first milestone at the child's ``total_iters``; a lone LinearLR or ConstantLR; a framework's
    warmup keyword (``num_warmup_steps``, ``warmup_t``, ``transformers.warmup_steps``).
    """
    sites: list[tuple[Any, Any, int]] = []

    def whole(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 1

    for key, value in (source.get("vars") or {}).items():
        if "warmup" in str(key).lower() and whole(value):
            sites.append((("vars",), key, value))

    def walk(node: Any, path: tuple) -> None:
        if not isinstance(node, Mapping):
            return
        info = lookup(node.get("type")) if isinstance(node.get("type"), str) else None
        name = info.name if info is not None else None
        children = node.get("schedulers") if isinstance(node.get("schedulers"), list) else []
        if name == "SequentialLR" and children and isinstance(children[0], Mapping):
            first = lookup(children[0].get("type")) if isinstance(children[0].get("type"), str) else None
            milestones = node.get("milestones")
            length = children[0].get("total_iters")
            if first is not None and first.name in ("LinearLR", "ConstantLR") and whole(length) and isinstance(milestones, list) and milestones and milestones[0] == length:
                sites.append((path + ("schedulers", 0), "total_iters", length))
                sites.append((path + ("milestones",), 0, length))
        elif name in ("LinearLR", "ConstantLR") and not path[1:] and whole(node.get("total_iters")):
            sites.append((path, "total_iters", node["total_iters"]))
        for key in _WARMUP_KEYS:
            if whole(node.get(key)):
                sites.append((path, key, node[key]))
        for i, child in enumerate(children):
            walk(child, path + ("schedulers", i))

    walk(source.get("scheduler"), ("scheduler",))
    from .config import SECTIONS

    for section in SECTIONS:  # a framework section's own warmup length (transformers' warmup_steps, timm's warmup_epochs)
        node = source.get(section)
        if isinstance(node, Mapping):
            for key in _WARMUP_KEYS:
                if whole(node.get(key)):
                    sites.append(((section,), key, node[key]))
    if not sites:
        return []
    length = sites[0][2]
    return [s for s in sites if s[2] == length]


def _with_warmup(source: Mapping[str, Any], sites, length: int, value: int) -> dict:
    data = copy.deepcopy(_plain(source))
    for path, key, _ in sites:
        node = data
        for part in path:
            node = node[part]
        node[key] = value
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ----------------------------------------------------------------------------------------------
# The figure

MAX_DRAWN_RATIO = 1e100  # a logged lr this many times the plan's peak, or more, has no figure


def figure_refusal(verdict: Verdict) -> str | None:
    """Why no figure can show this verdict (a logged lr of 1e308 against a plan of 0.1: no axis
    holds both, and the residual overflows), or None; the report still says how the run diverged."""
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = np.abs(verdict.log.lr - np.nan_to_num(verdict.planned)) / verdict.scale[:, None]
    bad = ~(ratio < MAX_DRAWN_RATIO)
    if not bad.any():
        return None
    c, i = (int(a[0]) for a in np.nonzero(bad))
    return (f"the log's lr {verdict.log.lr[c, i]:.6g} at step {int(verdict.log.step[i]):,} is beyond {MAX_DRAWN_RATIO:g} times the "
            f"plan's peak lr ({verdict.scale[c]:.6g}): no figure shows both; leave out -o (the report says where it diverged)")


# ----------------------------------------------------------------------------------------------
# The report


def report(verdict: Verdict) -> str:
    """The verdict in a few lines: followed the plan, or the first divergence and its explanation."""
    log, spec = verdict.log, verdict.spec
    run = spec.run
    lines = [f"log:  {log.path}: {log.describe()}"]
    stepped = {"iteration": "after every optimizer step", "epoch": "once per epoch", "fractional": "after every optimizer step with a fractional epoch"}[run.step]
    epochs = f" ({run.epoch_count:g} epochs of {run.steps_per_epoch})" if run.has_epochs and run.steps_per_epoch > 1 else ""
    lines.append(f"plan: {spec.name}: {run.total_steps:,} optimizer steps{epochs}, scheduler stepped {stepped}")
    if len(log.columns) == 1 and len(spec.group_names) > 1:
        lines.append(f"      (one lr logged: compared with param group {spec.group_names[0]!r})")
    n = len(log)
    tol = f"{verdict.tolerance:g} of the peak lr"
    if verdict.followed:
        worst = np.nanmax(verdict.residual(verdict.planned))
        points = f"all {n:,} logged points" if n != 1 else "its one logged point"
        lines.append(f"FOLLOWED THE PLAN: {points} within {tol} (largest difference {worst:.2g})")
        lines += [f"      note: {note}" for note in verdict.notes]
        return "\n".join(lines) + "\n"
    i = verdict.first
    assert i is not None
    k = int(log.step[i])
    where = _step_words(spec, k)
    off = int((~verdict.within).sum())
    g = int(np.nanargmax(np.where(np.isnan(verdict.planned[:, i]), np.inf, np.abs(log.lr[:, i] - verdict.planned[:, i]))))
    column = f" ({log.columns[g]})" if len(log.columns) > 1 else ""
    if np.isnan(verdict.planned[g, i]):
        lines.append(f"DIVERGED at {where}: the log goes on past the plan's last step ({run.total_steps - 1:,}); logged {log.lr[g, i]:.6g}{column}")
    else:
        lines.append(f"DIVERGED at {where}: planned {verdict.planned[g, i]:.6g}, logged {log.lr[g, i]:.6g}{column}")
    lines.append(f"      {off:,} of {n:,} logged points differ from the plan by more than {tol}")
    best = verdict.best
    if best is not None:
        lines.append(f"EXPLAINED: {best.mistake.text}")
        lines.append(f"      simulated, it matches all {best.total:,} logged points (largest difference {best.max_residual:.2g})")
    elif verdict.fits:
        closest = verdict.fits[0]
        lines.append(f"NOT EXPLAINED: none of the {len(verdict.fits)} known mistakes tried matches the whole log")
        first = "" if closest.total == n else "the first "
        lines.append(f"      closest: {closest.mistake.text} (it matches {closest.matched:,} of {first}{closest.total:,} logged points)")
    else:
        lines.append("NOT EXPLAINED: no known mistake changes what this log shows")
    for note in verdict.notes:
        lines.append(f"      note: {note}")
    return "\n".join(lines) + "\n"


def _step_words(spec: Spec, k: int) -> str:
    run = spec.run
    if run.has_epochs and run.steps_per_epoch > 1:
        epoch, i = divmod(k, run.steps_per_epoch)
        return f"optimizer step {k:,} (epoch {epoch}, step {i} of {run.steps_per_epoch})"
    if run.has_epochs and run.unit == "epoch":
        return f"epoch {k:,}"
    return f"optimizer step {k:,}"
