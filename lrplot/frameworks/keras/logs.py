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
    """A CSV whose header starts with ``epoch`` and holds ``learning_rate`` (and no step column: that is a per-step log)."""
    if not path.is_file() or path.suffix.lower() not in (".csv", ".log", ".tsv", ".txt"):
        return False
    header = _header(path)
    return bool(header) and header[0] == "epoch" and "learning_rate" in header and not any(n in header for n in _NOT_A_STEP)


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if request.step_column is not None:
        raise ConfigError("--step-column", "CSVLogger numbers its rows by epoch (the epoch column); drop --step-column")
    if request.first_step not in (None, 0):
        raise ConfigError("--first-step", "CSVLogger numbers epochs from 0; drop --first-step")
    text = decode(read_bytes(path, where), where)
    rows = list(csv.reader(text.splitlines()))
    header = [c.strip() for c in rows[0]]
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
