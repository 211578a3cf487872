"""Logged runs: the lr a real training run wrote, read from the file the tool itself writes.

One :class:`RunLog` per log: the step numbers the log records, the optimizer step each one is (the
tools number steps differently, see ``first_step``), and the lr of each param group there. Formats:

- CSV: PyTorch Lightning's CSVLogger ``metrics.csv`` (LearningRateMonitor's ``lr-<Optimizer>`` or
  ``lr-<Optimizer>/<group>`` columns), a W&B chart's "Export CSV" (``Step``, ``<run> - <key>``,
  with ``__MIN``/``__MAX`` columns), ``lrplot export``'s CSV, or any CSV with a step and an lr column;
- transformers' ``trainer_state.json`` (``log_history`` entries with ``learning_rate`` and ``step``),
  or the folder holding it (an output folder: its latest ``checkpoint-N``);
- TensorBoard event files or run folders, through the ``tensorboard`` package's own reader (an
  optional extra: ``pip install 'lrplot[tensorboard]'``);
- JSON lines, one object per line with a step and an lr field.

Which lr and which step each tool records (DESIGN.md's convention is the lr optimizer step k trains
with, k from 0):

- Lightning's LearningRateMonitor reads the optimizer's lr in ``on_train_batch_start`` (or
  ``on_train_epoch_start`` for schedulers stepped per epoch) and logs it with
  ``step=_batches_that_stepped``, the optimizer steps already taken: step s is optimizer step s.
- transformers 5.23's Trainer logs the lr a step trained with, under the already incremented
  ``global_step``: step s is optimizer step s - 1. Its TensorBoard and W&B callbacks log the same
  value as ``train/learning_rate``, numbered the same way, so that name means steps from 1 too.
- A hand-written loop logs what its author wrote; the convention assumed is the common one, the lr
  read before ``optimizer.step()`` logged with the 0-based step (``--first-step 1`` says otherwise).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from .config import MAX_STEPS, RunSpec
from .errors import ConfigError
from .files import read_limited, user_path
from .values import suggest

MAX_LOG_BYTES = 1 << 30
# The names tools give the lr, after any W&B "<run> - " prefix and "train/" style path: lr,
# learning_rate, Lightning's lr-<Optimizer>[/<group>], lrplot's own lr_<group>.
_LR_NAME = re.compile(r"^(?:.*/)?(?:lr|learning[_-]?rate)$|^(?:.*/)?lr[-_][^/]+(?:/[^/]+)?$", re.I)
_NOT_LR = re.compile(r"(?:-momentum|-weight_decay|__MIN|__MAX)$")
_STEP_NAMES = ("step", "Step", "global_step", "trainer/global_step", "train/global_step", "_step", "iteration", "iter")
# Names transformers' own loggers use: numbered from 1, like trainer_state.json.
_TRANSFORMERS_NAMES = ("train/learning_rate", "train/global_step")
TENSORBOARD_HINT = "reading TensorBoard event files needs the tensorboard package: pip install 'lrplot[tensorboard]'"


@dataclass(frozen=True)
class LogRequest:
    """What the user said about a log: its lr columns (one per param group), its step column, and
    the log's number for the first optimizer step (0 or 1); None where the format or the names decide."""

    columns: tuple[str, ...] = ()
    step_column: str | None = None
    first_step: int | None = None


