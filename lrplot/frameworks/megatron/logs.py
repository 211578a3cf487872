"""Megatron-LM's own log: the TensorBoard run ``--tensorboard-dir`` holds (W&B gets the same scalars).

training.py's ``training_log`` writes ``learning-rate`` at ``iteration`` and ``learning-rate vs samples``
at ``consumed_train_samples``, after ``train_step`` stepped the scheduler and the iteration count
moved on: the value logged at iteration i (counted from 1, as Megatron prints it) is the lr of the
next iteration, i.e. of optimizer step i counted from 0. So step s of the log is optimizer step s,
and the lr of the first step (iteration 1) is never logged. A run is recognised by its
``learning-rate vs samples`` scalar, which only Megatron writes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ...dashboards import Logging, per_group
from ...errors import ConfigError
from ...runlog import TENSORBOARD_HINT, LogRequest, RunLog, from_scalars, read_scalars

LOG_FORMATS = "a Megatron-LM TensorBoard run (learning-rate per iteration)"
_MARK = b"learning-rate vs samples"
_PEEK = 4 << 20  # the first scalars of a run are near the start of its event file


def event_files(path: Path) -> list[Path]:
    """The event files of a run: the file itself, or those directly in the folder."""
    if path.is_dir():
        return sorted(f for f in path.iterdir() if f.name.startswith("events.out.tfevents") and f.is_file())
    return [path] if path.name.startswith("events.out.tfevents") and path.is_file() else []


def mentions(path: Path, mark: bytes) -> bool:
    """Whether a run's event files hold ``mark`` (a scalar's tag) near their start: a cheap look, no reader."""
    for f in event_files(path):
        with open(f, "rb") as fh:
            if mark in fh.read(_PEEK):
                return True
    return False


def claims_log(path: Path) -> bool:
    return mentions(path, _MARK)


def scalars(path: Path, where: str) -> dict:
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        raise ConfigError(where, TENSORBOARD_HINT) from None
    return read_scalars(event_files(path), event_accumulator)


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    found = scalars(path, where)
    name = request.columns[0] if request.columns else "learning-rate"
    if name not in found:
        raise ConfigError(where, f"has no {name!r} scalar; Megatron logs the lr as learning-rate (it has {', '.join(sorted(found))})")
    if request.first_step not in (None, 0):
        raise ConfigError("--first-step", "Megatron logs at iteration i the lr of optimizer step i (the next iteration's): drop --first-step")
    log = from_scalars(where, {name: found[name]}, first_step=0,
                        kind="Megatron-LM TensorBoard (learning-rate after each iteration's step: the next iteration's lr)")
    return replace(log, after_run_end=True)


def run_folder(folder: Path) -> None:
    """A TensorBoard folder holds the log but not the launch script: give both."""
    return None


def dashboard(spec) -> Logging:
    """training_log writes ``learning-rate`` at the iteration (from 1) after the scheduler stepped: the
    lr of optimizer step i (from 0) at step i. The other groups and the momentum go beside it."""
    return Logging(per_group(spec, "learning-rate", "learning-rate/{}", first="learning-rate"), per_group(spec, "momentum", "momentum/{}"))
