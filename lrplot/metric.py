"""Metrics for ReduceLROnPlateau: seeded synthetic training curves, and replayed CSV logs.

A synthetic metric is either closed-loop (``closed_loop``: it responds to the lr the schedule
chooses, so each reduction visibly unlocks further progress) or a fixed teaching shape
(``exp_decay``, ``steps``, ``noisy``). Everything here is plain Python floats with its own seeded
generator, so lrplot's engine and a real torch run (the golden recorder) see the same values for
the same lrs.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Mapping

from .frozen import record
from .errors import ConfigError
from .values import integer, key_path, number, suggest

MODELS = ("closed_loop", "exp_decay", "steps", "noisy")
MAX_LOG_BYTES = 64 << 20


@record
class SyntheticParam:
    name: str
    default: Any
    doc: str


# Defaults describe a validation loss (mode min); for mode max they describe an accuracy.
SYNTHETIC_PARAMS: tuple[SyntheticParam, ...] = (
    SyntheticParam("model", "closed_loop", "closed_loop (reacts to the lr), exp_decay, steps or noisy"),
    SyntheticParam("mode", None, "min (a loss) or max (an accuracy); default: the scheduler's mode"),
    SyntheticParam("initial", None, "metric before training (default 2.0 for min, 0.1 for max)"),
    SyntheticParam("floor", None, "best value reachable with lr -> 0 (default 0.1 for min, 0.95 for max)"),
    SyntheticParam("rate", 0.15, "fraction of the gap to the floor closed per step at the initial lr"),
    SyntheticParam("lr_floor", 0.4, "closed_loop: how far the initial lr holds the metric off its floor"),
    SyntheticParam("noise", 0.01, "standard deviation of the seeded Gaussian noise (noisy: 5x)"),
    SyntheticParam("every", 10, "steps: steps between improvements"),
    SyntheticParam("seed", 0, "seed of the noise"),
)


@record
class SyntheticSpec:
    model: str
    mode: str
    initial: float
    floor: float
    rate: float
    lr_floor: float
    noise: float
    every: int
    seed: int


def synthetic_spec(data: Any, path: str, scheduler_mode: str) -> SyntheticSpec:
    """Validate ``metric.synthetic`` (a mapping, or true / a model name for the defaults)."""
    if data is True or data is None:
        data = {}
    elif isinstance(data, str):
        data = {"model": data}
    if not isinstance(data, Mapping):
        raise ConfigError(path, f"must be a mapping of {', '.join(p.name for p in SYNTHETIC_PARAMS)}, or true")
    known = {p.name for p in SYNTHETIC_PARAMS}
    for key in data:
        if key not in known:
            raise ConfigError(key_path(path, key), f"unknown key{suggest(key, known)}; synthetic takes {', '.join(sorted(known))}")
    values = {p.name: data.get(p.name, p.default) for p in SYNTHETIC_PARAMS}
    if values["model"] not in MODELS:
        raise ConfigError(f"{path}.model", f"must be one of {', '.join(MODELS)}, got {values['model']!r}")
    mode = values["mode"] or scheduler_mode
    if mode not in ("min", "max"):
        raise ConfigError(f"{path}.mode", f"must be min or max, got {mode!r}")
    values["mode"] = mode
    if values["initial"] is None:
        values["initial"] = 2.0 if mode == "min" else 0.1
    if values["floor"] is None:
        values["floor"] = 0.1 if mode == "min" else 0.95
    for key in ("initial", "floor", "rate", "lr_floor", "noise"):
        values[key] = number(values[key], f"{path}.{key}")
    for key in ("rate", "lr_floor", "noise"):
        if values[key] < 0:
            raise ConfigError(f"{path}.{key}", f"must be >= 0, got {values[key]}")
    if values["rate"] > 1:
        raise ConfigError(f"{path}.rate", f"must be <= 1 (the share of the gap closed per step), got {values['rate']}")
    for key in ("every", "seed"):
        values[key] = integer(values[key], f"{path}.{key}")
    if values["every"] < 1:
        raise ConfigError(f"{path}.every", f"must be >= 1, got {values['every']}")
    return SyntheticSpec(**values)


class _Gauss:
    """Seeded standard normal draws from ``random.random`` (whose sequence Python guarantees)."""

    def __init__(self, seed: int):
        import random

        self._random = random.Random(seed).random

    def __call__(self) -> float:
        u1 = 1.0 - self._random()  # (0, 1]: log is finite
        u2 = self._random()
        return math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


class SyntheticMetric:
    """One metric value per scheduler step, given the lr the step trained with."""

    def __init__(self, spec: SyntheticSpec, initial_lr: float):
        self.spec = spec
        self.lr0 = initial_lr if initial_lr > 0 else 1.0
        self.value = spec.initial
        self.steps = 0
        self.gauss = _Gauss(spec.seed)

    def next(self, lr: float) -> float:
        s = self.spec
        self.steps += 1
        k = self.steps
        if s.model == "closed_loop":
            # Progress proportional to the lr, towards a floor that the lr itself holds up (SGD's
            # noise ball): lowering the lr slows progress but lowers the floor.
            ratio = lr / self.lr0
            sign = 1.0 if s.mode == "min" else -1.0
            target = s.floor + sign * s.lr_floor * ratio
            step = min(1.0, s.rate * ratio)
            self.value = self.value + step * (target - self.value)
            return self.value + s.noise * self.gauss()
        if s.model == "steps":
            # Improves in jumps every `every` steps, flat in between: plateaus to react to.
            level = s.floor + (s.initial - s.floor) * (1.0 - s.rate) ** (k // s.every)
            return level + s.noise * self.gauss()
        noise = s.noise * (5.0 if s.model == "noisy" else 1.0)
        return s.floor + (s.initial - s.floor) * math.exp(-s.rate * k) + noise * self.gauss()


# ----------------------------------------------------------------------------------------------
# Replaying logs


def read_log(path: Path, column: Any, epoch_column: Any, where: str, needed: int) -> list[float]:
    """The first ``needed`` values of ``column``, one per row or (with ``epoch_column``) one per epoch.

    Reads the CSVs that pandas, Keras' CSVLogger, Lightning's CSVLogger and TensorBoard's scalar
    export write. With ``epoch_column``, the last value logged in each epoch is taken, and rows
    without a value are skipped (Lightning logs training and validation rows separately). Rows are
    parsed one at a time and only the values the run uses are kept, so a log of millions of rows
    costs no more memory than the run's metric.
    """
    from .files import read_limited, shown

    if not isinstance(column, str) or not column:
        raise ConfigError(f"{where}.column", "name the column to replay, like column: val_loss")
    if epoch_column is not None and not isinstance(epoch_column, str):
        raise ConfigError(f"{where}.epoch_column", "must be a column name")
    import csv
    import io

    name = shown(path)
    raw = read_limited(path, MAX_LOG_BYTES, f"{where}.csv", "metric logs")
    # Decoded and split as it is read: memory holds the file's bytes and the values kept, never
    # a copy of the text per row.
    rows = csv.reader(io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8-sig", newline=""))
    try:
        header = [h.strip() for h in next(rows, [])]
        if not any(header):
            raise ConfigError(f"{where}.csv", f"{name} is empty or has no header row")
        index = _column_index(header, column, f"{where}.column", name)
        epoch_index = None if epoch_column is None else _column_index(header, epoch_column, f"{where}.epoch_column", name)
        if needed == 0:  # a run shorter than its first scheduler step reads no value
            return []
        if epoch_index is None:
            return _per_row(rows, index, column, where, name, needed)
        return _per_epoch(rows, index, epoch_index, column, epoch_column, where, name, needed)
    except csv.Error as exc:
        raise ConfigError(f"{where}.csv", f"{name} is not a readable CSV: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}.csv", f"{name} is not UTF-8 text") from None


# Both loops below take a fast path for the rows of a well-formed log (a log may hold tens of
# millions of rows) and work out the exact message only for a row that fails it.


def _per_row(rows, index: int, column: str, where: str, name: str, needed: int) -> list[float]:
    values: list[float] = []
    finite = math.isfinite
    for n, row in enumerate(rows, start=2):
        try:
            value = float(row[index])
        except (IndexError, ValueError):
            value = math.inf
        if not finite(value):  # empty, not a number, infinite, or NaN (kept: torch counts it as a bad epoch)
            cell = row[index].strip() if index < len(row) else ""
            if not cell:
                raise ConfigError(
                    f"{where}.csv",
                    f"{name} line {n} has no {column!r} value; give epoch_column to take one value per epoch "
                    "(logs like Lightning's leave validation cells empty on training rows)",
                )
            value = _number(cell, name, n, column, where)
        values.append(value)
        if len(values) == needed:  # the rest of the log is after the run ends
            break
    return values


def _per_epoch(rows, index: int, epoch_index: int, column: str, epoch_column: str, where: str, name: str, needed: int) -> list[float]:
    # The run uses the epochs lowest .. lowest + needed - 1 (lowest: the smallest in the log).
    # The smallest seen so far only decreases, so an epoch at or past it + needed is never used:
    # such rows are not kept, and the kept ones are pruned when they outgrow twice the run.
    per_epoch: dict[float, float] = {}
    lowest = math.inf
    finite = math.isfinite
    for n, row in enumerate(rows, start=2):
        try:
            epoch, value = float(row[epoch_index]), float(row[index])
        except (IndexError, ValueError):
            epoch = value = math.inf
        if not (finite(epoch) and finite(value)):
            cell = row[index].strip() if index < len(row) else ""
            epoch_cell = row[epoch_index].strip() if epoch_index < len(row) else ""
            if not cell or not epoch_cell:
                continue  # Lightning's training rows have no validation value
            epoch = _number(epoch_cell, name, n, epoch_column, where)
            if epoch != epoch:
                raise ConfigError(f"{where}.csv", f"{name} line {n}: {epoch_column!r} is NaN, not an epoch")
            value = _number(cell, name, n, column, where)
        if epoch < lowest:
            lowest = epoch
        if epoch < lowest + needed:
            per_epoch[epoch] = value  # the last one logged wins
            if len(per_epoch) > 2 * needed:
                per_epoch = {e: v for e, v in per_epoch.items() if e < lowest + needed}
                if len(per_epoch) > needed:  # more epochs than a window of `needed` holds one apart
                    _check_one_apart(sorted(per_epoch), column, where, name)
    if not per_epoch:
        raise ConfigError(f"{where}.csv", f"{name} has no row with both {column!r} and {epoch_column!r}")
    epochs = sorted(e for e in per_epoch if e < lowest + needed)
    _check_one_apart(epochs, column, where, name)
    return [per_epoch[e] for e in epochs]


def _check_one_apart(epochs: list[float], column: str, where: str, name: str) -> None:
    gaps = [b for a, b in zip(epochs, epochs[1:]) if b - a != 1]
    if gaps:
        raise ConfigError(f"{where}.csv", f"{name} has no {column!r} value for the epoch before {gaps[0]:g}; one value per epoch is needed")


def _column_index(header: list[str], name: str, where: str, path: str) -> int:
    if name in header:
        return header.index(name)
    shown = ", ".join(repr(h) for h in header if h) or "none"
    raise ConfigError(where, f"{path} has no column {name!r}{suggest(name, [h for h in header if h])}; its columns are {shown}")


def _number(cell: str, path: str, line: int, column: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        shown = cell if len(cell) <= 40 else cell[:37] + "..."
        raise ConfigError(f"{where}.csv", f"{path} line {line}: {column!r} is {shown!r}, not a number") from None
    if math.isinf(value):
        raise ConfigError(f"{where}.csv", f"{path} line {line}: {column!r} is infinite")
    return value  # NaN stays: torch's ReduceLROnPlateau counts it as a bad epoch


class MetricFeed:
    """The metric for each scheduler step: the given values in turn, or the synthetic model's answer
    to the lr that step trained with (group 0's)."""

    def __init__(self, spec: Any, initial_lr: float):
        self._values = iter(spec.values) if spec.values is not None else None
        self._model = SyntheticMetric(spec.synthetic, initial_lr) if spec.synthetic is not None else None
        self.fed: list[float] = []

    def next(self, lr: float) -> float:
        value = next(self._values) if self._values is not None else self._model.next(lr)
        self.fed.append(value)
        return value