@dataclass(frozen=True, eq=False)
class RunLog:
    """The lr a run logged, at the steps it logged it.

    ``logged_step[i]`` is the step number as the log writes it; ``step[i]`` the optimizer step it
    belongs to (``logged_step - first_step``); ``lr[g, i]`` param group g's lr there, one row per
    ``columns`` entry. Points are sorted by step, one per step (a later write of a step wins, as
    TensorBoard shows a resumed run).
    """

    path: str
    kind: str
    columns: tuple[str, ...]
    logged_step: np.ndarray
    lr: np.ndarray
    first_step: int
    # A log with one point per epoch (Keras' CSVLogger, YOLO's results.csv): ``logged_step`` counts
    # epochs (from ``first_step``), and each lr is the one of the epoch's "first" or "last" optimizer
    # step, or the one "after" its last (the next epoch's first). ``on_run`` places them on steps.
    per_epoch: str | None = None
    # Significant digits the log writes its values with (YOLO's results.csv: %.6g, %20.5g), when fewer
    # than a float's: verify then allows their rounding, half a unit in the last digit.
    digits: int | None = None
    # A log of the lr after each step's scheduler step (Megatron's, DeepSpeed's monitor): its point
    # at the run's last step + 1 is the lr the schedule reached when training ended, which no step
    # trains with; ``on_run`` leaves that one point out.
    after_run_end: bool = False

    @property
    def step(self) -> np.ndarray:
        return self.logged_step - self.first_step

    def on_run(self, run: RunSpec) -> "RunLog":
        """The log on the run's optimizer steps: a per-epoch log's points at the step each belongs to."""
        if self.after_run_end:
            keep = self.step != run.total_steps
            return RunLog(self.path, self.kind, self.columns, self.logged_step[keep], self.lr[:, keep], self.first_step, digits=self.digits)
        if self.per_epoch is None:
            return self
        spe = run.steps_per_epoch
        offset = {"first": 0, "last": spe - 1, "after": spe}[self.per_epoch]
        step = self.step * spe + offset
        kind = f"{self.kind}, one point per epoch (its {self.per_epoch} step)" if self.per_epoch != "after" else (
            f"{self.kind}, one point per epoch (the lr after its last step)")
        # the lr after the run's last epoch is one no step of the run trains with: nothing to compare
        keep = step != run.total_steps if self.per_epoch == "after" else slice(None)
        if not np.all(keep) and np.any(keep):
            step, lr = step[keep], self.lr[:, keep]
        else:
            lr = self.lr
        return RunLog(self.path, kind, self.columns, step, lr, 0, digits=self.digits)

    def __len__(self) -> int:
        return int(self.logged_step.shape[0])

    @property
    def label(self) -> str:
        """A short name for legends: the file (or run folder) and the folder it is in."""
        parts = Path(self.path).parts[-2:]
        return "/".join(parts)

    def describe(self) -> str:
        what = f"column {self.columns[0]}" if len(self.columns) == 1 else f"columns {', '.join(self.columns)}"
        steps = f"steps {int(self.logged_step[0])}..{int(self.logged_step[-1])}"
        base = "optimizer step s-1" if self.first_step == 1 else "optimizer step s"
        return f"{self.kind}, {what}, {len(self)} points at {steps} (step s is {base})"


def read_runlog(
    path: str | Path,
    columns: Sequence[str] = (),
    step_column: str | None = None,
    first_step: int | None = None,
) -> RunLog:
    """Read a logged run: the format from the file (or folder), the lr and step columns found by name.

    ``columns`` names the lr column(s) (one per param group), ``step_column`` the step; both are
    found by the names the tools use when not given. ``first_step`` is the log's number for the
    first optimizer step (0 or 1), where the format does not fix it. A framework's own logs
    (trainer_state.json, ...) are read by the framework's ``logs`` module, which knows how that
    framework numbers its steps.
    """
    where = str(path)
    p = user_path(str(path), where)
    if first_step is not None and first_step not in (0, 1):
        raise ConfigError("--first-step", f"must be 0 or 1 (the log's number for the first optimizer step), got {first_step}")
    if not p.exists():
        raise ConfigError(where, "no such file or folder")
    request = LogRequest(tuple(columns), step_column, first_step)
    reader = _framework_reader(p)
    if reader is not None:
        return reader.read_log(p, where, request)
    if p.is_dir():
        events = _event_files(p)
        if not events:
            raise ConfigError(where, f"is a folder with no TensorBoard event files (events.out.tfevents.*) and no log lrplot knows; {_readable()}")
        return _tensorboard(where, events, columns, first_step)
    name = p.name
    if name.startswith("events.out.tfevents"):
        if not p.is_file():  # the reader would block on a FIFO, or read a device without end
            raise ConfigError(where, "is not a regular file; a TensorBoard event file is one")
        return _tensorboard(where, [p], columns, first_step)
    if name.endswith((".jsonl", ".ndjson")):
        return json_lines(where, read_bytes(p, where), request)
    if name.endswith((".csv", ".tsv")):
        return _csv(where, read_bytes(p, where), columns, step_column, first_step, "\t" if name.endswith(".tsv") else ",")
    raise ConfigError(where, f"is not a run log lrplot reads: {_readable()}")


