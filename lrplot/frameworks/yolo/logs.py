"""YOLO's own log: the ``results.csv`` ultralytics and YOLOv5 write into a run's folder, one row per epoch.

- ultralytics (``BaseTrainer.save_metrics``): a header ``epoch,time,...,lr/pg0,lr/pg1,...``, rows
  ``%.6g``, the epoch counted from 1 (``self.epoch + 1``); one ``lr/pgN`` per param group (3, or 8
  under MuSGD).
- YOLOv5 (``Loggers.on_fit_epoch_end``): a header padded to 20 characters a column (``%20s``), rows
  ``%20.5g``, the epoch counted from 0, the lrs as ``x/lr0``, ``x/lr1``, ``x/lr2``.

Six (five) significant digits round an lr by up to 5e-6 (5e-5) of it, more than verify's default
tolerance: the log says so (``RunLog.digits``) and verify allows that rounding.

Both log each group's ``x["lr"]`` after the epoch's last batch, before the next ``scheduler.step()``:
the lr the epoch's last batch trained with (``RunLog(per_epoch="last")``). A run folder holds the
plan too: ultralytics' ``args.yaml``, or YOLOv5's ``opt.yaml``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from ...dashboards import Logging
from ...errors import ConfigError
from ...runlog import LogRequest, RunLog, assemble, choose_lr, decode, read_bytes

LOG_FORMATS = "results.csv (ultralytics' lr/pgN or YOLOv5's x/lrN columns), or the run folder holding it with args.yaml or opt.yaml"
_ULTRALYTICS_LR = re.compile(r"^lr/pg(\d+)$")
_YOLOV5_LR = re.compile(r"^x/lr(\d+)$")
_HEADER_BYTES = 1 << 16


def _header(path: Path) -> list[str] | None:
    try:
        with path.open("rb") as f:
            first = f.read(_HEADER_BYTES).split(b"\n", 1)[0]
    except OSError:
        return None
    try:
        return [c.strip() for c in first.decode("utf-8-sig").split(",")]
    except UnicodeDecodeError:
        return None


def _layout(names: list[str] | None) -> str | None:
    if not names:
        return None
    if names[0] == "epoch" and any(_ULTRALYTICS_LR.match(n) for n in names):
        return "ultralytics"
    if names[0] == "epoch" and any(_YOLOV5_LR.match(n) for n in names):
        return "yolov5"
    return None


def claims_log(path: Path) -> bool:
    if path.is_dir():
        return _folder_log(path) is not None
    return path.name == "results.csv" and path.is_file() and _layout(_header(path)) is not None


def _folder_log(folder: Path) -> Path | None:
    log = folder / "results.csv"
    return log if log.is_file() and _layout(_header(log)) is not None else None


def read_log(path: Path, where: str, request: LogRequest) -> RunLog:
    if path.is_dir():
        path = path / "results.csv"
    text = decode(read_bytes(path, where), where)
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ConfigError(where, "is empty")
    names = [c.strip() for c in rows[0]]
    layout = _layout(names)
    if layout is None:
        raise ConfigError(where, "has no lr/pgN (ultralytics) or x/lrN (YOLOv5) column after an epoch column; not a YOLO results.csv")
    if request.first_step is not None or request.step_column is not None:
        raise ConfigError("--first-step" if request.first_step is not None else "--step-column",
                          "a YOLO results.csv numbers its rows by epoch itself; drop the option")
    pattern = _ULTRALYTICS_LR if layout == "ultralytics" else _YOLOV5_LR
    own = sorted((n for n in names if pattern.match(n)), key=lambda n: int(pattern.match(n).group(1)))
    lr_names = choose_lr(names, request.columns or own, where)
    body = [r for r in rows[1:] if any(c.strip() for c in r)]
    index = {n: i for i, n in enumerate(names)}
    short = next((i for i, r in enumerate(body) if len(r) < len(names)), None)
    if short is not None:
        raise ConfigError(where, f"line {short + 2} has {len(body[short])} fields, the header {len(names)}")
    steps = [r[0] for r in body]
    values = [[r[index[n]] for r in body] for n in lr_names]
    first = 1 if layout == "ultralytics" else 0
    kind = "ultralytics results.csv" if layout == "ultralytics" else "YOLOv5 results.csv (5 significant digits)"
    log = assemble(where, kind, lr_names, steps, values, first, line_offset=2)
    return replace(log, per_epoch="last", digits=6 if layout == "ultralytics" else 5)


def run_folder(folder: Path) -> tuple[Path, Path] | None:
    """A run folder: its results.csv with the args.yaml (ultralytics) or opt.yaml (YOLOv5) beside it."""
    log = _folder_log(folder)
    if log is None:
        return None
    for name in ("args.yaml", "opt.yaml"):
        if (folder / name).is_file():
            return folder / name, log
    return None


def dashboard(spec) -> Logging:
    """Both log each group's lr once per epoch, the lr the epoch's last batch trained with:
    ultralytics' TensorBoard callback as ``lr/pgN`` at ``epoch + 1`` (``on_train_epoch_end``),
    YOLOv5's Loggers as ``x/lrN`` at the 0-based epoch. Neither logs the momentum its warmup moves;
    it goes beside them."""
    n = range(len(spec.group_names))
    if spec.scheduler.type == "yolo.yolov5":
        return Logging(tuple(f"x/lr{g}" for g in n), tuple(f"x/momentum{g}" for g in n), first_step=0, per_epoch=True)
    return Logging(tuple(f"lr/pg{g}" for g in n), tuple(f"momentum/pg{g}" for g in n), first_step=1, per_epoch=True)
