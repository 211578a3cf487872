"""Keras' own log: the CSV ``keras.callbacks.CSVLogger`` writes, one row per epoch.

Its header is the sorted names of the epoch's logs, ``epoch`` first; ``learning_rate`` is among them
when a callback before it put the optimizer's lr into the logs (``ReduceLROnPlateau`` and
``LearningRateScheduler`` do; so does a callback of one line). They read
``optimizer.learning_rate`` as the epoch ends, which for a schedule is ``schedule(iterations)``
with the epoch's updates already counted: the lr the next epoch's first step trains with
(``per_epoch="after"``). Epochs are numbered from 0. The file name is the user's (``training.log``,
``log.csv``), so lrplot recognizes it by its header, never by its name.
"""

from __future__ import annotations

import csv
from dataclasses import replace
from pathlib import Path

from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, assemble, choose_lr, decode, read_bytes

LOG_FORMATS = "the CSV of keras.callbacks.CSVLogger (epoch, learning_rate, ...)"
_NOT_A_STEP = ("step", "Step", "global_step", "iteration", "_step")


def _header(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as f:
            first = f.readline(1 << 16)
    except OSError:
        return None
    try:
        row = next(csv.reader([first.decode("utf-8-sig").rstrip("\r\n")]))
    except (UnicodeDecodeError, csv.Error, StopIteration):
        return None
    return [c.strip() for c in row]


def claims_log(path: Path) -> bool:
    """A CSV whose header starts with ``epoch`` and holds ``learning_rate`` (and no step column: that is a per-step log);
    or, with ``loss`` and no column named like an lr, CSVLogger's log of a run that put no lr in its logs (to say so)."""
    if not path.is_file() or path.suffix.lower() not in (".csv", ".log", ".tsv", ".txt"):
        return False
    header = _header(path)
    if not header or header[0] != "epoch" or any(n in header for n in _NOT_A_STEP):
        return False
    return "learning_rate" in header or _without_lr(header)


def _without_lr(header: list[str]) -> bool:
    """Keras' default CSVLogger log (``epoch,loss,val_loss``, the metrics): the losses, no lr at all."""
    return "loss" in header and not any("lr" in n.lower() or "learning_rate" in n.lower() for n in header)


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if request.step_column is not None:
        raise ConfigError("--step-column", "CSVLogger numbers its rows by epoch (the epoch column); drop --step-column")
    if request.first_step not in (None, 0):
        raise ConfigError("--first-step", "CSVLogger numbers epochs from 0; drop --first-step")
    text = decode(read_bytes(path, where), where)
    rows = list(csv.reader(text.splitlines()))
    header = [c.strip() for c in rows[0]]
    if _without_lr(header) and not request.columns:
        raise ConfigError(
            where,
            f"is a Keras CSVLogger log ({', '.join(header)}) with no learning_rate column: Keras 3.15 logs the lr only when a "
            "callback before CSVLogger puts it in the epoch's logs (ReduceLROnPlateau and LearningRateScheduler do; "
            "LearningRateScheduler also sets the lr, which an optimizer built with a LearningRateSchedule refuses). With a "
            "schedule, put keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: logs.update(learning_rate=float("
            "keras.ops.convert_to_numpy(model.optimizer.learning_rate)))) before the CSVLogger in callbacks=[...] and train again",
        )
    names = [n for n in header if n != "epoch"]
    lr_names = choose_lr(names, request.columns or ["learning_rate"], where)
    if len(lr_names) != 1:
        raise ConfigError("--column", "a Keras optimizer has one learning rate; name one column")
    column = header.index(lr_names[0])
    body = [r for r in rows[1:] if r]
    epochs = [r[0] if r else "" for r in body]
    values = [[r[column] if column < len(r) else "" for r in body]]
    log = assemble(where, "Keras CSVLogger", lr_names, epochs, values, 0, line_offset=2)
    return replace(log, per_epoch="after")


def run_folder(folder: Path) -> None:
    """Keras writes no config beside its log: there is no run folder to pair."""
    return None