def _log_readers() -> list[Any]:
    from .registry import FAMILIES

    return [f.part(f.logs_module) for f in FAMILIES if f.logs_module]


def _framework_reader(p: Path) -> Any:
    """The logs module of the framework whose log (or output folder) ``p`` is, if any."""
    try:
        return next((reader for reader in _log_readers() if reader.claims_log(p)), None)
    except OSError:
        return None


def _readable() -> str:
    from .registry import FAMILIES

    theirs = "; ".join(f"{f.name}: {f.part(f.logs_module).LOG_FORMATS}" for f in FAMILIES if f.logs_module)
    return f"give a .csv, a .jsonl file, a TensorBoard event file or run folder, or a framework's own log ({theirs})"


def run_folder(folder: str | Path) -> tuple[Path, Path]:
    """The config and the log a framework's output folder holds (``lrplot verify WORK_DIR``)."""
    where = str(folder)
    p = user_path(where, where)
    if not p.is_dir():
        raise ConfigError(where, "is not a folder; give CONFIG RUNLOG, or a framework's output folder (an mmengine work_dir, ...)")
    for reader in _log_readers():
        found = reader.run_folder(p)
        if found is not None:
            return found
    from .registry import FAMILIES

    frameworks = ", ".join(f.name for f in FAMILIES if f.logs_module)
    raise ConfigError(where, f"holds no config and log lrplot can pair ({frameworks} output folders); give CONFIG RUNLOG")


# ----------------------------------------------------------------------------------------------
# Files


def read_bytes(p: Path, where: str) -> bytes:
    # files.read_limited: pipes read with a bound and a timeout, devices refused unopened.
    return read_limited(p, MAX_LOG_BYTES, where, "run logs")


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ConfigError(where, "is not UTF-8 text") from None


def _event_files(folder: Path) -> list[Path]:
    """The event files of a run folder, or of the one run below it (Lightning's version_N)."""
    own = sorted(f for f in folder.iterdir() if f.name.startswith("events.out.tfevents") and f.is_file())
    if own:
        return own
    runs = sorted({f.parent for f in folder.rglob("events.out.tfevents*") if f.is_file()})
    if len(runs) > 1:
        shown = ", ".join(str(r.relative_to(folder)) for r in runs[:6])
        raise ConfigError(str(folder), f"holds {len(runs)} TensorBoard runs ({shown}); name one run folder")
    return sorted(f for f in runs[0].iterdir() if f.name.startswith("events.out.tfevents")) if runs else []


# ----------------------------------------------------------------------------------------------
# Columns


def is_lr_name(name: str) -> bool:
    """A column, tag or key that holds an lr, by the names the tools give it."""
    short = name.split(" - ", 1)[1] if " - " in name else name  # a W&B export's "<run> - <key>"
    return bool(_LR_NAME.match(short)) and not _NOT_LR.search(short)


def choose_lr(names: Sequence[str], given: Sequence[str], where: str) -> list[str]:
    """The lr series of a log: the given names, or the one family of lr names it has.

    Several lr names are one family when they are one optimizer's param groups (Lightning's
    ``lr-AdamW/pg1``, ``lr-AdamW/pg2``; lrplot's ``lr_<group>``).
    """
    if given:
        for name in given:
            if name not in names:
                raise ConfigError("--column", f"{where} has no {name!r}{suggest(name, names)}; it has {_listing(names)}")
        return list(given)
    found = [n for n in names if is_lr_name(n)]
    if not found:
        raise ConfigError(where, f"has no lr column (like lr, learning_rate or lr-AdamW); it has {_listing(names)}: name one with --column")
    families = {_family(n) for n in found}
    if len(families) > 1:
        raise ConfigError(where, f"has several lr columns ({', '.join(found)}); choose with --column (once per param group)")
    return found


def _family(name: str) -> str:
    """What several lr names must share to be one optimizer's param groups (and one W&B run's)."""
    run, _, key = name.rpartition(" - ")
    if key.lower().startswith("lr-"):  # Lightning: lr-<Optimizer>/<group>
        return f"{run}|{key.split('/', 1)[0]}"
    if key.lower().startswith("lr_"):  # lrplot export: lr_<group>
        return f"{run}|lr_"
    return name


def _listing(names: Iterable[str]) -> str:
    names = [n for n in names if n]
    shown = ", ".join(repr(n) for n in names[:30])
    return (shown + f", ... ({len(names)} in all)") if len(names) > 30 else (shown or "none")


def _choose_step(names: Sequence[str], given: str | None, where: str) -> str:
    if given is not None:
        if given not in names:
            raise ConfigError("--step-column", f"{where} has no {given!r}{suggest(given, names)}; it has {_listing(names)}")
        return given
    for candidate in _STEP_NAMES:
        if candidate in names:
            return candidate
    raise ConfigError(where, f"has no step column (like step, Step, global_step or _step); it has {_listing(names)}: name one with --step-column")


def _first_step(names: Iterable[str], given: int | None) -> int:
    if given is not None:
        return given
    return 1 if any(n in _TRANSFORMERS_NAMES or n.endswith(" - train/learning_rate") for n in names) else 0


# ----------------------------------------------------------------------------------------------
# Formats


def _csv(where: str, data: bytes, columns: Sequence[str], step_column: str | None, first_step: int | None, delimiter: str) -> RunLog:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    newline = data.find(b"\n")
    head, body = (data, b"") if newline < 0 else (data[:newline], data[newline + 1 :])
    try:
        header = [h.strip() for h in next(csv.reader([decode(head, where).rstrip("\r")], delimiter=delimiter), [])]
    except csv.Error as exc:
        raise ConfigError(where, f"is not a readable CSV: {exc}") from None
    if not any(header):
        raise ConfigError(where, "is empty or has no header row")
    lr_names = choose_lr(header, columns, where)
    step_name = _choose_step(header, step_column, where)
    wanted = [header.index(step_name)] + [header.index(n) for n in lr_names]
    kind = "W&B export" if any(" - " in n for n in lr_names) else "Lightning CSVLogger" if lr_names[0].startswith("lr-") else "CSV"
    first = _first_step(header, first_step)
    fast = _numeric_columns(body, wanted, len(header), delimiter)
    if fast is not None:
        (step, _), *lrs = fast
        log = _from_numbers(where, kind, lr_names, step, [v for v, _ in lrs], [e for _, e in lrs], first)
        if log is not None:
            return log
    # Quoted cells, ragged rows, or a value that is not a number: the careful way, which names the line.
    cells = _csv_columns(decode(body, where), wanted, delimiter, where)
    return assemble(where, kind, lr_names, cells[0], cells[1:], first, line_offset=2)


def _numeric_columns(body: bytes, wanted: list[int], n_fields: int, delimiter: str) -> list[tuple[np.ndarray, np.ndarray]] | None:
    """The wanted columns of an unquoted CSV body as floats, with the mask of empty cells, parsed
    in numpy (a million rows in a fraction of a second); None when the body is not that simple."""
    if b'"' in body or not body.strip():
        return None
    if b"\r" in body:
        body = body.replace(b"\r\n", b"\n")
    if not body.endswith(b"\n"):
        body += b"\n"
    buf = np.frombuffer(body + b"nan\n", dtype=np.uint8)  # "nan" at the end stands in for empty cells
    size = len(body)
    lines = np.flatnonzero(buf[:size] == 10)
    seps = np.flatnonzero(buf[:size] == ord(delimiter))
    if seps.size != lines.size * (n_fields - 1):
        return None
    if n_fields > 1:
        grid = seps.reshape(lines.size, n_fields - 1)
        # Each line must hold exactly its n_fields - 1 separators (no blank or ragged line).
        if np.any(grid[:, -1] >= lines) or np.any(grid[1:, 0] <= lines[:-1]):
            return None
    starts_of_lines = np.concatenate([[0], lines[:-1] + 1])
    out = []
    for f in wanted:
        start = starts_of_lines if f == 0 else grid[:, f - 1] + 1
        end = lines if f == n_fields - 1 else grid[:, f]
        length = end - start
        empty = length == 0
        values = _whole_numbers(buf, start, length)
        if values is None:
            values = _floats(buf, np.where(empty, size, start), np.where(empty, 3, length))
        if values is None or values.size != lines.size:
            return None
        out.append((values, empty))
    return out


def _whole_numbers(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    """Cells of plain digits (step numbers) as exact integers, empty ones NaN; None otherwise."""
    width = int(length.max())
    if width == 0 or width > 15:
        return None
    # Right-align every cell in a row of ``width`` bytes, then read the digits positionally.
    offsets = np.arange(width) - width
    index = (start + length)[:, None] + offsets[None, :]
    inside = offsets[None, :] >= -length[:, None]
    digits = buf[np.where(inside, index, 0)].astype(np.int64) - 48
    digits[~inside] = 0
    if np.any((digits < 0) | (digits > 9)):
        return None
    values = (digits @ (10 ** np.arange(width - 1, -1, -1, dtype=np.int64))).astype(np.float64)
    values[length == 0] = np.nan
    return values


def _floats(buf: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray | None:
    """Cells as floats, parsed by numpy's own text reader from the cells laid end to end."""
    step = length + 1
    stop = np.cumsum(step)
    index = np.arange(int(stop[-1]), dtype=np.int64) + np.repeat(start - (stop - step), step)
    text = buf[index]
    text[stop - 1] = 10
    try:
        return np.fromstring(text.tobytes(), sep="\n")
    except ValueError:
        return None


def _from_numbers(where: str, kind: str, names: Sequence[str], step: np.ndarray, lrs: list[np.ndarray], empties: list[np.ndarray], first_step: int) -> RunLog | None:
    """A RunLog from parsed columns, or None to let the careful reader name a problem's line."""
    filled = ~np.vstack(empties)
    present = filled.all(axis=0)
    if np.any(filled.any(axis=0) & ~present) or not present.any():
        return None
    step = step[present]
    if not np.all(np.isfinite(step)) or np.any(step != np.floor(step)) or np.abs(step).max() >= 2**53:
        return None
    lr = np.vstack([v[present] for v in lrs])
    rows = np.flatnonzero(present)
    return _finish(where, kind, names, step.astype(np.int64), lr, first_step, lambda i: f"line {int(rows[i]) + 2}")


def _csv_columns(body: str, wanted: list[int], delimiter: str, where: str) -> list[list[str]]:
    """The cells of the wanted columns, row by row (a missing cell is ``""``)."""
    out: list[list[str]] = [[] for _ in wanted]
    try:
        for row in csv.reader(io.StringIO(body), delimiter=delimiter):
            for col, i in zip(out, wanted):
                col.append(row[i] if i < len(row) else "")
    except csv.Error as exc:
        raise ConfigError(where, f"is not a readable CSV: {exc}") from None
    return out


def json_lines(where: str, data: bytes, request: LogRequest, kind: str = "JSON lines", step_names: Sequence[str] = (), first_step: int | None = None) -> RunLog:
    """A JSON-lines log: one object per line, with a step and an lr field (records without the lr,
    like other metrics' lines, are skipped). ``step_names`` and ``first_step`` are a format's own
    step field and numbering, where the user said nothing."""
    records = []
    keys: dict[str, None] = {}
    for n, line in enumerate(decode(data, where).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ConfigError(where, f"line {n} is not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise ConfigError(where, f"line {n} is not a JSON object; JSON lines logs hold one object per line")
        records.append(record)
        keys.update(dict.fromkeys(record))
    names = list(keys)
    if not records:
        raise ConfigError(where, "is empty")
    lr_names = choose_lr(names, request.columns, where)
    step_given = request.step_column or next((s for s in step_names if s in names), None)
    step_name = _choose_step(names, step_given, where)
    steps = [cell(r.get(step_name)) for r in records]
    values = [[cell(r.get(name)) for r in records] for name in lr_names]
    numbering = request.first_step if request.first_step is not None else first_step
    return assemble(where, kind, lr_names, steps, values, _first_step(names, numbering), line_offset=1)


def cell(value: Any) -> str:
    """A JSON value as a CSV-like cell, for ``assemble``."""
    return "" if value is None else str(value)


def _tensorboard(where: str, files: list[Path], columns: Sequence[str], first_step: int | None) -> RunLog:
    try:
        from tensorboard.backend.event_processing import event_accumulator
    except ImportError:
        raise ConfigError(where, TENSORBOARD_HINT) from None
    scalars = read_scalars(files, event_accumulator)
    names = list(scalars)
    lr_names = choose_lr(names, columns, where)
    return from_scalars(where, {n: scalars[n] for n in lr_names}, first_step=_first_step(names, first_step))


def read_scalars(files: list[Path], event_accumulator: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Every scalar series of a run's event files, as TensorBoard's own reader returns them.

    The reader keeps every point (its default samples 10,000 per tag), reads the files in name
    order (their names start with the time they were opened), and drops a restarted run's points
    past the step it restarted from, as the TensorBoard UI does.
    """
    keep_all = {event_accumulator.SCALARS: 0, event_accumulator.TENSORS: 0}
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    folder = files[0].parent
    if len(files) == 1 or all(f.parent == folder for f in files):
        target = str(folder) if len(files) > 1 else str(files[0])
        acc = event_accumulator.EventAccumulator(target, size_guidance=keep_all)
        acc.Reload()
        tags = acc.Tags()
        for tag in tags.get(event_accumulator.SCALARS, []):
            events = acc.Scalars(tag)
            out[tag] = (np.fromiter((e.step for e in events), np.int64, len(events)), np.fromiter((e.value for e in events), np.float64, len(events)))
        for tag in tags.get(event_accumulator.TENSORS, []):
            # tf.summary.scalar (TF2, Keras) writes a scalar tensor instead of a simple_value.
            from tensorboard.util import tensor_util

            events = acc.Tensors(tag)
            values = [tensor_util.make_ndarray(e.tensor_proto) for e in events]
            if events and all(v.shape == () and v.dtype.kind == "f" for v in values):
                out[tag] = (np.fromiter((e.step for e in events), np.int64, len(events)), np.array(values, dtype=np.float64))
    return out


def from_scalars(where: str, series: dict[str, tuple[np.ndarray, np.ndarray]], first_step: int = 0, kind: str = "TensorBoard") -> RunLog:
    """A RunLog from (steps, values) per lr tag, as ``read_scalars`` returns them (or a test recorded them)."""
    names = list(series)
    steps = np.asarray(series[names[0]][0], dtype=np.int64)
    for name in names[1:]:
        if not np.array_equal(series[name][0], steps):
            raise ConfigError(where, f"the tags {names[0]!r} and {name!r} are logged at different steps; choose one with --column")
    if steps.size == 0:
        raise ConfigError(where, f"has no value in {', '.join(names)}")
    lr = np.vstack([np.asarray(series[name][1], dtype=np.float64) for name in names])
    return _finish(where, kind, names, steps, lr, first_step, lambda i: f"point {i + 1}")


# ----------------------------------------------------------------------------------------------
# From cells to arrays


def assemble(where: str, kind: str, names: Sequence[str], steps: list[str], values: list[list[str]], first_step: int, line_offset: int | None) -> RunLog:
    """Rows with an lr become points; rows without one (other metrics' rows) are skipped."""

    def at(row: int) -> str:
        return f"line {row + line_offset}" if line_offset is not None else f"entry {row + 1}"

    filled = np.array([[bool(c) and not c.isspace() for c in col] for col in values], dtype=bool)
    present = filled.all(axis=0)
    partial = np.nonzero(filled.any(axis=0) & ~present)[0]
    if partial.size:
        raise ConfigError(where, f"{at(int(partial[0]))} has a value for some of {', '.join(names)} but not all; choose columns with --column")
    rows = np.nonzero(present)[0]
    if rows.size == 0:
        raise ConfigError(where, f"has no value in {', '.join(names)}")
    whole = rows.size == len(steps)
    step_cells = steps if whole else [steps[i] for i in rows]
    locate = lambda i: at(int(rows[i]))  # noqa: E731 - a cell's line, for messages
    logged = _numbers(step_cells, "the step", where, locate)
    fraction = ~np.isfinite(logged) | (logged != np.floor(logged))
    if fraction.any():
        bad = int(np.nonzero(fraction)[0][0])
        raise ConfigError(where, f"{at(int(rows[bad]))}: the step {step_cells[bad].strip()[:40]!r} is not a whole number")
    if np.abs(logged).max() >= 2**53:
        raise ConfigError(where, "has a step beyond 2**53; not a step count")
    lr = np.vstack([_numbers(col if whole else [col[i] for i in rows], name, where, locate) for col, name in zip(values, names)])
    return _finish(where, kind, names, logged.astype(np.int64), lr, first_step, locate)


def _finish(where: str, kind: str, names: Sequence[str], step: np.ndarray, lr: np.ndarray, first_step: int, at) -> RunLog:
    bad_lr = ~np.isfinite(lr)
    if bad_lr.any():
        g, i = (int(a[0]) for a in np.nonzero(bad_lr))
        raise ConfigError(where, f"{at(i)}: {names[g]} is {lr[g, i]}, not a finite lr")
    if step.min() < first_step:
        i = int(np.argmin(step))
        raise ConfigError(where, f"{at(i)}: step {int(step[i])} comes before the first optimizer step ({first_step}); see --first-step")
    if step.max() - first_step >= MAX_STEPS:
        raise ConfigError(where, f"logs step {int(step.max()):,}; lrplot verifies runs of at most {MAX_STEPS:,} optimizer steps")
    # One point per step, sorted; the last write of a step wins (a resumed run logs it again).
    if np.any(step[1:] <= step[:-1]):
        order = np.argsort(step, kind="stable")
        step, lr = step[order], lr[:, order]
        last = np.append(step[1:] != step[:-1], True)
        step, lr = step[last], lr[:, last]
    return RunLog(where, kind, tuple(names), step, np.ascontiguousarray(lr), first_step)


def _numbers(cells: list[str], name: str, where: str, locate) -> np.ndarray:
    try:
        return np.array(cells, dtype=np.float64)
    except ValueError:
        for i, cell in enumerate(cells):
            try:
                float(cell)
            except ValueError:
                raise ConfigError(where, f"{locate(i)}: {name} is {cell.strip()[:40]!r}, not a number") from None
        raise


def as_trace(log: RunLog, name: str):
    """The logged run as a Trace, for ``compare``: each logged lr holds until the next logged step
    (as a trace's steps do), and the steps before the first logged one have none (NaN).

    A logged run has no scheduler, so its Spec's ``scheduler`` is None; figures read only its name,
    groups and run."""
    from .config import Group, OptimizerSpec, Spec
    from .engine import Trace

    n = int(log.step[-1]) + 1
    steps = np.arange(n, dtype=np.int64)
    held = np.searchsorted(log.step, steps, side="right") - 1
    lr = np.where(held >= 0, log.lr[:, np.maximum(held, 0)], np.nan)
    groups = tuple(Group(column, float(log.lr[i, 0])) for i, column in enumerate(log.columns))
    run = RunSpec(total_steps=n, steps_per_epoch=1, step="iteration", unit="iteration", has_epochs=False)
    spec = Spec(name, OptimizerSpec(groups), run, None)  # type: ignore[arg-type]
    return Trace(spec, steps, steps.astype(np.float64), lr)


def looks_like_runlog(text: str) -> bool:
    """A ``compare`` SPEC that names a logged run rather than a config or an inline schedule."""
    p = Path(text).expanduser()
    name = p.name
    if name.endswith((".csv", ".tsv", ".jsonl", ".ndjson")) or name.startswith("events.out.tfevents"):
        return True
    try:
        return _framework_reader(p) is not None or (p.is_dir() and any(p.rglob("events.out.tfevents*")))
    except (OSError, ValueError):  # a name too long for a path, a NUL byte: an inline spec, not a folder
        return False
